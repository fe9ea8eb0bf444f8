"""The official tally, computed in SQL; numbers stay hidden until the ballot closes.

Everything here reads one round of balloting (by default the current one): a ballot held again after an
invalid close is a new round, counted on its own; rounds are never merged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q

from evaluation import scoring
from evaluation.models import (
    AppraisalCampaign,
    Appraisee,
    Ballot,
    BallotEntry,
    Grade,
    Participation,
    VoterGroup,
)

MIN_GROUP = 3  # fewer voters than this in a group: no per-member numbers for it


class ResultsHidden(Exception):
    """Results exist only after balloting closes."""


@dataclass
class GroupSummary:
    issued: int
    returned: int
    ballots: int
    due: int | None = None  # 应到 (members: every member with a vote, online or on paper)

    @property
    def turnout(self) -> Decimal | None:
        """Returned ÷ 应到 (every member with a vote, with or without an account); ÷ issued where no 应到."""
        return scoring.rate(self.returned, self.due if self.due is not None else self.issued)

    @property
    def too_many(self) -> bool:
        """More ballots came back than were issued: the ballot is void."""
        return self.ballots > self.issued or self.returned > self.issued

    @property
    def shown(self) -> bool:
        return self.ballots >= MIN_GROUP


@dataclass
class MemberResult:
    appraisee: Appraisee
    members: scoring.GroupTally | None
    masses: scoring.GroupTally | None
    combined: Decimal | None = None
    suggested: str | None = None
    flags: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def suggested_label(self) -> str:
        return Grade(self.suggested).label if self.suggested else ""


@dataclass
class RoundSummary:
    """One round's counts and validity, without any result: what is shown of an earlier, invalid round."""

    number: int
    members: GroupSummary
    valid: bool


@dataclass
class CampaignTally:
    campaign: AppraisalCampaign
    members: GroupSummary
    masses: GroupSummary | None
    results: list[MemberResult]
    formal_members: int
    quota: int
    ballot_round: int = 1
    earlier_rounds: list[RoundSummary] = field(default_factory=list)

    @property
    def valid(self) -> bool:
        """Enough ballots came back, and never more than were issued."""
        return ballot_valid(self.campaign, self.members)

    @property
    def min_turnout(self) -> Decimal:
        return self.campaign.min_turnout

    def totals(self, source: str = "final") -> dict[str, int]:
        counts = dict.fromkeys(Grade.values, 0)
        for result in self.results:
            grade = result.appraisee.final_grade if source == "final" else result.suggested
            if grade:
                counts[grade] += 1
        return counts


def _group_summaries(campaign: AppraisalCampaign, number: int) -> dict[str, GroupSummary]:
    in_round = {"campaign": campaign, "ballot_round": number}
    returned = dict(Participation.objects.filter(**in_round).values_list("group").annotate(n=Count("pk")).order_by())
    ballots = dict(Ballot.objects.filter(**in_round).values_list("group").annotate(n=Count("pk")).order_by())
    # Members: online and paper ballots (AppraisalCampaign.ballot_counts); 应到 is every member with a vote.
    members = campaign.ballot_counts(number)
    issued_masses = campaign.invitations.filter(revoked=False).count()
    return {
        VoterGroup.MEMBERS: GroupSummary(members.issued, members.returned, ballots.get("members", 0), due=members.due),
        VoterGroup.MASSES: GroupSummary(issued_masses, returned.get("masses", 0), ballots.get("masses", 0)),
    }


def _counts(campaign: AppraisalCampaign, number: int) -> dict[tuple[int, str], scoring.GroupTally]:
    per_grade = {grade: Count("pk", filter=Q(grade=grade)) for grade in Grade.values}
    rows = (
        BallotEntry.objects.filter(ballot__campaign=campaign, ballot__ballot_round=number)
        .values("appraisee_id", "ballot__group")
        .annotate(valid=Count("pk"), **per_grade)
        .order_by()
    )
    return {
        (row["appraisee_id"], row["ballot__group"]): scoring.GroupTally({g: row[g] for g in Grade.values}, row["valid"])
        for row in rows
    }


def _notes(campaign: AppraisalCampaign, number: int) -> dict[int, list[str]]:
    # Sorted by text, not by ballot: notes must not line up with each other across members.
    notes: dict[int, list[str]] = {}
    entries = (
        BallotEntry.objects.filter(ballot__campaign=campaign, ballot__ballot_round=number)
        .exclude(note="")
        .order_by("appraisee_id", "note")
    )
    for appraisee_id, note in entries.values_list("appraisee_id", "note"):
        notes.setdefault(appraisee_id, []).append(note)
    return notes


def ballot_valid(campaign: AppraisalCampaign, members: GroupSummary) -> bool:
    """A 民主测评 below the minimum turnout, or with more ballots than were issued, is not valid."""
    turnout = members.turnout
    return turnout is not None and turnout >= campaign.min_turnout and not members.too_many


def _round(campaign: AppraisalCampaign, ballot_round: int | None) -> int:
    """The round asked for: the current one by default; only a round that has closed has results."""
    number = ballot_round or campaign.ballot_round
    if number > campaign.ballot_round or number < 1 or (number == campaign.ballot_round and not campaign.ballot_closed):
        raise ResultsHidden
    return number


def earlier_rounds(campaign: AppraisalCampaign) -> list[RoundSummary]:
    """The rounds before the current one (each closed below the minimum turnout, so held again)."""
    summaries = []
    for number in range(1, campaign.ballot_round):
        members = _group_summaries(campaign, number)[VoterGroup.MEMBERS]
        summaries.append(RoundSummary(number, members, ballot_valid(campaign, members)))
    return summaries


