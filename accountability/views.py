"""Site pages of the lists, supervision and the assessment. Who may do what is asked of accountability.rules;
what cannot be seen is a 404. Every form's errors are shown in the user's language and nothing half-written
stays (each action is one transaction)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wagtail.log_actions import log

import jobs
from accountability import assessment as scoring
from accountability import dashboard, proposals, responsibility, statuses, supervision
from accountability.forms import (
    ConfirmProposalForm,
    EvidenceForm,
    GradesForm,
    NoteForm,
    NoticeForm,
    ProblemForm,
    ReplyForm,
    ReportForm,
    ResponsibilityItemForm,
    ScoreForm,
    TaskForm,
    TaskStatusForm,
)
from accountability.models import (
    Assessment,
    Evidence,
    Grade,
    Indicator,
    IndicatorScheme,
    Problem,
    ProblemProposal,
    ResponsibilityItem,
    ResponsibilityList,
    SupervisionNotice,
    Task,
    TaskNote,
)
from core import params
from core.private_files import private_file_response
from jobs.views import start_or_offer
from organizations import roles
from organizations.models import Organization


def _year(request) -> int:
    return params.year(request.GET.get("year") or request.POST.get("year")) or timezone.localdate().year


def _visible(request, obj, perm: str = "accountability.view_item"):
    if not request.user.has_perm(perm, obj):
        raise Http404
    return obj


def _organization(request, code: str) -> Organization:
    organization = get_object_or_404(Organization, code=code)
    if not request.user.has_perm("accountability.view_lists", organization):
        raise Http404
    return organization


def _refused(request, error: ValidationError) -> None:
    for message in error.messages:
        messages.error(request, message)


@login_required
def evidence_file(request, pk: int):
    """An evidence file, to those who may see the task, problem or notice it belongs to; to anyone else a 404."""
    evidence = get_object_or_404(
        Evidence.objects.select_related("task__organization", "problem__organization", "notice__organization"), pk=pk
    )
    if not evidence.file or not request.user.has_perm("accountability.view_item", evidence.subject):
        raise Http404
    return private_file_response(evidence.file)


@login_required
def report_file(request, pk: int):
    """A secretary's 述职 report file, to those who may see the assessment; to anyone else a 404."""
    assessment = get_object_or_404(Assessment.objects.select_related("scheme", "organization"), pk=pk)
    if not assessment.report_file or not request.user.has_perm("accountability.view_assessment", assessment):
        raise Http404
    return private_file_response(assessment.report_file)


@login_required
def index(request):
    """The organisations whose lists the user sees, the schemes they run and the notices waiting for them."""
    organizations = roles.managed_organizations(request.user).order_by("path")
    year = _year(request)
    schemes = IndicatorScheme.objects.filter(
        organization__in=Organization.objects.with_ancestors(*organizations.only("path", "depth"))
        if organizations
        else []
    ).select_related("organization")
    schemes = [s for s in schemes if request.user.has_perm("accountability.run_scheme", s)]
    assigned = Indicator.objects.filter(
        assessor=request.user, scheme__status=IndicatorScheme.Status.SCORING
    ).select_related("scheme")
    counts = {
        row["organization"]: row
        for row in Task.objects.filter(organization__in=organizations, year=year)
        .values("organization")
        .annotate(
            open=Count("pk", filter=~Q(status__in=[Task.Status.DONE, Task.Status.CANCELLED])),
            overdue=Count(
                "pk",
                filter=~Q(status__in=[Task.Status.DONE, Task.Status.CANCELLED]) & Q(due_on__lt=timezone.localdate()),
            ),
        )
        .order_by()
    }
    rows = [(org, counts.get(org.pk, {})) for org in organizations[:300]]
    escalated = SupervisionNotice.objects.unanswered().filter(
        escalated_to__in=roles.organizations_with_role(request.user, roles.Role.ADMIN)
    )
    entry = roles.roster_entry(request.user)
    published = []
    if entry is not None:
        published = [
            a
            for a in Assessment.objects.filter(organization=entry.branch).select_related("scheme", "organization")
            if a.scheme.in_notice
        ]
    return TemplateResponse(
        request,
        "accountability/index.html",
        {
            "rows": rows,
            "year": year,
            "schemes": schemes,
            "assigned": assigned,
            "escalated": escalated.select_related("organization", "issuer"),
            "published": published,
        },
    )


