from fractions import Fraction

import pytest

from django.db import IntegrityError, transaction
from django.urls import reverse

from accounts.factories import UserFactory
from consultation import actions, posting, stages, tally, voting
from consultation.factories import make_consultation
from consultation.models import Audience, ConsultationPage, ConsultationState, Stage, StageTransition, Vote
from organizations.factories import RosterEntryFactory
from tests.concurrency import run_concurrently

TWO_THIRDS, HALF = Fraction(2, 3), Fraction(1, 2)


def test_four_discussions_rule_needs_two_thirds_present_and_more_than_half_of_all_due_agreeing():
    # 30 due: at least 20 must vote, and the winner needs at least 16 (more than 15).
    result = tally.tally(30, {"yes": 16, "no": 4}, TWO_THIRDS, HALF)
    assert (result.quorum_needed, result.majority_needed) == (20, 16)
    assert result.quorum_met and result.majority_met and result.passed


def test_majority_counts_those_due_not_those_voting():
    result = tally.tally(30, {"yes": 15, "no": 5}, TWO_THIRDS, HALF)
    assert result.quorum_met and not result.majority_met and not result.passed


def test_without_quorum_the_vote_decides_nothing():
    result = tally.tally(30, {"yes": 19}, TWO_THIRDS, HALF)
    assert not result.quorum_met and result.majority_met and not result.passed


def test_a_tie_is_not_a_majority():
    assert not tally.tally(4, {"a": 2, "b": 2}, Fraction(1, 2), Fraction(1, 4)).majority_met


def test_quorum_and_majority_are_settings(branch_page, settings):
    settings.GONGZHI_CONSULTATION = {"QUORUM": "1/2", "MAJORITY": "1/3"}
    consultation = make_consultation(branch_page, options=["同意", "不同意"])
    assert (consultation.quorum_ratio(), consultation.majority_ratio()) == (Fraction(1, 2), Fraction(1, 3))
    consultation.quorum = "3/4"
    assert consultation.quorum_ratio() == Fraction(3, 4)


def test_ratio_must_be_between_zero_and_one():
    with pytest.raises(ValueError):
        tally.parse_ratio("3/2")


@pytest.fixture
def vote_consultation(branch_page, branch_a):
    return make_consultation(
        branch_page,
        slug="vote",
        stage=Stage.VOTING,
        options=["同意加装", "暂不加装"],
        audience=Audience.BRANCHES,
        eligible_organizations=[branch_a],
    )


@pytest.mark.django_db
def test_eligible_member_votes_once_and_may_change_the_choice(client, vote_consultation, member_a):
    yes, no = vote_consultation.vote_options.all()
    client.force_login(member_a)
    url = reverse("consultation:vote", args=[vote_consultation.pk])
    client.post(url, {"option": yes.pk})
    client.post(url, {"option": no.pk})
    assert Vote.objects.get().option == no


@pytest.mark.django_db
def test_the_database_refuses_a_second_vote_by_the_same_person(vote_consultation, member_a):
    yes, no = vote_consultation.vote_options.all()
    Vote.objects.create(consultation=vote_consultation, voter=member_a, option=yes)
    with pytest.raises(IntegrityError), transaction.atomic():
        Vote.objects.create(consultation=vote_consultation, voter=member_a, option=no)


@pytest.mark.django_db
def test_ineligible_resident_cannot_vote(vote_consultation, resident):
    with pytest.raises(actions.ActionError):
        voting.cast_vote(vote_consultation, resident, vote_consultation.vote_options.first().pk)
    assert not Vote.objects.exists()


@pytest.mark.django_db
def test_voting_is_possible_only_in_the_voting_stage(branch_page, resident):
    consultation = make_consultation(branch_page, options=["是", "否"], stage=Stage.DELIBERATING)
    with pytest.raises(actions.ActionError):
        voting.cast_vote(consultation, resident, consultation.vote_options.first().pk)


@pytest.mark.django_db
def test_results_are_hidden_until_voting_closes_then_shown_with_turnout_and_rules(
    client, vote_consultation, member_a, editor_a, branch_a
):
    for _ in range(2):
        RosterEntryFactory(branch=branch_a)  # 3 due: member_a and two members without accounts
    yes = vote_consultation.vote_options.first()
    voting.cast_vote(vote_consultation, member_a, yes.pk)
    client.force_login(member_a)
    response = client.get(vote_consultation.url)
    html = response.content.decode()
    assert response.context["tally"] is None  # hidden while voting is open
    assert "同意加装" in html
    stages.change_stage(vote_consultation, editor_a, Stage.PUBLISHED)
    response = client.get(vote_consultation.url, HTTP_ACCEPT_LANGUAGE="en")
    options, tally = voting.vote_tally(vote_consultation)
    assert tally.eligible == 3 and tally.participants == 1
    assert not tally.quorum_met and not tally.passed
    assert response.context["tally"] is not None


