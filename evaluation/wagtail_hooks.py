"""The appraisal in the Wagtail admin: overseers find their campaigns and download summaries."""

from django.shortcuts import render
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _

from wagtail import hooks
from wagtail.admin.menu import MenuItem

from evaluation.models import AppraisalCampaign, Stage
from evaluation.rules import overseen_branches
from organizations import roles


def admin_campaigns(request):
    campaigns = AppraisalCampaign.objects.filter(branch__in=overseen_branches(request.user)).select_related("branch")
    return render(request, "evaluation/admin/campaigns.html", {"campaigns": campaigns})


@hooks.register("register_admin_urls")
def register_urls():
    return [path("appraisals/", admin_campaigns, name="evaluation_admin_campaigns")]


class AppraisalMenuItem(MenuItem):
    def is_shown(self, request):
        return overseen_branches(request.user).exists()


@hooks.register("register_admin_menu_item")
def register_menu_item():
    return AppraisalMenuItem(
        _("Democratic appraisal"), reverse("evaluation_admin_campaigns"), icon_name="tasks", order=260
    )


@hooks.register("gongzhi_home_panels")
def current_appraisals(request):
    """The member's appraisals still under way, on the home page."""
    if not roles.standing(request).on_roster:  # read once for every panel: no roster entry, no appraisal
        return None
    campaigns = (
        AppraisalCampaign.objects.filter(appraisees__roster_entry__user=request.user)
        .exclude(stage=Stage.DONE)
        .select_related("branch")
        .distinct()
    )
    items = [
        {"title": str(c), "url": reverse("evaluation:detail", args=[c.pk]), "meta": c.get_stage_display()}
        for c in campaigns
    ]
    return {"key": "appraisal", "heading": _("Democratic appraisal"), "items": items} if items else None