@login_required
def organization_lists(request, code: str):
    """One organisation's three lists for a year, its supervision notices and proposed problems."""
    organization = _organization(request, code)
    year = _year(request)
    user = request.user
    own_list = ResponsibilityList.objects.filter(organization=organization, year=year).first()
    items = list(own_list.items.order_by("sort_order", "pk")) if own_list else []
    tasks = Task.objects.filter(organization=organization, year=year).with_overdue_flag().order_by("due_on", "pk")
    problems = Problem.objects.filter(organization=organization, year=year).order_by("deadline", "pk")
    notices = SupervisionNotice.objects.filter(organization=organization).filter(
        Q(replied_at=None) | Q(issued_at__year=year)
    )
    pending = ProblemProposal.objects.filter(organization=organization, status=ProblemProposal.Status.PENDING)
    assessments = [
        a
        for a in Assessment.objects.filter(organization=organization).select_related("scheme", "organization")
        if user.has_perm("accountability.view_assessment", a)
    ]
    context = {
        "organization": organization,
        "year": year,
        "years": [year - 1, year, year + 1],
        "list": own_list,
        "items": items,
        "template": responsibility.template_for(organization, year),
        "tasks": tasks,
        "problems": problems,
        "notices": notices.select_related("issuer", "task", "problem"),
        "proposals": pending,
        "assessments": assessments,
        "keeps": user.has_perm("accountability.keep_lists", organization),
        "supervises": user.has_perm("accountability.supervise", organization),
        "children": organization.get_children().order_by("path") if not organization.is_branch else [],
        "item_form": ResponsibilityItemForm(),
    }
    return TemplateResponse(request, "accountability/organization_lists.html", context)


@login_required
@require_POST
def responsibility_action(request, code: str):
    organization = _organization(request, code)
    year = _year(request)
    if not request.user.has_perm("accountability.keep_lists", organization):
        raise PermissionDenied
    action = request.POST.get("action")
    back = reverse("accountability:organization", args=[code]) + f"?year={year}#responsibilities"
    try:
        with transaction.atomic():
            if action == "adopt":
                own = responsibility.adopt(request.user, organization, year)
                messages.success(request, _("The template was adopted: add your own items below it."))
            elif action == "add":
                form = ResponsibilityItemForm(request.POST)
                if not form.is_valid():
                    for field, errors in form.errors.items():
                        for error in errors:
                            messages.error(
                                request, f"{form.fields[field].label if field in form.fields else ''} {error}"
                            )
                    return redirect(back)
                own = responsibility.own_list(organization, year)
                item = form.save(commit=False)
                item.responsibility_list = own
                item.sort_order = own.items.count()
                item.save()
                log(own, "accountability.responsibility.add", user=request.user, data={"duty": item.duty})
                messages.success(request, _("The item was added."))
            elif action in ("publish", "withdraw"):
                own = responsibility.own_list(organization, year)
                own.published = action == "publish"
                own.save(update_fields=["published"])
                log(own, f"accountability.responsibility.{action}", user=request.user)
                messages.success(
                    request,
                    _("The list is now the template of the levels below.")
                    if own.published
                    else _("The list is no longer offered to the levels below."),
                )
            elif action == "remove":
                item = get_object_or_404(
                    ResponsibilityItem,
                    pk=params.whole_number(request.POST.get("item")) or 0,
                    responsibility_list__organization=organization,
                    inherited=False,  # items handed down by the level above (上级下发) are not the branch's to drop
                )
                log(
                    item.responsibility_list,
                    "accountability.responsibility.remove",
                    user=request.user,
                    data={"duty": item.duty},
                )
                item.delete()
                messages.success(request, _("The item was removed."))
    except ValidationError as error:
        _refused(request, error)
    return redirect(back)


