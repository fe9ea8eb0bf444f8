"""Survey pages: answering, results and exports (routes of `SurveyPage`)."""

from __future__ import annotations

import datetime as dt
import hashlib

import rules

from django.contrib import messages
from django.core.cache import caches
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpResponseRedirect, QueryDict
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.http import urlencode
from django.utils.translation import gettext as _

import jobs
from core import cache as page_cache
from core import params
from organizations.models import Organization
from organizations.roles import roster_entry
from surveys import answering, drafts, mixing
from surveys.codes import normalise_code
from surveys.models import Invitation, Participation, Response, ResponseTally, SurveyPage, results_version_key
from surveys.questions import condition_of
from surveys.results import cells_q, compute_results, small_cells

CODE_SESSION_KEY = "survey-code-%s"


# --- answering --------------------------------------------------------------------------------------


def _question_context(child, data: QueryDict, errors: dict) -> dict:
    """What a question's template draws: the common parts here, its own parts from its block."""
    value, block = child.value, child.block
    name = answering.field_name(child.id)
    return {
        "id": child.id,
        "child": child,
        "value": value,
        "name": name,
        "error": errors.get(child.id),
        "required": bool(value.get("required")),
        "key": value.get("key") or "",
        "condition": condition_of(value),
        "current": data.get(name, ""),
        **block.form_context(value, name, data),
    }


def form_steps(page: SurveyPage, data: QueryDict, errors: dict) -> list[dict]:
    """The survey as steps (one per section), each with its questions ready for the templates."""
    steps, number = [], 0
    for section, children in page.steps():
        questions = []
        for child in children:
            number += 1
            question = _question_context(child, data, errors)
            question["number"] = number
            questions.append(question)
        steps.append(
            {
                "section": section.value if section else None,
                "condition": condition_of(section.value) if section else None,
                "questions": questions,
                "has_error": any(q["error"] for q in questions),
            }
        )
    return steps


def _code(request, page: SurveyPage) -> str | None:
    """The invitation code from the link or the form, remembered in the session while answering."""
    key = CODE_SESSION_KEY % page.pk
    supplied = request.POST.get("code") or request.GET.get("code")
    if supplied:
        request.session[key] = normalise_code(supplied)
    return request.session.get(key)


def survey(request, page: SurveyPage):
    context = page.get_context(request)
    context.update(
        is_open=page.is_open(),
        has_closed=page.has_closed(),
        may_see_results=request.user.has_perm("surveys.view_results", page),
        results_url=page.route_url("results_route", request),
    )
    user = request.user
    data, errors, revision, step = QueryDict(), {}, 0, 0
    state = "form"
    code = None
    if request.GET.get("done"):
        state = "done"
    elif not page.is_open():
        state = "closed" if page.has_closed() else "not_open"
    elif page.mode == SurveyPage.Mode.INVITATION:
        code = _code(request, page)
        usable = code and Invitation.objects.usable().matching(code).filter(survey=page).exists()
        if not usable:
            state = "code"
            if code:
                context["code_error"] = _("This code is not valid for this survey, has been used or was revoked.")
                request.session.pop(CODE_SESSION_KEY % page.pk, None)
    elif not user.is_authenticated:
        state = "sign_in"
        context["sign_in_url"] = reverse("account_login") + "?" + urlencode({"next": request.get_full_path()})
    elif not rules.test_rule("surveys.answer_survey", user, page):
        state = "not_audience"
    elif page.mode == SurveyPage.Mode.ANONYMOUS and answering.has_answered(page, user):
        state = "answered"
    elif page.mode == SurveyPage.Mode.IDENTIFIED:
        response = Response.objects.filter(survey=page, user=user).first()
        if response is not None:
            data, revision = answering.form_data_of(page, response)
            context["existing"] = response

    if state == "form" and request.method == "POST":
        action = request.POST.get("action", "submit")
        if action == "save" and user.is_authenticated and drafts.may_save_draft(page):
            step = params.bounded(request.POST.get("step"), maximum=max(len(page.steps()) - 1, 0))
            drafts.save_draft(page, user, request.POST, step)
            messages.success(request, _("Your answers are saved. Come back to this page to continue."))
            return HttpResponseRedirect(page.get_url(request))
        outcome, checked = answering.submit(
            page, request.POST, user=user, code=code, revision=params.bounded(request.POST.get("revision"))
        )
        if outcome in (answering.Outcome.STORED, answering.Outcome.UPDATED):
            request.session.pop(CODE_SESSION_KEY % page.pk, None)
            if outcome is answering.Outcome.UPDATED:
                messages.success(request, _("Your changed answers are saved."))
            return HttpResponseRedirect(page.get_url(request) + "?done=1")
        if outcome is answering.Outcome.INVALID:
            data, errors = request.POST, checked.errors
            context["error_count"] = len(errors)
        elif outcome in (answering.Outcome.ALREADY_ANSWERED, answering.Outcome.STALE):
            messages.info(request, _("Your response was already recorded; nothing new was stored."))
            return HttpResponseRedirect(page.get_url(request) + "?done=1")
        elif outcome is answering.Outcome.CODE_INVALID:
            request.session.pop(CODE_SESSION_KEY % page.pk, None)
            messages.error(request, _("This code is not valid for this survey, has been used or was revoked."))
            return HttpResponseRedirect(page.get_url(request))
        elif outcome is answering.Outcome.CLOSED:
            messages.error(request, _("This survey has closed: your answers were not stored."))
            return HttpResponseRedirect(page.get_url(request))
        else:
            raise PermissionDenied
    elif state == "form" and user.is_authenticated and not revision:
        draft = drafts.draft_data(page, user)
        if draft is not None:
            data, step = draft
            context["from_draft"] = True

    steps = form_steps(page, data, errors) if state == "form" else []
    first_error_step = next((i for i, s in enumerate(steps) if s["has_error"]), None)
    grid_current = data.get("grid", "")
    if not grid_current and user.is_authenticated and page.ask_grid:
        entry = roster_entry(user)
        grid_current = str(entry.grid_id) if entry and entry.grid_id else ""
    context.update(
        state=state,
        steps=steps,
        start_step=first_error_step if first_error_step is not None else min(step, max(len(steps) - 1, 0)),
        errors=errors,
        revision=revision,
        code=code,
        grids=page.grid_choices() if (state == "form" and page.ask_grid and code is None) else None,
        grid_current=grid_current,
        grid_error=errors.get("grid"),
        can_save=user.is_authenticated and drafts.may_save_draft(page),
    )
    return TemplateResponse(request, page.get_template(request), context)


