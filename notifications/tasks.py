"""Background work of notifications, run by Django's Tasks API (`db_worker` under `make run`, RQ in production).

- `send_digest_batch`: the daily digests of a batch of users. `manage.py send_notification_digest` (the
  `gongzhi-digest.timer`, the clock) enqueues one per DIGEST_BATCH users, so that several workers share the
  morning's mail; each user's digest is sent under their preference's row lock, so a batch run twice sends once.
- `send_immediate_mail`: the e-mails of new notifications for people who asked for them at once, enqueued
  when the notifying transaction commits. Sent by a worker, not in the request: a slow or unreachable mail
  server delays the e-mail instead of failing the page of the person whose action notified others.
"""

from __future__ import annotations

from django_tasks import task

DIGEST_BATCH = 200


@task()
def send_digest_batch(user_ids: list[int]) -> int:
    from notifications.delivery import send_digest_to

    return sum(send_digest_to(user_id) for user_id in user_ids)


@task()
def send_immediate_mail(notification_ids: list[int]) -> int:
    from notifications.delivery import send_immediate

    return send_immediate(notification_ids)


def enqueue_digests(batch: int = DIGEST_BATCH) -> tuple[int, int]:
    """Enqueue the day's digests in batches; returns (batches, users)."""
    from notifications.delivery import digest_user_ids

    user_ids = digest_user_ids()
    chunks = [user_ids[start : start + batch] for start in range(0, len(user_ids), batch)]
    for chunk in chunks:
        send_digest_batch.enqueue(chunk)
    return len(chunks), len(user_ids)
