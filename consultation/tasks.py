"""Background work of consultations, run by Django's Tasks API (the `django-tasks` backport on Django 5.2).

`make run` starts `manage.py db_worker` beside the server; tests use the immediate backend.
"""

from __future__ import annotations

from django_tasks import task


@task()
def recompute_opinion_map(consultation_id: int) -> int | None:
    """Regroup one consultation's participants; returns the number of participants on the new map."""
    from consultation.models import ConsultationPage
    from consultation.opinion_map import compute

    consultation = ConsultationPage.objects.live().filter(pk=consultation_id, opinion_map_enabled=True).first()
    if consultation is None:
        return None
    opinion_map = compute(consultation)
    return opinion_map.participant_count if opinion_map else 0
