"""Moderators' actions on posts: hide, restore, approve a held post, pin. Logged in Wagtail's audit log."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wagtail.log_actions import log

from consultation.actions import ActionError, permit, require
from consultation.models import Event, Post
from consultation.posting import on_published
from consultation.recipients import notify
from notifications.models import Notification


def moderate(post: Post, moderator, action: str, reason: str = "") -> Post:
    """hide (with a reason the author sees), restore or approve a held post. Logged in Wagtail's audit log."""
    permit(moderator.has_perm("consultation.moderate", post.consultation), _("Only moderators may do this."))
    reason = (reason or "").strip()
    if action == "hide":
        require(bool(reason), _("Give the author a reason."))
        new_status = Post.Status.HIDDEN
    elif action in ("restore", "approve"):
        new_status = Post.Status.VISIBLE
    else:
        raise ActionError(_("Unknown moderation action."))
    with transaction.atomic():
        post = (
            Post.objects.select_for_update(of=("self",))
            .select_related("consultation", "parent", "author")
            .get(pk=post.pk)
        )
        was_visible = post.status == Post.Status.VISIBLE
        first_publication = (
            post.status == Post.Status.HELD and post.hold_reason == Post.HoldReason.KEYWORD and not was_visible
        )
        post.status, post.moderation_reason = new_status, reason
        post.moderated_by, post.moderated_at = moderator, timezone.now()
        post.save(update_fields=["status", "moderation_reason", "moderated_by", "moderated_at"])
        log(post, f"consultation.post.{action}", user=moderator, data={"reason": reason})
        if was_visible and new_status != Post.Status.VISIBLE:
            Event.record(post.consultation, "post.removed", {"id": post.pk})
        elif not was_visible and new_status == Post.Status.VISIBLE:
            if first_publication:
                on_published(post)
            else:
                Event.record(post.consultation, "post.created", post.as_event())
        detail = {
            "hide": _("hidden. Reason: %(reason)s"),
            "restore": _("restored. %(reason)s"),
            "approve": _("approved and published. %(reason)s"),
        }[action] % {"reason": reason}
        notify(
            [post.author_id],
            Notification.Kind.MODERATION,
            post.consultation,
            post=post,
            actor=moderator,
            detail=detail.strip(),
            exclude=moderator,
        )
    return post


def set_pinned(post: Post, user, pinned: bool) -> Post:
    permit(user.has_perm("consultation.moderate", post.consultation), _("Only the organisers may pin posts."))
    require(post.parent_id is None, _("Only top-level posts can be pinned."))
    with transaction.atomic():
        Post.objects.filter(pk=post.pk).update(is_pinned=pinned)
        post.is_pinned = pinned
        log(post, "consultation.post.pin" if pinned else "consultation.post.unpin", user=user)
        Event.record(post.consultation, "post.pinned", {"id": post.pk, "pinned": pinned})
    return post
