"""Party dues (党费): the amount from the declared base by dated rules, the monthly ledger, arrears.

The national brackets (《关于中国共产党党费收缴、使用和管理的规定》, 2008) are the default rule data
(migration 0002); an organisation may set its own from a date (DuesRule), and the set in force for a
month is the one of the nearest organisation above the branch with the latest date not after it.
Money is never taken here: payments made elsewhere are recorded. Arrears are flagged from
`MEMBERSHIP_DUES_ARREARS_MONTHS` (3) unpaid months, well before the six months after which the
Party Constitution treats a member as having left.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from wagtail.log_actions import log

from membership.models import DuesAssessment, DuesCategory, DuesPayment, DuesRelief, DuesRule, ReliefStatus
from organizations.models import Organization, RosterEntry

CENT = Decimal("0.01")
BASE_CATEGORIES = (DuesCategory.SERVING, DuesCategory.RETIRED)


def arrears_months() -> int:
    return getattr(settings, "MEMBERSHIP_DUES_ARREARS_MONTHS", 3)


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def _in_bracket(rule: DuesRule, base: Decimal) -> bool:
    return (rule.above is None or base > rule.above) and (rule.up_to is None or base <= rule.up_to)


def amount_from(rules: list[DuesRule], base: Decimal) -> Decimal:
    """The monthly amount for a base under one set of brackets, rounded to the fen (half up)."""
    for rule in rules:
        if _in_bracket(rule, base):
            if rule.fixed is not None:
                return rule.fixed
            return (base * rule.rate).quantize(CENT, rounding=ROUND_HALF_UP)
    raise ValidationError(_("No dues rule covers a base of %(base)s yuan.") % {"base": base})


class RuleBook:
    """The dues rules that can apply to some branches, read once; asked per branch, category and month."""

    def __init__(self, branches):
        branches = list(branches)
        paths = {a.path for b in branches for a in Organization.objects.with_ancestors(b)} if branches else set()
        self.depth = dict(Organization.objects.filter(path__in=paths).values_list("pk", "depth"))
        self.paths = {b.pk: b.path for b in branches}
        self.rules = list(
            DuesRule.objects.filter(organization__isnull=True) | DuesRule.objects.filter(organization_id__in=self.depth)
        )
        self.org_path = dict(Organization.objects.filter(pk__in=self.depth).values_list("pk", "path"))

    def brackets(self, branch_id: int, category: str, on: datetime.date) -> list[DuesRule]:
        path = self.paths[branch_id]
        candidates = [
            r
            for r in self.rules
            if r.category == category
            and r.valid_from <= on
            and (r.organization_id is None or path.startswith(self.org_path[r.organization_id]))
        ]
        if not candidates:
            raise ValidationError(_("No dues rule is in force on %(date)s.") % {"date": on})
        # The nearest organisation wins, then its latest set in force.
        best = max(candidates, key=lambda r: (self.depth.get(r.organization_id, 0), r.valid_from))
        return [r for r in candidates if r.organization_id == best.organization_id and r.valid_from == best.valid_from]

    def amount(self, branch_id: int, category: str, base: Decimal, on: datetime.date) -> Decimal:
        return amount_from(self.brackets(branch_id, category, on), base)


@transaction.atomic
def assess(entry: RosterEntry, year: int, category: str, base: Decimal, user, starts_on=None) -> DuesAssessment:
    """Set a member's dues for the year from the declared base (the amount is computed, never typed)."""
    if category not in BASE_CATEGORIES:
        base = Decimal("0")
    if base < 0:
        raise ValidationError(_("The declared base cannot be negative."))
    starts_on = starts_on or datetime.date(year, 1, 1)
    if entry.member_type == RosterEntry.MemberType.PROBATIONARY and entry.joined_on.year == year:
        # Probationary members pay from the day the branch meeting admitted them.
        starts_on = max(starts_on, entry.joined_on)
    book = RuleBook([entry.branch])
    amount = book.amount(entry.branch_id, category, base, starts_on)
    assessment, _created = DuesAssessment.objects.update_or_create(
        entry=entry,
        year=year,
        defaults={"category": category, "declared_base": base, "monthly_amount": amount, "starts_on": starts_on},
    )
    log(assessment, "membership.dues.assess", user=user, data={"category": category, "amount": str(amount)})
    return assessment


@transaction.atomic
def record_payment(
    entry: RosterEntry, month: datetime.date, amount: Decimal, paid_on: datetime.date, user
) -> DuesPayment:
    if amount <= 0:
        raise ValidationError(_("Record an amount above zero."))
    month = month_start(month)
    already = ValidationError(_("%(month)s is already recorded as paid.") % {"month": month.strftime("%Y-%m")})
    if DuesPayment.objects.filter(entry=entry, month=month).exists():
        raise already
    try:
        # Two keepers recording the same month at once: the unique constraint decides, the second is told.
        with transaction.atomic():
            payment = DuesPayment.objects.create(
                entry=entry, month=month, amount=amount, paid_on=paid_on, recorded_by=user
            )
    except IntegrityError:
        raise already from None
    log(payment, "membership.dues.payment", user=user, data={"month": str(month), "amount": str(amount)})
    return payment