@login_required
def task_create(request, code: str):
    organization = _organization(request, code)
    year = _year(request)
    if not request.user.has_perm("accountability.keep_lists", organization):
        raise PermissionDenied
    form = TaskForm(request.POST or None, organization=organization, year=year)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            task = form.save(commit=False)
            task.organization = organization
            task.year = year
            task.created_by = request.user
            task.save()
            log(task, "accountability.task.create", user=request.user)
        messages.success(request, _("The task was added."))
        return redirect("accountability:task", task.pk)
    return TemplateResponse(
        request, "accountability/task_form.html", {"form": form, "organization": organization, "year": year}
    )


@login_required
def task_detail(request, pk: int):
    task = _visible(request, get_object_or_404(Task.objects.select_related("organization", "responsibility"), pk=pk))
    keeps = request.user.has_perm("accountability.change_task", task)
    supervises = request.user.has_perm("accountability.supervise", task.organization)
    evidence_form = EvidenceForm(organization=task.organization)
    notice_form = NoticeForm()
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "status" and keeps:
                form = TaskStatusForm(request.POST)
                if form.is_valid():
                    statuses.set_task_status(request.user, task, form.cleaned_data["status"])
                    messages.success(request, _("The status was changed."))
                    return redirect("accountability:task", task.pk)
            elif action == "note" and keeps:
                form = NoteForm(request.POST)
                if form.is_valid():
                    TaskNote.objects.create(task=task, text=form.cleaned_data["text"], author=request.user)
                    messages.success(request, _("The progress note was added."))
                    return redirect("accountability:task", task.pk)
                _refused(request, ValidationError(form.errors["text"]))
            elif action == "evidence" and keeps:
                evidence_form = EvidenceForm(request.POST, request.FILES, organization=task.organization)
                if evidence_form.is_valid():
                    with transaction.atomic():
                        evidence_form.save(request.user, task=task)
                    messages.success(request, _("The evidence was added."))
                    return redirect("accountability:task", task.pk)
            elif action == "notice" and supervises:
                notice_form = NoticeForm(request.POST)
                if notice_form.is_valid():
                    notice = supervision.issue(
                        request.user, task, notice_form.cleaned_data["text"], notice_form.cleaned_data["reply_due"]
                    )
                    messages.success(request, _("The supervision notice was issued."))
                    return redirect("accountability:notice", notice.pk)
            else:
                raise PermissionDenied
        except ValidationError as error:
            _refused(request, error)
    context = {
        "task": task,
        "organization": task.organization,
        "keeps": keeps,
        "supervises": supervises,
        "status_form": TaskStatusForm(initial={"status": task.status}),
        "note_form": NoteForm(),
        "evidence_form": evidence_form,
        "notice_form": notice_form,
        "notes": task.notes.select_related("author"),
        "evidence": task.evidence.select_related("page", "record_type"),
        "notices": task.notices.select_related("issuer"),
    }
    return TemplateResponse(request, "accountability/task_detail.html", context)


@login_required
def problem_create(request, code: str):
    organization = _organization(request, code)
    year = _year(request)
    keeps = request.user.has_perm("accountability.keep_lists", organization)
    if not (keeps or request.user.has_perm("accountability.supervise", organization)):
        raise PermissionDenied
    initial = {"source": Problem.Source.SELF if keeps else Problem.Source.LEVEL_ABOVE}
    form = ProblemForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            problem = form.save(commit=False)
            problem.organization = organization
            problem.year = year
            problem.created_by = request.user
            problem.save()
            log(problem, "accountability.problem.create", user=request.user, data={"source": problem.source})
        messages.success(request, _("The problem was added to the list."))
        return redirect("accountability:problem", problem.pk)
    return TemplateResponse(
        request, "accountability/problem_form.html", {"form": form, "organization": organization, "year": year}
    )


