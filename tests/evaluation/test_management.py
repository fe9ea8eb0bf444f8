"""The secretary runs the appraisal from the site's own pages: settings, stages, the close, the grades, the notice."""

import datetime as dt
import re
from decimal import Decimal
from html.parser import HTMLParser

import pytest

from django.urls import reverse

from evaluation import pdf, tally, voting
from evaluation.models import Stage
from evaluation.voting import Choice
from organizations.factories import RosterEntryFactory

pytestmark = pytest.mark.django_db


class _FormValues(HTMLParser):
    """The values a browser would send for the form whose hidden `action` is `action`."""

    def __init__(self, action):
        super().__init__()
        self.action, self.forms, self.current, self.select = action, [], None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.current = {}
            self.forms.append(self.current)
        elif self.current is None:
            return
        elif tag == "input" and attrs.get("name"):
            if attrs.get("type") in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.current[attrs["name"]] = attrs.get("value", "on" if attrs.get("type") == "checkbox" else "")
        elif tag == "select":
            self.select = attrs.get("name")
        elif tag == "option" and self.select and ("selected" in attrs or self.select not in self.current):
            self.current[self.select] = attrs.get("value", "")

    def handle_endtag(self, tag):
        if tag == "select":
            self.select = None
        elif tag == "form":
            self.current = None

    def values(self, html):
        self.feed(html)
        return next(form for form in self.forms if form.get("action") == self.action)


def _vote(campaign, voters):
    for voter in voters:
        rows = voting.ballot_rows(campaign, voter=voter)
        voting.cast_member_ballot(campaign, voter, {row.pk: Choice("competent") for row in rows if row.is_graded})


def _close(client, campaign):
    response = client.post(
        reverse("evaluation:manage", args=[campaign.pk]), {"action": "stage", "stage": "assessment", "confirm": "close"}
    )
    campaign.refresh_from_db()
    return response


def test_saving_the_settings_in_chinese_keeps_the_dates(client, campaign, secretary_a):
    campaign.study_starts = dt.date(2026, 11, 2)
    campaign.notice_starts = dt.date(2026, 12, 28)
    campaign.save()
    client.force_login(secretary_a)
    url = reverse("evaluation:manage", args=[campaign.pk])
    html = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert 'value="2026-12-18"' in html and "2026/12/18" not in html
    data = _FormValues("settings").values(html)
    assert client.post(url, data, HTTP_ACCEPT_LANGUAGE="zh-hans").status_code == 302
    campaign.refresh_from_db()
    assert (campaign.study_starts, campaign.ballot_date, campaign.notice_starts) == (
        dt.date(2026, 11, 2),
        dt.date(2026, 12, 18),
        dt.date(2026, 12, 28),
    )
    assert campaign.min_turnout == Decimal("0.8")  # shown as 80, stored as 0.8 again


def test_thresholds_are_shown_as_percentages_with_chinese_labels(client, campaign, secretary_a):
    client.force_login(secretary_a)
    url = reverse("evaluation:manage", args=[campaign.pk])
    html = client.get(url).content.decode()
    assert "测评有效的最低参评率（%）" in html and "Min turnout" not in html and "Member weight" not in html
    assert re.search(r'name="min_turnout" value="80"', html)
    data = {**_FormValues("settings").values(html), "min_turnout": "95"}
    client.post(url, data)
    campaign.refresh_from_db()
    assert campaign.min_turnout == Decimal("0.95")


def test_closing_below_the_minimum_turnout_asks_first_and_shows_the_turnout(client, open_campaign, voters, secretary_a):
    _vote(open_campaign, voters[:2])
    client.force_login(secretary_a)
    url = reverse("evaluation:manage", args=[open_campaign.pk])
    response = client.post(url, {"action": "stage", "stage": "assessment"})
    html = response.content.decode()
    open_campaign.refresh_from_db()
    assert response.status_code == 200 and open_campaign.stage == Stage.BALLOTING
    assert "低于规定的 80.0%" in html and "33.3%" in html and "仍然结束" in html
    assert _close(client, open_campaign).status_code == 302
    open_campaign.refresh_from_db()
    assert open_campaign.stage == Stage.ASSESSMENT


def test_an_invalid_ballot_is_shown_as_invalid_everywhere(client, open_campaign, voters, secretary_a):
    _vote(open_campaign, voters[:2])
    client.force_login(secretary_a)
    _close(client, open_campaign)
    computed = tally.compute(open_campaign)
    assert not computed.valid
    assert all(r.members is None and r.suggested is None and not r.notes for r in computed.results)
    results = client.get(reverse("evaluation:results", args=[open_campaign.pk])).content.decode()
    assert "本次民主测评无效" in results and '<th scope="col">建议等次</th>' not in results
    pdf_html = pdf.appraisal_html(open_campaign)
    assert "本次民主测评无效" in pdf_html and "无效" in pdf_html
    assert (
        "党员0" not in pdf_html and '<th rowspan="2">建议等次</th>' not in pdf_html
    )  # no per-member rows, no suggestions
    # No organisational assessment, notice or filing on an invalid ballot.
    client.post(reverse("evaluation:manage", args=[open_campaign.pk]), {"action": "stage", "stage": "notice"})
    open_campaign.refresh_from_db()
    assert open_campaign.stage == Stage.ASSESSMENT
    open_campaign.move_to(Stage.NOTICE, secretary_a)  # even if it got there, the member sees no numbers
    client.force_login(voters[1])
    mine = client.get(reverse("evaluation:my_result", args=[open_campaign.pk])).content.decode()
    assert "本次民主测评无效" in mine and "优秀：" not in mine


