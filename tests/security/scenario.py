"""Data for the durability and backup tests: an open appraisal and an anonymous survey with answers,
plus the integrity rules both tests check (nothing half-written, secrecy tables in step)."""

from __future__ import annotations

from django.db.models import Count
from django.http import QueryDict

from accounts.factories import UserFactory
from evaluation import voting
from evaluation.factories import AppraisalCampaignFactory
from evaluation.models import Ballot, BallotEntry, SealedBallot, Stage
from evaluation.models import Participation as BallotParticipation
from organizations.factories import RosterEntryFactory
from organizations.models import RosterEntry
from surveys import answering
from surveys.factories import qid, survey_page
from surveys.models import Answer, Response, SealedResponse, SurveyPage
from surveys.models import Participation as SurveyParticipation

GRADES = ["excellent", "competent", "basic", "incompetent", ""]


def members(branch, count: int, *, probationary: int = 1) -> list:
    """`count` members of `branch` with accounts; the last `probationary` are 预备党员."""
    users = [UserFactory(display_name=f"党员{i}") for i in range(count)]
    for index, user in enumerate(users):
        member_type = (
            RosterEntry.MemberType.PROBATIONARY if index >= count - probationary else RosterEntry.MemberType.FULL
        )
        RosterEntryFactory(
            branch=branch, user=user, name=f"党员{index}", member_no=f"D{index:03d}", member_type=member_type
        )
    return users


def open_campaign(branch, secretary, *, scrutineers=(), paper_ballots: int = 0):
    """The branch's appraisal with balloting open; with `scrutineers` (two members), `paper_ballots` paper
    ballots issued for members without an account."""
    campaign = AppraisalCampaignFactory(branch=branch)
    campaign.enrol_members()
    if scrutineers:
        campaign.first_scrutineer, campaign.second_scrutineer = scrutineers
        campaign.paper_ballots_issued = paper_ballots
        campaign.save()
    campaign.move_to(Stage.BALLOTING, secretary)
    return campaign


def anonymous_survey(branch):
    return survey_page(branch.page, mode=SurveyPage.Mode.ANONYMOUS, title="居民满意度问卷")


def survey_form(page, index: int) -> dict[str, object]:
    """A complete answer set (three questions, one of them two picks): four answer rows."""
    return {
        f"q-{qid(page, 0)}": ["30岁以下", "30–59岁", "60岁及以上"][index % 3],
        f"q-{qid(page, 1)}": ["健康讲座", "志愿服务"],
        f"q-{qid(page, 2)}": str(1 + index % 5),
        f"q-{qid(page, 3)}": f"第{index}条建议：路灯 & <晚上> “很暗”",
    }


ANSWER_ROWS_PER_RESPONSE = 5  # age, two activities, rating, suggestion


def ballot_form(campaign, voter, index: int) -> dict[str, str]:
    rows = voting.ballot_rows(campaign, voter=voter)
    return {f"grade-{row.pk}": GRADES[(index + row.pk) % len(GRADES)] for row in rows if row.is_graded}


def fill(campaign, page, voters) -> None:
    """Every voter answers the survey and casts a ballot, through the same services the views use."""
    for index, voter in enumerate(voters):
        data = QueryDict(mutable=True)
        for key, value in survey_form(page, index).items():
            data.setlist(key, value if isinstance(value, list) else [value])
        outcome, _checked = answering.submit(page, data, user=voter)
        assert outcome is answering.Outcome.STORED, outcome
        grades = {
            int(key.removeprefix("grade-")): voting.Choice(grade)
            for key, grade in ballot_form(campaign, voter, index).items()
        }
        voting.cast_member_ballot(campaign, voter, grades)


def assert_whole(campaign, page) -> dict[str, int]:
    """Nothing half-written: every response has all its answers, every ballot all its entries, and the
    who-took-part tables match the what-was-answered tables one to one. Returns the counts."""
    graded = campaign.appraisees.filter(member_type=RosterEntry.MemberType.FULL).count()
    responses = Response.objects.filter(survey=page).annotate(n=Count("answers"))
    short = [(str(r.pk), r.n) for r in responses if r.n != ANSWER_ROWS_PER_RESPONSE]
    assert not short, f"responses missing answers: {short}"
    ballots = Ballot.objects.filter(campaign=campaign).annotate(n=Count("entries"))
    # A voter is not on their own ballot: a full member grades graded-1 others, anyone else graded.
    incomplete = [(str(b.pk), b.n) for b in ballots if b.n not in (graded, graded - 1)]
    assert not incomplete, f"ballots missing entries: {incomplete}"
    counts = {
        # Anonymous responses still sealed (not mixed yet) count too: each is one participation's response.
        "responses": responses.count() + SealedResponse.objects.filter(survey=page).count(),
        "survey_participations": SurveyParticipation.objects.filter(survey=page).count(),
        "answers": Answer.objects.filter(survey=page).count(),
        # Ballots still sealed (not mixed yet) count too: each is one participation's ballot.
        "ballots": ballots.count() + SealedBallot.objects.filter(campaign=campaign).count(),
        "ballot_participations": BallotParticipation.objects.filter(campaign=campaign).count(),
        "ballot_entries": BallotEntry.objects.filter(ballot__campaign=campaign).count(),
    }
    assert counts["survey_participations"] == counts["responses"], counts
    assert counts["ballot_participations"] == counts["ballots"], counts
    return counts
