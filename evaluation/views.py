"""Member, voter and secretary pages of the democratic appraisal."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters

import jobs
from evaluation import grading, receipts, tally, voting
from evaluation.forms import (
    GRADE_CHOICES,
    CampaignForm,
    InvitationCodeForm,
    IssueInvitationsForm,
    SelfAssessmentForm,
    StageForm,
    parse_ballot,
    parse_decisions,
)
from evaluation.models import (
    INCOMPETENT_GROUNDS,
    STAGE_ORDER,
    AppraisalCampaign,
    SelfAssessment,
    Stage,
    VoterGroup,
)
from evaluation.rules import overseen_branches
from jobs.views import start_or_offer
from organizations import roles
from surveys.models import SurveyPage

User = get_user_model()


def _campaign(request, pk: int, perm: str) -> AppraisalCampaign:
    campaign = get_object_or_404(AppraisalCampaign.objects.select_related("branch"), pk=pk)
    if not request.user.has_perm(perm, campaign):
        raise PermissionDenied
    return campaign


@login_required
def campaign_list(request):
    managed = roles.managed_organizations(request.user)
    campaigns = AppraisalCampaign.objects.filter(
        Q(appraisees__roster_entry__user=request.user) | Q(branch__in=managed)
    ).select_related("branch")
    visible = [c for c in campaigns.distinct() if request.user.has_perm("evaluation.view_campaign", c)]
    context = {"campaigns": visible, "can_create": overseen_branches(request.user).exists()}
    return render(request, "evaluation/campaign_list.html", context)


@login_required
def campaign_detail(request, pk: int):
    campaign = _campaign(request, pk, "evaluation.view_campaign")
    appraisee = voting.voter_appraisee(campaign, request.user)
    context = {
        "campaign": campaign,
        "stages": [(stage, Stage(stage).label, campaign.stage_reached(stage)) for stage in STAGE_ORDER],
        "changes": campaign.stage_changes.select_related("changed_by"),
        "appraisee": appraisee,
        "has_voted": voting.has_voted(campaign, request.user),
        "can_manage": request.user.has_perm("evaluation.manage_campaign", campaign),
    }
    return render(request, "evaluation/appraisal_campaign.html", context)


@login_required
def self_assessment(request, pk: int):
    campaign = _campaign(request, pk, "evaluation.view_campaign")
    appraisee = voting.voter_appraisee(campaign, request.user)
    if appraisee is None:
        raise PermissionDenied
    instance = SelfAssessment.objects.filter(appraisee=appraisee).first() or SelfAssessment(appraisee=appraisee)
    # Bound on every POST, even an empty one, so missing fields are reported rather than ignored.
    form = SelfAssessmentForm(request.POST if request.method == "POST" else None, instance=instance)
    if request.method == "POST":
        if not campaign.self_assessment_open:
            messages.error(request, _("Self-assessment is closed."))
        elif form.is_valid():
            form.save()
            messages.success(request, _("Your self-assessment is saved. You may change it until the stage closes."))
            return redirect("evaluation:detail", pk=campaign.pk)
    context = {"campaign": campaign, "form": form, "editable": campaign.self_assessment_open}
    return render(request, "evaluation/self_assessment.html", context)


def _ballot_context(campaign, rows, errors=None, values=None):
    return {
        "campaign": campaign,
        "rows": rows,
        "grades": GRADE_CHOICES,
        "grounds": INCOMPETENT_GROUNDS,
        "errors": errors or [],
        "values": values or {},
    }


def _closed(request, campaign):
    return render(
        request,
        "evaluation/ballot_closed.html",
        {"campaign": campaign},
        status=409 if request.method == "POST" else 200,
    )


def _cast(request, campaign, rows, cast):
    """Cast and answer with the receipt page itself: the receipt never travels in a URL or a message."""
    choices = parse_ballot(request.POST, rows)
    try:
        receipt = cast(choices)
    except voting.AlreadyVoted:
        return _closed(request, campaign)
    except (voting.BallotRefused, ValidationError) as error:
        errors = error.messages if isinstance(error, ValidationError) else [str(error)]
        return render(request, "evaluation/ballot.html", _ballot_context(campaign, rows, errors, choices), status=400)
    return render(request, "evaluation/ballot_receipt.html", {"campaign": campaign, "receipt": receipt})


# Error reports (emails, debug pages) must never show a ballot's content next to its voter.
@sensitive_post_parameters()
@never_cache
@login_required
def ballot(request, pk: int):
    # The form shows the branch's name; the receipt does not (a thousand members send it at once).
    campaigns = (
        AppraisalCampaign.objects.select_related("branch") if request.method == "GET" else AppraisalCampaign.objects
    )
    campaign = get_object_or_404(campaigns, pk=pk)
    # The rows first: they answer the permission too.
    appraisee, rows = voting.voter_and_rows(campaign, request.user)
    if not request.user.has_perm("evaluation.view_campaign", campaign) or appraisee is None:
        raise PermissionDenied
    if not campaign.ballot_open:
        return _closed(request, campaign)
    if request.method == "POST":
        # A second ballot is refused by the participation row's unique index inside the ballot's
        # transaction (voting.AlreadyVoted, answered like the check below): no query to ask first.
        return _cast(
            request, campaign, rows, lambda choices: voting.cast_member_ballot(campaign, request.user, choices, rows)
        )
    if voting.has_voted(campaign, request.user):
        return _closed(request, campaign)
    return render(request, "evaluation/ballot.html", _ballot_context(campaign, rows))


@sensitive_post_parameters()
@never_cache
def masses_ballot(request, pk: int):
    campaign = get_object_or_404(AppraisalCampaign, pk=pk, masses_enabled=True)
    if not campaign.ballot_open:
        return render(request, "evaluation/ballot_closed.html", {"campaign": campaign})
    rows = voting.ballot_rows(campaign)
    form = InvitationCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        return _cast(request, campaign, rows, lambda choices: voting.cast_masses_ballot(campaign, code, choices))
    context = {**_ballot_context(campaign, rows), "code_form": form}
    return render(request, "evaluation/ballot.html", context)


@login_required
def results(request, pk: int):
    campaign = _campaign(request, pk, "evaluation.view_tally")
    if campaign.box_opening:
        return _box_opening(request, campaign)
    computed = tally.compute(campaign)
    if request.method == "POST":
        if not request.user.has_perm("evaluation.manage_campaign", campaign):
            raise PermissionDenied
        decisions = parse_decisions(request.POST, computed.results)
        try:
            grading.record_final_grades(computed, decisions)
        except ValidationError as error:
            messages.error(request, _("The final grades were not saved."))
            # Shown again as entered (nothing is stored): every grade and reason, also a deliberate "—".
            for result in computed.results:
                result.appraisee.final_grade, result.appraisee.final_reason = decisions[result.appraisee.pk]
            context = {
                "campaign": campaign,
                "tally": computed,
                "errors": error.messages,
                "grades": GRADE_CHOICES,
                "as_entered": True,
                "can_manage": True,
            }
            return render(request, "evaluation/results.html", context, status=400)
        messages.success(request, _("Final grades saved."))
        return redirect("evaluation:results", pk=campaign.pk)
    can_manage = request.user.has_perm("evaluation.manage_campaign", campaign)
    context = {"campaign": campaign, "tally": computed, "grades": GRADE_CHOICES, "can_manage": can_manage}
    return render(request, "evaluation/results.html", context)


def _box_opening(request, campaign: AppraisalCampaign):
    """Balloting has closed and the ballots are being opened (a task): results come when it is done."""
    response = render(request, "evaluation/box_opening.html", {"campaign": campaign})
    add_never_cache_headers(response)  # it refreshes itself until the results are there
    return response


@login_required
def my_result(request, pk: int):
    campaign = _campaign(request, pk, "evaluation.view_own_result")
    appraisee = voting.voter_appraisee(campaign, request.user)
    if appraisee is None:  # superusers pass every rule, but only an appraisee has a result of their own
        raise PermissionDenied
    if campaign.box_opening:
        return _box_opening(request, campaign)
    computed = tally.compute(campaign)
    mine = next(r for r in computed.results if r.appraisee.pk == appraisee.pk)
    return render(request, "evaluation/my_result.html", {"campaign": campaign, "result": mine, "tally": computed})


@login_required
def notice(request, pk: int):
    campaign = _campaign(request, pk, "evaluation.view_notice")
    graded = campaign.appraisees.exclude(final_grade="").order_by("roster_entry__member_no")
    return render(request, "evaluation/notice.html", {"campaign": campaign, "appraisees": graded, **_notice(campaign)})


def _notice(campaign: AppraisalCampaign) -> dict:
    """The 公示's period, whom to contact and where an objection goes (the secretary, the level above)."""
    starts = campaign.notice_starts or next(
        (c.changed_at.date() for c in reversed(campaign.stage_changes.all()) if c.stage == Stage.NOTICE), None
    )
    ends = starts + dt.timedelta(days=campaign.notice_days - 1) if starts and campaign.notice_days else None
    branch = campaign.branch
    secretaries = (
        User.objects.filter(groups=branch.secretaries_group_id).select_related("roster_entry").order_by("pk")
        if branch.secretaries_group_id
        else []
    )
    contacts = [
        {"name": user.get_full_name(), "phone": getattr(getattr(user, "roster_entry", None), "phone", "")}
        for user in secretaries
    ]
    return {"notice_starts": starts, "notice_ends": ends, "contacts": contacts, "level_above": branch.get_parent()}


