"""The consultation page in the anonymous page cache (core/cache.py), forgotten at its every change.

A consultation changes without a publish (posts, reactions, moderation, stage changes, votes,
ratings, statements, the opinion map), so besides the site-wide generation its cached copies depend
on a version key of its own, bumped at the change and again once it is committed (a copy rendered
in between is never kept as current). Most changes record a live event (an
`Event` row, saved here for every post, edit, hide, reaction, pin, stage change and outcome); the
others save the rows below. The few queryset updates that skip signals call `changed` themselves.
"""

from __future__ import annotations

from core import cache as page_cache


def version_key(consultation_id: int) -> str:
    return f"consultation:page-version:{consultation_id}"


def changed(consultation_id: int | None) -> None:
    """Forget the anonymous copies of the consultation's page, now and again after commit.

    Now: the writer's next page (same transaction or not) is never the old copy. After commit: a copy
    another request rendered from the data before the commit, under the version bumped now, is dropped.
    """
    if consultation_id:
        page_cache.changed(version_key(consultation_id))


def connect_signals() -> None:
    from django.db.models.signals import post_delete, post_save

    from consultation import models

    def on_change(sender, instance, **kwargs):
        changed(instance.consultation_id)

    for model in (
        models.Event,
        models.Post,
        models.Vote,
        models.Outcome,
        models.ImplementationUpdate,
        models.OutcomeRating,
        models.Statement,
        models.OpinionMap,
        models.StageTransition,
        models.StagePlan,
        models.ConsultationState,
    ):
        uid = f"consultation-page-cache-{model.__name__}"
        post_save.connect(on_change, sender=model, dispatch_uid=f"{uid}-save", weak=False)
        post_delete.connect(on_change, sender=model, dispatch_uid=f"{uid}-delete", weak=False)
