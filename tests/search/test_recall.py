"""Recall of Chinese search on a small labelled set: a page is found by any 2–4-character word it contains.

The words are planted inside longer compounds and sentences, where jieba alone cut them differently
or did not know them (托育 in 普惠托育服务, 助餐 in 老年助餐点, 四议两公开). The full benchmark is P6 in
bench/search.py.
"""

import random
import re

import pytest

from django.db import connection
from django.urls import reverse

from wagtail.models import Page
from wagtail.search.query import PlainText

from core import chinese
from home.factories import news, news_index, policy, policy_index

# (title, body) of labelled pages.
PAGES = [
    ("普惠托育服务点开始招生", "社区托育点招收三岁以下婴幼儿，家长可到居委会报名。"),
    ("老年助餐点每天供应午餐", "社区助餐服务覆盖三个小区，高龄独居老人可送餐上门。"),
    ("严格执行“四议两公开”工作法", "村级重大事项按四议两公开程序决策，结果向居民公开。"),
    ("关于推进老旧小区综合整治的通知", "老旧楼房加装电梯工作稳步推进，既有住宅加装电梯补贴可以申请。"),
    ("网格员每周入户走访", "推进网格化服务管理，专职网格员每日巡查，发现问题及时上报。"),
    ("认真落实“三会一课”制度", "对各支部三会一课开展情况进行检查，规范会议记录。"),
    ("12345接诉即办诉求按时办结", "落实接诉即办工作机制，群众诉求件件有回音。"),
    ("微心愿认领活动圆满结束", "党员认领困难群众微心愿，统筹做好一老一小服务。"),
    ("召开居民议事会讨论环境整治", "小区议事厅运行规范，议事协商结果向居民公开。"),
    ("新建电动车充电桩四十个", "严禁电动车进楼入户充电，推进生活垃圾分类工作。"),
]
# Pages that contain none of the words.
OTHERS = [
    ("社区召开安全生产检查会议", "与会人员结合工作实际进行了交流发言，大家纷纷表示要把会议精神落到实处。"),
    ("幸福街道开展健康义诊", "活动现场气氛热烈，居民群众积极参与，工作人员耐心解答居民提出的问题。"),
]
WORDS = [
    "托育", "助餐", "独居", "四议两公开", "老旧小区", "加装电梯", "网格", "网格员", "三会一课", "接诉即办",
    "微心愿", "一老一小", "议事", "议事协商", "电动车", "充电桩", "垃圾分类", "居委会", "补贴", "婴幼儿",
]  # fmt: skip


def _containing(word: str) -> set[str]:
    return {title for title, body in PAGES + OTHERS if word in title or word in body}


@pytest.mark.parametrize("word", WORDS)
def test_every_query_term_of_a_contained_word_is_indexed(word):
    for title, body in PAGES:
        if word in title + body:
            assert set(chinese.query_terms(word)) <= set(chinese.segment(title, body).split())


def test_any_substring_of_chinese_text_finds_its_text():
    """Property: every 2–4-character piece of a text matches that text's index terms.

    Only pieces of Chinese characters: a lone character is looked up only as a word, and letters and
    digits as whole words.
    """
    rng = random.Random(7)
    for title, body in PAGES + OTHERS:
        indexed = set(chinese.segment(title, body).split())
        for _ in range(60):
            text = rng.choice([title, body])
            length = rng.randint(2, 4)
            start = rng.randrange(len(text) - length)
            piece = text[start : start + length]
            if not re.fullmatch(r"[\u4e00-\u9fff]+", piece):
                continue
            assert set(chinese.query_terms(piece)) <= indexed, piece


@pytest.fixture
def labelled(home_page):
    newsroom = news_index(home_page)
    policies = policy_index(home_page)
    for n, (title, body) in enumerate(PAGES + OTHERS):
        if n % 2:
            policy(policies, title=title, body=body)
        else:
            news(newsroom, title=title, body=body)


def _found(client, word) -> set[str]:
    titles, number = set(), 1
    while True:
        response = client.get(reverse("search"), {"q": word, "page": number})
        assert response.status_code == 200
        titles |= {str(item["page"].title) for item in response.context["items"]}
        if not response.context["results"].has_next():
            return titles
        number += 1


@pytest.mark.django_db
def test_search_page_recall_is_complete_on_the_labelled_set(client, labelled):
    missed = {}
    for word in WORDS:
        expected = _containing(word)
        assert expected, word
        found = _found(client, word)
        if expected - found:
            missed[word] = sorted(expected - found)
        assert not found & {title for title, _body in OTHERS}, word
    assert missed == {}


@pytest.mark.django_db
def test_the_typed_word_is_highlighted_whole(client, labelled):
    html = client.get(reverse("search"), {"q": "托育"}).content.decode()
    assert "普惠<mark>托育</mark>服务点开始招生" in html
    html = client.get(reverse("search"), {"q": "四议两公开"}).content.decode()
    assert "<mark>四议两公开</mark>" in html


@pytest.mark.postgres
@pytest.mark.django_db
def test_postgresql_search_can_use_the_expression_index(labelled):
    """Without the index on (title || body) (search/migrations/0001) every search reads all entries."""
    results = Page.objects.live().search(PlainText(" ".join(chinese.query_terms("托育")), operator="and"))
    sql, params = results.get_queryset().query.sql_with_params()
    # The expression Wagtail filters on is the indexed one ...
    assert '("wagtailsearch_indexentry"."title" || "wagtailsearch_indexentry"."body") @@' in sql
    # ... and the index answers it (the table is too small here for the planner to prefer it unasked).
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute(
            "EXPLAIN SELECT id FROM wagtailsearch_indexentry WHERE (title || body) @@ to_tsquery(%s)", ["'托育'"]
        )
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "search_indexentry_title_body_gin" in plan, plan
