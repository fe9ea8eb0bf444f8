"""Chinese search: jieba segmentation on index and query, highlighting, filters, and bounded input."""

import time

import pytest

from django.urls import reverse

from wagtail.models import PageViewRestriction

from core import chinese
from core.highlight import highlight
from home.factories import news, news_index, policy, policy_index, study, study_index

pytestmark = pytest.mark.django_db


@pytest.fixture
def content(home_page):
    policies = policy_index(home_page)
    studies = study_index(home_page)
    newsroom = news_index(home_page)
    return {
        "policy": policy(
            policies, title="关于进一步规范社区工作的通知", body="各社区要加强基层党建工作，推动服务下沉。"
        ),
        "study": study(studies, title="党章学习第三讲", body="共产党员必须全心全意为人民服务。"),
        "news": news(newsroom, title="和平社区召开议事协商会", body="居民代表就加装电梯问题发表意见。"),
    }


def _titles(client, **params):
    response = client.get(reverse("search"), params)
    assert response.status_code == 200
    return [str(item["page"].title) for item in response.context["items"]]


def test_segmentation_splits_chinese_text_into_words():
    words = chinese.words("加强基层党建工作")
    assert "基层" in words and "党建" in words


def test_a_word_inside_a_longer_phrase_is_found(client, content):
    assert _titles(client, q="党建") == ["关于进一步规范社区工作的通知"]
    assert _titles(client, q="基层") == ["关于进一步规范社区工作的通知"]
    assert _titles(client, q="基层党建") == ["关于进一步规范社区工作的通知"]


def test_party_member_finds_the_study_page_containing_communist_party_member(client, content):
    assert _titles(client, q="党员") == ["党章学习第三讲"]


def test_search_works_in_the_english_interface(client, content):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    response = client.get(reverse("search"), {"q": "党建"})
    assert '<html lang="en">' in response.content.decode()
    assert [str(item["page"].title) for item in response.context["items"]] == ["关于进一步规范社区工作的通知"]
    assert "Policy documents" in response.content.decode()


def test_all_words_of_a_query_must_match(client, content):
    assert _titles(client, q="党建 电梯") == []
    assert _titles(client, q="加装电梯") == ["和平社区召开议事协商会"]


def test_results_show_type_date_and_a_highlighted_snippet(client, content):
    response = client.get(reverse("search"), {"q": "党建"})
    html = response.content.decode()
    assert "<mark>党建</mark>" in html
    assert "2025-03-01" in html
    assert "政策文件" in html or "Policy documents" in html


def test_filter_by_type(client, content):
    assert _titles(client, q="社区", type="news") == ["和平社区召开议事协商会"]
    assert set(_titles(client, q="社区")) == {"关于进一步规范社区工作的通知", "和平社区召开议事协商会"}


def test_results_are_paginated(client, home_page):
    index = news_index(home_page)
    for n in range(23):
        news(index, title=f"网格巡查记录{n}", body="网格员巡查消防通道。")
    response = client.get(reverse("search"), {"q": "消防", "page": 3})
    assert response.context["results"].paginator.count == 23
    assert len(response.context["items"]) == 3


def test_drafts_and_restricted_pages_are_not_found(client, content, member_a):
    content["news"].unpublish()
    assert _titles(client, q="电梯") == []
    PageViewRestriction.objects.create(page=content["study"], restriction_type=PageViewRestriction.LOGIN)
    assert _titles(client, q="党员") == []
    client.force_login(member_a)
    assert _titles(client, q="党员") == ["党章学习第三讲"]


def test_user_text_in_snippets_is_escaped():
    html = highlight('<script>alert("党建")</script> 党建', ["党建"])
    assert "<script>" not in html
    assert "&lt;script&gt;" in html and "<mark>党建</mark>" in html


def test_query_length_is_bounded_and_shown_escaped(client, content):
    response = client.get(reverse("search"), {"q": "<b>党建</b>" + "很" * 5000})
    assert len(response.context["query"]) == chinese.MAX_QUERY_LENGTH
    assert "<b>党建" not in response.content.decode()


@pytest.mark.parametrize(
    "crafted",
    [
        '"' * 5000,
        "a:" * 3000,
        "(" * 3000 + ")" * 3000,
        "党" * 10000,
        " OR ".join(["x"] * 2000),
        '"a" ' * 2000 + "NOT NEAR(",
    ],
)
def test_crafted_queries_are_answered_quickly_without_errors(client, content, crafted):
    started = time.perf_counter()
    response = client.get(reverse("search"), {"q": crafted})
    assert response.status_code == 200
    # Generous: the point is linear work on a bounded query, not a benchmark.
    assert time.perf_counter() - started < 2.0


def test_index_picks_up_a_published_edit(client, content):
    page = content["news"]
    page.body = [("paragraph", "<p>楼道照明改造已经完成。</p>")]
    page.save_revision().publish()
    assert _titles(client, q="照明") == ["和平社区召开议事协商会"]
