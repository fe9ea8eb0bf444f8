"""Organisational life pages: my meetings, scheduling, the meeting, the sign-in screen and scan, minutes,
make-up, the record's PDF and the yearly ledger. Logic lives in attendance.py, minutes.py, cadence.py,
ledger.py and terms.py; who may do what in rules.py.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from core import params
from core.private_files import private_file_response
from jobs.views import start_or_offer
from organizations import roles
from organizations.models import Organization
from orglife import attendance, cadence, minutes, qr, terms
from orglife.attendance import Refused
from orglife.forms import MakeupForm, MeetingForm, MinutesForm, ReplyForm, TermAdjustmentForm
from orglife.models import CommitteeMember, Invitation, Meeting, MinutesAttachment, Term
from orglife.rules import holding_meetings, overseen_organizations


def _date(raw) -> dt.date | None:
    """A yyyy-mm-dd date from a form, or None (also for 2026-02-30: never a server error)."""
    try:
        return parse_date(raw.strip()) if isinstance(raw, str) else None
    except ValueError:
        return None


def _meeting(request, pk: int, perm: str) -> Meeting:
    meeting = get_object_or_404(Meeting.objects.select_related("branch", "study_page"), pk=pk)
    if not request.user.has_perm(perm, meeting):
        raise Http404  # someone else's branch: as if it did not exist
    return meeting


@login_required
def index(request):
    """My meetings (replies due, make-up study) and, for secretaries and the levels above, theirs to run."""
    entry = roles.roster_entry(request.user)
    now = timezone.now()
    mine = []
    if entry is not None:
        for invitation in attendance.my_invitations(request.user)[:30]:
            meeting = invitation.meeting
            mine.append(
                {
                    "invitation": invitation,
                    "meeting": meeting,
                    "upcoming": not meeting.has_ended(now) and not meeting.is_cancelled,
                    "makeup": not invitation.makeup_done_at
                    and attendance.makeup_due(meeting, invitation, invitation.signed),
                }
            )
    overseen = overseen_organizations(request.user)
    running = (
        Meeting.objects.filter(branch__in=overseen.values("pk"))
        .filter(Q(ends_at__gte=now - dt.timedelta(days=60)))
        .select_related("branch")
        .order_by("-starts_at")[:50]
    )
    context = {
        "mine": mine,
        "running": running,
        "can_schedule": holding_meetings(request.user).exists(),
        "warnings": cadence.warnings_for(request.user),
        "term_alerts": terms.alerts_for(request.user),
        "ledger_branches": holding_meetings(request.user).order_by("path")[:50],
        "year": timezone.localdate().year,
    }
    return render(request, "orglife/index.html", context)


@login_required
def schedule(request):
    if not holding_meetings(request.user).exists():
        raise PermissionDenied
    form = MeetingForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        if not request.user.has_perm("orglife.schedule_meeting", form.cleaned_data["branch"]):
            raise PermissionDenied
        try:
            meeting = attendance.schedule(form.save(commit=False), request.user)
        except Refused as refusal:  # the time passed between the form's check and now
            form.add_error(None, str(refusal))
        else:
            messages.success(
                request,
                _("The meeting is scheduled and %(count)d members were notified.") % {"count": meeting.due},
            )
            return redirect("orglife:meeting", meeting.pk)
    return render(request, "orglife/meeting_form.html", {"form": form})


@never_cache
@login_required
def meeting_detail(request, pk: int):
    meeting = _meeting(request, pk, "orglife.see_meeting")
    runs = request.user.has_perm("orglife.run_meeting", meeting)
    invitation = attendance.invitation_of(meeting, request.user)
    signed_in = invitation is not None and meeting.sign_ins.filter(member_id=invitation.member_id).exists()
    context = {
        "meeting": meeting,
        "runs": runs,
        "invitation": invitation,
        "signed_in": signed_in,
        "counts": attendance.counts(meeting),
        "ended": meeting.has_ended(),
        "signin_open": meeting.signin_open(),
        "ticks_open": meeting.ticks_open(),
        "ticks_closed_at": meeting.ticks_close_at if meeting.ticks_close_at < timezone.now() else None,
        "reply_form": ReplyForm(initial={"answer": invitation.reply or None, "reason": invitation.reason})
        if invitation
        else None,
        "makeup_due": invitation is not None and attendance.makeup_due(meeting, invitation),
        "makeup_form": MakeupForm(),
        "rows": attendance.attendance_rows(meeting) if runs else None,
        "attachments": meeting.attachments.all(),
        "when": attendance.when_text(meeting),
        "where": attendance.where_text(meeting),
    }
    if runs:
        context["minutes_form"] = MinutesForm(
            initial={
                "recorder": meeting.recorder or request.user.get_full_name(),
                "content": meeting.content,
                "decisions": meeting.decisions,
            }
        )
    return render(request, "orglife/meeting.html", context)


@require_POST
@login_required
def reply(request, pk: int):
    meeting = _meeting(request, pk, "orglife.reply_meeting")
    form = ReplyForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please choose whether you attend or ask for leave."))
        return redirect("orglife:meeting", pk)
    try:
        attendance.reply(meeting, request.user, form.cleaned_data["answer"], form.cleaned_data["reason"])
    except Refused as refusal:
        messages.error(request, str(refusal))
    else:
        if form.cleaned_data["answer"] == Invitation.Reply.LEAVE:
            messages.success(request, _("Your leave request is recorded. You will study the material afterwards."))
        else:
            messages.success(request, _("Thank you: your reply is recorded."))
    return redirect("orglife:meeting", pk)


@never_cache
@login_required
def signin_screen(request, pk: int):
    """The secretary's screen: a QR code holding a short-lived signed link, renewed while it is shown."""
    meeting = _meeting(request, pk, "orglife.run_meeting")
    url = request.build_absolute_uri(attendance.signin_url(meeting))
    context = {
        "meeting": meeting,
        "signin_open": meeting.signin_open(),
        "qr_svg": qr.svg(url, _("Sign-in code for this meeting")) if meeting.signin_open() else "",
        "signin_url": url,
        "counts": attendance.counts(meeting),
        "max_age": 60,  # the page renews itself well before the code expires
        "when": attendance.when_text(meeting),
    }
    return render(request, "orglife/signin_screen.html", context)