def _round_asked(request, campaign: AppraisalCampaign) -> int:
    """The round named by `?round=` (a closed one), by default the current round."""
    try:
        number = int(request.GET.get("round") or campaign.ballot_round)
    except ValueError:
        raise Http404 from None
    if not 1 <= number <= campaign.ballot_round or (number == campaign.ballot_round and not campaign.ballot_closed):
        raise Http404
    return number


@login_required
def published_ballots(request, pk: int):
    campaign = _campaign(request, pk, "evaluation.view_published_ballots")
    number = _round_asked(request, campaign)
    if number == campaign.ballot_round and campaign.box_opening:
        if request.GET.get("format") == "json":
            response = JsonResponse({"campaign": campaign.pk, "round": number, "opening": True}, status=503)
            response["Retry-After"] = "5"
            return response
        return _box_opening(request, campaign)
    ballots = tally.published_ballots(campaign, number)
    names = dict(campaign.appraisees.values_list("pk", "name"))
    published_receipts = receipts.published(campaign, number)
    withheld = tally.withheld_groups(campaign, number)
    # Pages and exports say as plainly whether the round is valid (below the minimum turnout it is not).
    valid = tally.round_valid(campaign, number)
    if request.GET.get("format") == "json":
        data = {"appraisees": names, "ballots": ballots, "receipts": published_receipts, "withheld": withheld}
        rounds = [{"round": n, "valid": tally.round_valid(campaign, n)} for n in _closed_rounds(campaign)]
        return JsonResponse({"campaign": campaign.pk, "round": number, "valid": valid, "rounds": rounds, **data})
    # Receipts and ballots are separate lists: a receipt shows that a ballot was counted, not which one.
    query = request.GET.get("receipt", "").strip()[:64]
    context = {
        "campaign": campaign,
        "ballot_round": number,
        "rounds": _closed_rounds(campaign),
        "valid": valid,
        "ballots": Paginator(ballots, 20).get_page(request.GET.get("page")),
        "names": names,
        "query": query,
        "well_formed": receipts.digest_of(query) is not None,
        "found": bool(query) and receipts.counted(campaign, query, number),
        "receipts": published_receipts,
        "withheld": [(VoterGroup(group).label, count) for group, count in withheld.items()],
        "ballot_count": tally.ballots_counted(campaign, number),
    }
    return render(request, "evaluation/published_ballots.html", context)


