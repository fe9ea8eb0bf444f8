"""Issue 12, point 8: members without an account vote on paper; two scrutineers enter each sheet twice."""

import pytest

from django.urls import reverse

from accounts.factories import UserFactory
from evaluation import paper, tally, voting
from evaluation.models import Ballot, BallotEntry, PaperBallot, SealedBallot, Stage
from evaluation.voting import Choice
from organizations.factories import RosterEntryFactory
from tests.security import scenario

pytestmark = pytest.mark.django_db


@pytest.fixture
def with_paper(branch_a, voters, secretary_a):
    """Branch A with six members online and two without an account; voters[0] and [1] are scrutineers."""
    for index in (6, 7):
        RosterEntryFactory(branch=branch_a, user=None, name=f"无账号党员{index}", member_no=f"A{index:02d}")
    return scenario.open_campaign(branch_a, secretary_a, scrutineers=voters[:2], paper_ballots=2)


def _sheet(campaign, grade="competent", note=""):
    rows = voting.ballot_rows(campaign)
    return {row.pk: Choice(grade if row.is_graded else "", note if row.is_graded else "") for row in rows}


def test_due_counts_every_member_with_a_vote_and_paper_ballots_count_as_issued(with_paper):
    counts = with_paper.ballot_counts()
    assert counts.due == 8 and counts.online_issued == 6 and counts.paper_issued == 2
    assert counts.issued == 8 and counts.returned == 0


def test_a_paper_ballot_enters_the_box_only_when_both_scrutineers_agree(with_paper, voters, secretary_a):
    first = paper.enter(with_paper, voters[0], _sheet(with_paper, note="纸质票备注"))
    assert not SealedBallot.objects.exists()
    assert "纸质票备注".encode() not in bytes(PaperBallot.objects.get().blob)
    with pytest.raises(paper.PaperRefused):  # the same scrutineer cannot confirm their own entry
        paper.confirm(first, voters[0], _sheet(with_paper, note="纸质票备注"))
    with pytest.raises(paper.PaperRefused):  # a different entry is refused, nothing goes in
        paper.confirm(first, voters[1], _sheet(with_paper, grade="excellent", note="纸质票备注"))
    assert not SealedBallot.objects.exists()
    paper.confirm(first, voters[1], _sheet(with_paper, note="纸质票备注"))
    assert SealedBallot.objects.count() == 1
    stored = PaperBallot.objects.get()
    assert stored.confirmed and stored.blob is None and stored.digest == ""
    counts = with_paper.ballot_counts()
    assert counts.paper_returned == 1 and counts.returned == 1
    with pytest.raises(paper.PaperRefused):  # confirmed once only
        paper.confirm(first, voters[1], _sheet(with_paper, note="纸质票备注"))
    for voter in voters:
        voting.cast_member_ballot(with_paper, voter, {})
    with_paper.move_to(Stage.ASSESSMENT, secretary_a)
    computed = tally.compute(with_paper)
    assert computed.members.issued == 8 and computed.members.returned == 7 and computed.members.ballots == 7
    assert computed.members.due == 8
    graded = with_paper.appraisees.filter(member_type="full").count()
    assert BallotEntry.objects.filter(note="纸质票备注").count() == graded  # every full member on the sheet
    assert Ballot.objects.count() == 7


def test_only_the_scrutineers_enter_and_no_more_than_were_issued(with_paper, voters, secretary_a):
    for outsider in (voters[2], secretary_a):
        with pytest.raises(paper.PaperRefused):
            paper.enter(with_paper, outsider, _sheet(with_paper))
    paper.enter(with_paper, voters[0], _sheet(with_paper))
    paper.enter(with_paper, voters[1], _sheet(with_paper))
    with pytest.raises(paper.PaperRefused):
        paper.enter(with_paper, voters[0], _sheet(with_paper))
    assert PaperBallot.objects.count() == 2


