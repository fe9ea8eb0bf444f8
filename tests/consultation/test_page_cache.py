"""The consultation page: its SQL queries, and the anonymous copy kept in the page cache (issue 19).

Anonymous visitors get the page from the page cache (core/cache.py); any change of the consultation
(a post, an edit, a hide, a stage change…) forgets that copy once committed, and nginx never keeps it.
"""

import re

import pytest

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.factories import UserFactory
from consultation import moderation, posting, stages
from consultation.factories import make_consultation, make_posts
from consultation.models import Post, Stage
from core import cache as page_cache

pytestmark = pytest.mark.django_db

MAX_QUERIES = 15  # bench/pages.py


def _queries(client, url) -> int:
    """Queries of one request with the page cache empty (as bench.pages.count_queries counts)."""
    page_cache.purge()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "signed in"])
def test_first_page_takes_at_most_15_queries_whether_the_thread_has_10_posts_or_5000(
    client, branch_page, resident, signed_in, settings
):
    # As in production: the session is read from the cache (one query less on every signed-in page).
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    authors = [UserFactory() for _ in range(5)]
    small = make_consultation(branch_page, slug="small", opinion_map_enabled=True)
    large = make_consultation(branch_page, slug="large", opinion_map_enabled=True)
    make_posts(small, authors, 10, replies_per_post=2)
    make_posts(large, authors, 5000, replies_per_post=1)
    if signed_in:
        client.force_login(resident)
    _queries(client, small.url)  # warm the process caches (site root paths, content types)
    small_count, large_count = _queries(client, small.url), _queries(client, large.url)
    assert small_count == large_count <= MAX_QUERIES


def test_breadcrumb_names_the_pages_above_the_consultation(client, consultation):
    html = client.get(consultation.url).content.decode()
    for ancestor in consultation.get_ancestors()[1:]:
        assert f">{ancestor.title}</a>" in html


def _anonymous(client, consultation):
    response = client.get(consultation.url)
    assert response.status_code == 200
    return response.get("X-Page-Cache"), response.content.decode()


def test_anonymous_visitors_get_the_consultation_page_from_the_cache(client, consultation):
    assert _anonymous(client, consultation)[0] == "miss"
    assert _anonymous(client, consultation)[0] == "hit"


def test_a_new_post_refreshes_the_anonymous_page(client, consultation, resident, django_capture_on_commit_callbacks):
    _anonymous(client, consultation)
    with django_capture_on_commit_callbacks(execute=True):
        posting.create_post(consultation, resident, "楼道里的自行车应当统一停放")
    status, html = _anonymous(client, consultation)
    assert status == "miss" and "楼道里的自行车应当统一停放" in html


