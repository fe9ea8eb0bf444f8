"""A member casts the appraisal ballot on a phone, copies the receipt, and finds it after close."""

import pytest
from playwright.sync_api import expect

from accounts.factories import UserFactory
from evaluation import receipt_codes
from evaluation.factories import AppraisalCampaignFactory
from evaluation.models import Receipt, SealedBallot, Stage
from organizations.factories import RosterEntryFactory
from tests.browser.conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_member_votes_on_a_phone_gets_a_receipt_and_finds_it_after_close(mobile_page, branch_a, secretary_a):
    page = mobile_page
    members = [UserFactory(display_name=f"党员{i}") for i in range(4)]
    for index, user in enumerate(members):
        RosterEntryFactory(branch=branch_a, user=user, name=f"党员{index}", member_no=f"B{index}")
    campaign = AppraisalCampaignFactory(branch=branch_a)
    campaign.enrol_members()
    campaign.move_to(Stage.BALLOTING, secretary_a)

    sign_in(page, members[0])
    page.goto(f"/evaluation/{campaign.pk}/")
    page.get_by_role("link", name="填写民主测评表").click()
    rows = page.locator("fieldset.ballot-row")
    expect(rows).to_have_count(3)
    rows.nth(0).get_by_label("优秀", exact=True).check()
    rows.nth(1).get_by_label("合格", exact=True).check()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.get_by_role("button", name="提交测评表").click()
    receipt = page.locator(".receipt code").inner_text().strip()
    assert receipt_codes.normalise_receipt(receipt) and receipt.count("-") == 3  # four groups of four, read aloud
    assert SealedBallot.objects.count() == 1
    # The copy button appears with the script and copies the code as shown.
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    page.get_by_role("button", name="复制回执码").click()
    expect(page.locator("#receipt-copied")).to_have_text("已复制。")
    assert page.evaluate("navigator.clipboard.readText()") == receipt

    page.goto(f"/evaluation/{campaign.pk}/ballot/")
    expect(page.locator("main")).to_contain_text("您已经投过票了")

    campaign.move_to(Stage.ASSESSMENT, secretary_a)
    page.goto(f"/evaluation/{campaign.pk}/ballots/")
    # Typed back as read aloud: lower case, spaces instead of dashes.
    page.get_by_label("您的回执码").fill(receipt.lower().replace("-", " "))
    page.get_by_role("button", name="查找").click()
    expect(page.locator("main")).to_contain_text("已找到：您的测评票已计入。")
    assert Receipt.objects.filter(
        digest=receipt_codes.receipt_digest(receipt_codes.normalise_receipt(receipt))
    ).exists()