def _closed_rounds(campaign: AppraisalCampaign) -> list[int]:
    last = campaign.ballot_round if campaign.ballot_closed else campaign.ballot_round - 1
    return list(range(1, last + 1))


@login_required
def report(request, pk: int):
    """The summary PDF is written by a background job (evaluation/jobs.py): the button posts here and
    lands on the job's progress page, which ends in the download. A GET (an old link) goes to the results."""
    campaign = _campaign(request, pk, "evaluation.view_tally")
    if request.method != "POST":
        return redirect("evaluation:results", pk=campaign.pk)
    title = _("Appraisal summary (PDF): %(campaign)s") % {"campaign": campaign}
    return redirect(jobs.start(request.user, "evaluation.appraisal_report", title, campaign_id=campaign.pk))


@login_required
def campaign_create(request):
    branches = overseen_branches(request.user)
    if not branches.exists():
        raise PermissionDenied
    form = CampaignForm(request.POST or None, branches=branches)
    if request.method == "POST" and form.is_valid():
        campaign = form.save()
        campaign.enrol_members()
        campaign.move_to(Stage.PREPARING, request.user)
        messages.success(
            request, _("Appraisal created with %(count)s members.") % {"count": campaign.appraisees.count()}
        )
        return redirect("evaluation:manage", pk=campaign.pk)
    return render(request, "evaluation/campaign_form.html", {"form": form})


