"""Moving a consultation through its stages, with the timeline entry, the live event and the notifications."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wagtail.log_actions import log

from consultation.actions import permit, require
from consultation.models import (
    ELECTORATE_NEEDED,
    Audience,
    ConsultationPage,
    ConsultationState,
    Event,
    Stage,
    StageTransition,
)
from consultation.recipients import notify, participants
from consultation.voting import vote_record
from notifications.models import Notification


def change_stage(consultation: ConsultationPage, user, to_stage: str, note: str = "") -> StageTransition:
    permit(
        user.has_perm("consultation.manage_consultation", consultation), _("Only the organisers may change the stage.")
    )
    require(to_stage in consultation.stage_sequence(), _("That stage is not part of this consultation."))
    with transaction.atomic():
        state = ConsultationState.objects.select_for_update().get(consultation=consultation)
        from_stage = state.stage
        require(to_stage != from_stage, _("The consultation is already at that stage."))
        sequence = consultation.stage_sequence()
        if from_stage in sequence and sequence.index(to_stage) < sequence.index(from_stage):
            require(bool(note.strip()), _("Say why the consultation goes back to an earlier stage."))
        if to_stage == Stage.VOTING:
            require(consultation.vote_options.count() >= 2, _("Add at least two vote options first."))
            require(consultation.audience != Audience.EVERYONE, str(ELECTORATE_NEEDED))
        result = {}
        if (
            from_stage == Stage.VOTING
            and to_stage in sequence
            and sequence.index(to_stage) > sequence.index(from_stage)
        ):
            result = vote_record(consultation)
        state.stage, state.stage_changed_at = to_stage, timezone.now()
        state.save(update_fields=["stage", "stage_changed_at"])
        consultation.__dict__["state"] = state
        transition = StageTransition.objects.create(
            consultation=consultation,
            from_stage=from_stage,
            to_stage=to_stage,
            actor=user,
            note=note.strip()[:500],
            result=result,
        )
        log(consultation, "consultation.stage", user=user, data={"from": from_stage, "to": to_stage, "note": note})
        label = str(Stage(to_stage).label)
        Event.record(
            consultation, "stage.changed", {"stage": to_stage, "label": label, "at": transition.created_at.isoformat()}
        )
        notify(
            participants(consultation), Notification.Kind.STAGE, consultation, actor=user, detail=label, exclude=user
        )
    return transition
