from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.widgets.button import Button

from surveys import invitations
from surveys.models import SatisfactionSurveyPage, SurveyPage
from surveys.templatetags.surveys_tags import report_url_of


@hooks.register("register_admin_urls")
def register_survey_urls():
    return [
        path("surveys/<int:page_id>/invitations/", invitations.manage, name="surveys_invitations"),
        path("surveys/<int:page_id>/invitations/revoke/", invitations.revoke, name="surveys_invitations_revoke"),
    ]


@hooks.register("register_page_listing_more_buttons")
def survey_buttons(page, user, next_url=None):
    specific = page.specific_deferred
    if not isinstance(specific, SurveyPage) or not user.has_perm("surveys.edit_survey", specific):
        return
    yield Button(_("Results"), url=specific.route_url("results_route"), icon_name="table", priority=90)
    if isinstance(specific, SatisfactionSurveyPage) and (url := report_url_of(specific)):
        yield Button(_("Satisfaction report (PDF)"), url=url, icon_name="download", priority=92)
    if specific.mode == SurveyPage.Mode.INVITATION:
        yield Button(
            _("Invitation codes"), url=reverse("surveys_invitations", args=[page.pk]), icon_name="key", priority=91
        )


@hooks.register("register_page_header_buttons")
def survey_header_buttons(page, user, view_name, next_url=None):
    """Results and, for a satisfaction survey, its PDF report, from the survey's editor and listing header."""
    specific = page.specific_deferred
    if not isinstance(specific, SurveyPage) or not user.has_perm("surveys.edit_survey", specific):
        return
    yield Button(_("Results"), url=specific.route_url("results_route"), icon_name="table", priority=80)
    if isinstance(specific, SatisfactionSurveyPage) and (url := report_url_of(specific)):
        yield Button(_("Satisfaction report (PDF)"), url=url, icon_name="download", priority=81)
