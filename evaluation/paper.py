"""Paper ballots (纸质测评票) for members who cannot vote online, entered by two scrutineers (计票人).

应到 counts every member with a vote; those without an account (or without a phone) get a paper ballot at
the meeting. The secretary chooses two different scrutineers and records how many paper ballots were
issued. One scrutineer enters a paper ballot; the other enters the same sheet again without seeing the
first entry (double entry). Only when both entries are identical does the ballot go, sealed like an
online ballot, into the same box; it has no receipt and no voter.
"""

from __future__ import annotations

import hashlib
import hmac
import json

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from core import sealing
from evaluation import voting
from evaluation.forms import GRADE_CHOICES, parse_ballot
from evaluation.models import INCOMPETENT_GROUNDS, AppraisalCampaign, PaperBallot, VoterGroup


class PaperRefused(Exception):
    """The paper ballot cannot be entered or confirmed; the message is for the scrutineer."""


def ballot_digest(key: bytes, group: str, grades: dict, notes: dict) -> str:
    """A keyed digest of a ballot's content, to compare two scrutineers' entries of one paper ballot."""
    content = json.dumps(
        {
            "group": group,
            "grades": {str(k): v or "" for k, v in grades.items()},
            "notes": {str(k): v for k, v in notes.items()},
        },
        sort_keys=True,
        ensure_ascii=False,
        separators=(",", ":"),
    )
    return hmac.new(key, content.encode(), hashlib.sha256).hexdigest()


def _digest_key() -> bytes:
    return hashlib.blake2b(settings.SECRET_KEY.encode(), person=b"gongzhi-paper", digest_size=32).digest()


def _content_digest(rows, cleaned: dict[int, voting.Choice]) -> str:
    graded = [row for row in rows if row.is_graded]
    grades = {row.pk: cleaned[row.pk].grade for row in graded}
    notes = {row.pk: " ".join(cleaned[row.pk].note.split()) for row in graded}
    return ballot_digest(_digest_key(), VoterGroup.MEMBERS, grades, notes)


def is_scrutineer(campaign: AppraisalCampaign, user) -> bool:
    return user.is_authenticated and user.pk in {campaign.first_scrutineer_id, campaign.second_scrutineer_id}


def enter(campaign: AppraisalCampaign, user, choices: dict[int, voting.Choice]) -> PaperBallot:
    """The first entry of a paper ballot: kept sealed, with a keyed digest of its content."""
    if not campaign.ballot_open:
        raise PaperRefused(_("Balloting is not open."))
    if not is_scrutineer(campaign, user):
        raise PaperRefused(_("Only the two scrutineers enter paper ballots."))
    rows = voting.ballot_rows(campaign)
    cleaned = voting._validate(rows, choices)
    with transaction.atomic():
        campaign = AppraisalCampaign.objects.select_for_update().get(pk=campaign.pk)
        if campaign.paper_ballots.filter(ballot_round=campaign.ballot_round).count() >= campaign.paper_ballots_issued:
            raise PaperRefused(_("Every paper ballot issued has already been entered."))
        if not campaign.ballot_open or not campaign.seal_public_key:  # the row just read and locked
            raise PaperRefused(_("Balloting is not open."))
        public_key = bytes(campaign.seal_public_key)
        payload = voting.sealed_payload(VoterGroup.MEMBERS, rows, cleaned, None)
        return PaperBallot.objects.create(
            campaign=campaign,
            ballot_round=campaign.ballot_round,
            entered_by=user,
            digest=_content_digest(rows, cleaned),
            blob=sealing.seal(public_key, payload),
        )


def confirm(paper: PaperBallot, user, choices: dict[int, voting.Choice]) -> None:
    """The second entry: if it equals the first, the sealed ballot goes into the box."""
    campaign = AppraisalCampaign.objects.get(pk=paper.campaign_id)
    if not campaign.ballot_open or paper.ballot_round != campaign.ballot_round:
        raise PaperRefused(_("Balloting is not open."))
    if not is_scrutineer(campaign, user):
        raise PaperRefused(_("Only the two scrutineers enter paper ballots."))
    if paper.entered_by_id == user.pk:
        raise PaperRefused(_("The other scrutineer must enter this paper ballot the second time."))
    rows = voting.ballot_rows(campaign)
    cleaned = voting._validate(rows, choices)
    with transaction.atomic():
        locked = PaperBallot.objects.select_for_update().filter(pk=paper.pk, confirmed=False).first()
        if locked is None:
            raise PaperRefused(_("This paper ballot has already been confirmed or discarded."))
        if _content_digest(rows, cleaned) != locked.digest:
            raise PaperRefused(
                _("The two entries differ. Check the paper ballot again; if the first entry was wrong, discard it.")
            )
        try:
            voting.into_open_box(campaign, bytes(campaign.seal_public_key or b""), bytes(locked.blob))
        except voting.BallotRefused as error:
            raise PaperRefused(str(error)) from None
        locked.confirmed, locked.confirmed_by, locked.blob, locked.digest = True, user, None, ""
        locked.save(update_fields=["confirmed", "confirmed_by", "blob", "digest"])


def discard(paper: PaperBallot) -> None:
    PaperBallot.objects.filter(pk=paper.pk, confirmed=False).delete()


# Pages ---------------------------------------------------------------------------------------------------


