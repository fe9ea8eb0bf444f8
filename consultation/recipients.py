"""Who is told about a consultation: its participants, and only those the audience rule lets see it.

The notifications app stores, shows and emails; this module decides who in a consultation is told, and
tells the notifications app which notifications a user may no longer see.
"""

from __future__ import annotations

from django.db.models import Q

from consultation.models import Post, Reaction, Vote
from consultation.rules import hidden_consultation_ids, viewer_ids
from notifications import delivery
from notifications.models import Notification


def participants(consultation) -> set[int]:
    """Users who posted, supported, opposed or voted in the consultation."""
    ids = set(Post.objects.filter(consultation=consultation).values_list("author_id", flat=True).distinct())
    ids |= set(Reaction.objects.filter(post__consultation=consultation).values_list("user_id", flat=True).distinct())
    ids |= set(Vote.objects.filter(consultation=consultation).values_list("voter_id", flat=True).distinct())
    return ids


def notify(
    recipient_ids, kind: str, consultation, *, post=None, actor=None, detail: str = "", exclude=None
) -> list[Notification]:
    """Tell the recipients (but `exclude`, usually whoever acted) who may see the consultation."""
    recipient_ids = set(recipient_ids) - ({exclude.pk} if exclude is not None else set())
    if not recipient_ids:
        return []
    # The audience rule: nobody is told about a consultation they may not see (e.g. a member who left).
    recipient_ids = viewer_ids(consultation, recipient_ids)
    return delivery.notify(recipient_ids, kind, consultation, post=post, actor=actor, detail=detail)


def hidden_notifications(user) -> Q:
    """Notifications about consultations the user may no longer see (left the branch, moved away)."""
    return Q(consultation_id__in=hidden_consultation_ids(user))