@login_required
def problem_detail(request, pk: int):
    problem = _visible(request, get_object_or_404(Problem.objects.select_related("organization"), pk=pk))
    user = request.user
    keeps = user.has_perm("accountability.keep_lists", problem.organization)
    supervises = user.has_perm("accountability.supervise", problem.organization)
    evidence_form = EvidenceForm(organization=problem.organization)
    notice_form = NoticeForm()
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "rectify":
                statuses.rectify(user, problem)
                messages.success(request, _("Reported rectified: the level above verifies and closes it off."))
                return redirect("accountability:problem", problem.pk)
            if action == "close":
                statuses.close(user, problem)
                messages.success(request, _("The problem was closed off."))
                return redirect("accountability:problem", problem.pk)
            if action == "reopen":
                statuses.reopen(user, problem)
                messages.success(request, _("The problem was sent back to rectification."))
                return redirect("accountability:problem", problem.pk)
            if action == "evidence":
                if not keeps:
                    raise PermissionDenied
                evidence_form = EvidenceForm(request.POST, request.FILES, organization=problem.organization)
                if evidence_form.is_valid():
                    with transaction.atomic():
                        evidence_form.save(user, problem=problem)
                    messages.success(request, _("The evidence was added."))
                    return redirect("accountability:problem", problem.pk)
            elif action == "notice":
                if not supervises:
                    raise PermissionDenied
                notice_form = NoticeForm(request.POST)
                if notice_form.is_valid():
                    notice = supervision.issue(
                        user, problem, notice_form.cleaned_data["text"], notice_form.cleaned_data["reply_due"]
                    )
                    messages.success(request, _("The supervision notice was issued."))
                    return redirect("accountability:notice", notice.pk)
            else:
                raise PermissionDenied
        except ValidationError as error:
            _refused(request, error)
    context = {
        "problem": problem,
        "organization": problem.organization,
        "keeps": keeps,
        "supervises": supervises,
        "may_rectify": user.has_perm("accountability.rectify_problem", problem),
        "may_close": user.has_perm("accountability.close_problem", problem),
        "evidence_form": evidence_form,
        "notice_form": notice_form,
        "evidence": problem.evidence.select_related("page", "record_type"),
        "notices": problem.notices.select_related("issuer"),
    }
    return TemplateResponse(request, "accountability/problem_detail.html", context)


@login_required
def notice_detail(request, pk: int):
    notice = _visible(
        request,
        get_object_or_404(
            SupervisionNotice.objects.select_related("organization", "issuer", "task", "problem", "escalated_to"), pk=pk
        ),
    )
    may_reply = request.user.has_perm("accountability.reply_notice", notice)
    form = ReplyForm()
    evidence_form = EvidenceForm(organization=notice.organization)
    if request.method == "POST":
        if not may_reply:
            raise PermissionDenied
        form = ReplyForm(request.POST)
        evidence_form = EvidenceForm(request.POST, request.FILES, organization=notice.organization)
        wants_evidence = any(request.POST.get(name) for name in ("meeting_record", "page")) or request.FILES
        if form.is_valid() and (not wants_evidence or evidence_form.is_valid()):
            try:
                with transaction.atomic():
                    supervision.reply(request.user, notice, form.cleaned_data["reply_text"])
                    if wants_evidence:
                        evidence_form.save(request.user, notice=notice)
                messages.success(request, _("Your reply was sent to the level above."))
                return redirect("accountability:notice", notice.pk)
            except ValidationError as error:
                _refused(request, error)
    context = {
        "notice": notice,
        "organization": notice.organization,
        "may_reply": may_reply,
        "form": form,
        "evidence_form": evidence_form,
        "evidence": notice.evidence.select_related("page", "record_type"),
    }
    return TemplateResponse(request, "accountability/notice_detail.html", context)


