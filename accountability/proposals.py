"""Problems the platform's data suggests, never raised silently: a rule proposes, a person confirms (with the
rectification measures, owner and deadline) or dismisses. Each finding is proposed once (its key), so the
daily run and repeated checks add nothing twice, and a dismissed proposal does not come back.

Rules: a satisfaction dimension whose 满意率 is under SATISFACTION_PROBLEM_BELOW in the latest round that
asked about the organisation; a quarter that ended with a kind of 三会一课 below its expected number; and a
final assessment grade of 一般 or 差 (for the next year's list: 结果运用).
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wagtail.log_actions import log

from accountability import conf
from accountability.indicators import satisfaction
from accountability.indicators.base import link
from accountability.indicators.cadence import meetings_url
from accountability.models import Problem, ProblemProposal
from home.models import MeetingRecord
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
    rows = MeetingRecord.objects.cadence(organization.pk, year)
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


def propose(organization, year: int, today: dt.date | None = None) -> int:
    """Run the rules for one organisation; returns how many new proposals were made."""
    today = today or timezone.localdate()
    return satisfaction_findings(organization, year, today) + cadence_findings(organization, year, today)


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
