"""A job deleted (with its owner, or by an administrator) takes its result file along, once the deletion
has committed: the file is personal data, and nothing links to it any more."""

from __future__ import annotations

from django.db import transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from jobs.models import Job


@receiver(post_delete, sender=Job, dispatch_uid="jobs.delete_result_file")
def delete_result_file(sender, instance: Job, **kwargs) -> None:
    if instance.result_file:
        storage, name = instance.result_file.storage, instance.result_file.name
        transaction.on_commit(lambda: storage.delete(name), using=kwargs.get("using"))
