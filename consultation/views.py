"""Consultation views: the page's context, and the forms' actions (each works without JavaScript)."""

from __future__ import annotations

import datetime as dt
import math

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import Http404, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from consultation import conf, lib, services
from consultation import rules as consultation_rules
from consultation.forms import NotificationPreferenceForm
from consultation.models import (
    Audience,
    ConsultationPage,
    Event,
    Keyword,
    Notification,
    OpinionMap,
    OutcomeRating,
    Post,
    Reaction,
    Satisfaction,
    Stage,
    Statement,
    StatementVote,
    Vote,
)
from consultation.notifications import link_of, message_of, preference_of

SORTS = {"newest": _("Newest"), "supported": _("Most supported")}


def _sort_labels():
    from django.utils.translation import gettext_lazy

    return {"newest": gettext_lazy("Newest"), "supported": gettext_lazy("Most supported")}


def thread_page(consultation: ConsultationPage, user, *, sort: str = "newest", number=1):
    """One page of top-level posts with all their replies, in a fixed number of queries."""
    top = (
        Post.objects.filter(consultation=consultation, parent=None)
        .visible_to(user)
        .select_related("author")
        .with_reaction_of(user)
        .sorted(sort)
    )
    paginator = Paginator(top, conf.get("POSTS_PER_PAGE"))
    page = paginator.get_page(number)
    posts = list(page.object_list)
    by_parent: dict[int, list[Post]] = {}
    if posts:
        replies = (
            Post.objects.filter(root__in=[p.pk for p in posts])
            .visible_to(user)
            .select_related("author")
            .with_reaction_of(user)
            .order_by("created_at", "pk")
        )
        for reply in replies:
            by_parent.setdefault(reply.parent_id, []).append(reply)
    _prepare(consultation, user, [*posts, *(r for rs in by_parent.values() for r in rs)], by_parent)
    return page, posts


def _prepare(consultation, user, posts, by_parent) -> None:
    """What the post template reads besides the post: its replies and whether the viewer may edit it."""
    window = dt.timedelta(minutes=consultation.edit_window_minutes)
    now = timezone.now()
    user_id = user.pk if user.is_authenticated else None
    for post in posts:
        post.children = by_parent.get(post.pk, [])
        post.can_edit = (
            post.author_id == user_id and post.status != Post.Status.HIDDEN and now - post.created_at <= window
        )


@require_GET
def post_fragment(request, post_id):
    """One post rendered exactly as on the page after a reload (same template, same context, for this
    viewer): open pages fetch it when a post arrives or changes live. 404 unless the viewer may see it."""
    post = (
        Post.objects.filter(pk=_id(str(post_id)))
        .visible_to(request.user)
        .select_related("author", "consultation")
        .with_reaction_of(request.user)
        .first()
    )
    if post is None or not post.consultation.live:
        raise Http404
    consultation = post.consultation
    if not consultation_rules.can_view(request.user, consultation):
        raise Http404
    _prepare(consultation, request.user, [post], {})
    context = {"post": post, **post_context(consultation, request.user)}
    return render(request, "consultation/includes/post.html", context)


def post_context(consultation, user) -> dict:
    """The page-wide names the post template reads (the page's own context has the same values)."""
    return {
        "page": consultation,
        "consultation": consultation,
        "can_take_part": consultation_rules.can_take_part(user, consultation),
        "can_manage": consultation_rules.can_manage(user, consultation),
        "max_length": conf.get("MAX_POST_LENGTH"),
    }


