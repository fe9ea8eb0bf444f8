"""Consultation endpoints: the forms' actions (each works without JavaScript, and answers JSON to scripts),
the moderation queue, live catch-up and the index. The page itself is drawn by page.py."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404, HttpResponse, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from consultation import conf, moderation, outcome, page_cache, posting, stages, statements, voting
from consultation import rules as consultation_rules
from consultation.actions import ActionError
from consultation.fragments import render_posts
from consultation.models import (
    ConsultationPage,
    ConsultationState,
    Event,
    Keyword,
    Post,
    Reaction,
    Stage,
    Statement,
)
from consultation.page import prepare
from core import params


@require_GET
def post_fragment(request, post_id):
    """One post rendered exactly as on the page after a reload (same template, same context, for this
    viewer): open pages fetch it when a post arrives or changes live. 404 unless the viewer may see it."""
    post = (
        Post.objects.filter(pk=params.object_id(str(post_id)))
        .visible_to(request.user)
        .select_related("author", "consultation")
        .with_reaction_of(request.user)
        .first()
    )
    if post is None or not post.consultation.live:
        raise Http404
    consultation = post.consultation
    if not request.user.has_perm("consultation.view_consultation", consultation):
        raise Http404
    prepare(consultation, request.user, [post], {})
    user = request.user
    can_take_part = user.has_perm("consultation.take_part", consultation)
    can_manage = user.has_perm("consultation.manage_consultation", consultation)
    # Drawn by the same code as the page's posts, so a post fetched live is the post after a reload.
    render_posts(request, consultation, [post], can_take_part=can_take_part, can_manage=can_manage)
    return HttpResponse(post.html)


# --- helpers -------------------------------------------------------------------------------


def _consultation(page_id: int) -> ConsultationPage:
    consultation = ConsultationPage.objects.live().filter(pk=page_id).first()
    if consultation is None:
        raise Http404
    return consultation


def _post(post_id: int) -> Post:
    return get_object_or_404(Post.objects.select_related("consultation"), pk=post_id)


def _statement(statement_id: int) -> Statement:
    return get_object_or_404(Statement.objects.select_related("consultation"), pk=statement_id)


def _back(request, consultation, anchor: str = ""):
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target + anchor)
    return redirect((consultation.get_url(request) or "/") + anchor)


def _wants_json(request) -> bool:
    return request.headers.get("Accept", "").startswith("application/json")


def _done(request, consultation, message=None, anchor="", data=None):
    if _wants_json(request):
        return JsonResponse({"ok": True, "message": message or "", **(data or {})})
    if message:
        messages.success(request, message)
    return _back(request, consultation, anchor)


def _refused(request, consultation, error: ActionError, status=None):
    # 403 when the user may not do this at all (actions.NotPermitted), 400 for a bad or untimely request.
    status = status or error.status
    if _wants_json(request):
        return JsonResponse({"ok": False, "error": str(error)}, status=status)
    messages.error(request, str(error))
    return _back(request, consultation)


def action(load: Callable[..., ConsultationPage | Post | Statement], *, status: int | None = None):
    """The frame every action endpoint shares: `load` the consultation, post or statement it acts on from the
    URL (404 when missing), pass it to the view, and answer a refused action the same way everywhere (JSON for
    scripts; for forms, the message and a redirect back to the page). `status` answers every refusal with that
    status (the organisers' endpoints say 403 whatever the reason)."""

    def decorate(view: Callable) -> Callable:
        @wraps(view)
        def wrapper(request, **url_kwargs):
            target = load(**url_kwargs)
            try:
                return view(request, target)
            except ActionError as error:
                consultation = target if isinstance(target, ConsultationPage) else target.consultation
                return _refused(request, consultation, error, status)

        return wrapper

    return decorate


# --- thread -----------------------------------------------------------------------------------


@login_required
@require_POST
@action(_consultation)
def post_create(request, consultation):
    parent = None
    if request.POST.get("parent"):
        parent = get_object_or_404(
            Post.objects.select_related("parent", "root", "author"),
            pk=params.object_id(request.POST["parent"]),
            consultation=consultation,
        )
    kind = request.POST.get("kind") if request.POST.get("kind") in Post.Kind.values else Post.Kind.OPINION
    post = posting.create_post(
        consultation,
        request.user,
        request.POST.get("body", ""),
        parent=parent,
        kind=kind,
        official=request.POST.get("official") == "1",
    )
    if post.status == Post.Status.HELD:
        message = _("Thank you. Your post will appear after a moderator has reviewed it.")
    else:
        message = _("Your post is published.")
    return _done(request, consultation, message, f"#post-{post.pk}", {"id": post.pk, "status": post.status})


@login_required
@action(_post)
def post_edit(request, post):
    consultation = post.consultation
    if post.author_id != request.user.pk:
        raise PermissionDenied  # only the author edits a post
    if not post.editable_by(request.user):
        messages.error(request, _("The time to edit this post has passed."))
        return _back(request, consultation, f"#post-{post.pk}")
    if request.method == "POST":
        posting.edit_post(post, request.user, request.POST.get("body", ""))
        return _done(request, consultation, _("Your post is updated."), f"#post-{post.pk}")
    return render(
        request,
        "consultation/post_edit.html",
        {"post": post, "consultation": consultation, "max_length": conf.get("MAX_POST_LENGTH")},
    )


@login_required
@require_POST
@action(_post)
def post_react(request, post):
    value = {"support": Reaction.SUPPORT, "oppose": Reaction.OPPOSE, "none": None}.get(request.POST.get("value"), "bad")
    if value == "bad":
        raise ActionError(_("Unknown choice."))
    posting.react(post, request.user, value)
    return _done(
        request,
        post.consultation,
        None,
        f"#post-{post.pk}",
        {"support": post.support_count, "oppose": post.oppose_count, "mine": value},
    )


@login_required
@require_POST
@action(_post)
def post_report(request, post):
    new = posting.report(post, request.user, request.POST.get("reason", ""))
    message = (
        _("Thank you. The moderators will look at this post.") if new else _("You have already reported this post.")
    )
    return _done(request, post.consultation, message, f"#post-{post.pk}")


@login_required
@require_POST
@action(_post, status=403)
def post_moderate(request, post):
    moderation.moderate(post, request.user, request.POST.get("action", ""), request.POST.get("reason", ""))
    return _done(request, post.consultation, _("Done."), f"#post-{post.pk}")


@login_required
@require_POST
@action(_post, status=403)
def post_pin(request, post):
    moderation.set_pinned(post, request.user, request.POST.get("pinned") == "1")
    return _done(request, post.consultation, None, f"#post-{post.pk}")


@login_required
def moderation_queue(request, page_id):
    consultation = _consultation(page_id)
    if not request.user.has_perm("consultation.moderate", consultation):
        raise Http404
    if request.method == "POST":
        action = request.POST.get("action")
        word = (request.POST.get("word") or "").strip()[:100]
        if action == "add_keyword" and word and consultation.organization_id:
            Keyword.objects.get_or_create(organization=consultation.organization, word=word)
            messages.success(request, _("“%(word)s” is on the review list.") % {"word": word})
        elif action == "remove_keyword":
            Keyword.objects.filter(
                pk=params.object_id(request.POST.get("keyword")),
                organization__in=consultation_rules.moderated_organizations(request.user),
            ).delete()
            messages.success(request, _("The word is off the review list."))
        elif action == "approve_statement":
            Statement.objects.filter(
                consultation=consultation, pk=params.object_id(request.POST.get("statement"))
            ).update(approved=True)
            page_cache.changed(consultation.pk)  # an update sends no signal
        elif action == "reject_statement":
            Statement.objects.filter(
                consultation=consultation, pk=params.object_id(request.POST.get("statement")), approved=False
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
    if not request.user.has_perm("consultation.receive_live", consultation):
        return JsonResponse({"error": _("You cannot follow this consultation.")}, status=403)
    after = params.object_id(request.GET.get("after", "0"))
    if after is None:
        return HttpResponseBadRequest(_("“after” must be a whole number."))
    limit = 200
    events = Event.messages_after(consultation.pk, after, limit + 1)
    return JsonResponse({"events": events[:limit], "more": len(events) > limit, "last": consultation.state.last_seq})


# --- stages, vote, outcome ----------------------------------------------------------------------


@login_required
@require_POST
@action(_consultation, status=403)
def stage_change(request, consultation):
    stages.change_stage(consultation, request.user, request.POST.get("stage", ""), request.POST.get("note", ""))
    return _done(request, consultation, _("The stage is now: %(stage)s.") % {"stage": consultation.get_stage_display()})


@login_required
@require_POST
@action(_consultation)
def vote(request, consultation):
    voting.cast_vote(consultation, request.user, params.object_id(request.POST.get("option")))
    return _done(request, consultation, _("Your vote is recorded. You may change it until voting closes."), "#vote")


@login_required
@require_POST
@action(_consultation, status=403)
def outcome_publish(request, consultation):
    outcome.publish_outcome(consultation, request.user, request.POST.get("text", ""))
    return _done(request, consultation, _("The result is published and participants are notified."), "#outcome")


@login_required
@require_POST
@action(_consultation)
def implementation_update(request, consultation):
    progress = params.whole_number(request.POST.get("progress"))
    if progress is None:
        progress = -1  # not a number: no percentage, which add_update refuses with its message
    outcome.add_update(
        consultation, request.user, request.POST.get("text", ""), progress, request.POST.get("person_in_charge", "")
    )
    return _done(request, consultation, _("The progress report is published."), "#outcome")


@login_required
@require_POST
@action(_consultation)
def rate(request, consultation):
    outcome.rate_outcome(consultation, request.user, request.POST.get("rating", ""), request.POST.get("comment", ""))
    return _done(request, consultation, _("Thank you for your rating."), "#rating")


@login_required
@require_POST
@action(_consultation)
def statement_add(request, consultation):
    statement = statements.add_statement(consultation, request.user, request.POST.get("text", ""))
    message = _("Statement added.") if statement.approved else _("Thank you. Your statement appears after review.")
    return _done(request, consultation, message, "#opinion-map")


@login_required
@require_POST
@action(_statement)
def statement_vote(request, statement):
    value = {"agree": 1, "disagree": -1, "pass": 0}.get(request.POST.get("value"), 99)
    statements.vote_statement(statement, request.user, value)
    return _done(request, statement.consultation, None, f"#statement-{statement.pk}")


# --- index -----------------------------------------------------------------------------------------


def index(request):
    consultations = list(
        ConsultationPage.objects.live()
        .public()
        .exclude(pk__in=consultation_rules.hidden_consultation_ids(request.user))
        .select_related("organization")
        .order_by("-first_published_at")[:200]
    )
    states = dict(
        ConsultationState.objects.filter(consultation__in=consultations).values_list("consultation_id", "stage")
    )
    for consultation in consultations:
        consultation.stage_label = Stage(states.get(consultation.pk, Stage.COLLECTING)).label
    return render(request, "consultation/index.html", {"consultations": consultations})
