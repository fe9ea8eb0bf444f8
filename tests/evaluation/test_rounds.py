"""Issue 12, point 7 (rest): a ballot closed below the minimum turnout is held again, as a new round.

shared/domain.md: "a 民主测评 below the minimum turnout is not valid: the branch must hold it again (or take
more ballots) before 组织评定". Holding it again must not re-open the closed ballot (the re-open attack,
H3 in docs/security.md): a new round has a new box and a new key, everyone votes afresh (one ballot per
person per round, by constraint), rounds are never merged, an invalid round is shown as invalid
everywhere and its ballots are never published one by one.
"""

import pytest

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from core import sealing
from evaluation import paper, pdf, receipts, tally, voting
from evaluation.models import AppraisalCampaign, BallotEntry, Participation, Stage
from evaluation.voting import Choice

pytestmark = pytest.mark.django_db


def _vote(campaign, users, grade="competent", note=""):
    """Each user votes `grade` (with `note`) for every graded member on their ballot; returns the receipts."""
    codes = []
    for user in users:
        rows = voting.ballot_rows(campaign, voter=user)
        choices = {row.pk: Choice(grade if row.is_graded else "", note if row.is_graded else "") for row in rows}
        codes.append(voting.cast_member_ballot(campaign, user, choices, rows))
    return codes


@pytest.fixture
def invalid_close(open_campaign, voters, secretary_a):
    """Round 1: four of six members vote (67 %, under the 80 % minimum) and balloting closes: not valid."""
    _vote(open_campaign, voters[:4], grade="excellent", note="第一轮备注")
    open_campaign.move_to(Stage.ASSESSMENT, secretary_a)
    assert not tally.compute(open_campaign).valid
    return open_campaign


def test_an_invalid_close_is_held_again_as_a_new_round_with_a_new_box(
    invalid_close, voters, secretary_a, django_capture_on_commit_callbacks
):
    campaign = invalid_close
    first_scope = campaign.seal_scope
    with django_capture_on_commit_callbacks(execute=True):
        campaign.start_new_round(secretary_a)
    stored = AppraisalCampaign.objects.get(pk=campaign.pk)
    assert (stored.stage, stored.ballot_round) == (Stage.BALLOTING, 2)
    assert stored.seal_scope != first_scope and sealing.has_key(stored.seal_scope)
    assert not sealing.has_key(first_scope)  # round 1's key is gone: its box can never be opened again
    # A member who voted in round 1 votes again in round 2, and so does one who did not.
    assert not voting.has_voted(stored, voters[0])
    _vote(stored, voters, grade="competent")
    assert Participation.objects.filter(campaign=campaign, voter=voters[0]).count() == 2
    stored.move_to(Stage.ASSESSMENT, secretary_a)
    computed = tally.compute(stored)
    assert computed.valid and computed.ballot_round == 2
    assert [(r.number, r.valid) for r in computed.earlier_rounds] == [(1, False)]
    assert computed.earlier_rounds[0].members.returned == 4


def test_one_ballot_per_person_per_round_by_constraint(invalid_close, voters, secretary_a):
    with pytest.raises(IntegrityError), transaction.atomic():
        Participation.objects.create(campaign=invalid_close, group="members", voter=voters[0], ballot_round=1)
    invalid_close.start_new_round(secretary_a)
    _vote(invalid_close, voters[:1])
    with pytest.raises(voting.BallotRefused):
        _vote(invalid_close, voters[:1])
    with pytest.raises(IntegrityError), transaction.atomic():
        Participation.objects.create(campaign=invalid_close, group="members", voter=voters[0], ballot_round=2)


def test_round_1_is_counted_only_as_round_1_never_merged(invalid_close, voters, secretary_a):
    invalid_close.start_new_round(secretary_a)
    _vote(invalid_close, voters, grade="competent", note="第二轮备注")
    invalid_close.move_to(Stage.ASSESSMENT, secretary_a)
    computed = tally.compute(invalid_close)
    first = next(r for r in computed.results if r.appraisee.is_graded)
    # Round 2 alone: five ballots list this member (six voters minus themselves), all 合格, none 优秀.
    assert first.members.valid == 5 and first.members.counts["excellent"] == 0
    assert first.notes and set(first.notes) == {"第二轮备注"}
    assert computed.members.returned == 6
    assert BallotEntry.objects.filter(ballot__ballot_round=1, grade="excellent").exists()  # still round 1's


def test_a_valid_ballot_is_never_held_again(open_campaign, voters, secretary_a):
    _vote(open_campaign, voters)
    open_campaign.move_to(Stage.ASSESSMENT, secretary_a)
    with pytest.raises(ValidationError):
        open_campaign.start_new_round(secretary_a)
    assert AppraisalCampaign.objects.get(pk=open_campaign.pk).ballot_round == 1


