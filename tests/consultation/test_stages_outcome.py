import pytest

from django.core import mail
from django.urls import reverse

from wagtail.models import PageLogEntry

from consultation import actions, outcome, posting, stages
from consultation.factories import make_consultation
from consultation.models import OutcomeRating, Stage, StageTransition
from notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_editor_moves_the_stage_and_the_timeline_records_who_and_when(client, consultation, editor_a):
    client.force_login(editor_a)
    client.post(reverse("consultation:stage", args=[consultation.pk]), {"stage": Stage.PUBLISHED})
    transition = StageTransition.objects.get()
    assert (transition.from_stage, transition.to_stage, transition.actor) == (
        Stage.DELIBERATING,
        Stage.PUBLISHED,
        editor_a,
    )
    html = client.get(consultation.url).content.decode()
    assert "编辑甲" in html and transition.created_at.astimezone().strftime("%Y-%m-%d") in html
    assert PageLogEntry.objects.filter(action="consultation.stage", page=consultation).exists()


def test_residents_cannot_move_the_stage(client, consultation, resident):
    client.force_login(resident)
    client.post(reverse("consultation:stage", args=[consultation.pk]), {"stage": Stage.PUBLISHED})
    assert not StageTransition.objects.exists()


def test_voting_stage_exists_only_when_a_vote_is_held(branch_page, consultation):
    assert Stage.VOTING not in consultation.stage_sequence()
    assert consultation.next_stage() == Stage.PUBLISHED
    voting = make_consultation(branch_page, slug="v", options=["是", "否"])
    assert voting.next_stage() == Stage.VOTING


def test_going_back_needs_a_note(consultation, editor_a):
    stages.change_stage(consultation, editor_a, Stage.PUBLISHED)
    with pytest.raises(actions.ActionError):
        stages.change_stage(consultation, editor_a, Stage.DELIBERATING)
    stages.change_stage(consultation, editor_a, Stage.DELIBERATING, "居民要求延长讨论")


def test_stage_change_notifies_everyone_who_took_part(consultation, member_a, resident, editor_a):
    posting.create_post(consultation, member_a, "意见")
    posting.react(posting.create_post(consultation, resident, "另一条"), member_a, 1)
    stages.change_stage(consultation, editor_a, Stage.PUBLISHED)
    recipients = set(Notification.objects.filter(kind=Notification.Kind.STAGE).values_list("recipient", flat=True))
    assert recipients == {member_a.pk, resident.pk}


def test_publishing_the_outcome_and_progress_notifies_participants(
    client, consultation, member_a, editor_a, django_capture_on_commit_callbacks
):
    posting.create_post(consultation, member_a, "意见")
    stages.change_stage(consultation, editor_a, Stage.PUBLISHED)
    client.force_login(editor_a)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("consultation:outcome", args=[consultation.pk]), {"text": "经协商，3号楼加装电梯，费用按楼层分摊。"}
        )
        client.post(
            reverse("consultation:implementation", args=[consultation.pk]),
            {"text": "已完成设计招标", "progress": "30", "person_in_charge": "王建国"},
        )
    assert Notification.objects.filter(recipient=member_a, kind=Notification.Kind.OUTCOME).count() == 2
    assert len([m for m in mail.outbox if m.to == [member_a.email]]) == 2
    html = client.get(consultation.url).content.decode()
    assert "费用按楼层分摊" in html and "王建国" in html and "30%" in html


def test_residents_rate_the_outcome_on_the_shared_satisfaction_scale(
    client, consultation, member_a, resident, editor_a, branch_a
):
    stages.change_stage(consultation, editor_a, Stage.RATING)
    client.force_login(resident)
    client.post(reverse("consultation:rate", args=[consultation.pk]), {"rating": "satisfied"})
    client.post(reverse("consultation:rate", args=[consultation.pk]), {"rating": "basically_satisfied"})
    outcome.rate_outcome(consultation, member_a, "dissatisfied")
    rating = OutcomeRating.objects.get(user=resident)
    assert rating.rating == "basically_satisfied" and rating.organization == branch_a and rating.rated_on
    assert OutcomeRating.objects.count() == 2
    response = client.get(consultation.url)
    assert response.context["satisfaction_rate"] == 50.0


def test_unknown_ratings_do_not_count_in_the_satisfaction_rate(consultation, member_a, resident, editor_a, client):
    stages.change_stage(consultation, editor_a, Stage.RATING)
    outcome.rate_outcome(consultation, member_a, "satisfied")
    outcome.rate_outcome(consultation, resident, "unknown")
    assert client.get(consultation.url).context["satisfaction_rate"] == 100.0


def test_ratings_are_taken_only_in_the_rating_stage(consultation, resident):
    with pytest.raises(actions.ActionError):
        outcome.rate_outcome(consultation, resident, "satisfied")


def test_after_the_discussion_closes_the_empty_thread_does_not_invite_a_first_post(client, consultation, editor_a):
    """Issue 12.24: the opinions section said both that discussion had ended and 欢迎第一个发言."""
    assert "欢迎第一个发言" in client.get(consultation.url).content.decode()
    stages.change_stage(consultation, editor_a, Stage.PUBLISHED)
    html = client.get(consultation.url).content.decode()
    assert "欢迎第一个发言" not in html and "本议题没有收到意见" in html
