"""The signed-in home page's own panels (contributed by evaluation, membership and accountability): each person sees
what concerns them, whatever the panels skip for those it cannot concern (organizations.roles.standing)."""

import datetime as dt

import pytest

from django.utils import timezone

from accountability.models import Assessment, IndicatorScheme, SupervisionNotice, Task
from evaluation.factories import AppraisalCampaignFactory
from membership.factories import open_dossier
from organizations.models import RosterEntry

pytestmark = pytest.mark.django_db


def _panel(html: str, key: str) -> str:
    if f'id="panel-{key}"' not in html:
        return ""
    return html.split(f'id="panel-{key}"', 1)[1].split("</section>", 1)[0]


@pytest.fixture
def branch_work(tree, branch_a):
    """An appraisal under way in branch A, its overdue task, an unanswered notice and a final assessment."""
    today = timezone.localdate()
    task = Task.objects.create(
        organization=branch_a, year=2025, title="整理党员档案", owner="支部书记", due_on=today - dt.timedelta(days=3)
    )
    SupervisionNotice.objects.create(
        issuer=tree["community"], organization=branch_a, task=task, text="请报档案整理进度", reply_due=today
    )
    scheme = IndicatorScheme.objects.create(
        organization=tree["street"],
        year=2025,
        title="2025年度基层党建考核",
        status=IndicatorScheme.Status.FINAL,
        notice_starts=today - dt.timedelta(days=1),
    )
    Assessment.objects.create(scheme=scheme, organization=branch_a)


def _campaign(branch):
    campaign = AppraisalCampaignFactory(branch=branch)
    campaign.enrol_members()
    return campaign


def test_a_member_sees_their_appraisal_and_their_branchs_assessment_but_no_tasks(
    client, branch_a, member_a, branch_work
):
    _campaign(branch_a)
    client.force_login(member_a)
    html = client.get("/").content.decode()
    assert _panel(html, "appraisal")
    work = _panel(html, "accountability")
    assert "2025年度基层党建考核" in work and "整理党员档案" not in work


def test_a_secretary_sees_the_branchs_overdue_tasks_and_unanswered_notices(client, secretary_a, branch_work):
    client.force_login(secretary_a)
    html = client.get("/").content.decode()
    work = _panel(html, "accountability")
    assert "整理党员档案" in work and "请报档案整理进度" in work
    assert "2025年度基层党建考核" not in work  # no member of the branch
    assert not _panel(html, "appraisal")


def test_a_plain_resident_sees_no_member_or_keeper_panel(client, resident, branch_a, member_a, branch_work):
    _campaign(branch_a)
    client.force_login(resident)
    html = client.get("/").content.decode()
    for key in ("appraisal", "accountability", "membership"):
        assert not _panel(html, key)


def test_a_member_who_left_still_sees_the_appraisal_under_way_but_not_the_branchs_assessment(
    client, branch_a, member_a, branch_work
):
    _campaign(branch_a)
    RosterEntry.objects.filter(user=member_a).update(status=RosterEntry.Status.LEFT)
    client.force_login(member_a)
    html = client.get("/").content.decode()
    assert _panel(html, "appraisal")
    assert not _panel(html, "accountability")


def test_an_applicant_with_no_roster_entry_sees_their_dossier(client, branch_a, resident):
    open_dossier(branch_a, "申请人甲", dt.date(2026, 1, 5), user=resident)
    client.force_login(resident)
    assert "申请人甲" in _panel(client.get("/").content.decode(), "membership")