def compute(campaign: AppraisalCampaign) -> CampaignTally:
    """The tally of the current round, the one the organisational assessment rests on. An invalid ballot
    yields no per-member numbers, suggestions, flags or notes: nothing computed from it may be shown as a
    result (the branch holds the ballot again, as a new round). Earlier rounds come only as counts."""
    number = _round(campaign, None)
    groups = _group_summaries(campaign, number)
    earlier = earlier_rounds(campaign)
    if not ballot_valid(campaign, groups["members"]):
        results = [MemberResult(a, None, None) for a in campaign.appraisees.select_related("roster_entry")]
        formal = sum(1 for r in results if r.appraisee.is_graded)
        masses = groups["masses"] if campaign.masses_enabled else None
        quota = scoring.excellent_quota(formal)
        return CampaignTally(campaign, groups["members"], masses, results, formal, quota, number, earlier)
    counts, notes = _counts(campaign, number), _notes(campaign, number)
    masses_on = campaign.masses_enabled
    results = []
    for appraisee in campaign.appraisees.select_related("roster_entry"):
        members = counts.get((appraisee.pk, "members"), scoring.GroupTally({}, 0))
        masses = counts.get((appraisee.pk, "masses"), scoring.GroupTally({}, 0)) if masses_on else None
        result = MemberResult(
            appraisee,
            members if groups["members"].shown else None,
            masses if masses_on and groups["masses"].shown else None,
            notes=notes.get(appraisee.pk, []),
        )
        if appraisee.is_graded and result.members is not None:
            result.combined = scoring.combined_score(
                result.members, result.masses, campaign.member_weight, campaign.masses_weight
            )
            result.suggested = scoring.suggest(result.members, campaign.rules)
            result.flags = scoring.flags(result.members, result.masses, campaign.rules)
        results.append(result)
    formal = sum(1 for r in results if r.appraisee.is_graded)
    quota = scoring.excellent_quota(formal)
    _apply_quota(results, quota)
    masses = groups["masses"] if masses_on else None
    return CampaignTally(campaign, groups["members"], masses, results, formal, quota, number, earlier)


def _apply_quota(results: list[MemberResult], quota: int) -> None:
    candidates = [(r.appraisee.pk, r.combined) for r in results if r.suggested == scoring.EXCELLENT]
    keep = scoring.apply_quota(candidates, quota)
    for result in results:
        if result.suggested == scoring.EXCELLENT and result.appraisee.pk not in keep:
            result.suggested = scoring.COMPETENT


def round_valid(campaign: AppraisalCampaign, ballot_round: int | None = None) -> bool:
    """Whether a closed round is valid (ResultsHidden while it is open)."""
    number = _round(campaign, ballot_round)
    return ballot_valid(campaign, _group_summaries(campaign, number)[VoterGroup.MEMBERS])


def published_ballots(campaign: AppraisalCampaign, ballot_round: int | None = None) -> list[dict]:
    """Every mixed ballot of a valid round, without receipt, ordered by its random key: key, group, grades.

    A group with fewer than MIN_GROUP ballots is withheld, as in the tally (M3): a lone masses'
    representative's ballot would be theirs for anyone who knows who came. The receipts are published
    apart (`evaluation.receipts.published`): they prove a ballot was counted, not what it said.

    An invalid round's ballots are never published one by one: nothing is computed from them, and a
    round held again would otherwise let anyone set the two rounds' ballots side by side and pick out
    those of the members who voted only in the second (the re-open attack, H3, by other means).
    """
    number = _round(campaign, ballot_round)
    groups = _group_summaries(campaign, number)
    if not ballot_valid(campaign, groups[VoterGroup.MEMBERS]):
        return []
    shown = [group for group, summary in groups.items() if summary.shown]
    ballots = {}
    in_round = Ballot.objects.filter(campaign=campaign, ballot_round=number, group__in=shown)
    entries = BallotEntry.objects.filter(ballot__in=in_round).values_list(
        "ballot_id", "ballot__group", "appraisee_id", "grade"
    )
    for ballot_id, group, appraisee_id, grade in entries:
        ballot = ballots.setdefault(ballot_id, {"key": str(ballot_id), "group": group, "grades": {}})
        ballot["grades"][appraisee_id] = grade or None
    for ballot_id, group in in_round.values_list("id", "group"):
        ballots.setdefault(ballot_id, {"key": str(ballot_id), "group": group, "grades": {}})
    return sorted(ballots.values(), key=lambda ballot: ballot["key"])


def withheld_groups(campaign: AppraisalCampaign, ballot_round: int | None = None) -> dict[str, int]:
    """Groups whose ballots are not published one by one (fewer than MIN_GROUP), with their counts."""
    groups = _group_summaries(campaign, _round(campaign, ballot_round))
    return {group: s.ballots for group, s in groups.items() if s.ballots and not s.shown}


def ballots_counted(campaign: AppraisalCampaign, ballot_round: int | None = None) -> int:
    """How many ballots a round counted (every group, published or not)."""
    return Ballot.objects.filter(campaign=campaign, ballot_round=_round(campaign, ballot_round)).count()


def recount(published: list[dict]) -> dict[tuple[int, str], dict[str, int]]:
    """Recompute the per-member counts from the published ballots (what any voter can do)."""
    totals: dict[tuple[int, str], dict[str, int]] = {}
    for ballot in published:
        for appraisee_id, grade in ballot["grades"].items():
            counts = totals.setdefault((appraisee_id, ballot["group"]), dict.fromkeys(Grade.values, 0))
            if grade:
                counts[grade] += 1
    return totals


def turnout_now(campaign: AppraisalCampaign) -> GroupSummary:
    """The current round's members' 应到 / issued / returned so far (counts only): what the secretary sees
    before closing."""
    return _group_summaries(campaign, campaign.ballot_round)[VoterGroup.MEMBERS]