def test_a_new_round_starts_only_after_the_close(invalid_close, secretary_a):
    invalid_close.start_new_round(secretary_a)
    with pytest.raises(ValidationError):  # round 2 is open: no round 3 on top of it
        invalid_close.start_new_round(secretary_a)


def test_no_path_re_opens_a_closed_round(invalid_close, voters, secretary_a):
    campaign = invalid_close
    with pytest.raises(ValidationError):
        campaign.move_to(Stage.BALLOTING, secretary_a)
    # Saving the stage back (a script, the admin) without a new round and a new box is refused too.
    fresh = AppraisalCampaign.objects.get(pk=campaign.pk)
    fresh.stage = Stage.BALLOTING
    with pytest.raises(ValidationError):
        fresh.save()
    fresh = AppraisalCampaign.objects.get(pk=campaign.pk)
    fresh.stage, fresh.ballot_round = Stage.BALLOTING, 2  # a new number on the old box
    with pytest.raises(ValidationError):
        fresh.save()
    campaign.start_new_round(secretary_a)
    _vote(campaign, voters[:2])
    campaign.move_to(Stage.ASSESSMENT, secretary_a)  # round 2 invalid as well
    for back in (Stage.BALLOTING, Stage.PREPARING):
        with pytest.raises(ValidationError):
            campaign.move_to(back, secretary_a)
    fresh = AppraisalCampaign.objects.get(pk=campaign.pk)
    fresh.stage, fresh.ballot_round = Stage.BALLOTING, 1  # back to round 1
    with pytest.raises(ValidationError):
        fresh.save()
    # A third round is possible (round 2 was not valid either); round 1 and 2 stay closed.
    campaign.start_new_round(secretary_a)
    assert AppraisalCampaign.objects.get(pk=campaign.pk).ballot_round == 3


def test_an_invalid_rounds_ballots_are_never_published_one_by_one(client, invalid_close, voters, secretary_a):
    """The difference attack: with round 1's ballots published beside round 2's, a member who voted only in
    round 2 would stand out as the ballot round 2 has and round 1 lacks."""
    campaign = invalid_close
    url = reverse("evaluation:published_ballots", args=[campaign.pk])
    client.force_login(secretary_a)
    first = client.get(url, {"format": "json"}).json()
    assert first["valid"] is False and first["ballots"] == [] and len(first["receipts"]) == 4
    campaign.start_new_round(secretary_a)
    second_receipts = _vote(campaign, voters, grade="excellent", note="第一轮备注")  # everyone votes as before
    campaign.move_to(Stage.ASSESSMENT, secretary_a)
    second = client.get(url, {"format": "json"}).json()
    assert second["round"] == 2 and second["valid"] is True and len(second["ballots"]) == 6
    assert second["rounds"] == [{"round": 1, "valid": False}, {"round": 2, "valid": True}]
    again = client.get(url, {"format": "json", "round": 1}).json()
    assert again["round"] == 1 and again["valid"] is False and again["ballots"] == []
    assert again["receipts"] == first["receipts"]  # receipts only: a voter checks theirs was received
    assert not set(again["receipts"]) & set(second["receipts"])
    assert receipts.counted(campaign, second_receipts[0]) and not receipts.counted(campaign, second_receipts[0], 1)
    assert client.get(url, {"round": 3}).status_code == 404 and client.get(url, {"round": "x"}).status_code == 404
    page = client.get(url, {"round": 1}).content.decode()
    assert "第1轮民主测评无效" in page and "不逐张公布" in page


def test_round_1_is_shown_as_invalid_on_the_pages_the_pdf_and_the_export(client, invalid_close, voters, secretary_a):
    campaign = invalid_close
    campaign.start_new_round(secretary_a)
    _vote(campaign, voters)
    campaign.move_to(Stage.ASSESSMENT, secretary_a)
    client.force_login(secretary_a)
    results = client.get(reverse("evaluation:results", args=[campaign.pk])).content.decode()
    assert "第2轮民主测评（重新测评）" in results and "此前各轮测评（无效）" in results
    assert "第1轮" in results and "否：参评率低于规定比例" in results
    assert '<th scope="col">建议等次</th>' in results  # round 2's tally, the one the assessment rests on
    report_html = pdf.appraisal_html(campaign)
    assert "第2轮民主测评（重新测评）" in report_html and "否：参评率低于规定比例" in report_html
    manage = client.get(reverse("evaluation:manage", args=[campaign.pk])).content.decode()
    assert "第2轮" in manage and "此前各轮测评（无效）" in manage


