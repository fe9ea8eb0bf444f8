"""The membership screens of the Wagtail admin, as the street's admin and a branch secretary use them:
the dossier overview, the rule data (dues rules, study point rules, study deadlines) and the branch's dues
keepers. No console error on any of them (the `page` fixture), in zh-hans."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from accounts.factories import UserFactory
from membership.factories import open_dossier
from membership.models import DuesKeeper, PointRule
from organizations.factories import RosterEntryFactory
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _admin(page, user):
    sign_in(page, user)
    page.goto("/admin/")
    expect(page).to_have_url(re.compile(r"/admin/$"))


def test_the_street_admin_sets_a_point_rule_and_sees_the_dossiers(page, org_admin, branch_a, tree):
    open_dossier(branch_a, "后台申请人", dt.date.today() - dt.timedelta(days=5))
    _admin(page, org_admin)
    page.goto("/admin/membership/")
    expect(page.locator("main")).to_contain_text("后台申请人")
    page.goto("/admin/snippets/membership/duesrule/")
    expect(page.locator("main")).to_contain_text("党费标准")
    page.goto("/admin/snippets/membership/pointrule/add/")
    page.locator("#id_organization").select_option(label="幸福街道党工委")
    page.locator("#id_source").select_option("study")
    page.locator("#id_points").fill("2")
    page.locator("#id_daily_cap").fill("6")
    page.locator("#id_valid_from").fill("2026-01-01")
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page).to_have_url(re.compile(r"/admin/snippets/membership/pointrule/$"))
    rule = PointRule.objects.get()
    assert (rule.organization_id, rule.points, rule.daily_cap) == (tree["street"].pk, 2, 6)
    page.goto("/admin/snippets/membership/studydeadline/")
    expect(page.locator("main")).to_be_visible()


def test_a_secretary_names_a_dues_keeper_of_their_own_branch_only(page, secretary_a, branch_a, branch_b):
    keeper = UserFactory(display_name="收缴员甲")
    RosterEntryFactory(branch=branch_a, user=keeper, name="收缴员甲")
    DuesKeeper.objects.create(branch=branch_b, user=UserFactory(display_name="别的支部收缴员"))
    _admin(page, secretary_a)
    page.goto("/admin/snippets/membership/dueskeeper/")
    expect(page.locator("main")).not_to_contain_text("别的支部收缴员")
    page.goto("/admin/snippets/membership/dueskeeper/add/")
    options = page.locator("#id_branch option").all_inner_texts()
    assert "第二党支部" not in options and "第一党支部" in options
