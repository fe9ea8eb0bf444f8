"""Forms of the lists, supervision and the assessment (site pages, phone first)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from wagtail.models import Page

from accountability.indicators.cadence import held_records
from accountability.models import (
    Assessment,
    Evidence,
    Grade,
    Problem,
    ResponsibilityItem,
    SupervisionNotice,
    Task,
)
from home.models import MeetingRecord

DATE_WIDGET_FORMAT = "%Y-%m-%d"  # the only value format <input type="date"> accepts


def date_widget() -> forms.DateInput:
    return forms.DateInput(format=DATE_WIDGET_FORMAT, attrs={"type": "date"})


MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024
ATTACHMENT_EXTENSIONS = ("pdf", "jpg", "jpeg", "png", "docx", "xlsx", "pptx", "odt", "ods", "txt", "zip")


def checked_attachment(upload):
    """An uploaded evidence file or 述职 report of an accepted kind and size, else a clear error."""
    if upload.size > MAX_ATTACHMENT_BYTES:
        raise ValidationError(_("The file is larger than 20 MB."))
    if upload.name.rsplit(".", 1)[-1].lower() not in ATTACHMENT_EXTENSIONS:
        raise ValidationError(
            _("Upload a PDF, image, office document or text file (%(types)s).")
            % {"types": ", ".join(ATTACHMENT_EXTENSIONS)}
        )
    return upload


class ResponsibilityItemForm(forms.ModelForm):
    class Meta:
        model = ResponsibilityItem
        fields = ["duty", "responsible", "standard", "evidence_expected", "frequency"]
        widgets = {"standard": forms.Textarea(attrs={"rows": 3})}


class TaskForm(forms.ModelForm):
    class Meta:
        model = Task
        fields = ["title", "description", "responsibility", "owner", "due_on", "priority"]
        widgets = {"due_on": date_widget(), "description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, organization=None, year=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["responsibility"].queryset = ResponsibilityItem.objects.filter(
            responsibility_list__organization=organization, responsibility_list__year=year
        )


class TaskStatusForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=Task.Status.choices)


class NoteForm(forms.Form):
    text = forms.CharField(label=_("Progress"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)


class EvidenceForm(forms.Form):
    """A record the platform already holds, or a file where nothing on the platform shows it."""

    meeting_record = forms.ModelChoiceField(
        label=_("Meeting record"), queryset=MeetingRecord.objects.none(), required=False
    )
    page = forms.ModelChoiceField(
        label=_("Consultation, survey or study page"), queryset=Page.objects.none(), required=False
    )
    attachment = forms.FileField(
        label=_("Attachment"),
        required=False,
        help_text=_("Only where nothing on the platform shows it. A photo is never required."),
    )
    note = forms.CharField(label=pgettext_lazy("evidence", "Note"), max_length=300, required=False)

    def __init__(self, *args, organization=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.organization = organization
        # The last two years' records (a queryset, not a slice: the field looks the choice up in it).
        since = timezone.localdate().replace(month=1, day=1) - dt.timedelta(days=366)
        # Meetings that were held: a cancelled or only scheduled meeting shows nothing done.
        self.fields["meeting_record"].queryset = (
            held_records().filter(branch=organization, date__gte=since).order_by("-date", "-pk")
        )
        # Consultations, surveys and study pages in the organisation's section, and those it runs elsewhere.
        kinds = Q(consultationpage__isnull=False) | Q(surveypage__isnull=False) | Q(studypage__isnull=False)
        section = Q(pk__in=[])
        if organization is not None and organization.page_id:
            section = Q(path__startswith=organization.page.path) & ~Q(pk=organization.page_id)
        own = Q(consultationpage__organization=organization) | Q(
            surveypage__satisfactionsurveypage__target_organization=organization
        )
        self.fields["page"].queryset = (
            Page.objects.live().filter(kinds & (section | own)).order_by("-first_published_at", "-pk")
        )

    def clean_attachment(self):
        upload = self.cleaned_data.get("attachment")
        return checked_attachment(upload) if upload else upload

    def clean(self):
        cleaned = super().clean()
        if not (cleaned.get("meeting_record") or cleaned.get("page") or cleaned.get("attachment")):
            raise ValidationError(_("Choose a meeting record or a page of the platform, or attach a file."))
        return cleaned

    def save(self, user, **subject) -> Evidence:
        evidence = Evidence(
            note=self.cleaned_data["note"], added_by=user, page=self.cleaned_data.get("page"), **subject
        )
        if self.cleaned_data.get("meeting_record"):
            evidence.record = self.cleaned_data["meeting_record"]
        if self.cleaned_data.get("attachment"):
            evidence.file = self.cleaned_data["attachment"]
        evidence.save()
        return evidence


class ProblemForm(forms.ModelForm):
    class Meta:
        model = Problem
        fields = ["title", "description", "source", "measures", "owner", "deadline"]
        widgets = {
            "deadline": date_widget(),
            "description": forms.Textarea(attrs={"rows": 3}),
            "measures": forms.Textarea(attrs={"rows": 3}),
        }


class NoticeForm(forms.ModelForm):
    class Meta:
        model = SupervisionNotice
        fields = ["text", "reply_due"]
        widgets = {"reply_due": date_widget(), "text": forms.Textarea(attrs={"rows": 3})}


class ReplyForm(forms.Form):
    reply_text = forms.CharField(label=_("Reply"), widget=forms.Textarea(attrs={"rows": 4}), max_length=4000)


class ConfirmProposalForm(forms.Form):
    measures = forms.CharField(label=_("Rectification measures"), widget=forms.Textarea(attrs={"rows": 3}))
    owner = forms.CharField(label=_("Person in charge"), max_length=64)
    deadline = forms.DateField(label=_("Deadline"), widget=date_widget())


class ReportForm(forms.ModelForm):
    class Meta:
        model = Assessment
        fields = ["report_text", "report_file"]
        widgets = {"report_text": forms.Textarea(attrs={"rows": 8}), "report_file": forms.FileInput}

    def clean_report_file(self):
        upload = self.cleaned_data.get("report_file")
        # A new upload is checked; the file already saved (or none) is kept as it is.
        return checked_attachment(upload) if isinstance(upload, UploadedFile) else upload


class ScoreForm(forms.Form):
    value = forms.FloatField(label=_("Value (0–100)"), min_value=0, max_value=100)
    comment = forms.CharField(label=_("Assessor's comment"), widget=forms.Textarea(attrs={"rows": 2}), max_length=2000)


class GradesForm(forms.Form):
    """One grade (and an optional reason) per organisation assessed, suggested from its score."""

    def __init__(self, *args, assessments=(), suggestions=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.assessments = list(assessments)
        suggestions = suggestions or {}
        for assessment in self.assessments:
            self.fields[f"grade_{assessment.pk}"] = forms.ChoiceField(
                label=assessment.organization.name,
                choices=[("", "—"), *Grade.choices],
                initial=assessment.grade or suggestions.get(assessment.pk, ""),
                required=True,
            )
            self.fields[f"reason_{assessment.pk}"] = forms.CharField(
                label=_("Reason (%(org)s)") % {"org": assessment.organization.name},
                max_length=300,
                required=False,
                initial=assessment.grade_reason,
            )

    def rows(self):
        for assessment in self.assessments:
            yield assessment, self[f"grade_{assessment.pk}"], self[f"reason_{assessment.pk}"]

    def grades(self) -> dict[int, str]:
        return {a.pk: self.cleaned_data[f"grade_{a.pk}"] for a in self.assessments}

    def reasons(self) -> dict[int, str]:
        return {a.pk: self.cleaned_data[f"reason_{a.pk}"] for a in self.assessments}
