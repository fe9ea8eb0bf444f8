"""The annual assessment: compute the indicators, take the assessors' scores, total, grade and finalise.

Totals: 100 × points scored ÷ weight of the indicators that have a score (an indicator with nothing to judge
is left out, not counted as zero). Grades: the thresholds of GRADE_THRESHOLDS suggest a grade; finalising
refuses more 好 than the scheme's share allows (rounded down), and 好 for an organisation whose 满意率 is under
SATISFACTION_GOOD_MINIMUM. Every score and grade change is in the audit log.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wagtail.log_actions import log

from accountability import conf
from accountability.indicators import REGISTRY
from accountability.indicators.base import link
from accountability.models import Assessment, Grade, Indicator, IndicatorScheme, IndicatorScore, ProblemProposal
from home.models.site import panels_changed
from organizations.models import Organization


def assessed_organizations(scheme: IndicatorScheme):
    """The branches below the assessing organisation."""
    return (
        Organization.objects.within(scheme.organization)
        .filter(kind=Organization.Kind.BRANCH)
        .exclude(pk=scheme.organization_id)
    )


def ensure_assessments(scheme: IndicatorScheme) -> None:
    have = set(scheme.assessments.values_list("organization_id", flat=True))
    Assessment.objects.bulk_create(
        [Assessment(scheme=scheme, organization=org) for org in assessed_organizations(scheme) if org.pk not in have]
    )
    panels_changed()  # members' home pages list their branch's assessment (bulk_create sends no signal)


def suggested_grade(total: float | None) -> str:
    if total is None:
        return ""
    thresholds = conf.get("GRADE_THRESHOLDS")
    for grade in (Grade.GOOD, Grade.FAIRLY_GOOD, Grade.AVERAGE):
        if total >= thresholds[grade]:
            return grade
    return Grade.POOR


def compute(
    scheme: IndicatorScheme,
    user=None,
    today: dt.date | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Compute every computed indicator for every organisation assessed; returns the scores written.

    The figures are read first, outside any transaction (`progress(done, total)` after each organisation:
    the `accountability.compute_indicators` job shows it); then one short transaction, under the scheme's row
    lock, opens a draft scheme for scoring and writes every score and the totals, or nothing. Run twice, or
    twice at once, it writes the same figures; a scheme made final meanwhile is refused (ValidationError).
    """
    today = today or timezone.localdate()
    with transaction.atomic():
        IndicatorScheme.objects.select_for_update().filter(pk=scheme.pk).values_list("pk").first()  # one set
        ensure_assessments(scheme)
    indicators = [i for i in scheme.indicators.all() if i.method == Indicator.Method.COMPUTED and i.source in REGISTRY]
    assessments = list(scheme.assessments.select_related("organization", "organization__page"))
    results = {}
    for done, assessment in enumerate(assessments, start=1):
        for indicator in indicators:
            results[(assessment.pk, indicator.pk)] = REGISTRY[indicator.source](
                assessment.organization, scheme.year, today, indicator=indicator
            )
        if progress is not None:
            progress(done, len(assessments))
    with transaction.atomic():
        locked = IndicatorScheme.objects.select_for_update().get(pk=scheme.pk)
        if locked.status == IndicatorScheme.Status.FINAL:
            raise ValidationError(_("The grades are final: the figures are kept as they were."))
        if locked.status == IndicatorScheme.Status.DRAFT:
            locked.status = IndicatorScheme.Status.SCORING
            locked.save(update_fields=["status"])
            log(locked, "accountability.scheme.open", user=user, data={"to": locked.status})
        scheme.status = locked.status
        existing = {
            (s.assessment_id, s.indicator_id): s
            for s in IndicatorScore.objects.filter(assessment__scheme=scheme, indicator__in=indicators)
        }
        written = 0
        for assessment in assessments:
            for indicator in indicators:
                result = results[(assessment.pk, indicator.pk)]
                score = existing.get((assessment.pk, indicator.pk)) or IndicatorScore(
                    assessment=assessment, indicator=indicator
                )
                score.value = result.value
                score.score = indicator.score_for(result.value)
                score.evidence = result.evidence
                score.detail = result.detail[:300]
                score.save()
                written += 1
        Assessment.objects.filter(scheme=scheme).update(computed_at=timezone.now())
        update_totals(scheme)
        log(scheme, "accountability.scheme.compute", user=user, data={"scores": written})
    return written


def update_totals(scheme: IndicatorScheme) -> None:
    totals = IndicatorScore.objects.filter(assessment__scheme=scheme).totals()
    assessments = list(scheme.assessments.all())
    for assessment in assessments:
        points, weight = totals.get(assessment.pk, (0.0, 0.0))
        assessment.total = round(100 * points / weight, 1) if weight else None
    Assessment.objects.bulk_update(assessments, ["total"])


