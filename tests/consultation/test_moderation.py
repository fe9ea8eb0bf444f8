import pytest

from django.core import mail
from django.urls import reverse

from wagtail.models import ModelLogEntry

from accounts.factories import UserFactory
from consultation import actions, moderation, posting
from consultation.models import Keyword, Post
from notifications.models import Notification

pytestmark = pytest.mark.django_db


def test_a_post_reaching_the_report_threshold_is_hidden_pending_review(client, consultation, member_a):
    post = posting.create_post(consultation, member_a, "有争议的意见")
    reporters = [UserFactory() for _ in range(3)]
    posting.report(post, reporters[0], "广告")
    posting.report(post, reporters[0], "重复举报不算")
    posting.report(post, reporters[1])
    post.refresh_from_db()
    assert post.status == Post.Status.VISIBLE and post.report_count == 2
    posting.report(post, reporters[2])
    post.refresh_from_db()
    assert post.status == Post.Status.HELD and post.hold_reason == Post.HoldReason.REPORTS
    assert "有争议的意见" not in client.get(consultation.url).content.decode()
    assert ModelLogEntry.objects.filter(action="consultation.post.hold", object_id=str(post.pk)).exists()


def test_report_threshold_is_a_setting(consultation, member_a, settings):
    settings.GONGZHI_CONSULTATION = {"REPORT_THRESHOLD": 1}
    post = posting.create_post(consultation, member_a, "意见")
    posting.report(post, UserFactory())
    post.refresh_from_db()
    assert post.status == Post.Status.HELD


def test_a_post_with_a_listed_keyword_is_held_until_a_moderator_approves_it(
    client, consultation, member_a, editor_a, branch_a
):
    Keyword.objects.create(organization=branch_a, word="代开发票")
    post = posting.create_post(consultation, member_a, "低价代开发票，联系我")
    assert post.status == Post.Status.HELD
    assert "低价代开发票" not in client.get(consultation.url).content.decode()
    client.force_login(member_a)
    assert "低价代开发票" in client.get(consultation.url).content.decode()  # the author sees it, marked as held
    moderation.moderate(post, editor_a, "approve")
    post.refresh_from_db()
    assert post.status == Post.Status.VISIBLE
    client.logout()
    assert "低价代开发票" in client.get(consultation.url).content.decode()


def test_keywords_of_other_organisations_do_not_apply(consultation, member_a, branch_b):
    Keyword.objects.create(organization=branch_b, word="电梯")
    assert posting.create_post(consultation, member_a, "电梯的事").status == Post.Status.VISIBLE


def test_moderators_manage_the_keyword_list_on_the_site(client, consultation, editor_a):
    client.force_login(editor_a)
    client.post(reverse("consultation:moderation", args=[consultation.pk]), {"action": "add_keyword", "word": "赌博"})
    assert Keyword.objects.get().word == "赌博"


def test_moderator_hides_a_post_with_a_reason_the_author_sees_and_is_notified_of(
    client, consultation, member_a, editor_a, django_capture_on_commit_callbacks
):
    post = posting.create_post(consultation, member_a, "不当言论")
    client.force_login(editor_a)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("consultation:post_moderate", args=[post.pk]), {"action": "hide", "reason": "含人身攻击"})
    post.refresh_from_db()
    assert post.status == Post.Status.HIDDEN and post.moderated_by == editor_a
    note = Notification.objects.get(recipient=member_a, kind=Notification.Kind.MODERATION)
    assert "含人身攻击" in note.detail
    assert mail.outbox and "含人身攻击" in mail.outbox[-1].body
    client.force_login(member_a)
    assert "含人身攻击" in client.get(consultation.url).content.decode()
    log = ModelLogEntry.objects.get(action="consultation.post.hide", object_id=str(post.pk))
    assert log.user == editor_a and log.data["reason"] == "含人身攻击"


def test_hiding_needs_a_reason(consultation, member_a, editor_a):
    post = posting.create_post(consultation, member_a, "意见")
    with pytest.raises(actions.ActionError):
        moderation.moderate(post, editor_a, "hide", "")


def test_moderator_restores_a_hidden_post(consultation, member_a, editor_a):
    post = posting.create_post(consultation, member_a, "意见")
    moderation.moderate(post, editor_a, "hide", "误判前")
    moderation.moderate(post, editor_a, "restore", "复核后恢复")
    post.refresh_from_db()
    assert post.status == Post.Status.VISIBLE
    assert ModelLogEntry.objects.filter(action="consultation.post.restore").exists()


def test_only_moderators_of_the_organising_branch_may_moderate(client, consultation, member_a, editor_b, resident):
    post = posting.create_post(consultation, member_a, "意见")
    for user in (editor_b, resident):
        with pytest.raises(actions.ActionError):
            moderation.moderate(post, user, "hide", "越权")
    client.force_login(editor_b)
    assert client.get(reverse("consultation:moderation", args=[consultation.pk])).status_code == 404


def test_secretary_and_street_admin_may_moderate(consultation, member_a, secretary_a, org_admin):
    post = posting.create_post(consultation, member_a, "意见")
    moderation.moderate(post, secretary_a, "hide", "书记处理")
    moderation.moderate(post, org_admin, "restore", "街道复核")


def test_posting_is_rate_limited_per_user(consultation, resident, settings):
    settings.GONGZHI_CONSULTATION = {"POST_RATE": (2, 60)}
    posting.create_post(consultation, resident, "一")
    posting.create_post(consultation, resident, "二")
    with pytest.raises(actions.ActionError):
        posting.create_post(consultation, resident, "三")
    assert Post.objects.count() == 2