@never_cache
@login_required
def campaign_manage(request, pk: int):
    campaign = _campaign(request, pk, "evaluation.manage_campaign")
    action = request.POST.get("action")
    form = CampaignForm(
        request.POST if action == "settings" else None, instance=campaign, branches=overseen_branches(request.user)
    )
    codes = None
    if action == "settings" and form.is_valid():
        form.save()
        messages.success(request, _("Settings saved."))
        return redirect("evaluation:manage", pk=campaign.pk)
    if action == "stage":
        stage_form = StageForm(request.POST)
        if stage_form.is_valid():
            target = stage_form.cleaned_data["stage"]
            closing = campaign.stage == Stage.BALLOTING and target != Stage.BALLOTING
            if closing and request.POST.get("confirm") != "close":
                # Closing is final: first show the turnout against the minimum, then close on confirmation.
                return _manage(request, campaign, form, confirm_close=target)
            blocker = _invalid_ballot_blocks(campaign, target)
            if blocker:
                messages.error(request, blocker)
                return redirect("evaluation:manage", pk=campaign.pk)
            try:  # closing balloting is final, and it cannot go back before the ballot once opened
                campaign.move_to(stage_form.cleaned_data["stage"], request.user)
            except ValidationError as error:
                messages.error(request, " ".join(error.messages))
                return redirect("evaluation:manage", pk=campaign.pk)
            messages.success(request, _("Stage changed to %(stage)s.") % {"stage": campaign.get_stage_display()})
            return redirect("evaluation:manage", pk=campaign.pk)
    if action == "new_round":
        try:
            campaign.start_new_round(request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("evaluation:manage", pk=campaign.pk)
        messages.success(
            request,
            _("Round %(round)s of the democratic ballot is open: every member votes again.")
            % {"round": campaign.ballot_round},
        )
        return redirect("evaluation:manage", pk=campaign.pk)
    if action == "enrol":
        added = campaign.enrol_members()
        messages.success(request, _("%(count)s members added.") % {"count": added})
        return redirect("evaluation:manage", pk=campaign.pk)
    invitations_form = IssueInvitationsForm(request.POST if action == "invitations" else None)
    if action == "invitations" and invitations_form.is_valid() and campaign.masses_enabled:
        # Codes are shown once, in this response, and stored only as hashes; none once balloting opened.
        try:
            codes = voting.issue_invitations(campaign, invitations_form.cleaned_data["count"])
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    return _manage(request, campaign, form, invitations_form=invitations_form, codes=codes)


def _invalid_ballot_blocks(campaign: AppraisalCampaign, target: str) -> str | None:
    """Past the organisational assessment only with a valid ballot (shared/domain.md: turnout)."""
    if not campaign.ballot_closed or not campaign.stage_reached(Stage.ASSESSMENT):
        return None
    if STAGE_ORDER.index(target) <= STAGE_ORDER.index(Stage.ASSESSMENT):
        return None
    if tally.ballot_valid(campaign, tally.turnout_now(campaign)):
        return None
    return _(
        "The ballot is not valid (turnout below the minimum): no organisational assessment, notice or "
        "filing can rest on it. The branch must hold the ballot again: open the next round on this page."
    )


def _manage(request, campaign, form, *, invitations_form=None, codes=None, confirm_close=None):
    allowed = campaign.allowed_stages()
    stage_form = StageForm(initial={"stage": campaign.stage})
    stage_form.fields["stage"].choices = [(value, label) for value, label in Stage.choices if value in allowed]
    counts = tally.turnout_now(campaign) if campaign.stage_reached(Stage.BALLOTING) else None
    turnout_ok = counts is not None and tally.ballot_valid(campaign, counts)
    next_stage = next((s for s in STAGE_ORDER[STAGE_ORDER.index(campaign.stage) + 1 :] if s in allowed), None)
    context = {
        "campaign": campaign,
        "form": form,
        "stage_form": stage_form,
        "stages": [(stage, Stage(stage).label, campaign.stage_reached(stage)) for stage in STAGE_ORDER],
        "next_stage": (next_stage, Stage(next_stage).label) if next_stage else None,
        "invitations_form": invitations_form or IssueInvitationsForm(),
        "codes": codes,
        "appraisees": campaign.appraisees.select_related("self_assessment"),
        "counts": counts,
        "turnout_ok": turnout_ok,
        # After an invalid close the branch holds the ballot again: a new round, from this page.
        "may_hold_again": campaign.stage == Stage.ASSESSMENT and not turnout_ok,
        "earlier_rounds": tally.earlier_rounds(campaign),
        "confirm_close": (confirm_close, Stage(confirm_close).label) if confirm_close else None,
        "box_opening": campaign.ballot_closed and campaign.box_opening,
    }
    return render(request, "evaluation/campaign_manage.html", context, status=200)


@login_required
def satisfaction_report(request, survey_id: int):
    """The satisfaction summary PDF is written by a background job (evaluation/jobs.py): the link's form posts
    here and lands on the job's progress page; a GET (an old link) shows the button that starts it."""
    survey = get_object_or_404(SurveyPage.objects.specific(), pk=survey_id)
    if not request.user.has_perm("surveys.view_results", survey):
        raise PermissionDenied
    title = _("Satisfaction report (PDF): %(survey)s") % {"survey": survey.title}
    return start_or_offer(request, "evaluation.satisfaction_report", title, survey_id=survey.pk)