def test_an_edit_refreshes_the_anonymous_page(client, consultation, resident, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        post = posting.create_post(consultation, resident, "原来的意见")
    assert "原来的意见" in _anonymous(client, consultation)[1]
    with django_capture_on_commit_callbacks(execute=True):
        posting.edit_post(post, resident, "改过的意见")
    html = _anonymous(client, consultation)[1]
    assert "改过的意见" in html and "原来的意见" not in html


def test_a_hidden_post_leaves_the_anonymous_page_at_once(
    client, consultation, resident, editor_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        post = posting.create_post(consultation, resident, "不该留下的话")
    assert "不该留下的话" in _anonymous(client, consultation)[1]
    with django_capture_on_commit_callbacks(execute=True):
        moderation.moderate(post, editor_a, "hide", "人身攻击")
    assert "不该留下的话" not in _anonymous(client, consultation)[1]


def test_a_stage_change_refreshes_the_anonymous_page(
    client, consultation, editor_a, django_capture_on_commit_callbacks
):
    assert f"<span data-stage-label>{Stage.DELIBERATING.label}</span>" in _anonymous(client, consultation)[1]
    with django_capture_on_commit_callbacks(execute=True):
        stages.change_stage(consultation, editor_a, Stage.PUBLISHED)
    status, html = _anonymous(client, consultation)
    assert status == "miss" and f"<span data-stage-label>{Stage.PUBLISHED.label}</span>" in html


def test_a_change_to_one_consultation_keeps_the_others_cached(
    client, branch_page, resident, django_capture_on_commit_callbacks
):
    first = make_consultation(branch_page, slug="first")
    other = make_consultation(branch_page, slug="other")
    _anonymous(client, first), _anonymous(client, other)
    with django_capture_on_commit_callbacks(execute=True):
        posting.create_post(first, resident, "只关于第一个议题")
    assert _anonymous(client, first)[0] == "miss"
    assert _anonymous(client, other)[0] == "hit"


def test_a_copy_rendered_before_the_commit_is_dropped_after_it(
    client, consultation, resident, django_capture_on_commit_callbacks
):
    """The version moves at the change and again at commit: a copy another request drew in between,
    from the data before the commit, is not kept as current."""
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        posting.create_post(consultation, resident, "正在提交的意见")
        _anonymous(client, consultation)  # drawn, and kept, under the version moved at the change
        assert _anonymous(client, consultation)[0] == "hit"
    for callback in callbacks:
        callback()
    assert _anonymous(client, consultation)[0] == "miss"


def test_nginx_never_keeps_a_consultation_page(client, consultation, settings):
    settings.EDGE_CACHE_SECONDS = 5
    for _ in range(2):  # the miss that fills Django's cache, then the hit
        response = client.get(consultation.url, HTTP_X_EDGE_CACHE="1")
        assert response.status_code == 200 and response["X-Page-Cache"] in ("hit", "miss")
        assert not response.has_header("X-Accel-Expires")


def test_signed_in_readers_never_get_the_anonymous_copy(client, consultation, resident):
    _anonymous(client, consultation)
    client.force_login(resident)
    response = client.get(consultation.url)
    assert response["X-Page-Cache"] == "miss"  # drawn for them (and kept as their own copy: test_viewer_copy.py)
    assert 'id="new-post"' in response.content.decode()


def test_held_posts_stay_out_of_the_anonymous_page(client, consultation, resident):
    Post.objects.create(consultation=consultation, author=resident, body="待审核的话", status=Post.Status.HELD)
    assert "待审核的话" not in _anonymous(client, consultation)[1]


# --- Posts drawn from cached fragments (consultation/fragments.py) for signed-in readers ---


def _page(client, consultation) -> str:
    """The page drawn for the signed-in reader: every change below makes their kept copy stale."""
    response = client.get(consultation.url)
    assert response.status_code == 200 and response["X-Page-Cache"] == "miss"
    return response.content.decode()


def test_a_signed_in_reader_sees_an_edit_at_once(client, consultation, resident, member_a):
    post = posting.create_post(consultation, resident, "第一次写的意见")
    client.force_login(member_a)
    assert "第一次写的意见" in _page(client, consultation)
    posting.edit_post(post, resident, "第二次改的意见")
    html = _page(client, consultation)
    assert "第二次改的意见" in html and "第一次写的意见" not in html


def test_a_hidden_post_leaves_other_readers_pages_and_its_author_sees_why(
    client, consultation, resident, member_a, editor_a
):
    post = posting.create_post(consultation, resident, "将被隐藏的意见")
    client.force_login(member_a)
    assert "将被隐藏的意见" in _page(client, consultation)
    moderation.moderate(post, editor_a, "hide", "与议题无关")
    assert "将被隐藏的意见" not in _page(client, consultation)
    client.force_login(resident)
    html = _page(client, consultation)
    assert "将被隐藏的意见" in html and "与议题无关" in html


def test_a_reaction_changes_the_count_and_only_the_reactors_buttons(client, consultation, resident, member_a):
    post = posting.create_post(consultation, resident, "支持加装电梯")
    client.force_login(member_a)
    _page(client, consultation)
    posting.react(post, member_a, 1)
    mine = _page(client, consultation)
    assert 'aria-pressed="true"' in mine and "<span data-support>1</span>" in mine
    client.force_login(resident)
    theirs = _page(client, consultation)
    assert 'aria-pressed="true"' not in theirs and "<span data-support>1</span>" in theirs


def test_a_stage_change_takes_the_reply_forms_away(client, consultation, resident, member_a, editor_a):
    posting.create_post(consultation, resident, "意见")
    client.force_login(member_a)
    assert 'name="parent"' in _page(client, consultation)
    stages.change_stage(consultation, editor_a, Stage.PUBLISHED)
    consultation.refresh_from_db()
    assert 'name="parent"' not in _page(client, consultation)


def test_each_role_sees_its_own_controls_on_cached_posts(client, consultation, resident, member_a, editor_a):
    posting.create_post(consultation, resident, "意见")
    anonymous = _anonymous(client, consultation)[1]
    assert "post__moderate" not in anonymous and 'name="parent"' not in anonymous and "post__report" not in anonymous
    client.force_login(member_a)
    member = _page(client, consultation)
    assert "post__report" in member and "post__moderate" not in member and "post__edit" not in member
    client.force_login(resident)
    author = _page(client, consultation)
    assert "post__report" not in author and "post__edit" in author
    client.force_login(editor_a)
    assert "post__moderate" in _page(client, consultation)


def test_cached_posts_carry_the_viewers_own_csrf_token(consultation, resident, member_a):
    post = posting.create_post(consultation, resident, "意见")
    for user in (member_a, resident, member_a):  # the second reader of a post kind gets the cached copy
        client = Client(enforce_csrf_checks=True)
        client.force_login(user)
        html = client.get(consultation.url).content.decode()
        article = html[html.index(f'id="post-{post.pk}"') :]
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', article).group(1)
        assert re.fullmatch(r"[A-Za-z0-9]{64}", token)
        report = client.post(reverse("consultation:post_report", args=[post.pk]), {"csrfmiddlewaretoken": token})
        assert report.status_code != 403
