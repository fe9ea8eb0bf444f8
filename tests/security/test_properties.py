"""Property-based tests: arbitrary survey submissions and search queries never break the server.

Hypothesis generates the input; the examples are derandomised (the same on every run, so CI is
repeatable) and no example database is written.
"""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from django.db import transaction
from django.http import QueryDict

from core import chinese
from core.highlight import highlight, highlight_terms

FAST = settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Text as hostile clients send it: any unicode (NUL and lone surrogates excepted: they cannot be sent in a
# UTF-8 form), with the characters that matter to the parsers over-represented.
text = st.one_of(
    st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"), max_size=40),
    st.sampled_from(["", " ", "1", "0", "-1", "5", "10", "1.5", "1e309", "nan", "²", "١٢", "2026-02-30", "2026-03-01"]),
    st.sampled_from(["30岁以下", "健康讲座", "文艺演出", "很满意", "满意", "<script>alert(1)</script>", "=1+1"]),
)


# --- search query parsing ---------------------------------------------------------------------------------------

query = st.one_of(
    st.text(max_size=300),
    st.text(st.sampled_from("加装电梯老旧小区党建工作 \t\n，。！abcXYZ019_-<>&\"'\u3000\u200b\x00"), max_size=60),
)


@FAST
@given(query)
def test_any_query_is_parsed_into_bounded_distinct_word_terms(raw):
    cleaned = chinese.clean_query(raw)
    terms = chinese.query_terms(raw)
    marked = highlight_terms(raw)
    assert len(cleaned) <= chinese.MAX_QUERY_LENGTH and cleaned == cleaned.strip()
    assert not re.search(r"\s\s", cleaned)
    assert len(terms) <= chinese.MAX_QUERY_TERMS and len(set(terms)) == len(terms)
    for term in terms + marked:
        assert term and re.fullmatch(r"\w+", term), term


@FAST
@given(query)
def test_a_query_with_a_letter_digit_or_chinese_character_yields_terms_that_the_index_of_its_text_holds(raw):
    cleaned = chinese.clean_query(raw)
    terms = chinese.query_terms(raw)
    if re.search(r"\w", cleaned):
        assert terms
    # A page whose text contains the query is found: every term of the query is one of the page's index terms.
    indexed = set(chinese.segment(f"前言。{cleaned}。后记").split())
    assert set(terms) <= indexed


@FAST
@given(st.text(max_size=400), st.lists(st.text(min_size=1, max_size=8), max_size=5))
def test_a_highlighted_snippet_has_no_markup_but_its_own_marks(body, terms):
    snippet = str(highlight(body, terms))
    assert not re.search(r"<(?!/?mark>)", snippet)


@pytest.mark.django_db
@settings(FAST, max_examples=25)
@given(query, st.text(max_size=12))
def test_the_search_page_answers_any_query(client, raw, page_number):
    response = client.get("/search/", {"q": raw.replace("\x00", ""), "page": page_number.replace("\x00", "")})
    assert response.status_code == 200


# --- survey submissions -----------------------------------------------------------------------------------------


@pytest.fixture
def every_kind_of_question(branch_a):
    from surveys.factories import q, section, survey_page

    questions = [
        q("single_choice", "您的年龄段", choices=["30岁以下", "30–59岁", "60岁及以上"], key="age"),
        q("multiple_choice", "活动", choices=["健康讲座", "文艺演出", "志愿服务"], min_picks=1, max_picks=2),
        q("rating", "评价", scale_min=1, scale_max=5, required=False),
        q("nps", "推荐", required=False),
        q("matrix", "矩阵", rows=["环境", "治安"], columns=["好", "中", "差"], required=False),
        q("ranking", "排序", choices=["A", "B", "C"], required=False),
        section("老年人", show_if={"question": "age", "values": "60岁及以上"}),
        q("short_text", "楼栋", max_length=20, required=False),
        q("long_text", "建议", required=False),
        q("number", "人口", min_value=1, max_value=20, required=False),
        q("date", "入住", required=False),
    ]
    return survey_page(branch_a.page, questions=questions, ask_grid=True)


QUESTIONS = 10  # in every_kind_of_question, sections not counted
RANKING = 5
# A field of the form: (question index, -1) is the question's own field, (question index, n) its n-th row or
# item; or one of the form's other fields; or any name at all.
field = st.one_of(
    st.tuples(st.integers(0, QUESTIONS - 1), st.integers(-1, 3)),
    st.sampled_from(["grid", "revision", "code", "step", "action"]),
    st.text(max_size=10),
)
forms = st.dictionaries(field, st.lists(text, min_size=1, max_size=3), max_size=14)


def _form_data(page, form: dict) -> QueryDict:
    from surveys.factories import qid

    data = QueryDict(mutable=True)
    for key, values in form.items():
        if isinstance(key, tuple):
            index, row = key
            key = f"q-{qid(page, index)}" + (f"-{row}" if row >= 0 else "")
        data.setlist(key, values)
    return data


@pytest.mark.django_db
@FAST
@given(form=forms)
@example(form={(RANKING, 0): ["²"], "grid": ["1"]})  # "²".isdigit() is true, but int("²") fails
@example(form={(0, -1): ["30岁以下"], (1, -1): ["健康讲座"], "grid": ["١"]})
def test_any_submission_is_stored_whole_or_refused_with_errors_and_stores_nothing(
    every_kind_of_question, resident, form
):
    from surveys import answering
    from surveys.models import Answer, Response

    page = every_kind_of_question
    with transaction.atomic():
        outcome, checked = answering.submit(page, _form_data(page, form), user=resident)
        stored = list(Answer.objects.filter(survey=page))
        if outcome is answering.Outcome.STORED:
            assert checked.is_valid and Response.objects.filter(survey=page).count() == 1
            expected = sum(
                len(block.answer_rows(value, checked.answers[qid]))
                for qid, block, value, _s in page.question_list()
                if qid in checked.answers
            )
            assert len(stored) == expected
        else:
            assert outcome is answering.Outcome.INVALID and checked.errors
            assert not stored and not Response.objects.filter(survey=page).exists()
        transaction.set_rollback(True)  # the next example starts from no response


@pytest.mark.django_db
@settings(FAST, max_examples=25)
@given(form=forms)
@example(form={(RANKING, 0): ["²"]})
def test_the_survey_page_answers_any_post_without_a_server_error(client, every_kind_of_question, resident, form):
    from surveys.models import Answer, Response

    page = every_kind_of_question
    client.force_login(resident)
    client.raise_request_exception = False
    with transaction.atomic():
        response = client.post(page.url, _form_data(page, form))
        assert response.status_code in (200, 302), response.status_code
        if response.status_code == 200:
            assert not Response.objects.filter(survey=page).exists() and not Answer.objects.exists()
        transaction.set_rollback(True)
