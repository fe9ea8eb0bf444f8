"""Site pages of the membership records: the secretary's list, a dossier, its steps and papers."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from wagtail.log_actions import log
from wagtail.models import ModelLogEntry

from core.private_files import private_file_response
from membership import recruitment
from membership.forms import DocumentForm, DossierForm, StepForm
from membership.models import Dossier, DossierDocument, StepKind
from membership.rules import above_branch, above_branches, kept_branches
from membership.timerules import fallback_years


def _dossier(request, pk: int, perm: str = "membership.view_dossier") -> Dossier:
    dossier = get_object_or_404(Dossier.objects.with_steps(), pk=pk)
    if not request.user.has_perm(perm, dossier):
        raise PermissionDenied
    return dossier


@login_required
def index(request):
    """The secretary's dossiers with their next steps, the approvals waiting above, the person's own."""
    today = timezone.localdate()
    kept = kept_branches(request.user)
    above = above_branches(request.user)
    dossiers = list(
        Dossier.objects.with_steps()
        .filter(Q(branch__in=kept) | Q(branch__in=above))
        .open()
        .order_by("branch__path", "name")
    )
    rows = []
    for dossier in dossiers:
        steps = recruitment.next_steps(dossier, today)
        rows.append({"dossier": dossier, "next": steps, "overdue": any(step.overdue for step in steps)})
    show_stage = request.GET.get("stage", "")
    if show_stage:
        rows = [row for row in rows if row["dossier"].stage == show_stage]
    context = {
        "rows": rows,
        "waiting_above": [row for row in rows if any(step.rule.by_above for step in row["next"])]
        if above.exists()
        else [],
        "own": Dossier.objects.filter(user=request.user).select_related("branch"),
        "can_open": kept.exists(),
        "kept": kept.order_by("path")[:20],
        "overdue_count": sum(row["overdue"] for row in rows),
    }
    return render(request, "membership/index.html", context)


@login_required
def dossier_create(request):
    branches = kept_branches(request.user).order_by("path")
    if not branches.exists():
        raise PermissionDenied
    form = DossierForm(request.POST or None, branches=branches)
    if request.method == "POST" and form.is_valid():
        dossier = form.save(commit=False)
        try:
            recruitment.open_dossier(dossier, form.cleaned_data["applied_on"], request.user)
        except ValidationError as error:
            form.add_error("applied_on", error)
        else:
            messages.success(request, _("The dossier is opened with the application."))
            return redirect("membership:dossier", pk=dossier.pk)
    return render(request, "membership/dossier_form.html", {"form": form}, status=400 if form.errors else 200)


def _history(dossier: Dossier) -> list[ModelLogEntry]:
    entries = list(
        ModelLogEntry.objects.filter(content_type__app_label="membership", object_id=str(dossier.pk))
        .filter(content_type__model="dossier")
        .select_related("user")
        .order_by("-timestamp", "-pk")[:50]
    )
    labels = dict(StepKind.choices)
    for entry in entries:
        entry.step_label = labels.get((entry.data or {}).get("step"), "")
    return entries


def _step_forms(request, dossier: Dossier, planned, bound=None):
    """A form for each open step the user may take, the one just posted bound to its data."""
    may_keep = request.user.has_perm("membership.manage_dossier", dossier)
    may_approve = request.user.has_perm("membership.approve_dossier", dossier)
    forms = []
    for step in planned:
        if not step.available or not (may_approve if step.rule.by_above else may_keep):
            continue
        form = bound if bound is not None and bound.kind == step.kind else StepForm(kind=step.kind, dossier=dossier)
        forms.append({"planned": step, "form": form})
    return forms


@login_required
def dossier_detail(request, pk: int):
    dossier = _dossier(request, pk)
    today = timezone.localdate()
    bound, status = None, 200
    if request.method == "POST":
        kind = request.POST.get("kind", "")
        rule = recruitment.RULES.get(kind)
        if rule is None:
            raise Http404
        perm = "membership.approve_dossier" if rule.by_above else "membership.manage_dossier"
        if not request.user.has_perm(perm, dossier):
            raise PermissionDenied
        bound = StepForm(request.POST, kind=kind, dossier=dossier)
        if bound.is_valid():
            step = bound.save(commit=False)
            step.kind = kind
            try:
                recruitment.take_step(
                    dossier,
                    step,
                    request.user,
                    contacts=bound.cleaned_data.get("contacts"),
                    introducers=bound.cleaned_data.get("introducers"),
                )
            except ValidationError as error:
                for message in error.messages:
                    bound.add_error(None, message)
            else:
                messages.success(request, _("Recorded: %(step)s.") % {"step": step.get_kind_display()})
                return redirect("membership:dossier", pk=dossier.pk)
        status = 400
        dossier = _dossier(request, pk)
    planned = recruitment.schedule(dossier, today)
    keeps = request.user.has_perm("membership.manage_dossier", dossier)
    papers = request.user.has_perm("membership.view_dossier_papers", dossier)
    context = {
        "dossier": dossier,
        "planned": planned,
        "step_forms": _step_forms(request, dossier, planned, bound),
        "keeps": keeps,
        # Papers and step notes: keepers and approvers only (membership/rules.py says why).
        "papers": papers,
        "documents": dossier.documents.all() if papers else [],
        "document_form": DocumentForm() if keeps else None,
        "history": _history(dossier) if keeps or above_branch(request.user, dossier.branch) else [],
        "fallback_years": fallback_years(
            *[p.earliest.day for p in planned if p.earliest], *[p.latest.day for p in planned if p.latest]
        ),
        "today": today,
    }
    return render(request, "membership/dossier.html", context, status=status)


@login_required
@require_POST
def document_upload(request, pk: int):
    dossier = _dossier(request, pk, "membership.manage_dossier")
    form = DocumentForm(request.POST, request.FILES)
    if form.is_valid():
        document = form.save(commit=False)
        document.dossier = dossier
        document.uploaded_by = request.user
        document.save()
        log(dossier, "membership.document", user=request.user, data={"title": document.title})
        messages.success(request, _("The paper is added to the dossier."))
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect("membership:dossier", pk=dossier.pk)


@login_required
def document(request, pk: int, document_id: int):
    """A paper of the dossier, for its keepers and approvers; a 404 for everyone else (the applicant
    and the contacts included), as for a paper that does not exist."""
    dossier = get_object_or_404(Dossier.objects.select_related("branch"), pk=pk)
    if not request.user.has_perm("membership.view_dossier_papers", dossier):
        raise Http404
    paper = get_object_or_404(DossierDocument, pk=document_id, dossier=dossier)
    return private_file_response(paper.file)