@pytest.mark.django_db
def test_number_due_can_be_set_by_the_organisers(vote_consultation):
    vote_consultation.electorate_size = 120
    assert voting.vote_tally(vote_consultation)[1].eligible == 120


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_votes_by_one_person_leave_exactly_one_vote(vote_consultation, member_a):
    options = list(vote_consultation.vote_options.all())
    results = run_concurrently(lambda i: voting.cast_vote(vote_consultation, member_a, options[i % 2].pk), 8)
    assert not [r for r in results if isinstance(r, Exception)]
    assert Vote.objects.filter(consultation=vote_consultation, voter=member_a).count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_votes_by_many_people_are_all_counted(vote_consultation, branch_a):
    voters = []
    for _ in range(8):
        user = UserFactory()
        RosterEntryFactory(branch=branch_a, user=user)
        voters.append(user)
    option = vote_consultation.vote_options.first()
    results = run_concurrently(lambda i: voting.cast_vote(vote_consultation, voters[i], option.pk), 8)
    assert not [r for r in results if isinstance(r, Exception)]
    assert Vote.objects.filter(consultation=vote_consultation).count() == 8


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_support_keeps_the_counter_exact(consultation):
    users = [UserFactory() for _ in range(8)]
    post = posting.create_post(consultation, users[0], "并发支持")
    results = run_concurrently(lambda i: posting.react(post, users[i], 1), 8)
    assert not [r for r in results if isinstance(r, Exception)]
    post.refresh_from_db()
    assert post.support_count == 8


@pytest.mark.django_db
def test_options_with_votes_cannot_be_removed_or_reworded(vote_consultation, member_a):
    from django.core.exceptions import ValidationError

    yes, no = vote_consultation.vote_options.all()
    Vote.objects.create(consultation=vote_consultation, voter=member_a, option=yes)
    vote_consultation.vote_options = [no]
    with pytest.raises(ValidationError):
        vote_consultation.full_clean()
    yes.label = "改过的选项"
    vote_consultation.vote_options = [yes, no]
    with pytest.raises(ValidationError):
        vote_consultation.full_clean()
    yes.label = "同意加装"
    vote_consultation.vote_options = [yes, no]
    vote_consultation.full_clean()


# --- Issue 12.22: a defined electorate, the rule shown, the winner named, every result kept ---------------------


@pytest.mark.django_db
def test_a_vote_open_to_everyone_signed_in_takes_no_votes(branch_page, resident, editor_a):
    consultation = make_consultation(branch_page, slug="open-vote", options=["是", "否"], stage=Stage.DELIBERATING)
    with pytest.raises(actions.ActionError):
        stages.change_stage(consultation, editor_a, Stage.VOTING)
    ConsultationState.objects.filter(consultation=consultation).update(stage=Stage.VOTING)
    consultation = ConsultationPage.objects.get(pk=consultation.pk)
    with pytest.raises(actions.ActionError):
        voting.cast_vote(consultation, resident, consultation.vote_options.first().pk)
    assert not Vote.objects.exists()


@pytest.mark.django_db
def test_the_page_shows_who_may_vote_and_how_many_are_due(client, vote_consultation, member_a, branch_a):
    RosterEntryFactory(branch=branch_a)  # a member without an account is due too
    client.force_login(member_a)
    html = client.get(vote_consultation.url).content.decode()
    assert "谁可以表决" in html and "第一党支部" in html and "名册" in html
    assert "0 / 2" in html or "应到 2 人" in html


@pytest.mark.django_db
def test_number_due_is_never_lower_than_the_audience_counts(vote_consultation, branch_a):
    for _ in range(3):
        RosterEntryFactory(branch=branch_a)
    vote_consultation.electorate_size = 2
    assert voting.vote_tally(vote_consultation)[1].eligible == 3


@pytest.mark.django_db
def test_an_anonymous_visitor_is_offered_to_sign_in_to_vote(client, branch_page, vote_consultation):
    html = client.get(vote_consultation.url).content.decode()  # restricted: the whole page offers sign-in
    assert "/accounts/login/?next=" in html and 'id="vote"' not in html
    # A vote stored before the electorate rule (open to everyone) still tells anonymous visitors how to vote.
    legacy = make_consultation(branch_page, slug="legacy", options=["是", "否"], stage=Stage.VOTING)
    html = client.get(legacy.url).content.decode()
    section = html[html.index('id="vote"') :]
    assert "/accounts/login/?next=" in section[: section.index("</section>")]


@pytest.mark.django_db
def test_a_passed_vote_names_the_winning_option_and_counts_voters_not_attendance(
    client, vote_consultation, member_a, editor_a
):
    voting.cast_vote(vote_consultation, member_a, vote_consultation.vote_options.first().pk)
    stages.change_stage(vote_consultation, editor_a, Stage.PUBLISHED)
    client.force_login(member_a)
    html = client.get(vote_consultation.url).content.decode()
    assert "“同意加装”获得通过" in html
    assert "到会" not in html and "参与表决人数" in html


@pytest.mark.django_db
def test_reopening_a_closed_vote_keeps_the_earlier_result_in_the_timeline(
    client, vote_consultation, member_a, editor_a, branch_a
):
    yes, no = vote_consultation.vote_options.all()
    voting.cast_vote(vote_consultation, member_a, yes.pk)
    stages.change_stage(vote_consultation, editor_a, Stage.PUBLISHED)
    stages.change_stage(vote_consultation, editor_a, Stage.VOTING, "补充表决")
    other = UserFactory()
    RosterEntryFactory(branch=branch_a, user=other)
    voting.cast_vote(vote_consultation, member_a, no.pk)
    voting.cast_vote(vote_consultation, other, no.pk)
    stages.change_stage(vote_consultation, editor_a, Stage.PUBLISHED)
    first, second = StageTransition.objects.exclude(result={}).order_by("pk")
    assert first.result["options"] == [["同意加装", 1], ["暂不加装", 0]] and first.result["winner"] == "同意加装"
    assert second.result["options"] == [["同意加装", 0], ["暂不加装", 2]] and second.result["winner"] == "暂不加装"
    client.force_login(member_a)
    html = client.get(vote_consultation.url).content.decode()
    timeline = html[html.index('class="timeline"') :]
    assert "“同意加装”获得通过" in timeline and "“暂不加装”获得通过" in timeline