@transaction.atomic
def decide_relief(relief: DuesRelief, approve: bool, user, on: datetime.date) -> DuesRelief:
    if relief.status != ReliefStatus.REQUESTED:
        raise ValidationError(_("This request has been decided already."))
    relief.status = ReliefStatus.APPROVED if approve else ReliefStatus.REFUSED
    relief.decided_by, relief.decided_on = user, on
    relief.save()
    log(relief, "membership.dues.relief", user=user, data={"status": relief.status})
    return relief


@dataclass
class MemberLedger:
    entry: RosterEntry
    assessment: DuesAssessment | None
    due: dict[datetime.date, Decimal] = field(default_factory=dict)
    paid: dict[datetime.date, Decimal] = field(default_factory=dict)
    arrears: int = 0

    @property
    def flagged(self) -> bool:
        return self.arrears >= arrears_months()

    @property
    def total_due(self) -> Decimal:
        return sum(self.due.values(), Decimal("0"))

    @property
    def total_paid(self) -> Decimal:
        return sum(self.paid.values(), Decimal("0"))

    def months(self):
        return [(month, self.due.get(month), self.paid.get(month)) for month in sorted(self.due)]


def _months(year: int, until: datetime.date) -> list[datetime.date]:
    last = 12 if until.year > year else until.month
    return [datetime.date(year, m, 1) for m in range(1, last + 1)] if until.year >= year else []


def ledger(branch: Organization, year: int, today: datetime.date, entries=None) -> list[MemberLedger]:
    """Each active member's months due and paid this year up to this month, and their unpaid run.

    A constant number of queries whatever the number of members. The current month is due but not
    yet in arrears; arrears count the unpaid months before it back to the last paid one, into last
    year when this year's run reaches January (last year's assessment says what was due then).
    """
    entries = list(
        entries if entries is not None else RosterEntry.objects.active().filter(branch=branch).order_by("member_no")
    )
    ids = [e.pk for e in entries]
    assessments, earlier = {}, {}
    for assessment in DuesAssessment.objects.filter(entry_id__in=ids, year__in=[year - 1, year]):
        (assessments if assessment.year == year else earlier)[assessment.entry_id] = assessment
    paid = defaultdict(dict)
    for payment in DuesPayment.objects.filter(entry_id__in=ids, month__year__in=[year - 1, year]):
        paid[payment.entry_id][payment.month] = payment.amount
    reliefs = defaultdict(list)
    for relief in DuesRelief.objects.filter(entry_id__in=ids, status=ReliefStatus.APPROVED):
        reliefs[relief.entry_id].append(relief)
    book = RuleBook([branch])
    months = _months(year, today)
    result = []
    for entry in entries:
        assessment = assessments.get(entry.pk)
        row = MemberLedger(entry, assessment, paid={m: a for m, a in paid[entry.pk].items() if m.year == year})
        if assessment is not None:
            for month in months:
                if month < month_start(assessment.starts_on):
                    continue
                relief = next((r for r in reliefs[entry.pk] if r.covers(month)), None)
                if relief is not None:
                    row.due[month] = relief.reduced_amount
                else:
                    row.due[month] = book.amount(branch.pk, assessment.category, assessment.declared_base, month)
            row.arrears = _unpaid_run(row.due, paid[entry.pk], month_start(today))
            if row.arrears and row.arrears == len([m for m in row.due if m < month_start(today)]):
                row.arrears += _last_year_run(earlier.get(entry.pk), paid[entry.pk], reliefs[entry.pk], book, branch)
        result.append(row)
    return result


def _unpaid_run(due: dict, paid: dict, current: datetime.date) -> int:
    run = 0
    for month in sorted((m for m in due if m < current), reverse=True):
        if due[month] == 0 or month in paid:
            break
        run += 1
    return run


def _last_year_run(assessment, paid: dict, reliefs: list, book: RuleBook, branch) -> int:
    """Unpaid months at the end of last year, for a run that reached this January."""
    if assessment is None:
        return 0
    due = {}
    for number in range(12, month_start(assessment.starts_on).month - 1, -1):
        month = datetime.date(assessment.year, number, 1)
        relief = next((r for r in reliefs if r.covers(month)), None)
        due[month] = (
            relief.reduced_amount
            if relief
            else book.amount(branch.pk, assessment.category, assessment.declared_base, month)
        )
    return _unpaid_run(due, paid, datetime.date(assessment.year + 1, 1, 1))


@dataclass
class MonthTotal:
    month: datetime.date
    members_due: int
    members_paid: int
    amount_due: Decimal
    amount_paid: Decimal


def annual_report(branch: Organization, year: int, today: datetime.date) -> list[MonthTotal]:
    """The branch's public report: per month, how many paid and how much, no one's own amount."""
    rows = ledger(branch, year, today)
    totals = []
    for month in _months(year, today):
        due = [r for r in rows if month in r.due]
        totals.append(
            MonthTotal(
                month,
                len(due),
                sum(1 for r in due if month in r.paid),
                sum((r.due[month] for r in due), Decimal("0")),
                sum((r.paid.get(month, Decimal("0")) for r in rows), Decimal("0")),
            )
        )
    return totals
