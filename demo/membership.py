"""Demo membership records for `seed_demo`: recruitment at every stage, mobile members, a transfer,
required study with deadlines and a year of study points, a year of Party dues.

Dates are counted from the day the demo is built, so the same situations show whenever it runs:
an applicant whose talk is overdue, an activist of ten months whom the secretary already tried to
make a candidate too early (the refusal is in the history), one ready for the branch meeting, one
waiting for the street's approval, a probationary member whose probation ends this month.
"""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from demo.organizations import DOMAIN
from home.models import StudyPage, StudyRecord
from membership import dues, mobile, transfers
from membership.factories import open_dossier, path_to_meeting, take
from membership.models import (
    ContactLog,
    ContactMethod,
    DuesCategory,
    DuesPayment,
    DuesRelief,
    MobileDirection,
    MobileRecord,
    PointRule,
    PointSource,
    StepKind,
    StudyDeadline,
)
from membership.recruitment import StepRefused
from membership.timerules import add_months, add_years
from organizations.models import RosterEntry

DAY = dt.timedelta(days=1)


def _full_members(branch, count: int = 3) -> list[RosterEntry]:
    """Full members for contacts and introducers; a small demo gets a few more on the roster."""
    entries = list(RosterEntry.objects.active().filter(branch=branch, member_type="full").order_by("member_no")[1:])
    for number in range(len(entries), count):
        entries.append(
            RosterEntry.objects.create(
                branch=branch,
                member_no=f"{branch.code.upper()}-D{number + 1:02d}",
                name=["林秀英", "高建国", "郭海燕"][number % 3],
                gender="F",
                joined_on=dt.date(2001, 7, 1),
            )
        )
    return entries


def _recruitment(demo, branch, secretary, street_admin, members, today: dt.date) -> None:
    def dossier(name, applied_on, gender="F"):
        return open_dossier(branch, name, applied_on, gender=gender, birth_date=dt.date(1996, 5, 4))

    # Applied ten days ago: the talk is due within the month.
    dossier("许晓雯", today - 10 * DAY)
    # Applied fifty days ago, nobody talked with her: overdue.
    dossier("田雨萱", today - 50 * DAY)
    # An activist of ten months; the secretary tried to make him a candidate last week: refused, kept.
    ten_months = dossier("潘子轩", add_months(today, -10) - 40 * DAY, gender="M")
    take(ten_months, StepKind.TALK, add_months(today, -10) - 20 * DAY, by=secretary)
    take(ten_months, StepKind.ACTIVIST, add_months(today, -10), by=secretary, contacts=members[:2])
    take(ten_months, StepKind.ACTIVIST_REVIEW, add_months(today, -4), by=secretary)
    try:
        take(ten_months, StepKind.CANDIDATE, today - 7 * DAY, by=secretary, introducers=members[:2])
    except StepRefused:
        pass
    # An activist of thirteen months: ready to become a development candidate.
    ready = dossier("袁思远", add_months(today, -13) - 40 * DAY, gender="M")
    take(ready, StepKind.TALK, add_months(today, -13) - 20 * DAY, by=secretary)
    take(ready, StepKind.ACTIVIST, add_months(today, -13), by=secretary, contacts=members[1:3])
    take(ready, StepKind.ACTIVIST_REVIEW, add_months(today, -7), by=secretary)
    take(ready, StepKind.ACTIVIST_REVIEW, add_months(today, -1), by=secretary)
    # A candidate whose notice has ended: the branch meeting is next.
    meeting_next = today + 3 * DAY
    candidate = dossier("蔡欣怡", meeting_next - 470 * DAY)
    path_to_meeting(candidate, meeting_next, members, until=StepKind.APPLICATION_FORM, by=secretary, today=today)
    # Adopted by the branch meeting, talked with by the street: waiting for the street's approval.
    adopted_on = today - 20 * DAY
    waiting = dossier("丁浩然", adopted_on - 470 * DAY, gender="M")
    path_to_meeting(waiting, adopted_on, members, until=StepKind.ADMISSION_MEETING, by=secretary, today=today)
    take(waiting, StepKind.HIGHER_TALK, adopted_on + 10 * DAY, by=street_admin, today=today)
    # Admitted a year ago: the probation ends this month, the branch meeting on it is due.
    last_day = today.replace(day=calendar.monthrange(today.year, today.month)[1])
    ends = min(today + 5 * DAY, last_day)
    admitted = add_years(ends, -1)
    probationary = dossier("任佳怡", admitted - 470 * DAY)
    path_to_meeting(probationary, admitted, members, until=StepKind.OATH, by=secretary, today=today)


