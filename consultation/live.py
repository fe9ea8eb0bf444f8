"""Sending events to open consultation pages through the channel layer."""

import asyncio
import json
import logging
import threading

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

logger = logging.getLogger(__name__)


def group_name(consultation_id: int) -> str:
    return f"consultation.{consultation_id}"


def user_group_name(user_id: int) -> str:
    """Every open consultation socket of one user: told when their rights may have changed."""
    return f"consultation-user.{user_id}"


def rights_changed(user_id) -> None:
    """After commit, ask the user's open sockets to check again whether they may still receive events
    (signed out, left the Party, moved away, lost a role). Best effort: sockets also re-check on a timer."""
    if not user_id:
        return
    from django.db import transaction

    transaction.on_commit(lambda: _send_rights_changed(user_id))


def _send_rights_changed(user_id) -> None:
    layer = get_channel_layer()
    if layer is None:
        return

    def send():
        try:
            async_to_sync(layer.group_send)(user_group_name(user_id), {"type": "rights.changed"})
        except Exception:
            logger.exception("Could not tell the sockets of user %s to re-check their rights", user_id)

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        send()
        return
    # Called from a thread that runs an event loop (a script driving a browser, an async shell): send from
    # a helper thread, as async_to_sync cannot run here.
    helper = threading.Thread(target=send, daemon=True)
    helper.start()
    helper.join(timeout=5)


def connect_signals() -> None:
    """Changes that can take away the right to follow a restricted consultation."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.signals import user_logged_out
    from django.db.models.signals import m2m_changed, post_delete, post_save

    from organizations.models import Residence, RosterEntry

    def by_user_id(sender, instance, **kwargs):
        rights_changed(instance.user_id)

    def by_user(sender, instance, **kwargs):
        rights_changed(instance.pk)

    def on_logout(sender, request, user, **kwargs):
        rights_changed(getattr(user, "pk", None))

    def on_groups(sender, instance, action, pk_set, **kwargs):
        if not action.startswith("post_"):
            return
        user_model = get_user_model()
        if isinstance(instance, user_model):
            rights_changed(instance.pk)
        else:  # a group's members changed: each of them
            for user_id in pk_set or ():
                rights_changed(user_id)

    for model in (RosterEntry, Residence):
        post_save.connect(
            by_user_id, sender=model, dispatch_uid=f"consultation-rights-{model.__name__}-save", weak=False
        )
        post_delete.connect(
            by_user_id, sender=model, dispatch_uid=f"consultation-rights-{model.__name__}-delete", weak=False
        )
    user_model = get_user_model()
    post_save.connect(by_user, sender=user_model, dispatch_uid="consultation-rights-user-save", weak=False)
    m2m_changed.connect(
        on_groups, sender=user_model.groups.through, dispatch_uid="consultation-rights-groups", weak=False
    )
    user_logged_out.connect(on_logout, dispatch_uid="consultation-rights-logout", weak=False)


def broadcast(consultation_id: int, message: dict) -> None:
    """Best effort: a lost message is recovered by the page's catch-up request."""
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        # Encoded once here, not once per consumer: every open page of the consultation gets these bytes.
        text = json.dumps(message)
        async_to_sync(layer.group_send)(group_name(consultation_id), {"type": "consultation.event", "text": text})
    except Exception:  # the event is stored; clients catch up
        logger.exception("Could not broadcast an event of consultation %s", consultation_id)
