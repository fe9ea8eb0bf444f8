"""A member casts the appraisal ballot on a phone, copies the receipt, and finds it after close."""

import pytest
from playwright.sync_api import expect

from accounts.factories import UserFactory
from evaluation import receipt_codes
from evaluation.factories import AppraisalCampaignFactory
from evaluation.models import PaperBallot, Receipt, SealedBallot, Stage
from organizations.factories import RosterEntryFactory
from tests.browser.conftest import sign_in
from tests.security import scenario

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


def test_two_scrutineers_enter_a_paper_ballot_on_phones_and_it_goes_into_the_box(mobile_page, branch_a, secretary_a):
    """Issue 12, point 8, in a browser: the first scrutineer enters the sheet, the second enters it again
    without seeing the first entry; only then is it sealed into the box, beside the online ballots."""
    page = mobile_page
    members = scenario.members(branch_a, 3, probationary=0)
    RosterEntryFactory(branch=branch_a, user=None, name="无账号党员", member_no="D999")
    campaign = scenario.open_campaign(branch_a, secretary_a, scrutineers=members[:2], paper_ballots=1)

    def enter(button: str) -> None:
        rows = page.locator("fieldset.ballot-row")
        expect(rows).to_have_count(4)
        assert not rows.locator("input[type=radio]:checked").count()  # nothing of the first entry shows
        rows.nth(0).get_by_label("优秀", exact=True).check()
        rows.nth(2).get_by_label("基本合格", exact=True).check()
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        page.get_by_role("button", name=button).click()

    sign_in(page, members[0])
    page.goto(f"/evaluation/{campaign.pk}/")
    page.get_by_role("link", name="录入纸质测评票（计票人）").click()
    page.get_by_role("link", name="录入纸质测评票").click()
    enter("保存第一次录入")
    expect(page.locator(".paper-pending li")).to_have_count(1)
    assert PaperBallot.objects.count() == 1 and not SealedBallot.objects.exists()

    page.context.clear_cookies()
    sign_in(page, members[1])
    page.goto(f"/evaluation/{campaign.pk}/paper/")
    page.get_by_role("link", name="第二次录入").click()
    enter("确认这张纸质测评票")
    expect(page.locator(".paper-pending")).to_have_count(0)
    expect(page.locator(".ballot-counts")).to_contain_text("0 + 1 = 1")
    assert SealedBallot.objects.count() == 1 and PaperBallot.objects.get().confirmed