def page_context(consultation: ConsultationPage, request) -> dict:
    user = request.user
    if not consultation_rules.can_view(user, consultation):
        return {"can_view": False, "stage_choices": Stage, "restricted": True}
    sort = request.GET.get("sort") if request.GET.get("sort") in SORTS else "newest"
    state = consultation.state
    page, posts = thread_page(consultation, user, sort=sort, number=request.GET.get("page") or 1)
    # Outcomes, implementation updates and ratings come after the decision: no queries before it.
    decided = state.stage not in (Stage.COLLECTING, Stage.DELIBERATING, Stage.VOTING)
    can_manage = consultation_rules.can_manage(user, consultation)
    can_take_part = consultation_rules.can_take_part(user, consultation)
    context = {
        "can_view": True,
        "can_manage": can_manage,
        "can_take_part": can_take_part,
        "is_eligible": consultation_rules.is_eligible(user, consultation),
        "state": state,
        "stage": state.stage,
        "stage_label": Stage(state.stage).label,
        "stage_steps": _stage_steps(consultation, state.stage),
        "stage_plans": list(consultation.stage_plans.all()),
        "transitions": list(consultation.transitions.select_related("actor")),
        "next_stage": consultation.next_stage(),
        "stage_choices": [(s, Stage(s).label) for s in consultation.stage_sequence()],
        "sort": sort,
        "sorts": _sort_labels(),
        "thread_page": page,
        "posts": posts,
        "max_length": conf.get("MAX_POST_LENGTH"),
        "max_depth": conf.get("MAX_REPLY_DEPTH"),
        "post_kinds": Post.Kind.choices,
        "outcome": getattr(consultation, "outcome", None) if decided else None,
        "updates": list(consultation.implementation_updates.select_related("created_by")[:50]) if decided else [],
        "live": user.is_authenticated,
        "now": timezone.now(),
    }
    if consultation.voting_enabled:
        context.update(_vote_context(consultation, user, state.stage))
    if decided and (
        state.stage in (Stage.RATING, Stage.ARCHIVED)
        or OutcomeRating.objects.filter(consultation=consultation).exists()
    ):
        counts = OutcomeRating.objects.filter(consultation=consultation).counts()
        context["rating_counts"] = [(code, label, counts.get(code, 0)) for code, label in Satisfaction.choices]
        context["rating_total"] = sum(counts.values())
        rate = lib.satisfaction_rate(counts)
        context["satisfaction_rate"] = None if rate is None else round(rate * 100, 1)
        context["satisfaction_choices"] = Satisfaction.choices
        if user.is_authenticated:
            context["my_rating"] = OutcomeRating.objects.filter(consultation=consultation, user=user).first()
    if consultation.opinion_map_enabled:
        context.update(_statement_context(consultation, user))
    if can_manage:
        context["moderation_count"] = Post.objects.filter(consultation=consultation, status=Post.Status.HELD).count()
    return context


def _stage_steps(consultation, current):
    sequence = consultation.stage_sequence()
    position = sequence.index(current) if current in sequence else -1
    return [
        {"code": code, "label": Stage(code).label, "done": i < position, "current": i == position}
        for i, code in enumerate(sequence)
    ]


def _electorate_rule(consultation) -> str:
    """Who may vote and how 应到 is counted, in words."""
    if consultation.audience == Audience.BRANCHES:
        names = "、".join(o.name for o in consultation.eligible_organizations.all()) or "—"
        rule = _("Members of %(names)s and of the branches below, as on the roster (with or without an account).")
    elif consultation.audience == Audience.GRIDS:
        names = "、".join(g.name for g in consultation.eligible_grids.all()) or "—"
        rule = _("Residents of %(names)s with a confirmed residence, and members whose roster grid is one of them.")
    else:
        return _("No electorate is defined: the organisers must choose grids or organisations before the vote.")
    rule = rule % {"names": names}
    if consultation.electorate_size:
        rule += " " + _("The organisers set the number due at %(n)d to include people without an account.") % {
            "n": consultation.electorate_size
        }
    return rule


def _vote_context(consultation, user, stage):
    options, tally = services.vote_tally(consultation)
    closed = consultation.stage_sequence().index(stage) > consultation.stage_sequence().index(Stage.VOTING)
    my_vote = Vote.objects.filter(consultation=consultation, voter=user).first() if user.is_authenticated else None
    winner = next((option.label for option in options if str(option.pk) == tally.leader), None)
    return {
        "electorate_rule": _electorate_rule(consultation),
        "winner": winner if closed and tally.passed else None,
        "vote_options": options,
        "vote_open": stage == Stage.VOTING,
        "vote_closed": closed,
        "my_vote": my_vote,
        # Results stay hidden until the vote closes; only the number of ballots is shown meanwhile.
        "tally": tally if closed else None,
        "ballots_cast": tally.participants,
        "eligible_count": tally.eligible,
    }


