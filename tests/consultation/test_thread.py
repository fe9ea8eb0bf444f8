import re

import pytest

from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.factories import UserFactory
from consultation import actions, moderation, posting
from consultation.factories import make_consultation, make_posts
from consultation.models import Post, Reaction, Stage
from core import cache as page_cache

pytestmark = pytest.mark.django_db


def _post(client, consultation, body, **extra):
    return client.post(reverse("consultation:post_create", args=[consultation.pk]), {"body": body, **extra})


def test_consultation_page_takes_the_organisation_of_its_section(consultation, branch_a):
    assert consultation.organization == branch_a


def test_signed_in_resident_posts_an_opinion_and_sees_it_on_the_page(client, consultation, resident):
    client.force_login(resident)
    response = _post(client, consultation, "建议电梯费用按楼层分摊。")
    assert response.status_code == 302
    post = Post.objects.get()
    assert post.author == resident and post.status == Post.Status.VISIBLE
    page = client.get(consultation.url)
    assert "建议电梯费用按楼层分摊。" in page.content.decode()


def test_anonymous_visitor_cannot_post(client, consultation):
    response = _post(client, consultation, "匿名意见")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not Post.objects.exists()


def test_posting_is_closed_outside_the_collecting_and_deliberating_stages(branch_page, resident):
    consultation = make_consultation(branch_page, stage=Stage.PUBLISHED)
    with pytest.raises(actions.ActionError):
        posting.create_post(consultation, resident, "太晚了")
    assert not Post.objects.exists()


def test_user_text_is_escaped_and_links_are_made_safe(client, consultation, resident):
    client.force_login(resident)
    _post(client, consultation, "<script>alert(1)</script> 详见 https://example.cn/plan")
    html = client.get(consultation.url).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert 'href="https://example.cn/plan" rel="nofollow"' in html


def test_replies_nest_to_a_bounded_depth(consultation, resident, settings):
    settings.GONGZHI_CONSULTATION = {"MAX_REPLY_DEPTH": 2}
    parent = posting.create_post(consultation, resident, "顶层")
    for level in range(4):
        parent = posting.create_post(consultation, resident, f"第{level + 1}层回复", parent=parent)
    depths = sorted(Post.objects.values_list("depth", flat=True))
    assert max(depths) == 2
    assert all(p.root_id == Post.objects.get(depth=0).pk for p in Post.objects.filter(depth__gt=0))


def test_reply_is_shown_under_its_parent(client, consultation, resident, member_a):
    top = posting.create_post(consultation, resident, "顶层意见")
    posting.create_post(consultation, member_a, "我来回复", parent=top)
    html = client.get(consultation.url).content.decode()
    assert html.index("顶层意见") < html.index("我来回复")
    assert Post.objects.get(pk=top.pk).reply_count == 1


def test_support_is_one_per_user_changeable_and_counted(consultation, resident, member_a):
    post = posting.create_post(consultation, member_a, "加装电梯")
    posting.react(post, resident, Reaction.SUPPORT)
    posting.react(post, resident, Reaction.SUPPORT)
    post.refresh_from_db()
    assert (post.support_count, post.oppose_count) == (1, 0)
    posting.react(post, resident, Reaction.OPPOSE)
    post.refresh_from_db()
    assert (post.support_count, post.oppose_count) == (0, 1)
    posting.react(post, resident, None)
    post.refresh_from_db()
    assert (post.support_count, post.oppose_count) == (0, 0)
    assert not Reaction.objects.exists()


def test_the_database_refuses_a_second_reaction_by_the_same_user(consultation, resident):
    post = posting.create_post(consultation, resident, "一条意见")
    Reaction.objects.create(post=post, user=resident, value=1)
    with pytest.raises(IntegrityError), transaction.atomic():
        Reaction.objects.create(post=post, user=resident, value=-1)


def test_opposition_can_be_switched_off(branch_page, resident, member_a):
    consultation = make_consultation(branch_page, allow_oppose=False)
    post = posting.create_post(consultation, member_a, "意见")
    with pytest.raises(actions.ActionError):
        posting.react(post, resident, Reaction.OPPOSE)


def test_thread_sorts_by_newest_or_most_supported_with_pinned_posts_first(client, consultation, resident, editor_a):
    old = posting.create_post(consultation, resident, "旧的意见很受支持")
    new = posting.create_post(consultation, resident, "刚刚发表的看法")
    pinned = posting.create_post(consultation, resident, "置顶说明")
    Post.objects.filter(pk=old.pk).update(support_count=10)
    moderation.set_pinned(pinned, editor_a, True)
    newest = client.get(consultation.url).content.decode()
    assert newest.index("置顶说明") < newest.index("刚刚发表的看法") < newest.index("旧的意见很受支持")
    supported = client.get(consultation.url + "?sort=supported").content.decode()
    assert supported.index("置顶说明") < supported.index("旧的意见很受支持") < supported.index("刚刚发表的看法")
    assert new.pk


def test_official_replies_are_marked_and_only_organisers_may_post_them(client, consultation, resident, editor_a):
    with pytest.raises(actions.ActionError):
        posting.create_post(consultation, resident, "假冒官方", official=True)
    posting.create_post(consultation, editor_a, "支部答复：下周召开协调会。", official=True)
    html = client.get(consultation.url).content.decode()
    assert "post--official" in html and "支部答复" in html


def test_author_may_edit_within_the_window_only(client, consultation, resident):
    post = posting.create_post(consultation, resident, "初稿")
    client.force_login(resident)
    client.post(reverse("consultation:post_edit", args=[post.pk]), {"body": "修改后"})
    post.refresh_from_db()
    assert post.body == "修改后" and post.edited_at
    Post.objects.filter(pk=post.pk).update(created_at=post.created_at - __import__("datetime").timedelta(minutes=16))
    client.post(reverse("consultation:post_edit", args=[post.pk]), {"body": "超时修改"})
    post.refresh_from_db()
    assert post.body == "修改后"


def test_someone_else_cannot_edit_my_post(client, consultation, resident, member_a):
    post = posting.create_post(consultation, resident, "我的意见")
    client.force_login(member_a)
    client.post(reverse("consultation:post_edit", args=[post.pk]), {"body": "篡改"})
    post.refresh_from_db()
    assert post.body == "我的意见"


def test_thread_is_paginated(client, consultation, resident, settings):
    settings.GONGZHI_CONSULTATION = {"POSTS_PER_PAGE": 5}
    make_posts(consultation, [resident], 12)
    html = client.get(consultation.url + "?page=3").content.decode()
    assert len(re.findall(r'id="post-\d', html)) == 2
    assert "3" in html


def _render_queries(client, consultation):
    page_cache.purge()  # the page drawn, not the viewer's kept copy (core/cache.py)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(consultation.url)
    assert response.status_code == 200
    return len(queries)


def test_first_page_of_5000_posts_takes_as_many_queries_as_10(client, branch_page, resident, member_a):
    authors = [UserFactory() for _ in range(5)]
    small = make_consultation(branch_page, slug="small")
    large = make_consultation(branch_page, slug="large")
    make_posts(small, authors, 10, replies_per_post=2)
    make_posts(large, authors, 5000, replies_per_post=2)
    client.force_login(resident)
    _render_queries(client, small)  # warm caches (site root, content types)
    small_count, large_count = _render_queries(client, small), _render_queries(client, large)
    print(f"queries to render the first page: 10 posts {small_count}, 5,000 posts {large_count}")
    assert small_count == large_count
    assert large_count <= 30
