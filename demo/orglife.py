"""Demo organisational life: a year of real meetings per branch (notices, replies, sign-ins, leave, make-up,
minutes), one branch behind its cadence this quarter, committees with one term ending in four months
(reminded) and one overdue, and a 主题党日 of 和平社区第一党支部 open for sign-in now.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from demo.text import MEETING_TOPICS
from home.models import MeetingRecord
from organizations.models import Organization, RosterEntry
from orglife import attendance, cadence, factories, terms
from orglife.models import CommitteeMember, Invitation, Meeting, SignIn

# Days between meetings of each kind, roughly the national cadence.
EVERY = {"general_meeting": 90, "committee": 30, "group": 30, "lecture": 90, "theme_day": 30}
BEHIND = "heping-2"  # holds nothing this quarter: its cadence warning shows
TERM_ENDS_SOON = "heping-1"  # term ends in four months: reminded
TERM_OVERDUE = "guangming-2"  # term ended two months ago: overdue
LEAVE_REASONS = ["外出就医", "在外地照顾家人", "单位值班", "出差"]


def _past_meeting(branch, kind, starts_at, rng, secretary) -> None:
    meeting = factories.meeting(
        branch,
        kind=kind,
        starts_at=starts_at,
        hours=1.5,
        topic=rng.choice(MEETING_TOPICS.get(kind, MEETING_TOPICS["theme_day"])),
        user=secretary,
        notify=False,
        presenter="支部书记" if kind in ("general_meeting", "lecture", "committee") else "党小组长",
        material="学习材料：上级有关文件精神（见学习园地）。",
    )
    invitations = list(meeting.invitations.all())
    present, leave = [], []
    for invitation in invitations:
        draw = rng.random()
        if draw < 0.82:
            present.append(invitation)
        elif draw < 0.92:
            leave.append(invitation)
    signed_at = starts_at + dt.timedelta(minutes=5)
    Invitation.objects.filter(pk__in=[i.pk for i in leave]).update(
        reply=Invitation.Reply.LEAVE, reason=rng.choice(LEAVE_REASONS), replied_at=starts_at - dt.timedelta(days=1)
    )
    SignIn.objects.bulk_create(
        [
            SignIn(
                meeting=meeting,
                member_id=i.member_id,
                method=SignIn.Method.QR if rng.random() < 0.85 else SignIn.Method.TICKED,
                signed_at=signed_at,
                recorded_by=secretary,
            )
            for i in present
        ]
    )
    missed = [i for i in invitations if i not in present]
    done = [i.pk for i in missed if rng.random() < 0.6]
    Invitation.objects.filter(pk__in=done).update(
        makeup_done_at=starts_at + dt.timedelta(days=rng.randint(2, 10)), makeup_note="已学习会议材料"
    )
    attendance.recount(meeting)
    Meeting.objects.filter(pk=meeting.pk).update(
        recorder="组织委员",
        content="会议传达学习了上级有关精神，结合支部实际进行了讨论。",
        decisions="按计划推进各项工作，下次会议通报落实情况。",
        minutes_by=secretary,
        minutes_saved_at=starts_at + dt.timedelta(hours=2),
        makeups_assigned_at=starts_at + dt.timedelta(hours=2),
    )


def _meetings(branch, rng, today, secretary) -> None:
    zone = timezone.get_current_timezone()
    quarter_start = dt.date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    start = today - dt.timedelta(days=365)
    for kind, every in EVERY.items():
        day = start + dt.timedelta(days=rng.randint(0, 20))
        while day < today:
            behind = branch.code == BEHIND and day >= quarter_start
            if not behind and rng.random() < 0.92:
                starts_at = dt.datetime.combine(day, dt.time(rng.choice([9, 14, 19]), 30), tzinfo=zone)
                _past_meeting(branch, kind, starts_at, rng, secretary)
            day += dt.timedelta(days=every + rng.randint(-3, 3))
    # The yearly 组织生活会, held early in the year.
    life_day = dt.date(today.year, 1, 20) if today >= dt.date(today.year, 1, 25) else start + dt.timedelta(days=30)
    _past_meeting(branch, "life_meeting", dt.datetime.combine(life_day, dt.time(14, 30), tzinfo=zone), rng, secretary)


def _committee(branch, members: list[RosterEntry], elected_on: dt.date) -> None:
    full = [m for m in members if m.member_type == RosterEntry.MemberType.FULL]
    offices = [
        CommitteeMember.Office.SECRETARY,
        CommitteeMember.Office.ORGANISATION,
        CommitteeMember.Office.PROPAGANDA,
    ]
    # The first member is the branch's secretary (demo/organizations.py); the others are further down the
    # roster, so that the demo's member login stays a plain member.
    chosen = [members[0]] + [m for m in full[3:] if m.pk != members[0].pk][: len(offices) - 1]
    factories.term(branch, elected_on=elected_on, members=[(m.pk, o) for m, o in zip(chosen, offices, strict=False)])


def seed(demo) -> None:
    today = timezone.localdate()
    orgs = demo.shared["organizations"]
    secretaries = demo.shared.get("secretaries", {})
    rng = demo.rng
    branches = [b for b in orgs.values() if b.kind == Organization.Kind.BRANCH]
    for branch in branches:
        _meetings(branch, rng, today, secretaries.get(branch.code))
        members = list(RosterEntry.objects.active().filter(branch=branch).order_by("member_no"))
        if not members:
            continue
        if branch.code == TERM_ENDS_SOON:
            elected_on = terms.add_months(today, 4 - 36)  # a three-year term that ends in four months
        elif branch.code == TERM_OVERDUE:
            elected_on = terms.add_months(today, -38)  # ended two months ago
        else:
            elected_on = terms.add_months(today, -14)
        _committee(branch, members, elected_on)

    # Today's 主题党日 of the first branch: open for sign-in now, so the QR screen can be tried.
    first = orgs.get("heping-1")
    if first is not None:
        now = timezone.now().replace(second=0, microsecond=0)
        factories.meeting(
            first,
            kind=MeetingRecord.Kind.THEME_DAY,
            starts_at=now - dt.timedelta(minutes=20),
            hours=3,
            topic="主题党日：重温入党誓词",
            user=secretaries.get("heping-1"),
            notify=False,  # the demo prints no e-mails; the meeting shows on the members' page
            presenter="支部书记",
            material="重温入党誓词，学习党章第一章。",
        )
    terms.send_reminders(today)
    cadence.send_notices(today)
