"""Long work on Django's Tasks API, with progress that people see (issue #19).

A feature app registers a job function in its own `jobs.py` module (found at start-up)::

    from jobs import FileResult, JobFailed, register

    @register("evaluation.appraisal_report")
    def appraisal_report(user, progress, campaign_id):
        progress(_("Computing the tally"), 10)
        ...
        return FileResult("appraisal.pdf", content=pdf_bytes)

and a view starts it for the person who asked, then sends them to its progress page::

    job = jobs.start(request.user, "evaluation.appraisal_report", _("Appraisal summary"), campaign_id=pk)
    return redirect(job)

The function runs in a task worker (`db_worker`, or RQ's workers in production) as the user who started
it: it checks their permission again (it may have changed since), reports progress with
`progress(stage, percent)`, and ends with a file (`FileResult`), a link (`LinkResult`) or nothing. A
`JobFailed` carries a message for the user; any other exception is logged with its traceback and shown
as a plain message in the user's language.
"""

from __future__ import annotations

from jobs.registry import FileResult, JobFailed, LinkResult, register


def start(user, kind: str, title, **params):
    """Create the user's job of this registered kind and enqueue it; returns the Job (see jobs.running)."""
    from jobs.running import start as _start

    return _start(user, kind, title, **params)


__all__ = ["FileResult", "JobFailed", "LinkResult", "register", "start"]