@never_cache
def sign_in(request, token: str):
    """What a member's phone opens after scanning: sign in first, then confirm with one tap."""
    if not request.user.is_authenticated:
        from django.contrib.auth.views import redirect_to_login

        return redirect_to_login(request.get_full_path())
    context = {"token": token, "error": "", "meeting": None, "done": False}
    try:
        meeting_id = attendance.meeting_of_token(token)
        meeting = Meeting.objects.select_related("branch").filter(pk=meeting_id).first()
        if meeting is None:
            raise Refused(_("This is not a valid sign-in code. Please scan the code on the secretary's screen."))
        context["meeting"] = meeting
        if request.method == "POST":
            attendance.sign_in(meeting, request.user)
            messages.success(request, _("You are signed in. Welcome!"))
            return redirect("orglife:meeting", meeting.pk)
        if attendance.invitation_of(meeting, request.user) is None:
            raise Refused(_("You are not on the list of members due at this meeting."))
    except Refused as refusal:
        context["error"] = str(refusal)
    # A refusal is a page with a clear message (role=alert), like a form with errors: status 200.
    return render(request, "orglife/sign_in.html", context)


@require_POST
@login_required
def tick(request, pk: int):
    meeting = _meeting(request, pk, "orglife.run_meeting")
    try:
        if request.POST.get("untick"):
            attendance.untick(meeting, params.object_id(request.POST.get("untick")) or 0, request.user)
            messages.success(request, _("The tick was removed."))
        else:
            ids = [i for i in (params.object_id(v) for v in request.POST.getlist("member")) if i]
            count = attendance.tick(meeting, ids, request.user)
            messages.success(request, _("%(count)d members marked present.") % {"count": count})
    except Refused as refusal:
        messages.error(request, str(refusal))
    return redirect(f"{meeting_url(meeting)}#attendance")


def meeting_url(meeting: Meeting) -> str:
    return attendance.meeting_url(meeting)


@require_POST
@login_required
def save_minutes(request, pk: int):
    meeting = _meeting(request, pk, "orglife.run_meeting")
    form = MinutesForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Please write the recorder and the content of the minutes."))
        return redirect(f"{meeting_url(meeting)}#minutes")
    try:
        minutes.save_minutes(
            meeting,
            request.user,
            recorder=form.cleaned_data["recorder"],
            content=form.cleaned_data["content"],
            decisions=form.cleaned_data["decisions"],
            uploads=form.cleaned_data["attachments"],
        )
    except Refused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("The minutes are saved."))
    return redirect(f"{meeting_url(meeting)}#minutes")


@require_POST
@login_required
def cancel(request, pk: int):
    meeting = _meeting(request, pk, "orglife.run_meeting")
    try:
        attendance.cancel(meeting, request.user)
    except Refused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("The meeting is cancelled and the members were told."))
    return redirect("orglife:meeting", pk)


@require_POST
@login_required
def makeup(request, pk: int):
    meeting = _meeting(request, pk, "orglife.reply_meeting")
    form = MakeupForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        attendance.complete_makeup(meeting, request.user, note)
    except Refused as refusal:
        messages.error(request, str(refusal))
    else:
        messages.success(request, _("Your make-up study is recorded."))
    return redirect("orglife:meeting", pk)


