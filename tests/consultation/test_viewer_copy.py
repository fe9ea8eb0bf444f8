"""The consultation page kept for each signed-in viewer (core/cache.py, "Signed-in visitors"; issue 19).

A signed-in viewer's second visit is answered from their own copy before URL routing. The copy is never
another person's, never outlives what it shows (the thread, the viewer's rights and name, an edit button's
window), and the parts that change on their own (the unread badge, the CSRF token) are drawn on every hit.
"""

import datetime as dt
import re
from unittest import mock

import pytest

from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.factories import UserFactory
from consultation import posting
from consultation.factories import make_consultation
from consultation.models import Audience, Post
from core import cache as page_cache
from membership import transfers
from membership.models import Transfer
from notifications.models import Notification
from organizations.factories import RosterEntryFactory

pytestmark = pytest.mark.django_db


def _visit(client, consultation):
    response = client.get(consultation.url)
    assert response.status_code == 200
    return response.get("X-Page-Cache"), response.content.decode()


@pytest.fixture
def signed_in(sign_in, resident):
    return sign_in(resident)


def test_a_signed_in_viewer_gets_their_own_copy_on_the_second_visit(signed_in, consultation):
    first, html = _visit(signed_in, consultation)
    second, again = _visit(signed_in, consultation)
    assert (first, second) == ("miss", "hit")
    assert _without_tokens(html) == _without_tokens(again)


def test_a_hit_reads_only_the_user(signed_in, consultation):
    _visit(signed_in, consultation)
    with CaptureQueriesContext(connection) as queries:
        assert _visit(signed_in, consultation)[0] == "hit"
    tables = [re.search(r'FROM "(\w+)"', q["sql"])[1] for q in queries.captured_queries]
    assert tables == ["accounts_user"]


def test_a_hit_carries_the_viewers_own_csrf_token(signed_in, consultation):
    _visit(signed_in, consultation)
    response = signed_in.get(consultation.url)
    token = signed_in.cookies["csrftoken"].value
    assert response["X-Page-Cache"] == "hit"
    assert "\x00" not in response.content.decode()
    assert re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode())
    from django.middleware.csrf import _unmask_cipher_token

    for value in re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode()):
        assert _unmask_cipher_token(value) == token


def _badge(html: str) -> str | None:
    found = re.search(r'<span class="badge">(\d+)<span class="visually-hidden">', html)
    return found[1] if found else None


def test_a_new_notification_is_counted_on_the_next_visit(signed_in, consultation, resident):
    assert _badge(_visit(signed_in, consultation)[1]) is None
    Notification.objects.create(recipient=resident, kind=Notification.Kind.REMINDER, detail="该交党费了")
    status, html = _visit(signed_in, consultation)
    assert (status, _badge(html)) == ("miss", "1")
    status, html = _visit(signed_in, consultation)
    assert (status, _badge(html)) == ("hit", "1")


def test_notifications_sent_to_many_at_once_are_counted_on_their_next_visit(signed_in, consultation, resident):
    """notify() writes every recipient's row in one bulk insert, which sends no signal."""
    from notifications.delivery import notify

    _visit(signed_in, consultation)
    notify([resident.pk, UserFactory().pk], Notification.Kind.REMINDER, None, detail="本周六开展主题党日")
    assert _badge(_visit(signed_in, consultation)[1]) == "1"


def test_marking_every_notification_read_clears_the_badge_on_the_next_visit(signed_in, consultation, resident):
    Notification.objects.create(recipient=resident, kind=Notification.Kind.REMINDER, detail="该交党费了")
    assert _badge(_visit(signed_in, consultation)[1]) == "1"
    assert _visit(signed_in, consultation)[0] == "hit"
    signed_in.post("/notifications/")  # one queryset update, no signal
    assert _badge(_visit(signed_in, consultation)[1]) is None


def test_a_removed_notification_is_uncounted_on_the_next_visit(signed_in, consultation, resident):
    note = Notification.objects.create(recipient=resident, kind=Notification.Kind.REMINDER, detail="该交党费了")
    assert _badge(_visit(signed_in, consultation)[1]) == "1"
    note.delete()
    assert _badge(_visit(signed_in, consultation)[1]) is None


def test_another_person_never_gets_my_copy(client, signed_in, consultation, resident):
    _visit(signed_in, consultation)
    other = UserFactory(display_name="邻居王")
    client.force_login(other)
    status, html = _visit(client, consultation)
    assert status == "miss"
    assert "邻居王" in html and ">居民</a>" not in html


