"""The thread's actions: post, edit, support or oppose, report. Each in one transaction, recorded as a live
event."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from wagtail.log_actions import log

from consultation import conf
from consultation.actions import ActionError, permit, rate_limited, require
from consultation.models import ConsultationPage, Event, Keyword, Post, Reaction, Report
from consultation.recipients import notify
from notifications.models import Notification


def create_post(
    consultation: ConsultationPage,
    author,
    body: str,
    *,
    parent: Post | None = None,
    kind: str = Post.Kind.OPINION,
    official: bool = False,
) -> Post:
    body = (body or "").strip()
    permit(author.has_perm("consultation.take_part", consultation), _("You cannot take part in this consultation."))
    require(consultation.thread_open, _("This consultation is not taking opinions at this stage."))
    require(bool(body), _("Write something first."))
    limit = conf.get("MAX_POST_LENGTH")
    require(len(body) <= limit, _("Please keep to %(limit)d characters.") % {"limit": limit})
    if official:
        permit(
            author.has_perm("consultation.manage_consultation", consultation),
            _("Only the organisers may post official replies."),
        )
    if parent is not None:
        require(parent.consultation_id == consultation.pk, _("That post belongs to another consultation."))
        require(parent.status == Post.Status.VISIBLE, _("That post cannot be replied to."))
        max_depth = conf.get("MAX_REPLY_DEPTH")
        while parent.depth >= max_depth:  # replies nest to a bounded depth; deeper ones join the thread above
            parent = parent.parent
    require(not rate_limited(author), _("You are posting too fast. Please wait a minute."))
    held = Keyword.matching(consultation, body)
    with transaction.atomic():
        post = Post.objects.create(
            consultation=consultation,
            author=author,
            parent=parent,
            root=(parent.root or parent) if parent else None,
            depth=parent.depth + 1 if parent else 0,
            kind=kind if parent is None else Post.Kind.OPINION,
            body=body,
            is_official=official,
            status=Post.Status.HELD if held else Post.Status.VISIBLE,
            hold_reason=Post.HoldReason.KEYWORD if held else "",
        )
        if held:
            log(post, "consultation.post.hold", user=author, data={"reason": "keyword", "words": held})
        else:
            on_published(post)
    return post


def on_published(post: Post) -> None:
    """A post becomes visible: count it, tell open pages, notify the author of the parent."""
    if post.parent_id:
        Post.objects.filter(pk=post.parent_id).update(reply_count=F("reply_count") + 1)
    Event.record(post.consultation, "post.created", post.as_event())
    if post.parent_id and post.parent.author_id != post.author_id:
        notify([post.parent.author_id], Notification.Kind.REPLY, post.consultation, post=post, actor=post.author)


def edit_post(post: Post, user, body: str) -> Post:
    body = (body or "").strip()
    require(post.editable_by(user), _("The time to edit this post has passed."))
    require(bool(body), _("Write something first."))
    limit = conf.get("MAX_POST_LENGTH")
    require(len(body) <= limit, _("Please keep to %(limit)d characters.") % {"limit": limit})
    held = Keyword.matching(post.consultation, body)
    with transaction.atomic():
        was_visible = post.status == Post.Status.VISIBLE
        post.body, post.edited_at = body, timezone.now()
        if held and post.status == Post.Status.VISIBLE:
            post.status, post.hold_reason = Post.Status.HELD, Post.HoldReason.KEYWORD
        post.save(update_fields=["body", "edited_at", "status", "hold_reason"])
        if was_visible and post.status == Post.Status.HELD:
            Event.record(post.consultation, "post.removed", {"id": post.pk})
            log(post, "consultation.post.hold", user=user, data={"reason": "keyword", "words": held})
        elif post.status == Post.Status.VISIBLE:
            Event.record(post.consultation, "post.edited", {"id": post.pk})
    return post


def react(post: Post, user, value: int | None) -> Post:
    """Support (1), oppose (−1) or withdraw (None). One reaction per user and post, changeable."""
    consultation = post.consultation
    permit(user.has_perm("consultation.take_part", consultation), _("You cannot take part in this consultation."))
    require(consultation.thread_open, _("Support is closed at this stage."))
    require(post.status == Post.Status.VISIBLE, _("That post is not visible."))
    require(value != Reaction.OPPOSE or consultation.allow_oppose, _("This consultation does not take opposition."))
    require(value in (None, Reaction.SUPPORT, Reaction.OPPOSE), _("Unknown choice."))
    with transaction.atomic():
        # Lock the post row so concurrent reactions keep the counters exact.
        Post.objects.select_for_update().filter(pk=post.pk).first()
        existing = Reaction.objects.filter(post=post, user=user).first()
        old = existing.value if existing else None
        if old == value:
            return post
        if existing and value is None:
            existing.delete()
        elif existing:
            existing.value = value
            existing.save(update_fields=["value"])
        else:
            try:
                with transaction.atomic():
                    Reaction.objects.create(post=post, user=user, value=value)
            except IntegrityError:
                raise ActionError(_("Your earlier choice is still being saved. Please try again."))
        changes = {}
        for v, name in ((Reaction.SUPPORT, "support_count"), (Reaction.OPPOSE, "oppose_count")):
            delta = (value == v) - (old == v)
            if delta:
                changes[name] = F(name) + delta
        Post.objects.filter(pk=post.pk).update(**changes)
        post.refresh_from_db(fields=["support_count", "oppose_count"])
        Event.record(
            consultation, "post.reactions", {"id": post.pk, "support": post.support_count, "oppose": post.oppose_count}
        )
    return post


def report(post: Post, user, reason: str = "") -> bool:
    """Report a post; at the threshold it is hidden pending review. Returns True if newly reported."""
    permit(user.is_authenticated, _("Sign in to report a post."))
    require(post.author_id != user.pk, _("You cannot report your own post."))
    permit(user.has_perm("consultation.view_consultation", post.consultation), _("You cannot see this consultation."))
    with transaction.atomic():
        try:
            with transaction.atomic():
                Report.objects.create(post=post, reporter=user, reason=(reason or "")[:300])
        except IntegrityError:
            return False
        Post.objects.filter(pk=post.pk).update(report_count=F("report_count") + 1)
        post.refresh_from_db(fields=["report_count", "status", "moderated_at"])
        # A post a moderator has already reviewed stays as they decided.
        if (
            post.status == Post.Status.VISIBLE
            and post.moderated_at is None
            and post.report_count >= conf.get("REPORT_THRESHOLD")
        ):
            held = Post.objects.filter(pk=post.pk, status=Post.Status.VISIBLE).update(
                status=Post.Status.HELD, hold_reason=Post.HoldReason.REPORTS
            )
            if held:
                post.status = Post.Status.HELD
                Event.record(post.consultation, "post.removed", {"id": post.pk})
                log(post, "consultation.post.hold", user=None, data={"reason": "reports", "reports": post.report_count})
    return True