@login_required
def attachment(request, pk: int):
    item = get_object_or_404(MinutesAttachment.objects.select_related("meeting__branch"), pk=pk)
    if not request.user.has_perm("orglife.see_meeting", item.meeting):
        raise Http404
    return private_file_response(item.file, filename=item.name)


@login_required
def record_pdf(request, pk: int):
    """The record PDF is written by a background job (orglife/jobs.py): the form posts here."""
    meeting = _meeting(request, pk, "orglife.run_meeting")
    title = _("Meeting record (PDF): %(topic)s") % {"topic": meeting.topic}
    return start_or_offer(request, "orglife.record_pdf", title, meeting_id=meeting.pk)


def _ledger_branch(request, pk: int, year: int) -> Organization:
    if not dt.MINYEAR <= year <= dt.MAXYEAR:
        raise Http404  # no such year (0 would make the date lookup raise ValueError)
    branch = get_object_or_404(Organization, pk=pk)
    if not request.user.has_perm("orglife.view_ledger", branch):
        raise Http404
    return branch


@login_required
def ledger_xlsx(request, pk: int, year: int):
    branch = _ledger_branch(request, pk, year)
    title = _("Ledger %(year)d (XLSX): %(branch)s") % {"year": year, "branch": branch.name}
    return start_or_offer(request, "orglife.ledger_xlsx", title, branch_id=branch.pk, year=year)


@login_required
def ledger_pdf(request, pk: int, year: int):
    branch = _ledger_branch(request, pk, year)
    title = _("Ledger %(year)d (PDF): %(branch)s") % {"year": year, "branch": branch.name}
    return start_or_offer(request, "orglife.ledger_pdf", title, branch_id=branch.pk, year=year)


@login_required
def term_detail(request, pk: int):
    """An organisation's committee, its term's end and reminders; the level above records changes."""
    organization = get_object_or_404(Organization, pk=pk)
    if not request.user.has_perm("orglife.manage_term", organization):
        raise Http404
    may_record = request.user.has_perm("orglife.record_term", organization)
    if request.method == "POST" and not may_record:
        raise PermissionDenied  # the level above approves a postponement, not the committee itself
    term = terms.current_term(organization)
    form = TermAdjustmentForm(request.POST or None)
    if request.method == "POST" and term is not None and form.is_valid():
        try:
            with transaction.atomic():
                terms.adjust(term, form.save(commit=False), request.user)
        except Refused as refusal:
            messages.error(request, str(refusal))
        else:
            messages.success(request, _("The change of the term is recorded."))
            return redirect("orglife:term", pk)
    context = {
        "organization": organization,
        "term": term,
        "ends_on": terms.ends_on(term) if term else None,
        "members": term.members.select_related("member") if term else [],
        "adjustments": term.adjustments.all() if term else [],
        "history": Term.objects.filter(organization=organization).order_by("-effective_on")[:10],
        "form": form,
        "may_record": may_record,
    }
    return render(request, "orglife/term.html", context)


@login_required
def election(request, pk: int):
    """Record an election's result: date, effective date and each member's office (blank: not elected)."""
    organization = get_object_or_404(Organization, pk=pk)
    if not request.user.has_perm("orglife.manage_term", organization):
        raise Http404
    may_record = request.user.has_perm("orglife.record_term", organization)
    if request.method == "POST" and not may_record:
        raise PermissionDenied  # the result grants platform roles: only the level above records it
    candidates = list(terms.candidates(organization))
    offices = CommitteeMember.Office.choices
    error = ""
    if request.method == "POST":
        elected_on = _date(request.POST.get("elected_on"))
        effective_on = _date(request.POST.get("effective_on")) or elected_on
        valid_offices = {value for value, _label in offices}
        chosen = []
        for entry in candidates:
            office = request.POST.get(f"office-{entry.pk}", "")
            if office in valid_offices:
                chosen.append((entry.pk, office))
        try:
            if elected_on is None:
                raise Refused(_("Please give the date of the election."))
            terms.record_election(
                organization,
                elected_on=elected_on,
                effective_on=effective_on,
                members=chosen,
                user=request.user,
                note=request.POST.get("note", ""),
            )
        except Refused as refusal:
            error = str(refusal)
        else:
            messages.success(request, _("The election's result is recorded."))
            return redirect("orglife:term", pk)
    context = {
        "organization": organization,
        "candidates": candidates,
        "offices": offices,
        "error": error,
        "post": request.POST,
        "may_record": may_record,
    }
    return render(request, "orglife/election.html", context)
