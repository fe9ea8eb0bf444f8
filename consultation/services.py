"""Actions on a consultation that touch several models: each in one transaction, each recorded as a live event."""

from __future__ import annotations

from django.core.cache import cache
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from wagtail.log_actions import log

from consultation import conf
from consultation import rules as consultation_rules
from consultation.models import (
    ELECTORATE_NEEDED,
    THREAD_STAGES,
    UPDATE_STAGES,
    Audience,
    ConsultationPage,
    ConsultationState,
    Event,
    ImplementationUpdate,
    Keyword,
    Notification,
    Outcome,
    OutcomeRating,
    Post,
    Reaction,
    Report,
    Stage,
    StageTransition,
    Statement,
    StatementVote,
    Vote,
    VoteOption,
)
from consultation.notifications import notify, participants


class ActionError(Exception):
    """A refused action, with a message for the user in their language."""

    status = 400


class NotPermitted(ActionError):
    """Refused because of who asks (not eligible, not an organiser): answered 403, not 400."""

    status = 403


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise ActionError(message)


def _permit(condition: bool, message: str) -> None:
    if not condition:
        raise NotPermitted(message)


def _rate_limited(user) -> bool:
    count, window = conf.get("POST_RATE")
    key = f"consultation:post-rate:{user.pk}"
    cache.add(key, 0, timeout=window)
    try:
        current = cache.incr(key)
    except ValueError:
        cache.set(key, 1, timeout=window)
        current = 1
    return current > count


# --- Thread -----------------------------------------------------------------------------


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
    _permit(consultation_rules.can_take_part(author, consultation), _("You cannot take part in this consultation."))
    _require(consultation.thread_open, _("This consultation is not taking opinions at this stage."))
    _require(bool(body), _("Write something first."))
    limit = conf.get("MAX_POST_LENGTH")
    _require(len(body) <= limit, _("Please keep to %(limit)d characters.") % {"limit": limit})
    if official:
        _permit(
            consultation_rules.can_manage(author, consultation), _("Only the organisers may post official replies.")
        )
    if parent is not None:
        _require(parent.consultation_id == consultation.pk, _("That post belongs to another consultation."))
        _require(parent.status == Post.Status.VISIBLE, _("That post cannot be replied to."))
        max_depth = conf.get("MAX_REPLY_DEPTH")
        while parent.depth >= max_depth:  # replies nest to a bounded depth; deeper ones join the thread above
            parent = parent.parent
    _require(not _rate_limited(author), _("You are posting too fast. Please wait a minute."))
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
            _published(post)
    return post


def _published(post: Post) -> None:
    """A post becomes visible: count it, tell open pages, notify the author of the parent."""
    if post.parent_id:
        Post.objects.filter(pk=post.parent_id).update(reply_count=F("reply_count") + 1)
    Event.record(post.consultation, "post.created", post.as_event())
    if post.parent_id and post.parent.author_id != post.author_id:
        notify([post.parent.author_id], Notification.Kind.REPLY, post.consultation, post=post, actor=post.author)


def edit_post(post: Post, user, body: str) -> Post:
    body = (body or "").strip()
    _require(post.editable_by(user), _("The time to edit this post has passed."))
    _require(bool(body), _("Write something first."))
    limit = conf.get("MAX_POST_LENGTH")
    _require(len(body) <= limit, _("Please keep to %(limit)d characters.") % {"limit": limit})
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
    _permit(consultation_rules.can_take_part(user, consultation), _("You cannot take part in this consultation."))
    _require(consultation.thread_open, _("Support is closed at this stage."))
    _require(post.status == Post.Status.VISIBLE, _("That post is not visible."))
    _require(value != Reaction.OPPOSE or consultation.allow_oppose, _("This consultation does not take opposition."))
    _require(value in (None, Reaction.SUPPORT, Reaction.OPPOSE), _("Unknown choice."))
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
    _permit(user.is_authenticated, _("Sign in to report a post."))
    _require(post.author_id != user.pk, _("You cannot report your own post."))
    _permit(consultation_rules.can_view(user, post.consultation), _("You cannot see this consultation."))
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


def moderate(post: Post, moderator, action: str, reason: str = "") -> Post:
    """hide (with a reason the author sees), restore or approve a held post. Logged in Wagtail's audit log."""
    _permit(consultation_rules.can_manage(moderator, post.consultation), _("Only moderators may do this."))
    reason = (reason or "").strip()
    if action == "hide":
        _require(bool(reason), _("Give the author a reason."))
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
                _published(post)
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
    _permit(consultation_rules.can_manage(user, post.consultation), _("Only the organisers may pin posts."))
    _require(post.parent_id is None, _("Only top-level posts can be pinned."))
    with transaction.atomic():
        Post.objects.filter(pk=post.pk).update(is_pinned=pinned)
        post.is_pinned = pinned
        log(post, "consultation.post.pin" if pinned else "consultation.post.unpin", user=user)
        Event.record(post.consultation, "post.pinned", {"id": post.pk, "pinned": pinned})
    return post