def _mobile(branch, secretary, entries, today: dt.date) -> None:
    def outflow(entry, place, employer, months_ago):
        record = MobileRecord(
            branch=branch,
            direction=MobileDirection.OUTFLOW,
            entry=entry,
            place=place,
            employer=employer,
            contact=entry.phone or "微信（本人）",
            certificate_no=f"LD{today.year}{entry.pk:05d}",
            registered_on=add_months(today, -months_ago),
            expected_return=add_months(today, 6),
        )
        return mobile.register(record, secretary)

    if len(entries) < 3:
        return
    kept = outflow(entries[0], "广东省深圳市南山区", "某科技公司", 8)
    ContactLog.objects.create(
        record=kept, contacted_on=today - 12 * DAY, method=ContactMethod.ONLINE, note="参加了线上主题党日，近况良好。"
    )
    quiet = outflow(entries[1], "江苏省苏州市工业园区", "某制造企业", 9)
    ContactLog.objects.create(
        record=quiet, contacted_on=add_months(today, -4), method=ContactMethod.PHONE, note="电话联系，工作稳定。"
    )
    lost = outflow(entries[2], "浙江省杭州市", "（不详）", 12)
    ContactLog.objects.create(
        record=lost, contacted_on=add_months(today, -8), method=ContactMethod.PHONE, note="最后一次接通电话。"
    )
    mobile.mark_lost(lost, secretary)
    mobile.register(
        MobileRecord(
            branch=branch,
            direction=MobileDirection.INFLOW,
            name="黄立新",
            home_organization="安徽省阜阳市某村党支部",
            place="和平里小区",
            employer="社区快递驿站",
            contact="手机（本人）",
            certificate_no="LD2025-0031",
            registered_on=add_months(today, -2),
        ),
        secretary,
    )


def _study(demo, branch, street, today: dt.date) -> None:
    """The street's point rules and deadlines for required study; a year of study spread over the year."""
    start = today.replace(month=1, day=1)
    PointRule.objects.create(organization=street, source=PointSource.STUDY, points=2, daily_cap=6, valid_from=start)
    PointRule.objects.create(
        organization=street, source=PointSource.CONSULTATION, points=1, daily_cap=3, valid_from=start
    )
    for page in StudyPage.objects.filter(required=True).order_by("first_published_at"):
        published = page.first_published_at.date() if page.first_published_at else today
        StudyDeadline.objects.create(organization=street, page=page, due_on=published + 30 * DAY)
    span = max((today - start).days, 1)
    records = list(StudyRecord.objects.filter(user__roster_entry__branch=branch).order_by("pk"))
    for record in records:
        record.studied_at = dt.datetime.combine(
            start + demo.rng.randrange(span) * DAY, dt.time(demo.rng.randint(8, 21)), tzinfo=dt.UTC
        )
    StudyRecord.objects.bulk_update(records, ["studied_at"], batch_size=500)


def _dues(demo, branch, secretary, street_admin, today: dt.date) -> None:
    """A year of dues: everyone assessed, months paid, one member three months behind, one exempted."""
    entries = list(RosterEntry.objects.active().filter(branch=branch).order_by("member_no"))
    for index, entry in enumerate(entries):
        category = DuesCategory.RETIRED if index % 5 == 4 else DuesCategory.SERVING
        base = Decimal(demo.rng.choice([2600, 3000, 4200, 5000, 6800, 9500, 12000]))
        dues.assess(entry, today.year, category, base, secretary)
    months = [dt.date(today.year, m, 1) for m in range(1, today.month)]
    behind = entries[-1] if len(entries) > 3 else None
    exempted = entries[-2] if len(entries) > 3 else None
    if exempted is not None:
        relief = DuesRelief.objects.create(
            entry=exempted,
            from_month=dt.date(today.year, 1, 1),
            to_month=dt.date(today.year, 12, 1),
            reason="长期患病，生活困难，本人申请免交",
            branch_agreed_on=dt.date(today.year, 1, 8),
        )
        dues.decide_relief(relief, True, street_admin, dt.date(today.year, 1, 15))
    rows = {row.entry.pk: row for row in dues.ledger(branch, today.year, today, entries=entries)}
    payments = []
    for entry in entries:
        paid_months = months[:-3] if entry == behind else months
        for month in paid_months:
            amount = rows[entry.pk].due.get(month)
            if amount:
                payments.append(
                    DuesPayment(entry=entry, month=month, amount=amount, paid_on=month + 6 * DAY, recorded_by=secretary)
                )
    DuesPayment.objects.bulk_create(payments, batch_size=1000)


def seed(demo) -> None:
    today = timezone.localdate()
    branch = demo.shared["organizations"]["heping-1"]
    secretary = demo.shared["secretaries"]["heping-1"]
    street_admin = get_user_model().objects.get(email=f"street-admin@{DOMAIN}")
    members = _full_members(branch)
    _recruitment(demo, branch, secretary, street_admin, members, today)
    others = list(
        RosterEntry.objects.active()
        .filter(branch=branch, user__isnull=False)
        .exclude(user=secretary)
        .exclude(user__email__contains="-02@")
        .order_by("-member_no")[:4]
    )
    _mobile(branch, secretary, others[:3], today)
    _study(demo, branch, demo.shared["street"], today)
    _dues(demo, branch, secretary, street_admin, today)
    # A transfer under way: released by 和平社区第一党支部, waiting for 光明社区第一党支部 to accept.
    if len(others) > 3:
        transfer = transfers.request_transfer(
            others[3], secretary, to_branch=demo.shared["organizations"]["guangming-1"], reason="工作调动"
        )
        transfers.release(transfer, secretary, today - 2 * DAY)