def test_the_secretary_holds_the_ballot_again_from_the_manage_page(client, invalid_close, voters, secretary_a):
    url = reverse("evaluation:manage", args=[invalid_close.pk])
    client.force_login(voters[0])
    assert client.post(url, {"action": "new_round"}).status_code == 403
    client.force_login(secretary_a)
    html = client.get(url).content.decode()
    assert "重新进行民主测评（第2轮）" in html and "每名党员都重新投票" in html and "开启第2轮民主测评" in html
    response = client.post(url, {"action": "new_round"}, follow=True)
    assert "第2轮民主测评已开启" in response.content.decode()
    invalid_close.refresh_from_db()
    assert (invalid_close.stage, invalid_close.ballot_round) == (Stage.BALLOTING, 2)
    client.force_login(voters[0])
    detail = client.get(reverse("evaluation:detail", args=[invalid_close.pk])).content.decode()
    assert "这是第2轮" in detail and reverse("evaluation:ballot", args=[invalid_close.pk]) in detail
    ballot = client.post(reverse("evaluation:ballot", args=[invalid_close.pk]), {})
    assert ballot.status_code == 200 and "回执" in ballot.content.decode()


def test_no_new_round_is_offered_after_a_valid_close(client, open_campaign, voters, secretary_a):
    _vote(open_campaign, voters)
    open_campaign.move_to(Stage.ASSESSMENT, secretary_a)
    client.force_login(secretary_a)
    url = reverse("evaluation:manage", args=[open_campaign.pk])
    assert "重新进行民主测评" not in client.get(url).content.decode()
    response = client.post(url, {"action": "new_round"}, follow=True)
    assert "测评有效，不重新进行" in response.content.decode()
    assert AppraisalCampaign.objects.get(pk=open_campaign.pk).stage == Stage.ASSESSMENT


def test_paper_ballots_are_issued_entered_and_counted_per_round(branch_a, campaign, voters, secretary_a):
    campaign.first_scrutineer, campaign.second_scrutineer = voters[0], voters[1]
    campaign.paper_ballots_issued = 1
    campaign.save()
    campaign.move_to(Stage.BALLOTING, secretary_a)
    sheet = {row.pk: Choice("competent" if row.is_graded else "") for row in voting.ballot_rows(campaign)}
    left_over = paper.enter(campaign, voters[0], sheet)  # entered once, never confirmed before the close
    _vote(campaign, voters[:3])
    campaign.move_to(Stage.ASSESSMENT, secretary_a)
    campaign.start_new_round(secretary_a)
    assert campaign.paper_ballots_issued == 0 and campaign.ballot_counts().paper_issued == 0
    assert campaign.ballot_counts(1).paper_issued == 1  # round 1's count is kept with round 1
    with pytest.raises(paper.PaperRefused):  # round 1's sheet cannot slip into round 2's box
        paper.confirm(left_over, voters[1], sheet)
    campaign.paper_ballots_issued = 2
    campaign.save(update_fields=["paper_ballots_issued"])
    for _sheet in range(2):
        paper.confirm(paper.enter(campaign, voters[0], sheet), voters[1], sheet)
    with pytest.raises(paper.PaperRefused):  # two issued in round 2, two entered
        paper.enter(campaign, voters[0], sheet)
    _vote(campaign, voters[:4])
    counts = campaign.ballot_counts()
    assert (counts.paper_returned, counts.online_returned, counts.returned) == (2, 4, 6)
    campaign.move_to(Stage.ASSESSMENT, secretary_a)
    assert tally.compute(campaign).members.ballots == 6


def test_masses_representatives_keep_their_code_for_the_round_held_again(campaign, voters, secretary_a):
    campaign.masses_enabled = True
    campaign.save()
    (code,) = voting.issue_invitations(campaign, 1)
    campaign.move_to(Stage.BALLOTING, secretary_a)
    voting.cast_masses_ballot(campaign, code, {})
    with pytest.raises(voting.BallotRefused):
        voting.cast_masses_ballot(campaign, code, {})
    campaign.move_to(Stage.ASSESSMENT, secretary_a)
    campaign.start_new_round(secretary_a)
    voting.cast_masses_ballot(campaign, code, {})
    with pytest.raises(voting.BallotRefused):
        voting.cast_masses_ballot(campaign, code, {})


def test_a_ballot_made_for_a_closed_round_is_refused(invalid_close, voters, secretary_a):
    stale = AppraisalCampaign.objects.get(pk=invalid_close.pk)  # a page loaded during round 1 ...
    stale.stage = Stage.BALLOTING
    invalid_close.start_new_round(secretary_a)  # ... while round 2 opens
    with pytest.raises(voting.BallotRefused):
        voting.cast_member_ballot(stale, voters[5], {})
    assert not Participation.objects.filter(voter=voters[5]).exists()