def _statement_context(consultation, user):
    statements = list(consultation.statements.filter(approved=True))
    mine = {}
    if user.is_authenticated:
        mine = dict(
            StatementVote.objects.filter(statement__in=statements, user=user).values_list("statement_id", "value")
        )
    answers = {StatementVote.AGREE: _("Agree"), StatementVote.DISAGREE: _("Disagree"), StatementVote.PASS: _("Pass")}
    for statement in statements:
        statement.my_vote = mine.get(statement.pk)
        statement.my_answer = answers.get(statement.my_vote)
    opinion_map = OpinionMap.objects.filter(consultation=consultation).first()
    return {
        "statements": statements,
        "my_statement_votes": len(mine),
        "opinion_map": _map_view(opinion_map, statements, mine),
    }


PALETTE = ["#a8141a", "#1a5fb4", "#26a269", "#c64600", "#613583"]


def _svg(x: float, y: float) -> tuple[float, float]:
    """Map coordinates in [-1, 1] (y up) to the 300 × 300 picture (y down)."""
    return round(150 + x * 130, 1), round(150 - y * 130, 1)


def _map_view(opinion_map, statements, mine=None):
    if opinion_map is None or not opinion_map.result.get("groups"):
        return None
    by_id = {s.pk: s.text for s in statements}
    result = opinion_map.result
    # Participants who voted exactly alike fall on one point: draw it once, sized and labelled by its count.
    points = []
    for point in lib.stack_points(result["coordinates"], result["labels"]):
        x, y = _svg(point["x"], point["y"])
        count = point["count"]
        points.append(
            {
                "x": x,
                "y": y,
                "count": count,
                "r": round(min(14.0, 4 + 2.5 * math.sqrt(count - 1)), 1),
                "color": PALETTE[point["group"] % len(PALETTE)],
                "group": point["group"] + 1,
            }
        )
    groups = []
    for index, group in enumerate(result["groups"]):
        groups.append(
            {
                "number": index + 1,
                "size": group["size"],
                "color": PALETTE[index % len(PALETTE)],
                "representative": [
                    {"text": by_id.get(r["statement"], "—"), "stance": r["stance"], "share": round(r["share"] * 100)}
                    for r in group["representative"]
                ],
            }
        )
    # The axes in words: the statement that moves people most along each, and which way agreeing goes.
    axes = []
    for number, axis in enumerate(lib.axis_statements(result.get("projection"), result.get("statements", []))):
        if axis is None or axis["statement"] not in by_id:
            continue
        text = by_id[axis["statement"]]
        if number == 0:
            towards, away = (_("right"), _("left")) if axis["positive"] else (_("left"), _("right"))
        else:
            towards, away = (_("up"), _("down")) if axis["positive"] else (_("down"), _("up"))
        axes.append({"towards": towards, "away": away, "statement": text})
    # "You are here": the viewer's own answers placed with the map's projection (no one else's identity).
    me = None
    placed = lib.place(result.get("projection"), result.get("statements", []), {k: v for k, v in (mine or {}).items()})
    if placed is not None and any(v != StatementVote.PASS for v in (mine or {}).values()):
        x, y = _svg(*placed)
        nearest = _nearest_group(result, placed)
        me = {"x": x, "y": y, "group": nearest + 1 if nearest is not None else None}
    return {
        "computed_at": opinion_map.computed_at,
        "participants": opinion_map.participant_count,
        "points": points,
        "dots": len(points),
        "groups": groups,
        "axes": axes,
        "me": me,
        "consensus": [by_id[s] for s in result.get("consensus", []) if s in by_id],
    }


def _nearest_group(result, placed) -> int | None:
    sums: dict[int, list[float]] = {}
    for (x, y), label in zip(result["coordinates"], result["labels"]):
        total = sums.setdefault(label, [0.0, 0.0, 0])
        total[0], total[1], total[2] = total[0] + x, total[1] + y, total[2] + 1
    if not sums:
        return None
    return min(
        sums, key=lambda g: (sums[g][0] / sums[g][2] - placed[0]) ** 2 + (sums[g][1] / sums[g][2] - placed[1]) ** 2
    )


