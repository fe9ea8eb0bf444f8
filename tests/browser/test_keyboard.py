"""Keyboard only: a member casts the appraisal ballot and a resident answers a survey with Tab, Shift+Tab,
Space, Enter and the arrow keys (text typed into fields reached by Tab), never a mouse or a selector action,
and every control reached by Tab shows a focus indicator."""

import datetime as dt
from collections import Counter

import pytest
from playwright.sync_api import expect

from django.utils import timezone

from accounts.factories import PASSWORD, UserFactory
from evaluation import mixing
from evaluation.factories import AppraisalCampaignFactory
from evaluation.models import BallotEntry, Grade, SealedBallot, Stage
from organizations.factories import RosterEntryFactory
from surveys import mixing as survey_mixing
from surveys.factories import q, section, survey_page
from surveys.models import Answer, Response, SurveyPage

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# What has focus, and whether it shows it. A visually hidden control (the radio of a rating scale point)
# shows its focus on the box drawn right after it, which is what the reader sees.
FOCUS_STATE = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return {tag: "BODY", type: "", name: "", value: "", text: "", indicator: false};
  const shows = e => {
    if (!e) return false;
    const s = getComputedStyle(e);
    const outline = s.outlineStyle !== "none" && parseFloat(s.outlineWidth) >= 1
      && s.outlineColor !== "transparent" && s.outlineColor !== "rgba(0, 0, 0, 0)";
    return outline || (s.boxShadow !== "none" && s.boxShadow !== "");
  };
  const box = el.getBoundingClientRect();
  const hidden = box.width <= 1 || box.height <= 1 || getComputedStyle(el).opacity === "0";
  return {
    tag: el.tagName, type: el.type || "", name: el.getAttribute("name") || "", value: el.value || "",
    href: el.getAttribute("href") || "",
    text: (el.labels && el.labels.length ? el.labels[0].innerText : el.innerText || "").trim().slice(0, 60),
    indicator: shows(hidden ? el.nextElementSibling : el),
  };
}"""


class Keys:
    """Drives a page with the keyboard alone, checking the focus indicator after every Tab."""

    def __init__(self, page):
        self.page = page

    def focused(self) -> dict:
        return self.page.evaluate(FOCUS_STATE)

    def tab(self, backwards: bool = False) -> dict:
        self.page.keyboard.press("Shift+Tab" if backwards else "Tab")
        state = self.focused()
        assert state["tag"] != "BODY", "Tab left the page's controls"
        assert state["indicator"], f"No visible focus indicator on {state}"
        return state

    def tab_to(self, wanted, limit: int = 60) -> dict:
        """Tab forwards until the focused control matches `wanted` (a predicate on the focus state)."""
        seen = []
        for _ in range(limit):
            state = self.tab()
            if wanted(state):
                return state
            seen.append(f"{state['tag']} {state['name'] or state['text']}")
        pytest.fail(f"Tab never reached the control; passed {seen}")

    def press(self, key: str, times: int = 1) -> None:
        for _ in range(times):
            self.page.keyboard.press(key)

    def submit(self, key: str = "Enter") -> None:
        with self.page.expect_navigation():
            self.page.keyboard.press(key)


def named(name: str):
    return lambda state: state["name"] == name


def _sign_in(keys: Keys, user) -> None:
    keys.page.goto("/accounts/login/")
    keys.tab_to(named("login"))
    keys.page.keyboard.type(user.email)
    keys.tab_to(named("password"))
    keys.page.keyboard.type(PASSWORD)
    keys.submit()  # Enter in a field submits its form
    expect(keys.page.locator("#site-nav")).to_contain_text(user.get_full_name())


def test_skip_link_is_the_first_stop_and_moves_focus_to_the_main_content(page, tree):
    keys = Keys(page)
    page.goto("/")
    first = keys.tab()
    assert first["href"] == "#main"
    expect(page.locator(".skip-link")).to_be_in_viewport()  # shown when focused, not only announced
    keys.press("Enter")
    keys.tab()
    # Shift+Tab walks back out of the main content, to the header, with the indicator still visible.
    assert page.evaluate("document.activeElement.closest('main') !== null")
    state = keys.tab(backwards=True)
    assert page.evaluate("document.activeElement.closest('header') !== null"), state


def test_member_casts_the_ballot_with_the_keyboard_alone(page, branch_a, secretary_a):
    members = [UserFactory(display_name=f"党员{i}") for i in range(4)]
    for index, user in enumerate(members):
        RosterEntryFactory(branch=branch_a, user=user, name=f"党员{index}", member_no=f"K{index}")
    campaign = AppraisalCampaignFactory(branch=branch_a)
    campaign.enrol_members()
    campaign.move_to(Stage.BALLOTING, secretary_a)
    ballots_before = SealedBallot.objects.count()
    keys = Keys(page)

    _sign_in(keys, members[0])
    page.goto(f"/evaluation/{campaign.pk}/")
    keys.tab_to(lambda state: state["href"].endswith(f"/evaluation/{campaign.pk}/ballot/"))
    keys.submit()
    expect(page.locator("fieldset.ballot-row")).to_have_count(3)

    # Row by row: Tab enters the radio group, Space picks the first grade, the arrow keys move along it.
    grades = [Grade.EXCELLENT, Grade.COMPETENT, Grade.BASIC]
    for row, grade in enumerate(grades):
        keys.tab_to(lambda state: state["type"] == "radio" and state["name"].startswith("grade-"))
        keys.press("Space")
        keys.press("ArrowRight", times=row)
        checked = page.evaluate("document.activeElement.checked && document.activeElement.value")
        assert checked == grade, f"row {row}: {checked}"
    keys.tab_to(lambda state: state["tag"] == "BUTTON" and state["type"] == "submit" and state["name"] == "")
    expect(page.locator(":focus")).to_have_text("提交测评表")
    keys.submit()

    expect(page.get_by_role("heading", level=1)).to_have_text("您的测评票已收到")
    assert page.locator(".receipt code").inner_text().strip()
    assert SealedBallot.objects.count() == ballots_before + 1
    mixing.mix(campaign, final=True)  # sealed until mixed
    assert Counter(BallotEntry.objects.exclude(grade="").values_list("grade", flat=True)) == Counter(grades)


@pytest.fixture
def stepped_survey(tree):
    return survey_page(
        tree["community"].page,
        title="出行与停车调查",
        mode=SurveyPage.Mode.ANONYMOUS,
        questions=[
            section("基本情况"),
            q("single_choice", "您家是否有小汽车？", choices=["有", "没有"]),
            q("multiple_choice", "您平时怎样出行？", choices=["步行", "公交", "自驾"], max_picks=2),
            q("rating", "您对小区停车的满意程度", scale_min=1, scale_max=5, min_label="很不满意", max_label="很满意"),
            section("建议"),
            q("short_text", "您居住的楼栋", max_length=50),
            q("ranking", "请按重要程度排序", choices=["停车", "绿化", "安防"]),
            q("long_text", "其他建议", required=False),
        ],
    )


def test_resident_answers_a_survey_with_the_keyboard_alone(page, stepped_survey, resident):
    responses_before = Response.objects.count()
    keys = Keys(page)
    _sign_in(keys, resident)
    page.goto(stepped_survey.url)

    # Step 1. A radio group: Tab lands on its first choice, Space picks it.
    keys.tab_to(lambda state: state["type"] == "radio")
    keys.press("Space")
    # Check boxes: Space ticks the one that has focus; Tab moves to the next.
    keys.tab_to(lambda state: state["type"] == "checkbox")
    keys.press("Space")
    keys.tab()
    keys.tab()
    keys.press("Space")
    # The rating scale: its radios are drawn as boxes; Space picks 1, ArrowRight moves up to 4.
    keys.tab_to(lambda state: state["type"] == "radio" and state["value"] == "1")
    keys.press("Space")
    keys.press("ArrowRight", times=3)
    keys.tab_to(lambda state: state["tag"] == "BUTTON" and state["type"] == "button")  # Next
    keys.press("Enter")
    expect(page.get_by_text("您居住的楼栋")).to_be_visible()

    # Step 2. Text typed into the field Tab reached; each ranking list set with the arrow keys.
    keys.tab_to(lambda state: state["tag"] == "INPUT" and state["type"] == "text")
    page.keyboard.type("和平里3号楼")
    for place in (1, 2, 3):
        keys.tab_to(lambda state: state["tag"] == "SELECT" and state["name"] != "language")
        keys.press("ArrowDown", times=place)
    keys.tab_to(lambda state: state["tag"] == "TEXTAREA")
    page.keyboard.type("希望增加夜间照明。")
    keys.tab_to(lambda state: state["tag"] == "BUTTON" and state["type"] == "submit" and state["value"] == "submit")
    keys.submit()

    expect(page.get_by_role("heading", name="谢谢您的参与！")).to_be_visible()
    # Anonymous answers stay sealed until the close mixes them (issue 13): close, then read them.
    stepped_survey.closes_at = timezone.now() - dt.timedelta(seconds=1)
    stepped_survey.save()
    survey_mixing.settle(stepped_survey)
    assert Response.objects.count() == responses_before + 1
    stored = Counter(Answer.objects.values_list("choice", flat=True))
    assert stored["有"] == 1 and stored["步行"] == 1 and stored["自驾"] == 1 and stored["4"] == 1
    assert set(Answer.objects.exclude(text="").values_list("text", flat=True)) == {"和平里3号楼", "希望增加夜间照明。"}
    ranking = dict(Answer.objects.filter(choice__in=["停车", "绿化", "安防"]).values_list("choice", "number"))
    assert ranking == {"停车": 1.0, "绿化": 2.0, "安防": 3.0}
