"""The time rules of recruitment (《中国共产党发展党员工作细则》) and taking a step under them.

Each rule names the steps it follows, who takes it (the branch, or the level above), the earliest
and latest dates that the national rules give, and the article they come from (docs/recruitment.md).
A step dated before its earliest date is refused with the rule in the message, and the refusal is
kept in the dossier's history; a step not taken by its latest date is shown as overdue.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from wagtail.log_actions import log

from membership.models import (
    MEETING_STEPS,
    REPEATABLE_STEPS,
    Decision,
    Dossier,
    Stage,
    Step,
    StepKind,
    Transfer,
    TransferStatus,
)
from membership.timerules import add_months, add_years, age_on, notice_end
from organizations.models import RosterEntry

RULES_TITLE = gettext_lazy("Rules for developing Party members")
MIN_AGE = 18
MIN_TRAINING_DAYS = 3
MIN_TRAINING_HOURS = 24


def notice_workdays() -> int:
    """Working days of the public notice: a local rule (⚠), five by default."""
    return getattr(settings, "MEMBERSHIP_NOTICE_WORKDAYS", 5)


def _day(value: datetime.date | None) -> str:
    return date_format(value, "DATE_FORMAT") if value else ""


@dataclass(frozen=True)
class Bound:
    """A date limit and the reason for it, shown next to the step and in a refusal."""

    day: datetime.date
    reason: str


@dataclass(frozen=True)
class Rule:
    kind: StepKind
    article: Promise
    after: tuple[StepKind, ...]
    stages: tuple[Stage, ...]
    by_above: bool = False
    earliest: Callable[[Dossier], Bound | None] = lambda dossier: None
    latest: Callable[[Dossier], Bound | None] = lambda dossier: None

    @property
    def citation(self) -> str:
        return _("%(rules)s, %(article)s") % {"rules": RULES_TITLE, "article": self.article}


def _after(kind: StepKind) -> Callable[[Dossier], Bound | None]:
    """Earliest on the day the step before was taken."""

    def bound(dossier: Dossier) -> Bound | None:
        day = dossier.date_of(kind)
        if day is None:
            return None
        return Bound(
            day,
            _("it follows “%(step)s” of %(date)s") % {"step": StepKind(kind).label, "date": _day(day)},
        )

    return bound


def _latest_of(*bounds: Callable[[Dossier], Bound | None]) -> Callable[[Dossier], Bound | None]:
    def bound(dossier: Dossier) -> Bound | None:
        found = [b for b in (f(dossier) for f in bounds) if b is not None]
        return max(found, key=lambda b: b.day) if found else None

    return bound


def _talk_due(dossier: Dossier) -> Bound | None:
    applied = dossier.applied_on
    if applied is None:
        return None
    return Bound(
        add_months(applied, 1),
        _("the branch talks with the applicant within one month of the application of %(date)s")
        % {"date": _day(applied)},
    )


def _review_due(dossier: Dossier) -> Bound | None:
    if dossier.stage != Stage.ACTIVIST:
        return None
    since = dossier.date_of(StepKind.ACTIVIST_REVIEW) or dossier.date_of(StepKind.ACTIVIST)
    if since is None:
        return None
    return Bound(
        add_months(since, 6),
        _("the branch reviews an activist every six months; the last time was %(date)s") % {"date": _day(since)},
    )


def _candidate_earliest(dossier: Dossier) -> Bound | None:
    became = dossier.date_of(StepKind.ACTIVIST)
    if became is None:
        return None
    return Bound(
        add_years(became, 1),
        _(
            "%(name)s became an activist on %(date)s: an activist is made a development candidate only after "
            "at least one year of education and review"
        )
        % {"name": dossier.name, "date": _day(became)},
    )


def _meeting_earliest(dossier: Dossier) -> Bound | None:
    started = dossier.date_of(StepKind.NOTICE)
    if started is None:
        return None
    days = notice_workdays()
    ends = notice_end(started, days)
    return Bound(
        ends + datetime.timedelta(days=1),
        _(
            "the public notice put up on %(start)s lasts %(days)d working days and ends on %(end)s; "
            "the branch meeting follows it"
        )
        % {"start": _day(started), "days": days, "end": _day(ends)},
    )


def _last_adopted(dossier: Dossier, kind: StepKind) -> Step | None:
    meetings = [step for step in dossier.step_list if step.kind == kind and step.adopted]
    return meetings[-1] if meetings else None


def _approval_due(meeting_kind: StepKind) -> Callable[[Dossier], Bound | None]:
    def bound(dossier: Dossier) -> Bound | None:
        meeting = _last_adopted(dossier, meeting_kind)
        if meeting is None:
            return None
        return Bound(
            add_months(meeting.taken_on, 3),
            _("the level above decides within three months of the branch meeting of %(date)s")
            % {"date": _day(meeting.taken_on)},
        )

    return bound


def _meeting_after(meeting_kind: StepKind) -> Callable[[Dossier], Bound | None]:
    def bound(dossier: Dossier) -> Bound | None:
        meeting = _last_adopted(dossier, meeting_kind)
        if meeting is None:
            return None
        return Bound(
            meeting.taken_on, _("it follows the branch meeting of %(date)s") % {"date": _day(meeting.taken_on)}
        )

    return bound


def _probation_end(dossier: Dossier) -> Bound | None:
    if dossier.probation_ends is None:
        return None
    return Bound(
        dossier.probation_ends,
        _("the probation ends on %(date)s, one year after the branch meeting that admitted the member%(extended)s")
        % {
            "date": _day(dossier.probation_ends),
            "extended": _(", with its extension") if dossier.probation_extended else "",
        },
    )


_ARTICLE = {
    "5": gettext_lazy("article 5"),
    "7": gettext_lazy("article 7"),
    "8-9": gettext_lazy("articles 8 and 9"),
    "11": gettext_lazy("article 11"),
    "13-14": gettext_lazy("articles 13 and 14"),
    "15": gettext_lazy("article 15"),
    "17": gettext_lazy("article 17"),
    "19": gettext_lazy("article 19"),
    "notice": gettext_lazy("local rule on public notices"),
    "20-21": gettext_lazy("articles 20 and 21"),
    "23": gettext_lazy("article 23"),
    "24-25": gettext_lazy("articles 24 and 25"),
    "26": gettext_lazy("article 26"),
    "33": gettext_lazy("article 33 and article 7 of the Party Constitution"),
}

RULES: dict[str, Rule] = {
    rule.kind: rule
    for rule in [
        Rule(StepKind.APPLICATION, _ARTICLE["5"], (), ()),
        Rule(
            StepKind.TALK,
            _ARTICLE["7"],
            (StepKind.APPLICATION,),
            (Stage.APPLICANT,),
            earliest=_after(StepKind.APPLICATION),
            latest=_talk_due,
        ),
        Rule(StepKind.ACTIVIST, _ARTICLE["8-9"], (StepKind.TALK,), (Stage.APPLICANT,), earliest=_after(StepKind.TALK)),
        Rule(
            StepKind.ACTIVIST_REVIEW,
            _ARTICLE["11"],
            (StepKind.ACTIVIST,),
            (Stage.ACTIVIST,),
            earliest=_after(StepKind.ACTIVIST),
            latest=_review_due,
        ),
        Rule(
            StepKind.CANDIDATE,
            _ARTICLE["13-14"],
            (StepKind.ACTIVIST,),
            (Stage.ACTIVIST,),
            earliest=_candidate_earliest,
        ),
        Rule(
            StepKind.POLITICAL_REVIEW,
            _ARTICLE["15"],
            (StepKind.CANDIDATE,),
            (Stage.CANDIDATE,),
            earliest=_after(StepKind.CANDIDATE),
        ),
        Rule(
            StepKind.TRAINING,
            _ARTICLE["17"],
            (StepKind.CANDIDATE,),
            (Stage.CANDIDATE,),
            earliest=_after(StepKind.CANDIDATE),
        ),
        Rule(
            StepKind.COMMITTEE_REVIEW,
            _ARTICLE["19"],
            (StepKind.POLITICAL_REVIEW, StepKind.TRAINING),
            (Stage.CANDIDATE,),
            earliest=_latest_of(_after(StepKind.POLITICAL_REVIEW), _after(StepKind.TRAINING)),
        ),
        Rule(
            StepKind.PRE_REVIEW,
            _ARTICLE["19"],
            (StepKind.COMMITTEE_REVIEW,),
            (Stage.CANDIDATE,),
            by_above=True,
            earliest=_after(StepKind.COMMITTEE_REVIEW),
        ),
        Rule(
            StepKind.NOTICE,
            _ARTICLE["notice"],
            (StepKind.PRE_REVIEW,),
            (Stage.CANDIDATE,),
            earliest=_after(StepKind.PRE_REVIEW),
        ),
        Rule(
            StepKind.APPLICATION_FORM,
            _ARTICLE["19"],
            (StepKind.PRE_REVIEW,),
            (Stage.CANDIDATE,),
            earliest=_after(StepKind.PRE_REVIEW),
        ),
        Rule(
            StepKind.ADMISSION_MEETING,
            _ARTICLE["20-21"],
            (StepKind.NOTICE, StepKind.APPLICATION_FORM),
            (Stage.CANDIDATE,),
            earliest=_latest_of(_meeting_earliest, _after(StepKind.APPLICATION_FORM)),
        ),
        Rule(
            StepKind.HIGHER_TALK,
            _ARTICLE["23"],
            (StepKind.ADMISSION_MEETING,),
            (Stage.CANDIDATE,),
            by_above=True,
            earliest=_meeting_after(StepKind.ADMISSION_MEETING),
        ),
        Rule(
            StepKind.ADMISSION_APPROVAL,
            _ARTICLE["24-25"],
            (StepKind.HIGHER_TALK,),
            (Stage.CANDIDATE,),
            by_above=True,
            earliest=_after(StepKind.HIGHER_TALK),
            latest=_approval_due(StepKind.ADMISSION_MEETING),
        ),
        Rule(
            StepKind.OATH,
            _ARTICLE["26"],
            (StepKind.ADMISSION_APPROVAL,),
            (Stage.PROBATIONARY,),
            earliest=_after(StepKind.ADMISSION_APPROVAL),
        ),
        Rule(
            StepKind.CONVERSION_MEETING,
            _ARTICLE["33"],
            (StepKind.ADMISSION_APPROVAL,),
            (Stage.PROBATIONARY,),
            earliest=_probation_end,
            latest=_probation_end,
        ),
        Rule(
            StepKind.CONVERSION_APPROVAL,
            _ARTICLE["33"],
            (StepKind.CONVERSION_MEETING,),
            (Stage.PROBATIONARY,),
            by_above=True,
            earliest=_meeting_after(StepKind.CONVERSION_MEETING),
            latest=_approval_due(StepKind.CONVERSION_MEETING),
        ),
    ]
}


@dataclass
class PlannedStep:
    """A step as the dossier page shows it: taken (when), or open with its date limits."""

    rule: Rule
    taken: Step | None
    earliest: Bound | None
    latest: Bound | None
    available: bool
    overdue: bool

    @property
    def kind(self) -> str:
        return self.rule.kind

    @property
    def label(self) -> str:
        return StepKind(self.rule.kind).label


def _prerequisites_met(dossier: Dossier, rule: Rule) -> bool:
    if any(dossier.date_of(kind) is None for kind in rule.after):
        return False
    if rule.kind in (StepKind.HIGHER_TALK,):
        return _last_adopted(dossier, StepKind.ADMISSION_MEETING) is not None
    if rule.kind == StepKind.CONVERSION_APPROVAL:
        return _pending_conversion(dossier) is not None
    if rule.kind == StepKind.CONVERSION_MEETING:
        return _pending_conversion(dossier) is None
    if rule.kind == StepKind.ADMISSION_MEETING:
        return _last_adopted(dossier, StepKind.ADMISSION_MEETING) is None
    return True


def _pending_conversion(dossier: Dossier) -> Step | None:
    """The adopted end-of-probation meeting whose decision the level above has not approved yet."""
    meeting = _last_adopted(dossier, StepKind.CONVERSION_MEETING)
    approval = dossier.last(StepKind.CONVERSION_APPROVAL)
    if meeting is None or (approval is not None and approval.taken_on >= meeting.taken_on):
        return None
    return meeting


def schedule(dossier: Dossier, today: datetime.date | None = None) -> list[PlannedStep]:
    """Every step with what it needs: taken ones with their dates, open ones with their limits."""
    today = today or timezone.localdate()
    planned = []
    for rule in RULES.values():
        taken = dossier.last(rule.kind)
        available = (
            dossier.stage in rule.stages
            and (taken is None or rule.kind in REPEATABLE_STEPS)
            and _prerequisites_met(dossier, rule)
        )
        earliest = rule.earliest(dossier) if available else None
        latest = rule.latest(dossier) if available else None
        overdue = available and latest is not None and latest.day < today
        planned.append(PlannedStep(rule, taken, earliest, latest, available, overdue))
    return planned


def next_steps(dossier: Dossier, today: datetime.date | None = None) -> list[PlannedStep]:
    return [step for step in schedule(dossier, today) if step.available]


class StepRefused(ValidationError):
    """A step the rules do not allow (yet): the message says which rule and why.

    `logged` refusals (too early, not the next step) are kept in the dossier's history: a secretary
    who tried a step too early is part of the record the level above checks.
    """

    def __init__(self, message, *, logged: bool = False):
        super().__init__(message)
        self.logged = logged


def _full_member_ids(dossier: Dossier, entries) -> list[int]:
    return list(
        RosterEntry.objects.active()
        .filter(pk__in=[e.pk for e in entries], branch=dossier.branch, member_type=RosterEntry.MemberType.FULL)
        .values_list("pk", flat=True)
    )


def _check_people(dossier: Dossier, entries, low: int, high: int, what: str) -> list[RosterEntry]:
    entries = list(entries or [])
    if len(_full_member_ids(dossier, entries)) != len(entries):
        raise ValidationError(_("%(what)s must be full members on the branch's roster.") % {"what": what})
    if not low <= len(entries) <= high:
        if low == high:
            raise ValidationError(_("Choose exactly %(count)d %(what)s.") % {"count": low, "what": what})
        raise ValidationError(
            _("Choose between %(low)d and %(high)d %(what)s.") % {"low": low, "high": high, "what": what}
        )
    return entries


def voting_members(branch, day: datetime.date):
    """The roster entries that were the branch's full members with a vote on `day` (a QuerySet).

    Read from what the roster and this app record: entries that had joined by then, full members, and
    with their rights (active now: normal or mobile — a mobile member keeps their vote); those who came
    by a transfer accepted after `day` were not here yet, those who left by one accepted after it
    were; a member whose conversion to full membership the level above approved after `day` was still
    probationary then (预备党员 have no vote, 党章第七条). A suspension or a departure is recorded
    without its date on the roster: those count as they stand now.
    """
    accepted = Transfer.objects.filter(status=TransferStatus.ACCEPTED, accepted_on__gt=day)
    converted_later = Step.objects.filter(
        kind=StepKind.CONVERSION_APPROVAL, taken_on__gt=day, dossier__stage=Stage.FULL
    ).values("dossier__roster_entry")
    here_now = (
        RosterEntry.objects.active()
        .filter(branch=branch)
        .exclude(pk__in=accepted.filter(to_branch=branch).values("entry_id"))
    )
    left_later = RosterEntry.objects.filter(
        pk__in=accepted.filter(from_branch=branch).values("entry_id"),
        status__in=[RosterEntry.Status.NORMAL, RosterEntry.Status.MOBILE, RosterEntry.Status.TRANSFERRED],
    )
    return (
        (RosterEntry.objects.filter(pk__in=here_now.values("pk")) | left_later)
        .filter(joined_on__lte=day, member_type=RosterEntry.MemberType.FULL)
        .exclude(pk__in=converted_later.exclude(dossier__roster_entry=None))
    )


def voting_base(branch, day: datetime.date) -> int:
    """How many full members with a vote the branch had on `day` (see voting_members)."""
    return voting_members(branch, day).count()


def _count_entitled(dossier: Dossier, step: Step) -> None:
    """Those due to attend with a vote: the roster on the meeting's date, less those the level above
    agreed to leave out, who are counted and explained (细则第二十条)."""
    base = voting_base(dossier.branch, step.taken_on)
    excused = step.excused or 0
    if excused > base:
        raise ValidationError(
            _("The roster had %(count)d full members with a vote on %(date)s: no more than that can be left out.")
            % {"count": base, "date": _day(step.taken_on)}
        )
    if excused and not step.excused_reason.strip():
        raise ValidationError(
            _("Say why %(count)d full members with a vote are left out of those due to attend.") % {"count": excused}
        )
    if not excused:
        step.excused_reason = ""
    step.excused = excused
    step.entitled = base - excused


def check_vote(step: Step) -> None:
    """The counts of a branch meeting are consistent (nothing in them adds up to more than exists)."""
    fields = ("entitled", "present", "written", "agree", "against", "abstain")
    if any(getattr(step, name) is None for name in fields):
        raise ValidationError(_("Enter every count of the meeting (0 where there were none)."))
    if step.entitled < 1:
        raise ValidationError(_("A branch meeting needs at least one full member with a vote."))
    if step.present > step.entitled:
        raise ValidationError(_("More members are present than are due to attend."))
    if step.written > step.entitled - step.present:
        raise ValidationError(_("Written opinions come only from absent members with a vote."))
    if step.agree + step.against + step.abstain > step.present + step.written:
        raise ValidationError(_("There are more votes than members present and written opinions."))


def take_step(dossier: Dossier, step: Step, user, *, contacts=None, introducers=None, today=None) -> Step:
    """Record `step` on `dossier` if the rules allow it now; apply what it changes (stage, roster).

    Refuses (StepRefused) a step that is not open, is dated in the future or before its earliest
    date. All or nothing: the step, the stage, the roster and the log are written in one transaction;
    a refusal for timing is logged after that transaction is rolled back.
    """
    today = today or timezone.localdate()
    try:
        with transaction.atomic():
            return _take_step(dossier, step, user, contacts, introducers, today)
    except StepRefused as refusal:
        if refusal.logged:
            log(
                dossier,
                "membership.step_refused",
                user=user,
                data={"step": step.kind, "date": str(step.taken_on or ""), "reason": refusal.messages[0]},
            )
        raise


def _take_step(dossier: Dossier, step: Step, user, contacts, introducers, today: datetime.date) -> Step:
    rule = RULES[step.kind]
    # One step at a time per dossier: the row lock serialises two secretaries recording at once.
    list(Dossier.objects.select_for_update().filter(pk=dossier.pk).order_by().values_list("pk", flat=True))
    dossier = Dossier.objects.with_steps().get(pk=dossier.pk)
    planned = next((p for p in schedule(dossier, today) if p.kind == step.kind), None)
    if planned is None or not planned.available:
        raise StepRefused(
            _("“%(step)s” is not a step this dossier can take now.") % {"step": StepKind(step.kind).label},
            logged=True,
        )
    if step.taken_on is None or step.taken_on > today:
        raise StepRefused(_("A step is recorded when it has happened: the date may not be in the future."))
    if planned.earliest and step.taken_on < planned.earliest.day:
        raise StepRefused(
            _("Too early: %(reason)s (%(citation)s). The earliest date is %(earliest)s.")
            % {"reason": planned.earliest.reason, "citation": rule.citation, "earliest": _day(planned.earliest.day)},
            logged=True,
        )
    _check_step(dossier, step, contacts, introducers)
    step.dossier = dossier
    step.recorded_by = user if getattr(user, "is_authenticated", False) else None
    step.save()
    dossier.__dict__.pop("step_list", None)
    getattr(dossier, "_prefetched_objects_cache", {}).pop("steps", None)
    _apply(dossier, step, contacts, introducers)
    log(
        dossier,
        "membership.step",
        user=user,
        data={"step": step.kind, "date": str(step.taken_on), "stage": dossier.stage},
    )
    return step


def _check_step(dossier: Dossier, step: Step, contacts, introducers) -> None:
    if step.kind == StepKind.ACTIVIST:
        _check_people(dossier, contacts, 1, 2, _("contacts"))
    if step.kind == StepKind.CANDIDATE:
        _check_people(dossier, introducers, 2, 2, _("introducers"))
    if step.kind == StepKind.TRAINING:
        days, hours = step.training_days or 0, step.training_hours or 0
        if days < MIN_TRAINING_DAYS and hours < MIN_TRAINING_HOURS:
            raise StepRefused(
                _(
                    "The centralised training lasts at least three days or 24 class hours (%(citation)s): "
                    "%(days)d days and %(hours)d class hours are not enough."
                )
                % {"citation": RULES[step.kind].citation, "days": days, "hours": hours}
            )
    if step.kind in MEETING_STEPS:
        _count_entitled(dossier, step)
        check_vote(step)
    if step.kind == StepKind.CONVERSION_MEETING:
        _check_decision(dossier, step)
    else:
        step.decision, step.extension_months = "", None


def _check_decision(dossier: Dossier, step: Step) -> None:
    if step.decision not in Decision.values:
        raise ValidationError(_("Choose the meeting's decision."))
    if step.decision == Decision.EXTEND:
        if dossier.probation_extended:
            raise StepRefused(
                _("A probation is extended once only (%(citation)s).")
                % {"citation": RULES[StepKind.CONVERSION_MEETING].citation}
            )
        if step.extension_months is None or not 6 <= step.extension_months <= 12:
            raise StepRefused(
                _("An extension lasts at least six months and at most one year (%(citation)s).")
                % {"citation": RULES[StepKind.CONVERSION_MEETING].citation}
            )
    else:
        step.extension_months = None


def _apply(dossier: Dossier, step: Step, contacts, introducers) -> None:
    """What a step changes beyond itself."""
    kind = step.kind
    if kind == StepKind.ACTIVIST:
        dossier.contacts.set(contacts)
        dossier.stage = Stage.ACTIVIST
    elif kind == StepKind.CANDIDATE:
        dossier.introducers.set(introducers)
        dossier.stage = Stage.CANDIDATE
    elif kind == StepKind.ADMISSION_APPROVAL:
        meeting = _last_adopted(dossier, StepKind.ADMISSION_MEETING)
        dossier.stage = Stage.PROBATIONARY
        dossier.probation_ends = add_years(meeting.taken_on, 1)
        dossier.roster_entry = _enter_roster(dossier, meeting.taken_on)
    elif kind == StepKind.CONVERSION_APPROVAL:
        _apply_conversion(dossier, _last_adopted(dossier, StepKind.CONVERSION_MEETING))
    dossier.save()


def verified_account(email: str):
    """The account that has verified this email, or None.

    Email verification is optional at sign-up, so anyone can register an account under an
    applicant's address: only a verified address links an account to a dossier or roster entry.
    """
    if not email:
        return None
    return (
        get_user_model()
        .objects.filter(emailaddress__email__iexact=email, emailaddress__verified=True)
        .distinct()
        .first()
    )


def _enter_roster(dossier: Dossier, admitted_on: datetime.date) -> RosterEntry:
    """The probationary member's roster entry: joined on the day the branch meeting admitted them."""
    taken = set(RosterEntry.objects.filter(branch=dossier.branch).values_list("member_no", flat=True))
    number, serial = f"{admitted_on.year}-{dossier.pk:04d}", 1
    while number in taken:
        serial += 1
        number = f"{admitted_on.year}-{dossier.pk:04d}-{serial}"
    # The dossier's account becomes the member only while it still holds the dossier's email verified.
    account = verified_account(dossier.email)
    user_id = dossier.user_id if account is not None and account.pk == dossier.user_id else None
    has_entry = user_id and RosterEntry.objects.filter(user_id=user_id).exists()
    entry = RosterEntry.objects.create(
        branch=dossier.branch,
        member_no=number,
        name=dossier.name,
        gender=dossier.gender,
        member_type=RosterEntry.MemberType.PROBATIONARY,
        joined_on=admitted_on,
        email=dossier.email,
        phone=dossier.phone,
        user_id=None if has_entry else user_id,
    )
    log(entry, "membership.roster_update", data={"member_type": entry.member_type, "dossier": dossier.pk})
    return entry


