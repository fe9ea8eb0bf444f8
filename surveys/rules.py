"""Who may run, answer and see the results of a survey. Built on organizations.roles.

Views, templates and the admin's hooks ask these by name: `user.has_perm("surveys.view_results", page)`.
Invitation codes are checked apart (surveys/answering.py): a code admits one response, not a person.
"""

from __future__ import annotations

import rules

from organizations import residents, roles
from organizations.models import Organization


@rules.predicate
def edits_page(user, page) -> bool:
    """Wagtail's own page permission: the survey's editors in the admin."""
    return user.is_authenticated and page.permissions_for_user(user).can_edit()


@rules.predicate
def manages_organization(user, page) -> bool:
    """Those who manage the organisation whose section holds the survey (its editors run it)."""
    return user.is_authenticated and page.organization is not None and roles.can_manage(user, page.organization)


@rules.predicate
def in_audience(user, page) -> bool:
    """Whether the survey's audience admits a signed-in user: everyone signed in, those living in the chosen
    grids (organizations.residents: a confirmed residence or a roster grid), or members of the chosen
    organisations and the branches below them."""
    if not user.is_authenticated:
        return False
    if page.audience in (page.Audience.EVERYONE, page.Audience.SIGNED_IN):
        return True
    if page.audience == page.Audience.GRIDS:
        return residents.lives_in(user, page.audience_grids.values_list("pk", flat=True))
    entry = roles.roster_entry(user)
    if entry is None:
        return False
    audience = page.audience_organizations.only("path")
    return Organization.objects.within(*audience).filter(pk=entry.branch_id).exists()


@rules.predicate
def results_public(user, page) -> bool:
    """Results shown to the survey's audience once it has closed (everyone's, for an open audience)."""
    return page.results_visibility == page.ResultsVisibility.PUBLIC_AFTER_CLOSE and page.has_closed()


@rules.predicate
def audience_is_everyone(user, page) -> bool:
    return page.audience == page.Audience.EVERYONE


manage_survey = edits_page | manages_organization

rules.add_perm("surveys.edit_survey", edits_page)
rules.add_perm("surveys.manage_survey", manage_survey)
rules.add_perm("surveys.view_results", manage_survey | (results_public & (audience_is_everyone | in_audience)))
# Answering is a question of audience, asked with `test_rule`: `has_perm` is true for every superuser,
# and a superuser is not thereby a resident of the grids a survey is for.
rules.add_rule("surveys.answer_survey", in_audience)
