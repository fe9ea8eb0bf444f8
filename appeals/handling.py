"""Every action on a request, each in one transaction, recorded on the timeline and in the audit log.

Modelled on 《北京市接诉即办工作条例》: first-receiver ownership (art. 14), objection to a dispatch (art. 12),
extension with a reason the resident is told (art. 15), merging repeats with a progress reply (art. 11),
nothing pushed below the level responsible for it (art. 17), the reporter kept confidential (art. 35).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from wagtail.log_actions import log

from appeals import conf, dispatch, live, photos
from appeals.models import (
    OPEN_STATUSES,
    Appeal,
    Category,
    Complaint,
    Entry,
    Level,
    Photo,
    Status,
    Support,
    Volunteer,
    VolunteerHours,
    due_after,
)
from core import workdays
from core.satisfaction import DISSATISFIED, VALID_CODES
from notifications.delivery import notify
from notifications.models import Notification
from organizations.models import Grid, Organization


class ActionError(Exception):
    """A refused action, with a message for the user in their language (answered 400)."""

    status = 400


class NotPermitted(ActionError):
    status = 403


def require(condition: bool, message: str) -> None:
    if not condition:
        raise ActionError(message)


def permit(condition: bool, message: str) -> None:
    if not condition:
        raise NotPermitted(message)


def _text(value: str, *, required: bool, what: str = "") -> str:
    value = (value or "").strip()
    if required:
        require(bool(value), what or _("Write something first."))
    limit = conf.get("MAX_TEXT_LENGTH")
    require(len(value) <= limit, _("Please keep to %(limit)d characters.") % {"limit": limit})
    return value


def _link(appeal: Appeal) -> str:
    return f"/appeals/{appeal.pk}/"


def _tell_reporter(appeal: Appeal, message: str) -> None:
    if appeal.reporter_id:
        notify([appeal.reporter_id], Notification.Kind.APPEAL, None, detail=message, link=_link(appeal))


def _tell_handlers(appeal: Appeal, message: str, *, exclude=None) -> None:
    ids = dispatch.handler_ids(appeal) - {getattr(exclude, "pk", None)}
    notify(ids, Notification.Kind.APPEAL, None, detail=message, link=_link(appeal))


def _entry(appeal: Appeal, kind: str, user, body: str = "", *, public: bool = True, unit=None) -> Entry:
    return Entry.objects.create(
        appeal=appeal, kind=kind, author=user, body=body, public=public, unit=unit or appeal.unit
    )


def _status(appeal: Appeal, to: str, user, **data) -> None:
    """Change the status and write the audit entry (Wagtail's log, as the other apps do)."""
    before = appeal.status
    appeal.status = to
    log(appeal, "appeals.status", user=user, data={"from": before, "to": to, **data})


@contextmanager
def _locked(appeal: Appeal) -> Iterator[Appeal]:
    """The request read afresh with its row locked (SELECT … FOR UPDATE) until the transaction ends.

    Every action checks the permission and the state on this fresh row, never on what the caller read
    before: of two clicks, or two handlers acting at once, the second waits for the first and then finds
    the request changed (an ActionError with a message, not a second acceptance or a 500). On leaving,
    the caller's instance gets the new values."""
    with transaction.atomic():
        fresh = _lock(appeal.pk)[appeal.pk]
        yield fresh
    _copy_state(fresh, appeal)


def _lock(*pks: int) -> dict[int, Appeal]:
    """Lock the rows (in the order of their ids: two actions on the same pair cannot deadlock), then read
    them with their relations. Two statements on purpose: PostgreSQL rechecks a row locked after a wait
    against the joined rows it read before the wait, so a locking query with joins would lose a request
    whose unit the other transaction had just changed (DoesNotExist instead of the new state)."""
    locked = list(Appeal.objects.select_for_update().filter(pk__in=pks).order_by("pk").values_list("pk", flat=True))
    if len(locked) != len(set(pks)):
        raise ActionError(_("This request no longer exists."))
    rows = Appeal.objects.filter(pk__in=pks).select_related("category", "grid", "grid__community", "unit")
    return {row.pk: row for row in rows}


def _copy_state(source: Appeal, target: Appeal) -> None:
    if target is source:
        return
    for field in Appeal._meta.concrete_fields:
        value = getattr(source, field.attname)
        if getattr(target, field.attname) != value:
            setattr(target, field.attname, value)
            if field.is_relation and field.is_cached(target):
                field.delete_cached_value(target)


def _clean_photos(uploads, *, keep_location: bool = False) -> list:
    """Check, re-encode and strip the uploads before any row is locked (it takes a moment per photo)."""
    return [photos.clean(upload, keep_location=keep_location) for upload in _check_uploads(uploads)]


def _attach(appeal: Appeal, cleaned, user, *, entry: Entry | None, is_result: bool, keep_location=False) -> None:
    for clean in cleaned:
        if keep_location and clean.latitude is not None and appeal.latitude is None:
            appeal.latitude, appeal.longitude = clean.latitude, clean.longitude
            appeal.save(update_fields=["latitude", "longitude"])
        Photo.objects.create(
            appeal=appeal,
            entry=entry,
            image=clean.content,
            width=clean.width,
            height=clean.height,
            is_result=is_result,
            uploaded_by=user,
        )


def _check_uploads(uploads) -> list:
    uploads = [u for u in (uploads or []) if u]
    require(
        len(uploads) <= conf.get("MAX_PHOTOS"),
        _("At most %(count)d photos, please.") % {"count": conf.get("MAX_PHOTOS")},
    )
    return uploads


def reports_today(user) -> int:
    since = timezone.now() - datetime.timedelta(days=1)
    return Appeal.objects.filter(reporter=user, created_at__gte=since).count()


def held_words(unit: Organization, text: str) -> list[str]:
    """Words of the review list (consultation's Keyword, the site's one moderation list) in `text`: a
    request using them stays off the public board until a handler shows it."""
    from django.db.models import Q

    from consultation.models import Keyword

    lookups = Q(organization__isnull=True) | Q(organization__in=Organization.objects.with_ancestors(unit))
    lowered = text.casefold()
    words = Keyword.objects.filter(lookups).values_list("word", flat=True)
    return [word for word in words if word.strip() and word.strip().casefold() in lowered]


def report(
    user,
    *,
    category: Category,
    grid: Grid,
    description: str,
    place: str = "",
    show_name: bool = False,
    share_location: bool = False,
    complaint: str = Complaint.NONE,
    uploads=(),
    now: datetime.datetime | None = None,
) -> Appeal:
    """A resident's new request: routed to the level its category calls for, with its deadlines. A complaint
    about the grid's or the community's handling starts at the level above the one complained about, whose
    people never handle it (art. 35)."""
    permit(user.has_perm("appeals.report"), _("Please sign in to report a problem."))
    require(category.active, _("This category is no longer offered."))
    description = _text(description, required=True, what=_("Please describe the problem."))
    place = (place or "").strip()[:120]
    require(complaint in Complaint.values, _("Please say whether this is a complaint about its handlers."))
    require(
        reports_today(user) < conf.get("REPORTS_PER_DAY"),
        _("You have reported %(count)d problems today. Please add +1 to an open request or try again tomorrow.")
        % {"count": conf.get("REPORTS_PER_DAY")},
    )
    cleaned = _clean_photos(uploads, keep_location=share_location)
    now = now or timezone.now()
    complains_about = dispatch.complained_unit(grid, complaint)
    level = dispatch.starting_level(category.responsible_level, complains_about, grid)
    unit = dispatch.unit_at(grid, level)
    held = held_words(unit, f"{description} {place}")
    with transaction.atomic():
        appeal = Appeal.objects.create(
            category=category,
            reporter=user,
            grid=grid,
            place=place,
            description=description,
            show_name=show_name,
            complaint=complaint,
            complains_about=complains_about,
            level=level,
            unit=unit,
            hidden=bool(held),
            created_at=now,
            accept_due=category.accept_due(now),
            finish_due=category.finish_due(now),
        )
        entry = _entry(appeal, Entry.Kind.REPORTED, user)
        _attach(appeal, cleaned, user, entry=entry, is_result=False, keep_location=share_location)
        log(appeal, "appeals.status", user=user, data={"from": "", "to": Status.PENDING})
        if held:
            log(appeal, "appeals.hide", user=None, data={"reason": "keyword", "words": held})
        _tell_handlers(
            appeal,
            _("New request in %(grid)s: %(category)s") % {"grid": grid.name, "category": category.name},
            exclude=user,
        )
        transaction.on_commit(lambda: live.announce(appeal))
    return appeal


def support(appeal: Appeal, user) -> bool:
    """A "+1" on an open request in one's grid instead of reporting it again. False when already given."""
    permit(user.has_perm("appeals.report"), _("Please sign in to report a problem."))
    with _locked(appeal) as appeal:
        require(appeal.is_open and not appeal.hidden, _("This request is no longer open."))
        require(appeal.reporter_id != user.pk, _("This is your own request."))
        _support, created = Support.objects.get_or_create(appeal=appeal, user=user)
        if created:
            _recount_supports(appeal)
    return created


def _recount_supports(appeal: Appeal) -> None:
    """The +1 count from the +1s themselves (the row is locked): one per resident, however they came."""
    appeal.support_count = appeal.supports.count()
    appeal.save(update_fields=["support_count"])


def _handle(appeal: Appeal, user) -> None:
    permit(user.has_perm("appeals.handle", appeal), _("You do not handle this request."))


def _answered(appeal: Appeal, user) -> None:
    """Someone of the level called acted: the call (吹哨) is answered (报到)."""
    if appeal.answer_due is not None:
        appeal.answer_due = None
        _entry(appeal, Entry.Kind.ANSWER, user, public=False)


def accept(appeal: Appeal, user) -> Appeal:
    """The unit holding it takes it on: the accepter owns it (首接负责) and the response clock stops."""
    with _locked(appeal) as appeal:
        _handle(appeal, user)
        require(
            appeal.status in (Status.PENDING, Status.TRANSFERRED),
            _("This request is no longer waiting to be accepted: someone has just acted on it."),
        )
        now = timezone.now()
        if appeal.accepted_at is None:
            appeal.accepted_at = now
        appeal.owner = user
        _answered(appeal, user)
        _status(appeal, Status.IN_PROGRESS, user)
        appeal.save()
        _entry(appeal, Entry.Kind.ACCEPTED, user)
        _tell_reporter(
            appeal, _("Your request #%(id)d was accepted by %(unit)s.") % {"id": appeal.pk, "unit": appeal.unit}
        )
    return appeal


def reply(appeal: Appeal, user, body: str, *, public: bool, uploads=()) -> Entry:
    """A public reply (the resident is told) or an internal note (handlers only)."""
    _handle(appeal, user)
    body = _text(body, required=True)
    cleaned = _clean_photos(uploads)
    with _locked(appeal) as appeal:
        _handle(appeal, user)
        entry = _entry(appeal, Entry.Kind.REPLY if public else Entry.Kind.NOTE, user, body, public=public)
        _attach(appeal, cleaned, user, entry=entry, is_result=False)
        if public:
            _answered(appeal, user)
            appeal.save(update_fields=["answer_due"])
            _tell_reporter(appeal, _("A reply to your request #%(id)d.") % {"id": appeal.pk})
    return entry


def _move(appeal: Appeal, target: Organization, user) -> None:
    appeal.dispatched_from = appeal.unit
    appeal.unit = target
    appeal.level = dispatch.level_of(target, appeal.grid)


def transfer(appeal: Appeal, user, target: Organization, reason: str) -> Appeal:
    """转办: to another organisation, never below the category's responsible level (art. 17), never to the
    unit a complaint is about (art. 35). The first receiver keeps owning it until the new unit accepts (art. 14)."""
    reason = _text(reason, required=True, what=_("Please give the reason."))
    with _locked(appeal) as appeal:
        _handle(appeal, user)
        require(appeal.is_open, _("This request is closed."))
        allowed = {organization.pk for organization in dispatch.transfer_targets(appeal)}
        require(
            target.pk in allowed,
            _(
                "This request cannot be sent to %(unit)s: it lies outside that level's responsibilities, or it is a complaint about them."
            )
            % {"unit": target},
        )
        _move(appeal, target, user)
        _status(appeal, Status.TRANSFERRED, user, unit=target.pk)
        appeal.save()
        _entry(appeal, Entry.Kind.TRANSFER, user, reason, unit=target)
        _tell_handlers(appeal, _("Request #%(id)d was transferred to you.") % {"id": appeal.pk})
        transaction.on_commit(lambda: live.announce(appeal))
    return appeal


def object_to_dispatch(appeal: Appeal, user, reason: str) -> Appeal:
    """The receiving unit objects to a dispatch (art. 12): back to whoever sent it, or up to the level above."""
    reason = _text(reason, required=True, what=_("Please give the reason."))
    with _locked(appeal) as appeal:
        _handle(appeal, user)
        require(
            appeal.status in (Status.PENDING, Status.TRANSFERRED),
            _("Only a request not yet accepted can be objected to."),
        )
        back = appeal.dispatched_from
        if back is None or dispatch.is_complained_about(appeal, back):
            back = dispatch.unit_at(appeal.grid, min(appeal.level + 1, Level.STREET))
        _entry(appeal, Entry.Kind.OBJECTION, user, reason, public=False)
        _move(appeal, back, user)
        _status(appeal, Status.TRANSFERRED, user, objection=True)
        appeal.save()
        _tell_handlers(
            appeal, _("%(unit)s objected to request #%(id)d.") % {"unit": appeal.dispatched_from, "id": appeal.pk}
        )
        transaction.on_commit(lambda: live.announce(appeal))
    return appeal


def escalate(appeal: Appeal, user, level: int, reason: str) -> Appeal:
    """吹哨: call the community or the street, which must answer (报到) within ANSWER_WITHIN_WORKDAYS."""
    reason = _text(reason, required=True, what=_("Please give the reason."))
    with _locked(appeal) as appeal:
        _handle(appeal, user)
        _escalate(appeal, user, level, reason, overdue=False)
    return appeal


def _escalate(appeal: Appeal, user, level: int, reason: str, *, overdue: bool) -> None:
    """Move a locked request up to `level`, which must answer (报到)."""
    require(appeal.is_open, _("This request is closed."))
    require(level in (Level.COMMUNITY, Level.STREET) and level > appeal.level, _("Call a level above this one."))
    target = dispatch.unit_at(appeal.grid, level)
    _move(appeal, target, user)
    appeal.answer_due = due_after(timezone.now(), conf.get("ANSWER_WITHIN_WORKDAYS"), "workdays")
    kind = Entry.Kind.OVERDUE if overdue else Entry.Kind.ESCALATE
    log(appeal, "appeals.escalate", user=user, data={"level": level, "overdue": overdue})
    appeal.save()
    _entry(appeal, kind, user, reason, unit=target)
    _tell_handlers(appeal, _("Request #%(id)d was escalated to you: please answer.") % {"id": appeal.pk})
    transaction.on_commit(lambda: live.announce(appeal))


def escalate_overdue(now: datetime.datetime | None = None) -> int:
    """Every open request past a deadline goes once to the level above (idempotent: run on a schedule)."""
    now = now or timezone.now()
    count = 0
    for pk in Appeal.objects.overdue(now).filter(overdue_escalated=False).values_list("pk", flat=True):
        with _locked(Appeal(pk=pk)) as appeal:
            if appeal.overdue_escalated or not appeal.is_overdue(now):
                continue  # another run, or a handler, got there first
            appeal.overdue_escalated = True
            if appeal.level < Level.STREET:
                _escalate(appeal, None, appeal.level + 1, _("The deadline passed."), overdue=True)
            else:
                appeal.save(update_fields=["overdue_escalated"])
                _entry(appeal, Entry.Kind.OVERDUE, None, _("The deadline passed."))
            count += 1
    return count


def extend(appeal: Appeal, user, days: int, reason: str) -> Appeal:
    """A longer deadline needs a reason, which the resident is told (art. 15)."""
    require(1 <= days <= 30, _("Extend by 1 to 30 working days."))
    reason = _text(reason, required=True, what=_("Please give the reason."))
    with _locked(appeal) as appeal:
        _handle(appeal, user)
        require(appeal.is_open, _("This request is closed."))
        before = appeal.finish_due
        day = workdays.add_workdays(timezone.localtime(appeal.finish_due).date(), days)
        appeal.finish_due = datetime.datetime.combine(day, datetime.time(23, 59, 59), timezone.localtime(before).tzinfo)
        appeal.save(update_fields=["finish_due"])
        log(appeal, "appeals.extend", user=user, data={"from": before.isoformat(), "to": appeal.finish_due.isoformat()})
        _entry(appeal, Entry.Kind.EXTEND, user, reason)
        _tell_reporter(
            appeal,
            _("Request #%(id)d needs more time, until %(date)s: %(reason)s")
            % {"id": appeal.pk, "date": f"{timezone.localtime(appeal.finish_due):%Y-%m-%d}", "reason": reason},
        )
    return appeal


def finish(appeal: Appeal, user, result: str, uploads=()) -> Appeal:
    """办结, with the result for the resident and, if the handler has them, photos of the result."""
    _handle(appeal, user)
    result = _text(result, required=True, what=_("Please tell the resident what was done."))
    cleaned = _clean_photos(uploads)
    with _locked(appeal) as appeal:
        _handle(appeal, user)
        require(
            appeal.status == Status.IN_PROGRESS,
            _("Only a request being handled can be finished: accept it first, or it was just finished."),
        )
        appeal.finished_at = timezone.now()
        _status(appeal, Status.DONE, user)
        appeal.save()
        entry = _entry(appeal, Entry.Kind.FINISH, user, result)
        _attach(appeal, cleaned, user, entry=entry, is_result=True)
        _tell_reporter(
            appeal, _("Your request #%(id)d is finished: please tell us how satisfied you are.") % {"id": appeal.pk}
        )
    return appeal


def reject(appeal: Appeal, user, reason: str) -> Appeal:
    """不予受理, with the reason the resident is given."""
    reason = _text(reason, required=True, what=_("Please give the reason."))
    with _locked(appeal) as appeal:
        _handle(appeal, user)
        require(
            appeal.status in (Status.PENDING, Status.TRANSFERRED),
            _("Only a request not yet accepted can be declined."),
        )
        _status(appeal, Status.REJECTED, user)
        appeal.save()
        _entry(appeal, Entry.Kind.REJECT, user, reason)
        _tell_reporter(
            appeal, _("Your request #%(id)d was not accepted: %(reason)s") % {"id": appeal.pk, "reason": reason}
        )
    return appeal


def merge(appeal: Appeal, user, original: Appeal, progress: str) -> Appeal:
    """A repeat with no new facts joins the original (art. 11); its reporter gets a progress reply.

    The repeat's reporter and its +1s become +1s of the original, each resident once: whoever supported
    both, or had supported the original already, is not counted again, nor is the original's reporter."""
    require(appeal.pk != original.pk, _("A request cannot be merged with itself."))
    progress = _text(progress, required=True, what=_("Please tell the resident how the original request stands."))
    with transaction.atomic():
        rows = _lock(appeal.pk, original.pk)
        repeat, target = rows[appeal.pk], rows[original.pk]
        _handle(repeat, user)
        _handle(target, user)
        require(
            repeat.is_open and target.merged_into_id is None and target.status != Status.MERGED,
            _("These requests cannot be merged: one of them was just closed or merged."),
        )
        repeat.merged_into = target
        _status(repeat, Status.MERGED, user, into=target.pk)
        repeat.save()
        # Repeats merged into this one earlier now point at the original too: no chains.
        Appeal.objects.filter(merged_into=repeat).update(merged_into=target)
        _entry(repeat, Entry.Kind.MERGE, user, progress)
        residents = set(repeat.supports.values_list("user_id", flat=True)) | {repeat.reporter_id}
        residents -= {None, target.reporter_id}
        Support.objects.bulk_create(
            [Support(appeal=target, user_id=user_id) for user_id in sorted(residents)], ignore_conflicts=True
        )
        _recount_supports(target)
        _tell_reporter(
            repeat,
            _("Your request #%(id)d joins an earlier one: %(progress)s") % {"id": repeat.pk, "progress": progress},
        )
    _copy_state(repeat, appeal)
    _copy_state(target, original)
    return appeal


def rate(appeal: Appeal, user, level: str, comment: str = "") -> Appeal:
    """The resident's rating. 不满意 reopens the request once, at the level above the handler rated, who
    no longer owns it: someone of the level above accepts it (and owns it) before finishing it again."""
    require(level in VALID_CODES, _("Please choose how satisfied you are."))
    comment = (comment or "").strip()
    require(len(comment) <= 500, _("Please keep to %(limit)d characters.") % {"limit": 500})
    with _locked(appeal) as appeal:
        permit(user.has_perm("appeals.rate", appeal), _("You cannot rate this request, or it was just rated."))
        appeal.rating, appeal.rating_comment, appeal.rated_at = level, comment, timezone.now()
        log(appeal, "appeals.rating", user=user, data={"rating": level})
        _entry(appeal, Entry.Kind.RATING, user, comment)
        if level == DISSATISFIED and not appeal.reopened:
            _reopen(appeal, user)
        else:
            appeal.save()
    return appeal


def _reopen(appeal: Appeal, user) -> None:
    appeal.reopened = True
    # The first rating stays on the timeline and the audit log; the request is rated again at the end.
    appeal.rating = ""
    appeal.finished_at = None
    level_above = min(appeal.level + 1, Level.STREET)
    target = dispatch.unit_at(appeal.grid, level_above)
    _move(appeal, target, user)
    # The handler who was rated leaves it: no owner until the level above accepts it (art. 14), and an
    # objection there sends it further up, never back to them (this was no dispatch).
    appeal.owner = None
    appeal.dispatched_from = None
    appeal.finish_due = appeal.category.finish_due(timezone.now())
    _status(appeal, Status.TRANSFERRED, user, reopened=True)
    _entry(appeal, Entry.Kind.REOPEN, None, unit=target)
    appeal.save()
    _tell_handlers(appeal, _("Request #%(id)d was reopened: the resident is not satisfied.") % {"id": appeal.pk})
    transaction.on_commit(lambda: live.announce(appeal))


def hide(appeal: Appeal, user, hidden: bool) -> Appeal:
    """Moderation: keep a request's text off the public board (it stays with the reporter and handlers)."""
    with _locked(appeal) as appeal:
        _handle(appeal, user)
        appeal.hidden = hidden
        appeal.save(update_fields=["hidden"])
        log(appeal, "appeals.hide" if hidden else "appeals.show", user=user)
    return appeal


def offer(appeal: Appeal, user, offered: bool) -> Appeal:
    """Offer a request or small wish (微心愿) to the members registered with the community (双报到)."""
    with _locked(appeal) as appeal:
        _handle(appeal, user)
        require(appeal.is_open, _("This request is closed."))
        # Private or members-only matters never go to volunteers: they are not handlers of the request.
        require(
            not offered or appeal.category.is_public,
            _("Requests of a private or members-only category cannot be offered to volunteers."),
        )
        appeal.offered_to_volunteers = offered
        appeal.save(update_fields=["offered_to_volunteers"])
        log(appeal, "appeals.offer", user=user, data={"offered": offered})
    return appeal


def promote(appeal: Appeal, user):
    """Take a request to a consultation topic (议题): a draft consultation in the unit's section, linked both
    ways (the request names the consultation; the consultation's background links the request)."""
    from django.utils.html import escape
    from django.utils.text import slugify

    from wagtail.rich_text import RichText

    from consultation.models import Audience, ConsultationPage

    with _locked(appeal) as appeal:
        _handle(appeal, user)
        require(appeal.consultation_id is None, _("This request is already on a consultation."))
        organization = appeal.unit
        section = organization.page or appeal.grid.community.page
        require(section is not None, _("This organisation has no section on the site for a consultation."))
        title = _("From a residents' request: %(category)s") % {"category": appeal.category.name}
        link = _link(appeal)
        background = _("Raised by residents' request #%(id)d.") % {"id": appeal.pk}
        page = ConsultationPage(
            title=f"{title} #{appeal.pk}",
            slug=slugify(f"appeal-{appeal.pk}-{timezone.now():%Y%m%d%H%M%S}"),
            summary=appeal.description[:240],
            organization=organization if organization.page_id else appeal.grid.community,
            audience=Audience.GRIDS,
            live=False,
            background=[("paragraph", RichText(f'<p><a href="{link}">{escape(background)}</a></p>'))],
        )
        section.specific.add_child(instance=page)
        page.eligible_grids.set([appeal.grid])
        page.save_revision(user=user)
        appeal.consultation = page
        appeal.save(update_fields=["consultation"])
        _entry(appeal, Entry.Kind.PROMOTE, user, page.title)
        log(appeal, "appeals.promote", user=user, data={"consultation": page.pk})
    return page


def register_volunteer(
    user, *, community: Organization, grid: Grid | None, workplace: str, skills: str, availability: str
) -> Volunteer:
    """在职党员双报到: a member registers with the community where they live."""
    from organizations import roles

    permit(roles.is_member(user), _("Only Party members register with their community."))
    skills = (skills or "").strip()
    require(bool(skills), _("Please say what you can offer."))
    require(community.kind == Organization.Kind.COMMUNITY, _("Choose a community."))
    require(grid is None or grid.community_id == community.pk, _("This grid is not in that community."))
    volunteer, _created = Volunteer.objects.update_or_create(
        user=user,
        defaults={
            "community": community,
            "grid": grid,
            "workplace": (workplace or "").strip()[:100],
            "skills": skills[:200],
            "availability": (availability or "").strip()[:100],
        },
    )
    return volunteer


MIN_HOURS, MAX_HOURS = Decimal("0.5"), Decimal("24")


def parse_hours(value) -> Decimal:
    """Volunteer hours as typed: a number from 0.5 to 24 (one decimal kept). "NaN", "inf", negative or
    absurd values get a message, never a comparison that raises."""
    try:
        hours = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ActionError(_("Give the hours as a number, e.g. 2 or 1.5."))
    require(hours.is_finite(), _("Give the hours as a number, e.g. 2 or 1.5."))
    require(
        MIN_HOURS <= hours <= MAX_HOURS,
        _("Give between 0.5 and 24 hours."),
    )
    return hours.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


def record_hours(appeal: Appeal, user, volunteer: Volunteer, hours, note: str = "", day=None) -> VolunteerHours:
    """The handler records the time a registered member gave to a request or small wish."""
    _handle(appeal, user)
    hours = parse_hours(hours)
    require(volunteer.community_id == appeal.grid.community_id, _("This member registered with another community."))
    with transaction.atomic():
        record = VolunteerHours.objects.create(
            volunteer=volunteer,
            appeal=appeal,
            hours=hours,
            note=(note or "").strip()[:200],
            recorded_by=user,
            day=day or timezone.localdate(),
        )
        log(appeal, "appeals.volunteer_hours", user=user, data={"volunteer": volunteer.pk, "hours": str(hours)})
    return record


__all__ = [
    "OPEN_STATUSES",
    "ActionError",
    "NotPermitted",
    "accept",
    "escalate",
    "escalate_overdue",
    "extend",
    "finish",
    "merge",
    "object_to_dispatch",
    "promote",
    "rate",
    "reject",
    "reply",
    "report",
    "support",
    "transfer",
]
