"""After the decision: the published result, implementation updates and residents' ratings of the outcome."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wagtail.log_actions import log

from consultation import page_cache
from consultation.actions import permit, require
from consultation.models import (
    UPDATE_STAGES,
    ConsultationPage,
    Event,
    ImplementationUpdate,
    Outcome,
    OutcomeRating,
    Satisfaction,
    Stage,
)
from consultation.recipients import notify, participants
from core.satisfaction import LevelCounts
from notifications.models import Notification


def publish_outcome(consultation: ConsultationPage, user, text: str) -> Outcome:
    permit(
        user.has_perm("consultation.manage_consultation", consultation),
        _("Only the organisers may publish the result."),
    )
    text = (text or "").strip()
    require(bool(text), _("Write the result first."))
    with transaction.atomic():
        outcome, created = Outcome.objects.update_or_create(
            consultation=consultation,
            defaults={"text": text, "published_by": user},
            create_defaults={"text": text, "published_by": user, "published_at": timezone.now()},
        )
        if not created:
            Outcome.objects.filter(pk=outcome.pk).update(updated_at=timezone.now())
        log(consultation, "consultation.outcome", user=user, data={"created": created})
        Event.record(consultation, "outcome.published", {})
        notify(
            participants(consultation),
            Notification.Kind.OUTCOME,
            consultation,
            actor=user,
            detail=_("the result was published") if created else _("the result was updated"),
            exclude=user,
        )
    return outcome


def add_update(
    consultation: ConsultationPage, user, text: str, progress: int, person_in_charge: str
) -> ImplementationUpdate:
    permit(
        user.has_perm("consultation.manage_consultation", consultation), _("Only the organisers may report progress.")
    )
    require(consultation.stage in UPDATE_STAGES, _("Progress is reported once the result is published."))
    require(
        bool((text or "").strip()) and bool((person_in_charge or "").strip()),
        _("Describe the progress and name the person in charge."),
    )
    require(0 <= progress <= 100, _("Progress is a percentage from 0 to 100."))
    with transaction.atomic():
        update = ImplementationUpdate.objects.create(
            consultation=consultation,
            text=text.strip(),
            progress=progress,
            person_in_charge=person_in_charge.strip()[:64],
            created_by=user,
        )
        log(consultation, "consultation.implementation", user=user, data={"progress": progress})
        Event.record(
            consultation,
            "implementation.updated",
            {"progress": progress},
        )
        notify(
            participants(consultation),
            Notification.Kind.OUTCOME,
            consultation,
            actor=user,
            detail=_("implementation progress %(progress)d%% (in charge: %(person)s)")
            % {"progress": progress, "person": update.person_in_charge},
            exclude=user,
        )
    return update


def rate_outcome(consultation: ConsultationPage, user, rating: str, comment: str = "") -> OutcomeRating:
    require(consultation.stage == Stage.RATING, _("Ratings are open in the rating stage only."))
    permit(user.has_perm("consultation.take_part", consultation), _("You cannot take part in this consultation."))
    require(rating in Satisfaction.values, _("Choose one of the answers."))
    values = {
        "rating": rating,
        "comment": (comment or "").strip()[:500],
        "organization": consultation.organization,
        "rated_on": timezone.localdate(),
    }
    with transaction.atomic():
        try:
            with transaction.atomic():
                obj, _created = OutcomeRating.objects.update_or_create(
                    consultation=consultation, user=user, defaults=values
                )
        except IntegrityError:
            OutcomeRating.objects.filter(consultation=consultation, user=user).update(**values)
            page_cache.changed(consultation.pk)  # an update sends no signal
            obj = OutcomeRating.objects.get(consultation=consultation, user=user)
    return obj


def satisfaction_rate(counts: dict[str, int]) -> float | None:
    """满意率 = (satisfied + basically_satisfied) ÷ (answers − unknown); None when nobody gave a valid answer."""
    return LevelCounts.of(counts).rate