class PaperSettingsForm(forms.ModelForm):
    """The secretary's part: who the two scrutineers are and how many paper ballots were issued."""

    class Meta:
        model = AppraisalCampaign
        fields = ["first_scrutineer", "second_scrutineer", "paper_ballots_issued"]
        help_texts = {
            "paper_ballots_issued": gettext_lazy(
                "Members without an account, or who cannot vote online, get a paper ballot at the meeting."
            )
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        campaign = self.instance
        members = get_user_model().objects.filter(pk__in=campaign.appraisees.filter(user__isnull=False).values("user"))
        for name in ("first_scrutineer", "second_scrutineer"):
            self.fields[name].queryset = members
            self.fields[name].label_from_instance = lambda user: user.display_name or user.get_username()

    def clean_paper_ballots_issued(self):
        issued = self.cleaned_data["paper_ballots_issued"]
        counts = self.instance.ballot_counts()
        entered = self.instance.paper_ballots.filter(ballot_round=self.instance.ballot_round).count()
        if issued < entered:
            raise ValidationError(
                _("%(entered)s paper ballots have already been entered: no fewer can have been issued.")
                % {"entered": entered}
            )
        room = counts.due - counts.online_returned
        if issued > room:
            raise ValidationError(
                _("Only %(room)s members have not voted online: no more paper ballots can be issued.") % {"room": room}
            )
        return issued


def _campaign(request, pk: int) -> AppraisalCampaign:
    campaign = get_object_or_404(AppraisalCampaign.objects.select_related("branch"), pk=pk)
    manager = request.user.has_perm("evaluation.manage_campaign", campaign)
    if not (manager or is_scrutineer(campaign, request.user)):
        raise PermissionDenied
    campaign.user_manages = manager
    return campaign


def _entry_context(campaign, rows, *, paper=None, errors=None, values=None):
    return {
        "campaign": campaign,
        "rows": rows,
        "grades": GRADE_CHOICES,
        "grounds": INCOMPETENT_GROUNDS,
        "paper": paper,
        "errors": errors or [],
        "values": values or {},
    }


@never_cache
@login_required
def paper_ballots(request, pk: int):
    campaign = _campaign(request, pk)
    form = PaperSettingsForm(request.POST or None, instance=campaign)
    if request.method == "POST":
        if not campaign.user_manages:
            raise PermissionDenied
        if campaign.ballot_closed:
            messages.error(request, _("Balloting has closed: paper ballots can no longer change."))
            return redirect("evaluation:paper_ballots", pk=campaign.pk)
        if form.is_valid():
            form.save()
            messages.success(request, _("Paper-ballot settings saved."))
            return redirect("evaluation:paper_ballots", pk=campaign.pk)
    pending = campaign.paper_ballots.filter(confirmed=False, ballot_round=campaign.ballot_round).select_related(
        "entered_by"
    )
    context = {
        "campaign": campaign,
        "form": form,
        "counts": campaign.ballot_counts(),
        "pending": pending,
        "is_scrutineer": is_scrutineer(campaign, request.user),
    }
    return render(request, "evaluation/paper_ballots.html", context, status=400 if form.errors else 200)


@sensitive_post_parameters()
@never_cache
@login_required
def paper_enter(request, pk: int):
    campaign = _campaign(request, pk)
    if not is_scrutineer(campaign, request.user):
        raise PermissionDenied
    rows = voting.ballot_rows(campaign)
    if request.method == "POST":
        choices = parse_ballot(request.POST, rows)
        try:
            paper = enter(campaign, request.user, choices)
        except (PaperRefused, ValidationError) as error:
            errors = error.messages if isinstance(error, ValidationError) else [str(error)]
            context = _entry_context(campaign, rows, errors=errors, values=choices)
            return render(request, "evaluation/paper_entry.html", context, status=400)
        messages.success(
            request,
            _("Paper ballot %(label)s entered. The other scrutineer must now enter the same sheet again.")
            % {"label": paper.label},
        )
        return redirect("evaluation:paper_ballots", pk=campaign.pk)
    return render(request, "evaluation/paper_entry.html", _entry_context(campaign, rows))


@sensitive_post_parameters()
@never_cache
@login_required
def paper_confirm(request, pk: int, paper_id):
    campaign = _campaign(request, pk)
    paper = get_object_or_404(
        PaperBallot, pk=paper_id, campaign=campaign, ballot_round=campaign.ballot_round, confirmed=False
    )
    if not is_scrutineer(campaign, request.user) or paper.entered_by_id == request.user.pk:
        raise PermissionDenied
    rows = voting.ballot_rows(campaign)
    if request.method == "POST":
        choices = parse_ballot(request.POST, rows)
        try:
            confirm(paper, request.user, choices)
        except (PaperRefused, ValidationError) as error:
            errors = error.messages if isinstance(error, ValidationError) else [str(error)]
            context = _entry_context(campaign, rows, paper=paper, errors=errors, values=choices)
            return render(request, "evaluation/paper_entry.html", context, status=400)
        messages.success(
            request, _("Both entries agree: paper ballot %(label)s is in the ballot box.") % {"label": paper.label}
        )
        return redirect("evaluation:paper_ballots", pk=campaign.pk)
    return render(request, "evaluation/paper_entry.html", _entry_context(campaign, rows, paper=paper))


@require_POST
@login_required
def paper_discard(request, pk: int, paper_id):
    campaign = _campaign(request, pk)
    paper = get_object_or_404(
        PaperBallot, pk=paper_id, campaign=campaign, ballot_round=campaign.ballot_round, confirmed=False
    )
    discard(paper)
    messages.success(request, _("Paper ballot %(label)s discarded: enter the sheet again.") % {"label": paper.label})
    return redirect("evaluation:paper_ballots", pk=campaign.pk)