def _apply_conversion(dossier: Dossier, meeting: Step) -> None:
    entry = dossier.roster_entry
    if meeting.decision == Decision.FULL:
        dossier.stage = Stage.FULL
        if entry is not None:
            entry.member_type = RosterEntry.MemberType.FULL
            entry.save(update_fields=["member_type"])
    elif meeting.decision == Decision.EXTEND:
        dossier.probation_ends = add_months(dossier.probation_ends, meeting.extension_months)
        dossier.probation_extended = True
    else:
        dossier.stage = Stage.CANCELLED
        if entry is not None:
            entry.status = RosterEntry.Status.LEFT
            entry.save(update_fields=["status"])
    if entry is not None:
        log(
            entry,
            "membership.roster_update",
            data={"member_type": entry.member_type, "status": entry.status, "dossier": dossier.pk},
        )


def check_applicant(birth_date: datetime.date, applied_on: datetime.date) -> None:
    if age_on(birth_date, applied_on) < MIN_AGE:
        raise ValidationError(
            _("An applicant must be at least 18 years old on the day of the application (%(citation)s).")
            % {"citation": RULES[StepKind.APPLICATION].citation}
        )


@transaction.atomic
def open_dossier(dossier: Dossier, applied_on: datetime.date, user, today=None) -> Dossier:
    """Create a dossier with its application as the first step."""
    today = today or timezone.localdate()
    if applied_on > today:
        raise ValidationError(_("A step is recorded when it has happened: the date may not be in the future."))
    check_applicant(dossier.birth_date, applied_on)
    dossier.stage = Stage.APPLICANT
    dossier.save()
    Step.objects.create(
        dossier=dossier,
        kind=StepKind.APPLICATION,
        taken_on=applied_on,
        recorded_by=user if getattr(user, "is_authenticated", False) else None,
    )
    log(dossier, "membership.step", user=user, data={"step": StepKind.APPLICATION, "date": str(applied_on)})
    return dossier