# --- helpers -------------------------------------------------------------------------------


def _consultation(page_id: int) -> ConsultationPage:
    consultation = ConsultationPage.objects.live().filter(pk=page_id).first()
    if consultation is None:
        raise Http404
    return consultation


def _back(request, consultation, anchor: str = ""):
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target + anchor)
    return redirect((consultation.get_url(request) or "/") + anchor)


def _id(raw) -> int | None:
    """A primary key from form data; anything but a plain number ("abc", "1.5") is no id, not a server error."""
    raw = (raw or "").strip()
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 18 else None


def _wants_json(request) -> bool:
    return request.headers.get("Accept", "").startswith("application/json")


def _done(request, consultation, message=None, anchor="", data=None):
    if _wants_json(request):
        return JsonResponse({"ok": True, "message": message or "", **(data or {})})
    if message:
        messages.success(request, message)
    return _back(request, consultation, anchor)


def _refused(request, consultation, error: services.ActionError, status=None):
    # 403 when the user may not do this at all (services.NotPermitted), 400 for a bad or untimely request.
    status = status or error.status
    if _wants_json(request):
        return JsonResponse({"ok": False, "error": str(error)}, status=status)
    messages.error(request, str(error))
    return _back(request, consultation)


# --- thread -----------------------------------------------------------------------------------


@login_required
@require_POST
def post_create(request, page_id):
    consultation = _consultation(page_id)
    parent = None
    if request.POST.get("parent"):
        parent = get_object_or_404(
            Post.objects.select_related("parent", "root", "author"),
            pk=_id(request.POST["parent"]),
            consultation=consultation,
        )
    kind = request.POST.get("kind") if request.POST.get("kind") in Post.Kind.values else Post.Kind.OPINION
    try:
        post = services.create_post(
            consultation,
            request.user,
            request.POST.get("body", ""),
            parent=parent,
            kind=kind,
            official=request.POST.get("official") == "1",
        )
    except services.ActionError as error:
        return _refused(request, consultation, error)
    if post.status == Post.Status.HELD:
        message = _("Thank you. Your post will appear after a moderator has reviewed it.")
    else:
        message = _("Your post is published.")
    return _done(request, consultation, message, f"#post-{post.pk}", {"id": post.pk, "status": post.status})


@login_required
def post_edit(request, post_id):
    post = get_object_or_404(Post.objects.select_related("consultation"), pk=post_id)
    consultation = post.consultation
    if post.author_id != request.user.pk:
        raise PermissionDenied  # only the author edits a post
    if not post.editable_by(request.user):
        messages.error(request, _("The time to edit this post has passed."))
        return _back(request, consultation, f"#post-{post.pk}")
    if request.method == "POST":
        try:
            services.edit_post(post, request.user, request.POST.get("body", ""))
        except services.ActionError as error:
            return _refused(request, consultation, error)
        return _done(request, consultation, _("Your post is updated."), f"#post-{post.pk}")
    return render(
        request,
        "consultation/post_edit.html",
        {"post": post, "consultation": consultation, "max_length": conf.get("MAX_POST_LENGTH")},
    )


@login_required
@require_POST
def post_react(request, post_id):
    post = get_object_or_404(Post.objects.select_related("consultation"), pk=post_id)
    value = {"support": Reaction.SUPPORT, "oppose": Reaction.OPPOSE, "none": None}.get(request.POST.get("value"), "bad")
    try:
        if value == "bad":
            raise services.ActionError(_("Unknown choice."))
        services.react(post, request.user, value)
    except services.ActionError as error:
        return _refused(request, post.consultation, error)
    return _done(
        request,
        post.consultation,
        None,
        f"#post-{post.pk}",
        {"support": post.support_count, "oppose": post.oppose_count, "mine": value},
    )