@login_required
@require_POST
def check_proposals(request, code: str):
    organization = _organization(request, code)
    year = _year(request)
    if not (
        request.user.has_perm("accountability.keep_lists", organization)
        or request.user.has_perm("accountability.supervise", organization)
    ):
        raise PermissionDenied
    added = proposals.propose(organization, year)
    messages.success(request, _("%(n)d new problems proposed from the platform's data.") % {"n": added})
    return redirect(reverse("accountability:organization", args=[code]) + f"?year={year}#proposals")


@login_required
def proposal_detail(request, pk: int):
    proposal = _visible(
        request,
        get_object_or_404(ProblemProposal.objects.select_related("organization"), pk=pk),
        "accountability.decide_proposal",
    )
    form = ConfirmProposalForm(request.POST or None)
    if request.method == "POST":
        try:
            if request.POST.get("action") == "dismiss":
                proposals.dismiss(request.user, proposal)
                messages.success(request, _("The proposal was dismissed."))
                return redirect(reverse("accountability:organization", args=[proposal.organization.code]))
            if form.is_valid():
                problem = proposals.confirm(request.user, proposal, **form.cleaned_data)
                messages.success(request, _("The problem was added to the list."))
                return redirect("accountability:problem", problem.pk)
        except ValidationError as error:
            _refused(request, error)
    return TemplateResponse(
        request,
        "accountability/proposal_detail.html",
        {
            "proposal": proposal,
            "organization": proposal.organization,
            "form": form,
            "can_dismiss": request.user.has_perm("accountability.dismiss_proposal", proposal),
        },
    )


# --- assessment ----------------------------------------------------------------------------


def _scheme(request, pk: int) -> IndicatorScheme:
    scheme = get_object_or_404(IndicatorScheme.objects.select_related("organization"), pk=pk)
    if not request.user.has_perm("accountability.run_scheme", scheme):
        raise Http404
    return scheme


def _within(request, scheme) -> Organization | None:
    code = request.GET.get("within")
    if not code:
        return None
    within = Organization.objects.filter(code=code).first()
    if within is None or not within.path.startswith(scheme.organization.path):
        raise Http404
    return within


@login_required
def scheme_dashboard(request, pk: int):
    scheme = _scheme(request, pk)
    if request.method == "POST" and request.POST.get("action") == "compute":
        if scheme.status == IndicatorScheme.Status.FINAL:
            messages.error(request, _("The grades are final: the figures are kept as they were."))
            return redirect("accountability:scheme", scheme.pk)
        # Every branch's figures from a year of activity: a job, with its progress page (accountability/jobs.py).
        title = _("Indicators computed: %(scheme)s") % {"scheme": scheme}
        return redirect(jobs.start(request.user, "accountability.compute_indicators", title, scheme_id=scheme.pk))
    within = _within(request, scheme)
    board = dashboard.build(scheme, within)
    communities = scheme.organization.get_children().exclude(kind=Organization.Kind.BRANCH).order_by("path")
    return TemplateResponse(
        request,
        "accountability/scheme_dashboard.html",
        {
            "scheme": scheme,
            "board": board,
            "charts": board.charts(),
            "within": within,
            "communities": communities,
            "organization": scheme.organization,
        },
    )


@login_required
def scheme_export(request, pk: int):
    """The dashboard as XLSX, written by a background job (accountability/jobs.py): the form posts here."""
    scheme = _scheme(request, pk)
    within = _within(request, scheme)
    title = _("Assessment (XLSX): %(scheme)s") % {"scheme": scheme.title}
    return start_or_offer(
        request, "accountability.dashboard_xlsx", title, scheme_id=scheme.pk, within=within.code if within else ""
    )