def test_a_new_post_is_on_the_next_visit(signed_in, consultation, django_capture_on_commit_callbacks):
    _visit(signed_in, consultation)
    author = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        posting.create_post(consultation, author, "楼下的快递柜能否挪到东门")
    status, html = _visit(signed_in, consultation)
    assert status == "miss" and "楼下的快递柜能否挪到东门" in html


def test_a_new_name_is_on_the_next_visit(signed_in, consultation, resident):
    _visit(signed_in, consultation)
    resident.display_name = "居民李"
    resident.save()
    status, html = _visit(signed_in, consultation)
    assert status == "miss" and "居民李" in html


def test_joining_a_group_shows_the_admin_link_at_once(signed_in, consultation, resident):
    assert "/admin/" not in _visit(signed_in, consultation)[1]
    group = Group.objects.create(name="后台")
    from django.contrib.auth.models import Permission

    group.permissions.add(Permission.objects.get(codename="access_admin"))
    resident.groups.add(group)
    status, html = _visit(signed_in, consultation)
    assert status == "miss" and 'href="/admin/"' in html


def test_a_member_added_to_the_roster_sees_the_branchs_consultation_at_once(signed_in, branch_page, branch_a, resident):
    restricted = make_consultation(branch_page, audience=Audience.BRANCHES, eligible_organizations=[branch_a])
    posting.create_post(restricted, _member_of(branch_a), "只给本支部党员看的意见")
    assert "只给本支部党员看的意见" not in _visit(signed_in, restricted)[1]
    RosterEntryFactory(branch=branch_a, user=resident, name="居民")
    status, html = _visit(signed_in, restricted)
    assert status == "miss" and "只给本支部党员看的意见" in html


def test_a_member_transferred_out_loses_the_branchs_consultation_at_once(sign_in, branch_page, branch_a):
    member = UserFactory()
    entry = RosterEntryFactory(branch=branch_a, user=member)
    restricted = make_consultation(branch_page, audience=Audience.BRANCHES, eligible_organizations=[branch_a])
    posting.create_post(restricted, _member_of(branch_a), "只给本支部党员看的意见")
    client = sign_in(member)
    assert "只给本支部党员看的意见" in _visit(client, restricted)[1]
    transfer = Transfer.objects.create(
        entry=entry, from_branch=branch_a, outside_organization="外省某党委", old_member_no=entry.member_no
    )
    transfers.release(transfer, None)  # the entry's status is changed by a queryset update, without signals
    assert "只给本支部党员看的意见" not in _visit(client, restricted)[1]


def test_a_copy_with_an_edit_button_is_kept_no_longer_than_the_edit_window(signed_in, consultation, resident):
    post = posting.create_post(consultation, resident, "我的意见，还可以改")
    Post.objects.filter(pk=post.pk).update(created_at=timezone.now() - dt.timedelta(minutes=10))
    window = dt.timedelta(minutes=consultation.edit_window_minutes)
    with mock.patch.object(page_cache.cache, "set", wraps=page_cache.cache.set) as stored:
        _visit(signed_in, consultation)
    ((key, _value, timeout),) = [c.args for c in stored.call_args_list if c.args[0].startswith("home:page:viewer:")]
    assert 0 < timeout <= (window - dt.timedelta(minutes=10)).total_seconds()


def test_a_page_with_a_message_is_neither_kept_nor_answered_from_a_copy(signed_in, consultation):
    _visit(signed_in, consultation)
    from django.contrib.messages import constants
    from django.contrib.messages.storage.base import Message
    from django.contrib.messages.storage.cookie import CookieStorage
    from django.http import HttpRequest

    signed_in.cookies["messages"] = CookieStorage(HttpRequest())._encode([Message(constants.SUCCESS, "意见已保存")])
    response = signed_in.get(consultation.url)
    assert response.get("X-Page-Cache") is None and "意见已保存" in response.content.decode()
    assert _visit(signed_in, consultation)[0] == "hit"  # the message was shown once; the copy never held it


def test_a_changed_password_ends_the_old_sessions_copy(sign_in, consultation):
    user = UserFactory(display_name="改密码的人")
    client = sign_in(user)
    assert _visit(client, consultation)[0] == "miss"
    user.set_password("a new password 2026")
    user.save()
    status, html = _visit(client, consultation)
    assert "改密码的人" not in html  # signed out: the session's password hash no longer matches