def test_due_counts_every_member_with_a_vote_also_without_an_account(branch_a, campaign, voters, secretary_a):
    RosterEntryFactory(branch=branch_a, user=None, name="无账号党员", member_no="A99")
    campaign.enrol_members()
    campaign.move_to(Stage.BALLOTING, secretary_a)
    _vote(campaign, voters[:5])
    summary = tally.turnout_now(campaign)
    assert (summary.due, summary.returned) == (7, 5)
    assert summary.turnout == Decimal("0.7143")  # 5 of 7, not 5 of the 6 with an account
    campaign.move_to(Stage.ASSESSMENT, secretary_a)
    assert not tally.compute(campaign).valid


def test_the_quota_refusal_keeps_every_entry(client, open_campaign, voters, secretary_a):
    _vote(open_campaign, voters)
    client.force_login(secretary_a)
    _close(client, open_campaign)
    computed = tally.compute(open_campaign)
    graded = [r.appraisee for r in computed.results if r.appraisee.is_graded]
    data = {}
    for index, appraisee in enumerate(graded):
        data[f"final-{appraisee.pk}"] = "excellent" if index < 3 else ("" if index == 3 else "basic")
        data[f"reason-{appraisee.pk}"] = f"理由{index}"
    response = client.post(reverse("evaluation:results", args=[open_campaign.pk]), data)
    html = response.content.decode()
    assert response.status_code == 400 and "名额" in html
    for index, appraisee in enumerate(graded):
        assert f'value="理由{index}"' in html
        select = re.search(rf'<select id="final-{appraisee.pk}".*?</select>', html, re.S).group(0)
        chosen = re.findall(r'<option value="(\w*)" selected>', select)
        assert chosen == ([data[f"final-{appraisee.pk}"]] if data[f"final-{appraisee.pk}"] else []), select
    assert not open_campaign.appraisees.exclude(final_grade="").exists()


def test_the_notice_gives_the_period_whom_to_contact_and_how_to_object(client, open_campaign, voters, secretary_a):
    _vote(open_campaign, voters)
    open_campaign.notice_starts = dt.date(2026, 12, 21)
    open_campaign.save(update_fields=["notice_starts"])
    open_campaign.move_to(Stage.ASSESSMENT, secretary_a)
    open_campaign.move_to(Stage.NOTICE, secretary_a)
    client.force_login(voters[0])
    html = client.get(reverse("evaluation:notice", args=[open_campaign.pk])).content.decode()
    assert "公示 5 天，自 2026-12-21 至 2026-12-25" in html
    assert secretary_a.get_full_name() in html and "支部书记" in html
    assert "异议" in html and open_campaign.branch.get_parent().name in html


def test_the_secretary_reaches_management_from_the_site(client, campaign, secretary_a, voters):
    client.force_login(secretary_a)
    detail = client.get(reverse("evaluation:detail", args=[campaign.pk])).content.decode()
    assert reverse("evaluation:manage", args=[campaign.pk]) in detail
    assert reverse("evaluation:create") in client.get(reverse("evaluation:list")).content.decode()
    client.force_login(voters[0])
    assert reverse("evaluation:create") not in client.get(reverse("evaluation:list")).content.decode()
    assert (
        reverse("evaluation:manage", args=[campaign.pk])
        not in client.get(reverse("evaluation:detail", args=[campaign.pk])).content.decode()
    )


def test_a_new_campaign_form_starts_from_the_default_percentages(client, secretary_a, branch_a):
    client.force_login(secretary_a)
    html = client.get(reverse("evaluation:create")).content.decode()
    assert 'name="min_turnout" value="80"' in html and 'name="member_weight" value="100"' in html


def test_the_ballot_export_says_whether_the_ballot_is_valid(client, open_campaign, voters, secretary_a):
    _vote(open_campaign, voters[:2])
    client.force_login(secretary_a)
    _close(client, open_campaign)
    data = client.get(reverse("evaluation:published_ballots", args=[open_campaign.pk]), {"format": "json"}).json()
    assert data["valid"] is False


def test_the_satisfaction_chart_levels_are_translated_from_english(tree):
    from evaluation import satisfaction
    from surveys.factories import add_responses, q, qid, satisfaction_page

    page = satisfaction_page(
        tree["community"].page, questions=[q("satisfaction", "请评价", dimensions=[{"label": "服务态度"}])]
    )
    add_responses(page, [{qid(page, 0): {"服务态度": "satisfied"}}] * 3)
    from django.utils import translation

    with translation.override("en"):
        assert "Basically satisfied" in satisfaction.charts(satisfaction.build(page))["levels"]