@login_required
def scheme_report(request, pk: int):
    """The assessment report as PDF, written by a background job (accountability/jobs.py)."""
    scheme = _scheme(request, pk)
    within = _within(request, scheme)
    title = _("Assessment report (PDF): %(scheme)s") % {"scheme": scheme.title}
    return start_or_offer(
        request, "accountability.report_pdf", title, scheme_id=scheme.pk, within=within.code if within else ""
    )


@login_required
def scheme_grades(request, pk: int):
    scheme = _scheme(request, pk)
    assessments = list(scheme.assessments.select_related("organization").order_by("organization__path"))
    suggestions = {a.pk: scoring.suggested_grade(a.total) for a in assessments}
    form = GradesForm(request.POST or None, assessments=assessments, suggestions=suggestions)
    errors: list[str] = []
    if request.method == "POST":
        if not request.user.has_perm("accountability.finalise_scheme", scheme):
            raise PermissionDenied
        if form.is_valid():
            try:
                scoring.finalise(request.user, scheme, form.grades(), form.reasons())
                messages.success(request, _("The grades are final."))
                return redirect("accountability:scheme", scheme.pk)
            except ValidationError as error:
                errors = error.messages
    return TemplateResponse(
        request,
        "accountability/scheme_grades.html",
        {
            "scheme": scheme,
            "form": form,
            "errors": errors,
            "max_good": scheme.max_good(len(assessments)),
            "suggestions": {pk: Grade(grade).label for pk, grade in suggestions.items() if grade},
            "organization": scheme.organization,
        },
    )


@login_required
def assessment_detail(request, pk: int):
    assessment = get_object_or_404(
        Assessment.objects.select_related("scheme", "scheme__organization", "organization"), pk=pk
    )
    if not request.user.has_perm("accountability.view_assessment", assessment):
        raise Http404
    user = request.user
    scheme = assessment.scheme
    report_form = ReportForm(instance=assessment)
    score_forms: dict[int, ScoreForm] = {}
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "report":
                if not user.has_perm("accountability.write_report", assessment):
                    raise PermissionDenied
                report_form = ReportForm(request.POST, request.FILES, instance=assessment)
                if report_form.is_valid():
                    with transaction.atomic():
                        saved = report_form.save()
                        log(saved, "accountability.report", user=user)
                    messages.success(request, _("The report was saved."))
                    return redirect("accountability:assessment", assessment.pk)
            elif action == "score":
                indicator = get_object_or_404(
                    Indicator, pk=params.whole_number(request.POST.get("indicator")) or 0, scheme=scheme
                )
                form = ScoreForm(request.POST)
                score_forms[indicator.pk] = form
                if form.is_valid():
                    scoring.record_score(
                        user, assessment, indicator, form.cleaned_data["value"], form.cleaned_data["comment"]
                    )
                    messages.success(request, _("The score was recorded."))
                    return redirect(
                        reverse("accountability:assessment", args=[assessment.pk]) + f"#indicator-{indicator.pk}"
                    )
            else:
                raise PermissionDenied
        except ValidationError as error:
            _refused(request, error)
    scores = {s.indicator_id: s for s in assessment.scores.select_related("scored_by")}
    rows = []
    for indicator in scheme.indicators.select_related("assessor"):
        score = scores.get(indicator.pk)
        may_score = user.has_perm("accountability.score_indicator", indicator)
        form = score_forms.get(indicator.pk) or (
            ScoreForm(initial={"value": score.value, "comment": score.comment} if score else None)
            if may_score
            else None
        )
        rows.append(
            {
                "indicator": indicator,
                "score": score,
                "light": indicator.light_for(score.value if score else None),
                "form": form,
            }
        )
    return TemplateResponse(
        request,
        "accountability/assessment_detail.html",
        {
            "assessment": assessment,
            "scheme": scheme,
            "organization": assessment.organization,
            "rows": rows,
            "report_form": report_form if user.has_perm("accountability.write_report", assessment) else None,
            "runs": user.has_perm("accountability.run_scheme", scheme),
            "suggested": scoring.suggested_grade(assessment.total),
        },
    )