def test_nginx_is_never_told_to_keep_a_viewers_copy(signed_in, consultation):
    _visit(signed_in, consultation)
    response = signed_in.get(consultation.url, HTTP_X_EDGE_CACHE="1")
    assert response["X-Page-Cache"] == "hit" and "X-Accel-Expires" not in response


def _member_of(branch):
    user = UserFactory()
    RosterEntryFactory(branch=branch, user=user)
    return user


def _without_tokens(html: str) -> str:
    return re.sub(r'value="[^"]{64}"', "", html)


def test_a_changed_vote_shows_on_the_voters_next_visit(signed_in, branch_page, branch_a, resident):
    from consultation import stages, voting
    from consultation.models import Stage

    RosterEntryFactory(branch=branch_a, user=resident)
    vote = make_consultation(
        branch_page, audience=Audience.BRANCHES, eligible_organizations=[branch_a], options=["同意加装", "暂缓加装"]
    )
    stages.change_stage(vote, UserFactory(is_superuser=True), Stage.VOTING)
    yes, later = vote.vote_options.all()
    voting.cast_vote(vote, resident, yes.pk)
    _visit(signed_in, vote)
    voting.cast_vote(vote, resident, later.pk)  # the second choice replaces the first by an update
    status, html = _visit(signed_in, vote)
    assert status == "miss"


def test_an_answer_on_the_opinion_map_shows_on_the_voters_next_visit(signed_in, branch_page, resident):
    from consultation import statements
    from consultation.models import Statement, StatementVote

    mapped = make_consultation(branch_page, opinion_map_enabled=True)
    statement = Statement.objects.create(consultation=mapped, text="坡道应当先于电梯建设。", approved=True)
    _visit(signed_in, mapped)
    statements.vote_statement(statement, resident, StatementVote.AGREE)
    assert _visit(signed_in, mapped)[0] == "miss"


def test_a_preview_of_a_draft_is_never_answered_with_the_kept_copy(sign_in, settings, consultation, editor_a):
    """Wagtail runs a preview through the middleware as a dummy request with the editor's own cookies."""
    from django.test import RequestFactory

    client = sign_in(editor_a)
    site = consultation.get_site()
    host = site.hostname if site.port in (80, 443) else f"{site.hostname}:{site.port}"
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, site.hostname]
    assert client.get(consultation.url, HTTP_HOST=host)["X-Page-Cache"] == "miss"  # the host a preview has
    consultation.summary = "草稿：加装电梯的费用改为政府补贴一半"
    consultation.save_revision(user=editor_a)  # a draft, not published
    original = RequestFactory().get("/admin/", HTTP_COOKIE=f"sessionid={client.cookies['sessionid'].value}")
    original.COOKIES = {"sessionid": client.cookies["sessionid"].value}
    draft = consultation.get_latest_revision_as_object()
    response = draft.make_preview_request(original)
    response.render() if hasattr(response, "render") else None
    assert response.get("X-Page-Cache") != "hit"
    assert "草稿：加装电梯的费用改为政府补贴一半" in response.content.decode()


def test_a_publish_forgets_the_copies_again_once_committed(django_capture_on_commit_callbacks):
    before = page_cache.generation()
    with django_capture_on_commit_callbacks() as callbacks:
        page_cache.purge()
    assert page_cache.generation() != before
    bumped = page_cache.generation()
    for callback in callbacks:
        callback()
    assert page_cache.generation() != bumped  # a copy drawn before the commit is not kept under the new one


def test_without_a_shared_page_store_no_copy_is_kept(signed_in, consultation, settings):
    settings.PAGE_CACHE_VIEWER_COPIES = False
    assert _visit(signed_in, consultation)[0] is None
    assert _visit(signed_in, consultation)[0] is None


def test_with_a_read_replica_a_copy_is_kept_only_briefly(signed_in, consultation, settings):
    """A copy may be drawn from a replica a little behind a change whose invalidation already happened."""
    settings.DATABASES = {**settings.DATABASES, "replica": settings.DATABASES["default"]}
    settings.PAGE_CACHE_REPLICA_SECONDS = 2
    with mock.patch.object(page_cache.cache, "set", wraps=page_cache.cache.set) as stored:
        _visit(signed_in, consultation)
    ((_key, _value, timeout),) = [c.args for c in stored.call_args_list if c.args[0].startswith("home:page:viewer:")]
    assert timeout == 2