def test_paper_ballots_need_an_open_ballot(with_paper, voters, secretary_a):
    pending = paper.enter(with_paper, voters[0], _sheet(with_paper))
    with_paper.move_to(Stage.ASSESSMENT, secretary_a)
    with_paper.refresh_from_db()
    with pytest.raises(paper.PaperRefused):
        paper.confirm(pending, voters[1], _sheet(with_paper))
    with pytest.raises(paper.PaperRefused):
        paper.enter(with_paper, voters[0], _sheet(with_paper))


def test_scrutineers_enter_and_confirm_through_the_pages(client, with_paper, voters, secretary_a):
    rows = voting.ballot_rows(with_paper)
    data = {f"grade-{row.pk}": "basic" for row in rows if row.is_graded}
    client.force_login(voters[0])
    overview = reverse("evaluation:paper_ballots", args=[with_paper.pk])
    assert client.get(overview).status_code == 200
    assert client.post(reverse("evaluation:paper_enter", args=[with_paper.pk]), data).status_code == 302
    pending = PaperBallot.objects.get()
    confirm_url = reverse("evaluation:paper_confirm", args=[with_paper.pk, pending.pk])
    assert client.get(confirm_url).status_code == 403  # not the one who entered it
    client.force_login(voters[1])
    page = client.get(confirm_url)
    assert page.status_code == 200 and 'basic" checked' not in page.content.decode()  # first entry not shown
    wrong = client.post(confirm_url, {**data, f"grade-{rows[0].pk}": "excellent"})
    assert wrong.status_code == 400 and "两次录入不一致" in wrong.content.decode()
    assert client.post(confirm_url, data).status_code == 302
    assert SealedBallot.objects.count() == 1
    # Members who are not scrutineers see nothing of it.
    client.force_login(voters[3])
    assert client.get(overview).status_code == 403


def test_the_secretary_chooses_two_different_scrutineers_and_the_paper_count(client, with_paper, voters, secretary_a):
    client.force_login(secretary_a)
    url = reverse("evaluation:paper_ballots", args=[with_paper.pk])
    same = {"first_scrutineer": voters[2].pk, "second_scrutineer": voters[2].pk, "paper_ballots_issued": 2}
    response = client.post(url, same)
    assert response.status_code == 400 and "不同的人" in response.content.decode()
    too_many = {"first_scrutineer": voters[2].pk, "second_scrutineer": voters[3].pk, "paper_ballots_issued": 9}
    assert client.post(url, too_many).status_code == 400
    outsider = UserFactory()
    assert client.post(url, {**too_many, "paper_ballots_issued": 2, "first_scrutineer": outsider.pk}).status_code == 400
    assert client.post(url, {**too_many, "paper_ballots_issued": 2}).status_code == 302
    with_paper.refresh_from_db()
    assert (with_paper.first_scrutineer, with_paper.second_scrutineer) == (voters[2], voters[3])


def test_the_paper_ballots_are_reached_from_the_manage_page_and_by_scrutineers_from_the_appraisal_page(
    client, with_paper, voters, secretary_a
):
    target = reverse("evaluation:paper_ballots", args=[with_paper.pk])
    client.force_login(secretary_a)
    assert target in client.get(reverse("evaluation:manage", args=[with_paper.pk])).content.decode()
    client.force_login(voters[1])
    assert target in client.get(reverse("evaluation:detail", args=[with_paper.pk])).content.decode()
    client.force_login(voters[2])  # a member who is not a scrutineer sees no entry link
    assert target not in client.get(reverse("evaluation:detail", args=[with_paper.pk])).content.decode()


def test_paper_entries_compare_by_a_keyed_digest_of_the_whole_content():
    base = paper.ballot_digest(b"k", "members", {1: "excellent", 2: ""}, {1: "好"})
    assert base == paper.ballot_digest(b"k", "members", {2: None, 1: "excellent"}, {1: "好"})
    assert base != paper.ballot_digest(b"k", "members", {1: "competent", 2: ""}, {1: "好"})
    assert base != paper.ballot_digest(b"k", "members", {1: "excellent", 2: ""}, {1: "差"})
    assert base != paper.ballot_digest(b"k2", "members", {1: "excellent", 2: ""}, {1: "好"})
