"""Who may see and do what in an appraisal. Nobody may see a voter's ballot: there is no rule for it."""

import rules

from evaluation.models import AppraisalCampaign, Stage
from organizations import roles
from organizations.models import Organization


def oversees(user, branch: Organization) -> bool:
    """The branch's secretary, an admin of the branch or of an organisation above it, or a superuser."""
    if not user.is_authenticated:
        return False
    if user.is_superuser or roles.holds_role(user, branch, roles.Role.SECRETARY):
        return True
    return roles.organizations_with_role(user, roles.Role.ADMIN).with_ancestors(branch).exists()


def overseen_branches(user):
    """Branches whose appraisals the user runs: as their secretary or an admin above them."""
    branches = roles.managed_organizations(user).filter(kind=Organization.Kind.BRANCH)
    return branches.filter(pk__in=[branch.pk for branch in branches if oversees(user, branch)])


@rules.predicate
def oversees_campaign(user, campaign: AppraisalCampaign) -> bool:
    return campaign is not None and oversees(user, campaign.branch)


@rules.predicate
def is_appraisee(user, campaign: AppraisalCampaign) -> bool:
    if not user.is_authenticated:
        return False
    # The ballot page has just read every appraisee with its linked account (voting.voter_and_rows).
    known = getattr(campaign, "appraisee_user_ids", None)
    if known is not None:
        return user.pk in known
    return campaign.appraisees.filter(roster_entry__user=user).exists()


@rules.predicate
def notice_published(user, campaign: AppraisalCampaign) -> bool:
    return campaign.stage_reached(Stage.NOTICE)


@rules.predicate
def ballot_closed(user, campaign: AppraisalCampaign) -> bool:
    return campaign.ballot_closed


# Members (one query) are asked first: a thousand of them open the ballot at once, their secretary rarely.
rules.add_perm("evaluation.view_campaign", is_appraisee | oversees_campaign)
rules.add_perm("evaluation.manage_campaign", oversees_campaign)
rules.add_perm("evaluation.view_tally", oversees_campaign & ballot_closed)
rules.add_perm("evaluation.view_own_result", is_appraisee & notice_published)
rules.add_perm("evaluation.view_notice", (oversees_campaign | is_appraisee) & notice_published)
rules.add_perm("evaluation.view_published_ballots", (oversees_campaign | is_appraisee) & ballot_closed)