@login_required
@require_POST
def post_report(request, post_id):
    post = get_object_or_404(Post.objects.select_related("consultation"), pk=post_id)
    try:
        new = services.report(post, request.user, request.POST.get("reason", ""))
    except services.ActionError as error:
        return _refused(request, post.consultation, error)
    message = (
        _("Thank you. The moderators will look at this post.") if new else _("You have already reported this post.")
    )
    return _done(request, post.consultation, message, f"#post-{post.pk}")


@login_required
@require_POST
def post_moderate(request, post_id):
    post = get_object_or_404(Post.objects.select_related("consultation"), pk=post_id)
    try:
        services.moderate(post, request.user, request.POST.get("action", ""), request.POST.get("reason", ""))
    except services.ActionError as error:
        return _refused(request, post.consultation, error, status=403)
    return _done(request, post.consultation, _("Done."), f"#post-{post.pk}")


@login_required
@require_POST
def post_pin(request, post_id):
    post = get_object_or_404(Post.objects.select_related("consultation"), pk=post_id)
    try:
        services.set_pinned(post, request.user, request.POST.get("pinned") == "1")
    except services.ActionError as error:
        return _refused(request, post.consultation, error, status=403)
    return _done(request, post.consultation, None, f"#post-{post.pk}")


@login_required
def moderation_queue(request, page_id):
    consultation = _consultation(page_id)
    if not consultation_rules.can_manage(request.user, consultation):
        raise Http404
    if request.method == "POST":
        action = request.POST.get("action")
        word = (request.POST.get("word") or "").strip()[:100]
        if action == "add_keyword" and word and consultation.organization_id:
            Keyword.objects.get_or_create(organization=consultation.organization, word=word)
            messages.success(request, _("“%(word)s” is on the review list.") % {"word": word})
        elif action == "remove_keyword":
            Keyword.objects.filter(
                pk=_id(request.POST.get("keyword")),
                organization__in=consultation_rules.moderated_organizations(request.user),
            ).delete()
            messages.success(request, _("The word is off the review list."))
        elif action == "approve_statement":
            Statement.objects.filter(consultation=consultation, pk=_id(request.POST.get("statement"))).update(
                approved=True
            )
        elif action == "reject_statement":
            Statement.objects.filter(
                consultation=consultation, pk=_id(request.POST.get("statement")), approved=False
            ).delete()
        return redirect("consultation:moderation", page_id=consultation.pk)
    held = (
        Post.objects.filter(consultation=consultation, status__in=[Post.Status.HELD, Post.Status.HIDDEN])
        .select_related("author", "moderated_by")
        .annotate(reports_n=Count("reports"))
        .order_by("status", "-created_at")
    )
    keywords = (
        Keyword.objects.filter(organization=consultation.organization)
        if consultation.organization_id
        else Keyword.objects.none()
    )
    pending_statements = consultation.statements.filter(approved=False).select_related("author")
    return render(
        request,
        "consultation/moderation_queue.html",
        {"consultation": consultation, "posts": held, "keywords": keywords, "pending_statements": pending_statements},
    )


# --- live catch-up ------------------------------------------------------------------------------


@require_GET
def events_since(request, page_id):
    """Events after the client's cursor (its last `seq`), for catch-up after a reconnect."""
    consultation = _consultation(page_id)
    if not consultation_rules.can_receive_live(request.user, consultation):
        return JsonResponse({"error": _("You cannot follow this consultation.")}, status=403)
    after = _id(request.GET.get("after", "0"))
    if after is None:
        return HttpResponseBadRequest(_("“after” must be a whole number."))
    limit = 200
    events = Event.messages_after(consultation.pk, after, limit + 1)
    return JsonResponse({"events": events[:limit], "more": len(events) > limit, "last": consultation.state.last_seq})


# --- stages, vote, outcome ----------------------------------------------------------------------


@login_required
@require_POST
def stage_change(request, page_id):
    consultation = _consultation(page_id)
    try:
        services.change_stage(consultation, request.user, request.POST.get("stage", ""), request.POST.get("note", ""))
    except services.ActionError as error:
        return _refused(request, consultation, error, status=403)
    return _done(request, consultation, _("The stage is now: %(stage)s.") % {"stage": consultation.get_stage_display()})