# --- Stages -------------------------------------------------------------------------------


def change_stage(consultation: ConsultationPage, user, to_stage: str, note: str = "") -> StageTransition:
    _permit(consultation_rules.can_manage(user, consultation), _("Only the organisers may change the stage."))
    _require(to_stage in consultation.stage_sequence(), _("That stage is not part of this consultation."))
    with transaction.atomic():
        state = ConsultationState.objects.select_for_update().get(consultation=consultation)
        from_stage = state.stage
        _require(to_stage != from_stage, _("The consultation is already at that stage."))
        sequence = consultation.stage_sequence()
        if from_stage in sequence and sequence.index(to_stage) < sequence.index(from_stage):
            _require(bool(note.strip()), _("Say why the consultation goes back to an earlier stage."))
        if to_stage == Stage.VOTING:
            _require(consultation.vote_options.count() >= 2, _("Add at least two vote options first."))
            _require(consultation.audience != Audience.EVERYONE, str(ELECTORATE_NEEDED))
        result = {}
        if (
            from_stage == Stage.VOTING
            and to_stage in sequence
            and sequence.index(to_stage) > sequence.index(from_stage)
        ):
            result = vote_record(consultation)
        state.stage, state.stage_changed_at = to_stage, timezone.now()
        state.save(update_fields=["stage", "stage_changed_at"])
        consultation.__dict__["state"] = state
        transition = StageTransition.objects.create(
            consultation=consultation,
            from_stage=from_stage,
            to_stage=to_stage,
            actor=user,
            note=note.strip()[:500],
            result=result,
        )
        log(consultation, "consultation.stage", user=user, data={"from": from_stage, "to": to_stage, "note": note})
        label = str(Stage(to_stage).label)
        Event.record(
            consultation, "stage.changed", {"stage": to_stage, "label": label, "at": transition.created_at.isoformat()}
        )
        notify(
            participants(consultation), Notification.Kind.STAGE, consultation, actor=user, detail=label, exclude=user
        )
    return transition


# --- Vote ---------------------------------------------------------------------------------


def cast_vote(consultation: ConsultationPage, user, option_id) -> Vote:
    _require(consultation.voting_enabled and consultation.stage == Stage.VOTING, _("Voting is not open."))
    # "Everyone signed in" is no electorate: anyone from any community could vote against a fixed 应到.
    _require(consultation.audience != Audience.EVERYONE, str(ELECTORATE_NEEDED))
    _permit(consultation_rules.is_eligible(user, consultation), _("You are not eligible to vote in this consultation."))
    option = VoteOption.objects.filter(consultation=consultation, pk=option_id).first()
    _require(option is not None, _("Choose one of the options."))
    return Vote.cast(consultation, user, option)


def vote_record(consultation: ConsultationPage) -> dict:
    """The vote's result as it stands, to keep in the timeline when voting closes."""
    options, tally = vote_tally(consultation)
    labels = {str(option.pk): option.label for option in options}
    return {
        "options": [[option.label, option.n] for option in options],
        "participants": tally.participants,
        "eligible": tally.eligible,
        "quorum_met": tally.quorum_met,
        "passed": tally.passed,
        "winner": labels.get(tally.leader) if tally.passed else None,
    }


def vote_tally(consultation: ConsultationPage):
    from django.db.models import Count

    from consultation import lib

    options = list(consultation.vote_options.annotate(n=Count("votes")).order_by("sort_order", "pk"))
    result = lib.tally(
        consultation_rules.eligible_count(consultation),
        {str(o.pk): o.n for o in options},
        consultation.quorum_ratio(),
        consultation.majority_ratio(),
    )
    return options, result


# --- Outcome --------------------------------------------------------------------------------


def publish_outcome(consultation: ConsultationPage, user, text: str) -> Outcome:
    _permit(consultation_rules.can_manage(user, consultation), _("Only the organisers may publish the result."))
    text = (text or "").strip()
    _require(bool(text), _("Write the result first."))
    with transaction.atomic():
        outcome, created = Outcome.objects.update_or_create(
            consultation=consultation,
            defaults={"text": text, "published_by": user},
            create_defaults={"text": text, "published_by": user, "published_at": timezone.now()},
        )
        if not created:
            Outcome.objects.filter(pk=outcome.pk).update(updated_at=timezone.now())
        log(consultation, "consultation.outcome", user=user, data={"created": created})
        Event.record(consultation, "outcome.published", {})
        notify(
            participants(consultation),
            Notification.Kind.OUTCOME,
            consultation,
            actor=user,
            detail=_("the result was published") if created else _("the result was updated"),
            exclude=user,
        )
    return outcome


