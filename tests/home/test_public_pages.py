"""Public pages as people meet them (issue 12: points 4, 10, 12, 13, 14, 19, 20, 23, 24)."""

import datetime as dt
import re

import pytest

from django.utils import timezone

from home import factories as content
from home.models import BranchPage
from surveys.factories import satisfaction_page, survey_page

pytestmark = pytest.mark.django_db


def _community(tree) -> BranchPage:
    return BranchPage.objects.get(pk=tree["community"].page_id)


def _english(client):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})


# --- 4: the home page's open surveys -------------------------------------------------------------


def test_home_page_lists_only_surveys_open_now(client, tree):
    now = timezone.now()
    community = _community(tree)
    survey_page(community, title="进行中的调查")
    survey_page(
        community, title="已截止的调查", opens_at=now - dt.timedelta(days=9), closes_at=now - dt.timedelta(days=1)
    )
    survey_page(community, title="尚未开始的调查", opens_at=now + dt.timedelta(days=2))
    satisfaction_page(community, title="已截止的满意度测评", closes_at=now - dt.timedelta(hours=1))
    satisfaction_page(community, title="进行中的满意度测评", closes_at=now + dt.timedelta(days=3))

    html = client.get("/").content.decode()

    section = html.split('id="featured-surveys"', 1)[1].split("</section>", 1)[0]
    assert "进行中的调查" in section
    assert "进行中的满意度测评" in section
    for title in ("已截止的调查", "尚未开始的调查", "已截止的满意度测评"):
        assert title not in section


# --- 13, 14: favicon and a status page for people ------------------------------------------------


def test_favicon_ico_leads_to_the_sites_own_icon(client, db):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"].endswith(".svg")
    assert "favicon" in response["Location"]
    assert response["Location"].startswith("/")  # local, no other host


def test_footer_links_to_a_status_page_in_the_readers_language(client, tree):
    html = client.get("/").content.decode()
    assert 'href="/status/"' in html
    assert 'href="/healthz"' not in html

    page = client.get("/status/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "<h1>服务状态</h1>" in text
    assert "所有服务运行正常" in text
    assert "数据库" in text and "正常" in text
    assert "no-store" in page["Cache-Control"]

    _english(client)
    assert "<h1>Service status</h1>" in client.get("/status/").content.decode()


def test_healthz_stays_json_for_machines(client, db):
    response = client.get("/healthz")
    assert response["Content-Type"] == "application/json"
    assert response.json()["database"] == "ok"


def test_status_page_says_which_service_is_down(client, db, monkeypatch):
    monkeypatch.setattr("config.views._channel_layer_ok", lambda: False)
    text = client.get("/status/").content.decode()
    assert "部分服务暂时无法使用" in text
    assert re.search(r'status--fail">\s*<span class="status__name">实时更新', text)


# --- 12: the header menu is folded by the server --------------------------------------------------


def test_header_menu_is_folded_in_the_html_and_unfolded_without_javascript(client, tree):
    html = client.get("/").content.decode()
    toggle = re.search(r"<button class=\"nav-toggle\"[^>]*>", html).group(0)
    assert "hidden" not in toggle and 'aria-expanded="false"' in toggle
    assert re.search(r'<nav id="site-nav"[^>]*data-collapsed="true"', html)
    # Styles for pages with JavaScript (".js …") apply from the first paint: a tiny script in <head>, not deferred.
    head = html.split("</head>", 1)[0]
    assert re.search(r'<script src="[^"]*/head\.js"></script>', head)
    # Without JavaScript a stylesheet in <noscript> shows the menu and hides the button.
    assert re.search(r"<noscript><link rel=\"stylesheet\" href=\"[^\"]*nojs[^\"]*\.css\"></noscript>", html)


# --- 19, 24: list bullets, breadcrumb -----------------------------------------------------------


def test_breadcrumb_ends_without_a_dangling_separator(client, tree):
    index = content.study_index(_community(tree), title="学习园地")
    page = content.study(index, title="学习党章")
    html = client.get(page.url).content.decode()
    crumb = html.split('class="meta breadcrumb"', 1)[1].split("</nav>", 1)[0]
    assert "›" not in crumb  # the separators are drawn by CSS between items, none after the last
    assert re.findall(r"<li><a [^>]*>([^<]*)</a></li>", crumb) == ["幸福街道", "和平社区党委", "学习园地"]


# --- 20: demo text says each sentence once ------------------------------------------------------


def test_a_snippet_keeps_each_sentence_once():
    from core.chinese import without_repeats

    intro = "居民代表充分协商，达成初步共识。"
    assert (
        without_repeats(intro, intro, intro + "活动得到了好评。") == "居民代表充分协商，达成初步共识。 活动得到了好评。"
    )
    assert without_repeats("Prices rose 3.5 percent.", "Prices rose 3.5 percent. Then fell.") == (
        "Prices rose 3.5 percent. Then fell."
    )


def _sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[。！？])", re.sub(r"\s+", "", text)) if s]


