"""Computing opinion maps outside requests: by the background task enqueued after enough new votes
(consultation/tasks.py), and by the management command `compute_opinion_maps` for anything left stale."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from consultation import conf, lib
from consultation.models import ConsultationPage, ConsultationState, OpinionMap, StatementVote


def compute(consultation: ConsultationPage) -> OpinionMap | None:
    """Group the consultation's participants and store the result; None when there are too few."""
    statements = list(consultation.statements.filter(approved=True).values_list("pk", flat=True))
    votes: dict[int, dict[int, int]] = {}
    for user_id, statement_id, value in StatementVote.objects.filter(statement_id__in=statements).values_list(
        "user_id", "statement_id", "value"
    ):
        votes.setdefault(user_id, {})[statement_id] = value
    groups = lib.opinion_groups(
        votes,
        statements,
        min_participants=conf.get("OPINION_MAP_MIN_PARTICIPANTS"),
        max_groups=conf.get("OPINION_MAP_MAX_GROUPS"),
    )
    with transaction.atomic():
        ConsultationState.objects.filter(consultation=consultation).update(
            opinion_map_stale=False, opinion_map_new_votes=0
        )
        if groups is None:
            OpinionMap.objects.filter(consultation=consultation).delete()
            return None
        # Participants are stored only as points and group labels: no user ids leave this function.
        result = {
            "coordinates": groups.coordinates,
            "labels": groups.labels,
            "groups": groups.groups,
            "consensus": groups.consensus,
            "statement_stats": {str(k): v for k, v in groups.statement_stats.items()},
            # The statements in the order of the projection's columns (those approved when computed).
            "statements": statements,
            "projection": groups.projection,
        }
        opinion_map, _created = OpinionMap.objects.update_or_create(
            consultation=consultation,
            defaults={"result": result, "computed_at": timezone.now(), "participant_count": len(groups.participants)},
        )
    return opinion_map


def compute_stale(force: bool = False) -> int:
    pages = ConsultationPage.objects.live().filter(opinion_map_enabled=True)
    if not force:
        stale = ConsultationState.objects.filter(opinion_map_stale=True).values("consultation_id")
        pages = pages.filter(pk__in=stale)
    count = 0
    for page in pages:
        compute(page)
        count += 1
    return count
