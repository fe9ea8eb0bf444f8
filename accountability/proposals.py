"""Problems the platform's data suggests, never raised silently: a rule proposes, a person confirms (with the
rectification measures, owner and deadline) or dismisses. Each finding is proposed once (its key), so the
daily run and repeated checks add nothing twice, and a dismissed proposal does not come back.

Rules: a satisfaction dimension whose 满意率 is under SATISFACTION_PROBLEM_BELOW in the latest round that
asked about the organisation; a quarter that ended with a kind of 三会一课 below its expected number (held
meetings only); residents' requests at the branch's grids in trouble — at least REQUESTS_OVERDUE_PROBLEM_AT
open requests past a deadline (once a quarter), or an ended quarter in which more than
REQUESTS_DISSATISFIED_ABOVE of at least REQUESTS_MIN_RATINGS ratings were 不满意; and a final assessment grade
of 一般 or 差 (for the next year's list: 结果运用).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from wagtail.log_actions import log

from accountability import conf
from accountability.indicators import satisfaction
from accountability.indicators.base import link
from accountability.indicators.cadence import held_records, meetings_url
from accountability.indicators.requests_on_time import as_of, grid_links, requests_of
from accountability.models import Problem, ProblemProposal
from appeals.models import Appeal
from core.satisfaction import LevelCounts
from surveys.satisfaction import MIN_RESPONSES


def _add(organization, year: int, rule: str, key: str, title: str, description: str, evidence: list) -> bool:
    if ProblemProposal.objects.filter(organization=organization, key=key).exists():
        return False
    try:
        with transaction.atomic():
            ProblemProposal.objects.create(
                organization=organization,
                year=year,
                rule=rule,
                key=key,
                title=title[:200],
                description=description,
                evidence=evidence,
            )
    except IntegrityError:  # proposed meanwhile by another run
        return False
    return True


def satisfaction_findings(organization, year: int, today: dt.date) -> int:
    survey = satisfaction.latest_round(organization, year, today)
    if survey is None:
        return 0
    summary = satisfaction.summary_for(organization, survey)
    if summary.hidden:
        return 0
    threshold = conf.get("SATISFACTION_PROBLEM_BELOW")
    added = 0
    for dimension in summary.dimensions:
        rate = dimension.rate
        if rate is None or dimension.counts.valid < MIN_RESPONSES or rate >= threshold:
            continue
        added += _add(
            organization,
            year,
            ProblemProposal.Rule.SATISFACTION,
            f"satisfaction:{survey.pk}:{dimension.label}"[:200],
            _("Low satisfaction with %(dimension)s") % {"dimension": dimension.label},
            _(
                "In “%(survey)s”, 满意率 of %(dimension)s was %(rate).1f%% (%(valid)d valid answers), under %(threshold).0f%%."
            )
            % {
                "survey": survey.title,
                "dimension": dimension.label,
                "rate": 100 * rate,
                "valid": dimension.counts.valid,
                "threshold": 100 * threshold,
            },
            [link(survey.title, survey.url), link(_("Results"), survey.route_url("results_route"))],
        )
    return added


def cadence_findings(organization, year: int, today: dt.date) -> int:
    added = 0
    rows = held_records(today).cadence(organization.pk, year)
    url = meetings_url(organization, year)
    for quarter in range(1, 5):
        missed = [
            f"{row['label']} {row['quarters'][quarter - 1]['held']}/{row['quarters'][quarter - 1]['expected']}"
            for row in rows
            if row["quarters"][quarter - 1]["ended"] and not row["quarters"][quarter - 1]["met"]
        ]
        if not missed:
            continue
        added += _add(
            organization,
            year,
            ProblemProposal.Rule.CADENCE,
            f"cadence:{year}:Q{quarter}",
            _("三会一课 below the expected cadence in Q%(quarter)d %(year)d") % {"quarter": quarter, "year": year},
            _("Held / expected: %(missed)s.") % {"missed": "；".join(missed)},
            [link(_("Organisational life records %(year)d") % {"year": year}, url)],
        )
    return added


def _quarter(day: dt.date) -> int:
    return (day.month - 1) // 3 + 1


def requests_findings(organization, year: int, today: dt.date) -> int:
    """Residents' requests at the organisation's grids: too many overdue now, or too many 不满意 in a quarter."""
    added = 0
    now = as_of(today)
    if today.year == year:
        overdue = list(Appeal.objects.of_organization(organization).overdue(now).order_by("finish_due", "pk"))
        if len(overdue) >= conf.get("REQUESTS_OVERDUE_PROBLEM_AT"):
            quarter = _quarter(today)
            added += _add(
                organization,
                year,
                ProblemProposal.Rule.REQUESTS,
                f"requests:overdue:{year}:Q{quarter}",
                _("%(n)d residents' requests overdue") % {"n": len(overdue)},
                _(
                    "On %(day)s, %(n)d requests at the grids of %(org)s were past their deadline to accept or finish "
                    "(the rule proposes a problem from %(at)d)."
                )
                % {
                    "day": today.isoformat(),
                    "n": len(overdue),
                    "org": organization.name,
                    "at": conf.get("REQUESTS_OVERDUE_PROBLEM_AT"),
                },
                [
                    link(_("Request No. %(pk)d") % {"pk": a.pk}, reverse("appeals:detail", args=[a.pk]))
                    for a in overdue[:20]
                ]
                + grid_links(organization),
            )
    threshold = conf.get("REQUESTS_DISSATISFIED_ABOVE")
    for quarter in range(1, 5):
        start = dt.date(year, 3 * quarter - 2, 1)
        end = dt.date(year + 1, 1, 1) if quarter == 4 else dt.date(year, 3 * quarter + 1, 1)
        if end > today:
            continue  # judged once the quarter is over
        counts = dict(
            requests_of(organization, year)
            .filter(created_at__date__gte=start, created_at__date__lt=end)
            .exclude(rating="")
            .order_by()
            .values_list("rating")
            .annotate(n=Count("pk"))
            .values_list("rating", "n")
        )
        ratings = LevelCounts.of(counts)
        if ratings.valid < conf.get("REQUESTS_MIN_RATINGS") or ratings.dissatisfied <= threshold * ratings.valid:
            continue
        added += _add(
            organization,
            year,
            ProblemProposal.Rule.REQUESTS,
            f"requests:dissatisfied:{year}:Q{quarter}",
            _("Residents dissatisfied with requests handled in Q%(quarter)d %(year)d")
            % {"quarter": quarter, "year": year},
            _(
                "%(dissatisfied)d of %(valid)d ratings of requests reported in Q%(quarter)d were 不满意 "
                "(%(share).0f%%, above %(threshold).0f%%)."
            )
            % {
                "dissatisfied": ratings.dissatisfied,
                "valid": ratings.valid,
                "quarter": quarter,
                "share": 100 * ratings.dissatisfied / ratings.valid,
                "threshold": 100 * threshold,
            },
            grid_links(organization),
        )
    return added


def propose(organization, year: int, today: dt.date | None = None) -> int:
    """Run the rules for one organisation; returns how many new proposals were made."""
    today = today or timezone.localdate()
    return (
        satisfaction_findings(organization, year, today)
        + cadence_findings(organization, year, today)
        + requests_findings(organization, year, today)
    )


@transaction.atomic
def confirm(user, proposal: ProblemProposal, *, measures: str, owner: str, deadline: dt.date) -> Problem:
    locked = ProblemProposal.objects.select_for_update().get(pk=proposal.pk)
    if not user.has_perm("accountability.decide_proposal", locked):
        raise PermissionDenied
    if locked.status != ProblemProposal.Status.PENDING:
        raise ValidationError(_("This proposal has already been decided."))
    source = {
        ProblemProposal.Rule.SATISFACTION: Problem.Source.SATISFACTION,
        ProblemProposal.Rule.CADENCE: Problem.Source.ORGANISATIONAL_LIFE,
        ProblemProposal.Rule.REQUESTS: Problem.Source.RESIDENTS,
    }.get(locked.rule, Problem.Source.ASSESSMENT)
    problem = Problem.objects.create(
        organization=locked.organization,
        year=locked.year,
        title=locked.title,
        description=locked.description,
        source=source,
        measures=measures,
        owner=owner,
        deadline=deadline,
        created_by=user,
    )
    locked.status = ProblemProposal.Status.CONFIRMED
    locked.problem = problem
    locked.decided_by = user
    locked.decided_at = timezone.now()
    locked.save(update_fields=["status", "problem", "decided_by", "decided_at"])
    log(locked, "accountability.proposal.confirm", user=user, data={"problem": problem.pk})
    log(problem, "accountability.problem.create", user=user, data={"source": source})
    return problem


@transaction.atomic
def dismiss(user, proposal: ProblemProposal) -> None:
    locked = ProblemProposal.objects.select_for_update().get(pk=proposal.pk)
    if not user.has_perm("accountability.dismiss_proposal", locked):  # the level above, not the branch itself
        raise PermissionDenied
    if locked.status != ProblemProposal.Status.PENDING:
        raise ValidationError(_("This proposal has already been decided."))
    ProblemProposal.objects.filter(pk=locked.pk).update(
        status=ProblemProposal.Status.DISMISSED, decided_by=user, decided_at=timezone.now()
    )
    log(locked, "accountability.proposal.dismiss", user=user)