# --- results -------------------------------------------------------------------------------------------


def _filters(request, page: SurveyPage) -> dict:
    organization = grid = None
    organizations = Organization.objects.none()
    if page.organization is not None:
        organizations = Organization.objects.within(page.organization).order_by("path")
    if raw := params.object_id(request.GET.get("organization")):
        organization = organizations.filter(pk=raw).first()
    grids = page.grid_choices()
    if raw := params.object_id(request.GET.get("grid")):
        grid = grids.filter(pk=raw).first()
    dates = {"date_from": None, "date_to": None}
    # Anonymous answers are filtered by whole grids and organisations only: two overlapping date ranges
    # could be subtracted to isolate one person (their rows carry only the date of their mixed batch).
    if not page.is_sealed:
        for key in dates:
            try:
                dates[key] = dt.date.fromisoformat(request.GET.get(key, ""))
            except ValueError:
                dates[key] = None
    return {
        "allow_dates": not page.is_sealed,
        "organization": organization,
        "grid": grid,
        **dates,
        "organizations": organizations,
        "grids": grids,
    }


def _results_allowed(request, page):
    if not request.user.has_perm("surveys.view_results", page):
        if not request.user.is_authenticated:
            return False
        raise PermissionDenied


def _responses(page: SurveyPage, filters: dict):
    """The (mixed) responses a filtered view counts, and how many small-group responses it leaves out.

    For anonymous and invitation surveys every organisation × grid cell with fewer than three responses
    is counted only in the unfiltered results (see `results.small_cells`), so that no difference of two
    filtered views isolates fewer than three people.
    """
    everything = Response.objects.filter(survey=page)
    narrowed = any(filters[key] for key in ("organization", "grid", "date_from", "date_to"))
    if not narrowed:
        return everything, False, 0
    responses = everything.filtered(
        organization=filters["organization"],
        grid=filters["grid"],
        date_from=filters["date_from"],
        date_to=filters["date_to"],
    )
    left_out = 0
    if page.is_sealed:
        cells = small_cells(everything)
        if cells:
            kept = responses.exclude(cells_q(cells))
            left_out = responses.count() - kept.count()
            responses = kept
    return responses, True, left_out


