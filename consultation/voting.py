"""The vote (表决): casting a ballot, and its tally under the 四议两公开 rule."""

from __future__ import annotations

from django.db.models import Count
from django.utils.translation import gettext as _

from consultation import page_cache
from consultation import rules as consultation_rules
from consultation.actions import permit, require
from consultation.models import ELECTORATE_NEEDED, Audience, ConsultationPage, Stage, Vote, VoteOption
from consultation.tally import Tally, tally


def cast_vote(consultation: ConsultationPage, user, option_id) -> Vote:
    require(consultation.voting_enabled and consultation.stage == Stage.VOTING, _("Voting is not open."))
    # "Everyone signed in" is no electorate: anyone from any community could vote against a fixed 应到.
    require(consultation.audience != Audience.EVERYONE, str(ELECTORATE_NEEDED))
    # The electorate, not a permission (see rules.py): a superuser outside it does not vote.
    permit(consultation_rules.is_eligible(user, consultation), _("You are not eligible to vote in this consultation."))
    option = VoteOption.objects.filter(consultation=consultation, pk=option_id).first()
    require(option is not None, _("Choose one of the options."))
    vote = Vote.cast(consultation, user, option)
    page_cache.changed(consultation.pk)  # a changed choice is written by a queryset update, which sends no signal
    return vote


def vote_record(consultation: ConsultationPage) -> dict:
    """The vote's result as it stands, to keep in the timeline when voting closes."""
    options, tally = vote_tally(consultation)
    labels = {str(option.pk): option.label for option in options}
    return {
        "options": [[option.label, option.n] for option in options],
        "participants": tally.participants,
        "eligible": tally.eligible,
        "quorum_met": tally.quorum_met,
        "passed": tally.passed,
        "winner": labels.get(tally.leader) if tally.passed else None,
    }


def vote_tally(consultation: ConsultationPage) -> tuple[list[VoteOption], Tally]:
    """The options (each with its count `n`) and the tally against those due to vote."""
    options = list(consultation.vote_options.annotate(n=Count("votes")).order_by("sort_order", "pk"))
    result = tally(
        consultation_rules.eligible_count(consultation),
        {str(o.pk): o.n for o in options},
        consultation.quorum_ratio(),
        consultation.majority_ratio(),
    )
    return options, result