@login_required
@require_POST
def vote(request, page_id):
    consultation = _consultation(page_id)
    try:
        services.cast_vote(consultation, request.user, _id(request.POST.get("option")))
    except services.ActionError as error:
        return _refused(request, consultation, error)
    return _done(request, consultation, _("Your vote is recorded. You may change it until voting closes."), "#vote")


@login_required
@require_POST
def outcome_publish(request, page_id):
    consultation = _consultation(page_id)
    try:
        services.publish_outcome(consultation, request.user, request.POST.get("text", ""))
    except services.ActionError as error:
        return _refused(request, consultation, error, status=403)
    return _done(request, consultation, _("The result is published and participants are notified."), "#outcome")


@login_required
@require_POST
def implementation_update(request, page_id):
    consultation = _consultation(page_id)
    try:
        progress = int(request.POST.get("progress", ""))
    except ValueError:
        progress = -1
    try:
        services.add_update(
            consultation, request.user, request.POST.get("text", ""), progress, request.POST.get("person_in_charge", "")
        )
    except services.ActionError as error:
        return _refused(request, consultation, error)
    return _done(request, consultation, _("The progress report is published."), "#outcome")


@login_required
@require_POST
def rate(request, page_id):
    consultation = _consultation(page_id)
    try:
        services.rate_outcome(
            consultation, request.user, request.POST.get("rating", ""), request.POST.get("comment", "")
        )
    except services.ActionError as error:
        return _refused(request, consultation, error)
    return _done(request, consultation, _("Thank you for your rating."), "#rating")


@login_required
@require_POST
def statement_add(request, page_id):
    consultation = _consultation(page_id)
    try:
        statement = services.add_statement(consultation, request.user, request.POST.get("text", ""))
    except services.ActionError as error:
        return _refused(request, consultation, error)
    message = _("Statement added.") if statement.approved else _("Thank you. Your statement appears after review.")
    return _done(request, consultation, message, "#opinion-map")


@login_required
@require_POST
def statement_vote(request, statement_id):
    statement = get_object_or_404(Statement.objects.select_related("consultation"), pk=statement_id)
    value = {"agree": 1, "disagree": -1, "pass": 0}.get(request.POST.get("value"), 99)
    try:
        services.vote_statement(statement, request.user, value)
    except services.ActionError as error:
        return _refused(request, statement.consultation, error)
    return _done(request, statement.consultation, None, f"#statement-{statement.pk}")


# --- index and notifications ---------------------------------------------------------------------


def index(request):
    consultations = list(
        ConsultationPage.objects.live()
        .public()
        .exclude(pk__in=consultation_rules.hidden_consultation_ids(request.user))
        .select_related("organization")
        .order_by("-first_published_at")[:200]
    )
    from consultation.models import ConsultationState

    states = dict(
        ConsultationState.objects.filter(consultation__in=consultations).values_list("consultation_id", "stage")
    )
    for consultation in consultations:
        consultation.stage_label = Stage(states.get(consultation.pk, Stage.COLLECTING)).label
    return render(request, "consultation/index.html", {"consultations": consultations})


@login_required
def notifications(request):
    if request.method == "POST":
        Notification.objects.filter(recipient=request.user, read_at=None).update(read_at=timezone.now())
        messages.success(request, _("All notifications are marked as read."))
        return redirect("consultation:notifications")
    # Notifications about a consultation the user may no longer see (left the branch, moved away) are not shown.
    hidden = consultation_rules.hidden_consultation_ids(request.user)
    notes = Paginator(
        Notification.objects.filter(recipient=request.user)
        .exclude(consultation_id__in=hidden)
        .select_related("consultation"),
        30,
    ).get_page(request.GET.get("page"))
    items = [{"note": n, "message": message_of(n), "url": link_of(n)} for n in notes]
    return render(request, "consultation/notifications.html", {"items": items, "notes": notes})


@login_required
def notification_settings(request):
    preference = preference_of(request.user)
    form = NotificationPreferenceForm(request.POST or None, instance=preference)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your notification settings are saved."))
        return redirect("consultation:notification_settings")
    return render(request, "consultation/notification_settings.html", {"form": form})