def test_demo_news_pages_and_their_search_snippets_do_not_repeat_their_first_sentence(client):
    from io import StringIO

    from django.core.management import call_command
    from django.utils.html import strip_tags

    from home.models import NewsPage, PolicyPage, StudyPage

    call_command("seed_demo", members=8, residents=5, stdout=StringIO())
    pages = [*NewsPage.objects.all(), *PolicyPage.objects.all(), *StudyPage.objects.all()]
    assert len(pages) > 20
    for page in pages:
        lead = page.summary if isinstance(page, PolicyPage) else page.intro
        body = strip_tags(str(page.body))
        assert _sentences(lead)[0] not in _sentences(body), page.title
        snippet = _sentences(page.search_snippet_text())
        assert len(snippet) == len(set(snippet)), page.title

    news = NewsPage.objects.first()
    html = client.get(news.url).content.decode()
    assert html.count(news.intro) == 1 + html.count(f'content="{news.intro}"')  # the lead; meta tags aside
    results = client.get("/search/", {"q": news.title[:4]}).content.decode()
    assert results.count(_sentences(news.intro)[0]) <= 1


# --- 10: markup the Nu HTML Checker refuses ------------------------------------------------------


def test_time_elements_carry_no_microseconds(client, tree):
    index = content.study_index(_community(tree))
    page = content.study(index, title="学习党章")  # listed with its first publication time
    page.first_published_at = timezone.now().replace(microsecond=123456)
    page.save()
    html = client.get("/").content.decode()
    stamps = re.findall(r'<time datetime="([^"]+)"', html)
    assert any("T" in stamp for stamp in stamps)
    for stamp in stamps:
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}:\d{2}[+-]\d{4})?", stamp), stamp


def test_sign_up_help_lists_are_not_inside_paragraphs(client, db):
    html = client.get("/accounts/signup/").content.decode()
    form = html.split('action="/accounts/signup/"', 1)[1].split("</form>", 1)[0]
    assert "<p>" not in form and "<span" not in form
    assert re.search(r'<div class="helptext" id="id_password1_helptext"><ul><li>您的密码', form)
    assert 'aria-describedby="id_password1_helptext"' in form
    assert re.search(r'<label for="id_email">[^<：:]+：</label>', form)  # full-width colon after Chinese labels


# --- 19: the grid drop-down fits a phone -------------------------------------------------------


def test_grid_choices_are_grouped_by_community_so_the_closed_drop_down_shows_the_grid(client, tree, resident):
    survey = survey_page(_community(tree), title="社区生活需求调查", ask_grid=True)
    client.force_login(resident)
    html = client.get(survey.url).content.decode()
    select = html.split('id="survey-grid"', 1)[1].split("</select>", 1)[0]
    assert '<optgroup label="和平社区党委" lang="zh-hans">' in select
    assert re.search(r'<option value="\d+" >第一网格</option>', select)  # not "和平社区党委 · 第一网格"


# --- 23: Chinese content inside the English interface carries its language ----------------------


def test_english_interface_marks_organisation_names_document_numbers_and_queries_as_chinese(client, tree):
    index = content.policy_index(_community(tree), title="政策文件")
    policy = content.policy(index, document_number="幸福党发〔2026〕1号", issuer="幸福街道党工委")
    _english(client)

    listing = client.get(index.url).content.decode()
    assert '<span lang="zh-hans">幸福党发〔2026〕1号</span>' in listing
    assert '<span lang="zh-hans">幸福街道党工委</span>' in listing
    page = client.get(policy.url).content.decode()
    assert '<dd lang="zh-hans">幸福党发〔2026〕1号</dd>' in page
    assert re.search(r'<li><a href="[^"]*" lang="zh-hans">和平社区党委</a></li>', page)  # breadcrumb
    results = client.get("/search/", {"q": "党发"}).content.decode()
    assert re.search(r'results? for “<span lang="zh-hans">党发</span>”', results)
    header = client.get("/").content.decode()
    assert '<span class="brand__mark" aria-hidden="true" lang="zh-hans">共</span>' in header