def add_update(
    consultation: ConsultationPage, user, text: str, progress: int, person_in_charge: str
) -> ImplementationUpdate:
    _permit(consultation_rules.can_manage(user, consultation), _("Only the organisers may report progress."))
    _require(consultation.stage in UPDATE_STAGES, _("Progress is reported once the result is published."))
    _require(
        bool((text or "").strip()) and bool((person_in_charge or "").strip()),
        _("Describe the progress and name the person in charge."),
    )
    _require(0 <= progress <= 100, _("Progress is a percentage from 0 to 100."))
    with transaction.atomic():
        update = ImplementationUpdate.objects.create(
            consultation=consultation,
            text=text.strip(),
            progress=progress,
            person_in_charge=person_in_charge.strip()[:64],
            created_by=user,
        )
        log(consultation, "consultation.implementation", user=user, data={"progress": progress})
        Event.record(
            consultation,
            "implementation.updated",
            {"progress": progress},
        )
        notify(
            participants(consultation),
            Notification.Kind.OUTCOME,
            consultation,
            actor=user,
            detail=_("implementation progress %(progress)d%% (in charge: %(person)s)")
            % {"progress": progress, "person": update.person_in_charge},
            exclude=user,
        )
    return update


def rate_outcome(consultation: ConsultationPage, user, rating: str, comment: str = "") -> OutcomeRating:
    from consultation.models import Satisfaction

    _require(consultation.stage == Stage.RATING, _("Ratings are open in the rating stage only."))
    _permit(consultation_rules.can_take_part(user, consultation), _("You cannot take part in this consultation."))
    _require(rating in Satisfaction.values, _("Choose one of the answers."))
    values = {
        "rating": rating,
        "comment": (comment or "").strip()[:500],
        "organization": consultation.organization,
        "rated_on": timezone.localdate(),
    }
    with transaction.atomic():
        try:
            with transaction.atomic():
                obj, _created = OutcomeRating.objects.update_or_create(
                    consultation=consultation, user=user, defaults=values
                )
        except IntegrityError:
            OutcomeRating.objects.filter(consultation=consultation, user=user).update(**values)
            obj = OutcomeRating.objects.get(consultation=consultation, user=user)
    return obj


# --- Opinion map --------------------------------------------------------------------------------


def add_statement(consultation: ConsultationPage, user, text: str) -> Statement:
    _require(
        consultation.opinion_map_enabled and consultation.stage == Stage.DELIBERATING, _("Statements are not open.")
    )
    _permit(consultation_rules.can_take_part(user, consultation), _("You cannot take part in this consultation."))
    text = (text or "").strip()
    _require(0 < len(text) <= 200, _("A statement is one short sentence (up to 200 characters)."))
    _require(not _rate_limited(user), _("You are posting too fast. Please wait a minute."))
    manager = consultation_rules.can_manage(user, consultation)
    held = Keyword.matching(consultation, text)
    # Participants' statements are moderated; the organisers' appear at once.
    return Statement.objects.create(consultation=consultation, text=text, author=user, approved=manager and not held)


def vote_statement(statement: Statement, user, value: int) -> StatementVote:
    consultation = statement.consultation
    _require(
        consultation.opinion_map_enabled and consultation.stage == Stage.DELIBERATING, _("Statements are not open.")
    )
    _require(statement.approved, _("That statement is awaiting review."))
    _permit(consultation_rules.can_take_part(user, consultation), _("You cannot take part in this consultation."))
    _require(value in (StatementVote.AGREE, StatementVote.DISAGREE, StatementVote.PASS), _("Unknown choice."))
    with transaction.atomic():
        try:
            with transaction.atomic():
                vote, _created = StatementVote.objects.update_or_create(
                    statement=statement, user=user, defaults={"value": value}
                )
        except IntegrityError:
            StatementVote.objects.filter(statement=statement, user=user).update(value=value)
            vote = StatementVote.objects.get(statement=statement, user=user)
        state = ConsultationState.objects.filter(consultation=consultation)
        state.update(opinion_map_stale=True, opinion_map_new_votes=F("opinion_map_new_votes") + 1)
        # Exactly one vote reaches the threshold: it enqueues the recompute, which resets the count.
        if state.values_list("opinion_map_new_votes", flat=True).first() == conf.get("OPINION_MAP_RECOMPUTE_AFTER"):
            transaction.on_commit(lambda: _enqueue_opinion_map(consultation.pk))
    return vote


def _enqueue_opinion_map(consultation_id: int) -> None:
    from consultation.tasks import recompute_opinion_map

    recompute_opinion_map.enqueue(consultation_id)


THREAD_STAGES = THREAD_STAGES  # re-exported for views
