"""Who may see a job: only the person who started it (everyone else gets a 404, not a 403)."""

import rules


@rules.predicate
def is_owner(user, job) -> bool:
    return job is not None and user.is_authenticated and job.owner_id == user.pk


rules.add_perm("jobs.view_job", is_owner)
rules.add_perm("jobs.retry_job", is_owner)
