"""Policy, study and news pages: hierarchy, filters, status, feeds, sitemap and sharing metadata."""

import datetime as dt

import pytest

from home.factories import news, news_index, policy, policy_index, study, study_index
from home.models import BranchPage, HomePage, NewsPage, PolicyIndexPage, PolicyPage, StudyPage

pytestmark = pytest.mark.django_db


def test_page_types_have_explicit_places_in_the_tree():
    assert PolicyPage.parent_page_types == ["home.PolicyIndexPage"]
    assert "home.PolicyIndexPage" in HomePage.subpage_types and "home.PolicyIndexPage" in BranchPage.subpage_types
    assert StudyPage.parent_page_types == ["home.StudyIndexPage"]
    assert NewsPage.parent_page_types == ["home.NewsIndexPage"]
    assert PolicyIndexPage.subpage_types == ["home.PolicyPage"]


def test_home_page_shows_latest_policies_study_and_news(client, home_page):
    policy(policy_index(home_page), title="关于做好防汛工作的通知")
    study(study_index(home_page), title="学习新修订的纪律处分条例")
    news(news_index(home_page), title="光明社区开展义诊活动")
    html = client.get("/").content.decode()
    for title in ("关于做好防汛工作的通知", "学习新修订的纪律处分条例", "光明社区开展义诊活动"):
        assert title in html


def test_policy_index_filters_by_category_year_status_and_issuer(client, home_page):
    index = policy_index(home_page)
    policy(index, title="甲文件", category="party_building", issued_on=dt.date(2024, 1, 1), issuer="街道党工委")
    policy(index, title="乙文件", category="safety", issued_on=dt.date(2025, 1, 1), issuer="街道办事处")
    policy(
        index, title="丙文件", category="safety", issued_on=dt.date(2025, 6, 1), status="repealed", issuer="街道办事处"
    )

    def titles(**params):
        return [p.title for p in client.get(index.url, params).context["policies"]]

    assert titles() == ["丙文件", "乙文件", "甲文件"]
    assert titles(category="safety") == ["丙文件", "乙文件"]
    assert titles(year=2024) == ["甲文件"]
    assert titles(status="repealed") == ["丙文件"]
    assert titles(issuer="街道办事处", status="current") == ["乙文件"]
    assert titles(category="<script>", year="x") == ["丙文件", "乙文件", "甲文件"]


def test_a_superseded_policy_links_to_its_replacement(client, home_page):
    index = policy_index(home_page)
    new = policy(index, title="2025年修订版")
    old = policy(index, title="2020年版", status=PolicyPage.Status.REVISED, superseded_by=new)
    html = client.get(old.url).content.decode()
    assert "2025年修订版" in html and new.url in html
    assert old.document_number in html


def test_body_blocks_render_with_their_own_templates(client, home_page):
    page = news(news_index(home_page), title="块测试")
    page.body = [
        ("heading", {"text": "第一部分"}),
        ("quote", {"text": "为人民服务。", "source": "毛泽东"}),
        ("paragraph", "<p>正文</p>"),
    ]
    page.save_revision().publish()
    html = client.get(page.url).content.decode()
    assert "<h2>第一部分</h2>" in html and "<blockquote>" in html and '<div class="rich-text">' in html


def test_rss_feeds_for_policies_and_news(client, home_page):
    index = policy_index(home_page)
    policy(index, title="关于开展主题党日活动的通知")
    response = client.get(index.url + "feed/")
    assert response.status_code == 200 and response["Content-Type"].startswith("application/rss+xml")
    assert "关于开展主题党日活动的通知" in response.content.decode()
    newsroom = news_index(home_page)
    news(newsroom, title="社区运动会圆满结束")
    assert "社区运动会圆满结束" in client.get(newsroom.url + "feed/").content.decode()


def test_sitemap_lists_live_pages(client, home_page):
    page = policy(policy_index(home_page), title="在地图上")
    draft = policy(policy_index(home_page), title="草稿", live=False)
    response = client.get("/sitemap/")
    body = response.content.decode()
    assert response.status_code == 200 and "<urlset" in body
    assert page.full_url in body and draft.slug not in body


def test_pages_have_sharing_titles_and_descriptions(client, home_page):
    page = policy(policy_index(home_page), title="分享测试", summary="这是一份关于社区治理的文件摘要。")
    html = client.get(page.url).content.decode()
    assert '<meta name="description" content="这是一份关于社区治理的文件摘要。">' in html
    assert 'property="og:title" content="分享测试"' in html


def test_home_page_lists_consultations_and_surveys_from_the_page_tree_without_importing_them(home_page):
    keys = [section["key"] for section in home_page.featured_sections()]
    assert "consultation" in keys and "surveys" in keys
    assert "consultation.ConsultationPage" in HomePage.subpage_types
    assert "surveys.SurveyPage" in BranchPage.subpage_types