@transaction.atomic
def record_score(user, assessment: Assessment, indicator: Indicator, value: float, comment: str) -> IndicatorScore:
    """An assessor's score (0–100 of the indicator) with their comment."""
    if not user.has_perm("accountability.score_indicator", indicator) or indicator.scheme_id != assessment.scheme_id:
        raise PermissionDenied
    if not 0 <= value <= 100:
        raise ValidationError({"value": _("Give a value from 0 to 100.")})
    score, _created = IndicatorScore.objects.get_or_create(assessment=assessment, indicator=indicator)
    previous = score.value
    score.value = value
    score.score = indicator.score_for(value)
    score.comment = comment
    score.scored_by = user
    score.evidence = [link(_("Scored by %(name)s") % {"name": user.get_full_name() or user.email}, "")]
    score.save()
    log(
        assessment,
        "accountability.score",
        user=user,
        data={"indicator": indicator.name, "from": previous, "to": value},
    )
    update_totals(assessment.scheme)
    return score


def satisfaction_values(scheme: IndicatorScheme) -> dict[int, float]:
    """Per assessment: the value of the scheme's satisfaction indicator, where it has one."""
    return dict(
        IndicatorScore.objects.filter(
            assessment__scheme=scheme, indicator__source=Indicator.Source.SATISFACTION, value__isnull=False
        ).values_list("assessment_id", "value")
    )


def check_grades(scheme: IndicatorScheme, grades: dict[int, str]) -> list[str]:
    """Why these grades (assessment pk → grade) cannot be final; empty when they can."""
    errors = []
    assessments = {a.pk: a for a in scheme.assessments.select_related("organization")}
    missing = [str(a.organization) for pk, a in assessments.items() if not grades.get(pk)]
    if missing:
        errors.append(_("Give every organisation a grade: %(names)s.") % {"names": "、".join(missing)})
    good = [pk for pk, grade in grades.items() if grade == Grade.GOOD]
    allowed = scheme.max_good(len(assessments))
    if len(good) > allowed:
        errors.append(
            _("At most %(allowed)d of %(n)d organisations may be graded good (%(share).0f%%); %(given)d are.")
            % {"allowed": allowed, "n": len(assessments), "share": 100 * float(scheme.good_share), "given": len(good)}
        )
    minimum = conf.get("SATISFACTION_GOOD_MINIMUM") * 100
    rates = satisfaction_values(scheme)
    low = [str(assessments[pk].organization) for pk in good if pk in rates and rates[pk] < minimum]
    if low:
        errors.append(
            _("满意率 under %(minimum).0f%%: cannot be graded good: %(names)s.")
            % {"minimum": minimum, "names": "、".join(low)}
        )
    return errors


@transaction.atomic
def finalise(user, scheme: IndicatorScheme, grades: dict[int, str], reasons: dict[int, str]) -> None:
    """Record the final grades and close the scheme; nothing is written if any rule refuses them."""
    scheme = IndicatorScheme.objects.select_for_update().get(pk=scheme.pk)
    if not user.has_perm("accountability.finalise_scheme", scheme):
        raise PermissionDenied
    errors = check_grades(scheme, grades)
    if errors:
        raise ValidationError(errors)
    for assessment in scheme.assessments.select_related("organization"):
        grade, reason = grades[assessment.pk], reasons.get(assessment.pk, "")[:300]
        if (assessment.grade, assessment.grade_reason) != (grade, reason):
            log(
                assessment,
                "accountability.grade",
                user=user,
                data={"from": assessment.grade, "to": grade, "reason": reason},
            )
            assessment.grade, assessment.grade_reason = grade, reason
            assessment.save(update_fields=["grade", "grade_reason"])
        if grade in (Grade.AVERAGE, Grade.POOR):
            ProblemProposal.objects.get_or_create(
                organization=assessment.organization,
                key=f"assessment:{scheme.pk}",
                defaults={
                    "year": scheme.year + 1,
                    "rule": ProblemProposal.Rule.ASSESSMENT,
                    "title": _("%(year)d assessment graded %(grade)s")
                    % {"year": scheme.year, "grade": Grade(grade).label},
                    "description": _("The %(year)d assessment scored %(total)s and was graded %(grade)s. %(reason)s")
                    % {
                        "year": scheme.year,
                        "total": "—" if assessment.total is None else f"{assessment.total:.1f}",
                        "grade": Grade(grade).label,
                        "reason": reason,
                    },
                    "evidence": [],
                },
            )
    previous = scheme.status
    scheme.status = IndicatorScheme.Status.FINAL
    scheme.finalised_at = timezone.now()
    scheme.save(update_fields=["status", "finalised_at"])
    log(scheme, "accountability.scheme.finalise", user=user, data={"from": previous, "to": scheme.status})