def results(request, page: SurveyPage):
    """The results page; a signed-in viewer's copy is kept (core/cache.py) until a response is written,
    counted or waits to be, the survey is published, their rights change, or the survey closes."""
    if page.closes_at and not page.has_closed():
        page_cache.limit_timeout(request, (page.closes_at - timezone.now()).total_seconds())
    return page_cache.serve_cached(
        request, lambda: _results(request, page), depends_on=results_version_key(page.pk), per_viewer=True
    )


def _results(request, page: SurveyPage):
    if _results_allowed(request, page) is False:
        return HttpResponseRedirect(reverse("account_login") + "?" + urlencode({"next": request.get_full_path()}))
    if page.is_sealed:
        mixing.settle_closed([page])
    filters = _filters(request, page)
    responses, narrowed, left_out = _responses(page, filters)
    # The computed results are cached as HTML, keyed on what changes them: the survey's revision, the
    # filters, and the survey's response tally, which changes with every response written (no aggregate
    # over the responses per request).
    count, changes = ResponseTally.stamp(page.pk)
    query = request.GET.urlencode()
    # Keyed on the filters as understood, not on the raw query string: unknown parameters make no new entry.
    filter_key = ":".join(
        str(getattr(filters[key], "pk", filters[key]) or "") for key in ("organization", "grid", "date_from", "date_to")
    )
    cache_key = f"{page.pk}:{page.latest_revision_id}:{changes}:{hashlib.sha256(filter_key.encode()).hexdigest()[:16]}"
    if narrowed:
        count = caches["pages"].get_or_set(f"surveys:results-count:{cache_key}", responses.count, 3600)
    context = page.get_context(request)
    context.update(
        results=SimpleLazyObject(lambda: compute_results(page, responses, narrowed=narrowed)),
        response_count=count,
        pending=mixing.pending(page) if page.is_sealed else 0,
        batch_size=mixing.batch_size(),
        left_out=left_out,
        cache_key=cache_key,
        filters=filters,
        query=query,
        is_editor=request.user.has_perm("surveys.manage_survey", page),
        export_urls={
            f"{what}_{fmt}": page.route_url("export_route", request, what=what, fmt=fmt)
            + (f"?{query}" if query else "")
            for what in ("responses", "aggregates")
            for fmt in ("csv", "xlsx")
        },
    )
    return TemplateResponse(request, "surveys/survey_results.html", context)


def export(request, page: SurveyPage, what: str, fmt: str):
    """Both exports are written by background jobs (surveys/jobs.py): the responses may hold a million rows.
    The button posts here and lands on the job's progress page, which ends in the download; a GET (an old
    link) goes back to the results page, where the buttons are."""
    if what not in ("responses", "aggregates") or fmt not in ("csv", "xlsx"):
        raise Http404
    if not request.user.is_authenticated:
        # As for the results page: exports are for signed-in users, so ask anonymous visitors to sign in.
        return HttpResponseRedirect(reverse("account_login") + "?" + urlencode({"next": request.get_full_path()}))
    if not request.user.has_perm("surveys.manage_survey", page):
        if what == "responses" or not request.user.has_perm("surveys.view_results", page):
            raise PermissionDenied
    query = request.GET.urlencode()
    if request.method != "POST":
        return HttpResponseRedirect(page.route_url("results_route", request) + (f"?{query}" if query else ""))
    if what == "responses":
        label = _("Responses (Excel)") if fmt == "xlsx" else _("Responses (CSV)")
    else:
        label = _("Summary (Excel)") if fmt == "xlsx" else _("Summary (CSV)")
    title = _("%(what)s: %(survey)s") % {"what": label, "survey": page.title}
    job = jobs.start(request.user, f"surveys.{what}_export", title, survey_id=page.pk, fmt=fmt, query=query)
    return HttpResponseRedirect(job.get_absolute_url())


# --- index -----------------------------------------------------------------------------------------------


def index(request):
    """Open surveys, then closed ones, newest first: where residents find what to answer."""
    now = timezone.now()
    live = SurveyPage.objects.live().public().specific().order_by("-opens_at", "-first_published_at")
    open_now = live.filter(
        Q(opens_at__isnull=True) | Q(opens_at__lte=now), Q(closes_at__isnull=True) | Q(closes_at__gt=now)
    )
    closed = live.filter(closes_at__lte=now)[:20]
    answered = set()
    if request.user.is_authenticated:
        answered = set(Response.objects.filter(user=request.user).values_list("survey_id", flat=True))
        answered |= set(Participation.objects.filter(user=request.user).values_list("survey_id", flat=True))
    return TemplateResponse(
        request, "surveys/survey_index.html", {"open_surveys": open_now, "closed_surveys": closed, "answered": answered}
    )
