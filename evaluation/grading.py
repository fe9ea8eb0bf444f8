"""组织评定: the secretary records each final grade; votes advise, the branch decides."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from evaluation import scoring
from evaluation.models import AppraisalCampaign, Appraisee, Grade, Stage
from evaluation.tally import CampaignTally


def _check_one(appraisee: Appraisee, grade: str, reason: str, suggested: str | None) -> list[str]:
    if not appraisee.is_graded:
        return [_("%(name)s is a probationary member and is not graded.") % {"name": appraisee.name}] if grade else []
    if grade not in Grade.values:
        return [_("Choose a final grade for %(name)s.") % {"name": appraisee.name}]
    if suggested and grade != suggested and not reason.strip():
        return [
            _("%(name)s: give the reason the final grade differs from the suggested %(suggested)s.")
            % {"name": appraisee.name, "suggested": Grade(suggested).label}
        ]
    return []


def record_final_grades(tally: CampaignTally, decisions: dict[int, tuple[str, str]]) -> None:
    """Validate every decision, then store them all or none. Raises ValidationError listing problems."""
    campaign: AppraisalCampaign = tally.campaign
    if campaign.stage != Stage.ASSESSMENT:
        raise ValidationError(_("Final grades are recorded in the organisational assessment stage."))
    if not tally.valid:
        raise ValidationError(_("Turnout is below the minimum, so the ballot is not valid; hold the ballot again."))
    suggested = {r.appraisee.pk: r.suggested for r in tally.results}
    problems, excellent = [], 0
    for result in tally.results:
        grade, reason = decisions.get(result.appraisee.pk, ("", ""))
        problems += _check_one(result.appraisee, grade, reason, suggested[result.appraisee.pk])
        excellent += result.appraisee.is_graded and grade == scoring.EXCELLENT
    if excellent > tally.quota:
        problems.append(
            _("%(count)s members graded 优秀, but the quota is %(quota)s (a third of %(formal)s full members).")
            % {"count": excellent, "quota": tally.quota, "formal": tally.formal_members}
        )
    if problems:
        raise ValidationError(problems)
    _store(tally, decisions, suggested)


@transaction.atomic
def _store(tally: CampaignTally, decisions: dict[int, tuple[str, str]], suggested: dict) -> None:
    changed = []
    for result in tally.results:
        appraisee = result.appraisee
        if not appraisee.is_graded:
            continue
        grade, reason = decisions[appraisee.pk]
        appraisee.final_grade = grade
        appraisee.final_reason = reason.strip() if grade != suggested[appraisee.pk] else ""
        changed.append(appraisee)
    Appraisee.objects.bulk_update(changed, ["final_grade", "final_reason"])
