"""Background work of surveys, run by Django's Tasks API (`make run` starts `manage.py db_worker`).

- `mix_survey`: mix a batch of sealed responses (enqueued by a submission that leaves 2k waiting);
- `settle_at_close`: the final mix when a survey closes (enqueued, to run at the close, when its sealed
  box is made; if the close was moved later it schedules itself again).

`manage.py mix_responses` does both for every survey, for anything a worker missed.
"""

from __future__ import annotations

from django_tasks import task, task_backends


@task()
def mix_survey(survey_id: int) -> int:
    from surveys import mixing
    from surveys.models import SurveyPage

    page = SurveyPage.objects.filter(pk=survey_id).first()
    if page is None:
        return 0
    page = page.specific
    return mixing.settle(page) if page.has_closed() else mixing.mix(page)


@task()
def settle_at_close(survey_id: int) -> int:
    from surveys import mixing
    from surveys.models import SurveyPage

    page = SurveyPage.objects.filter(pk=survey_id).first()
    if page is None:
        return 0
    page = page.specific
    if not page.has_closed():
        schedule_close(page)  # the close was moved later
        return 0
    return mixing.settle(page)


def schedule_close(page) -> None:
    """Run `settle_at_close` at the survey's close, where the task backend can defer (not in tests)."""
    if page.closes_at is None or not task_backends[settle_at_close.backend].supports_defer:
        return
    settle_at_close.using(run_after=page.closes_at).enqueue(page.pk)
