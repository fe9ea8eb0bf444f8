"""The home page kept for each signed-in viewer (core/cache.py, "Signed-in visitors"; issue 19).

A copy is answered while nothing its panels read has changed (home.models.site.watch_panel_models), and
never past midnight; anonymous visitors keep sharing one page, which nginx may keep.
"""

import datetime as dt
import re
from unittest import mock

import pytest

from django.test import Client
from django.utils import timezone

from core import cache as page_cache
from evaluation.factories import AppraisalCampaignFactory
from evaluation.models import Stage
from membership.factories import open_dossier

pytestmark = pytest.mark.django_db


def _visit(client, home_page):
    response = client.get(home_page.url)
    assert response.status_code == 200
    return response.get("X-Page-Cache"), response.content.decode()


@pytest.fixture
def member(sign_in, member_a):
    return sign_in(member_a)


def test_a_signed_in_visitor_gets_their_own_copy_of_the_home_page(member, home_page, tree, resident):
    assert [_visit(member, home_page)[0] for _ in range(2)] == ["miss", "hit"]
    other = Client()
    other.force_login(resident)
    status, html = _visit(other, home_page)
    assert status != "hit" and "党员甲" not in html


def test_an_appraisal_enrolling_the_member_is_on_their_next_visit(member, home_page, tree, branch_a):
    campaign = AppraisalCampaignFactory(branch=branch_a)
    assert [_visit(member, home_page)[0] for _ in range(2)] == ["miss", "hit"]
    assert str(campaign) not in _visit(member, home_page)[1]
    campaign.enrol_members()  # one bulk insert, no signal
    status, html = _visit(member, home_page)
    assert status == "miss" and str(campaign) in html


def test_a_new_stage_of_the_appraisal_is_on_the_next_visit(member, home_page, tree, branch_a, secretary_a):
    campaign = AppraisalCampaignFactory(branch=branch_a)
    campaign.enrol_members()
    _visit(member, home_page)
    assert _visit(member, home_page)[0] == "hit"
    campaign.move_to(Stage.BALLOTING, secretary_a)
    status, html = _visit(member, home_page)
    assert status == "miss" and str(Stage.BALLOTING.label) in html


def test_a_new_dossier_of_the_visitor_is_on_their_next_visit(member, member_a, home_page, tree, branch_a):
    _visit(member, home_page)
    assert _visit(member, home_page)[0] == "hit"
    open_dossier(branch_a, "申请人甲", timezone.localdate() - dt.timedelta(days=3), user=member_a)
    status, html = _visit(member, home_page)
    assert status == "miss" and "申请人甲" in html


def test_a_copy_is_kept_no_longer_than_the_next_midnight(member, home_page, tree):
    with mock.patch.object(page_cache.cache, "set", wraps=page_cache.cache.set) as stored:
        _visit(member, home_page)
    ((_key, _value, timeout),) = [c.args for c in stored.call_args_list if c.args[0].startswith("home:page:viewer:")]
    now = timezone.localtime()
    midnight = (now + dt.timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
    assert timeout <= min(page_cache.VIEWER_TIMEOUT, (midnight - now).total_seconds() + 1)


def test_anonymous_visitors_still_share_the_page_that_nginx_may_keep(home_page, tree):
    for expected in ("miss", "hit"):
        response = Client().get(home_page.url, HTTP_X_EDGE_CACHE="1")
        assert response["X-Page-Cache"] == expected and response["X-Accel-Expires"] == "5"
        assert not re.search(r"panel-(appraisal|membership|accountability)", response.content.decode())
