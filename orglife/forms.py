"""The secretary's and the members' forms: dates as yyyy-mm-dd, times as HH:MM (phone pickers)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from home.models import MeetingRecord, StudyPage
from orglife.attendance import Refused, check_ahead
from orglife.models import Invitation, Meeting, TermAdjustment
from orglife.rules import holding_meetings


class MeetingForm(forms.ModelForm):
    """Schedule a meeting: who is due comes from the roster, never from this form."""

    day = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    start = forms.TimeField(label=_("Start time"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    end = forms.TimeField(label=_("End time"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"))
    online_url = forms.URLField(required=False, assume_scheme="https", max_length=200)

    class Meta:
        model = Meeting
        fields = ["branch", "kind", "topic", "presenter", "place", "online_url", "material", "study_page"]
        widgets = {"material": forms.Textarea(attrs={"rows": 4})}

    field_order = [
        "branch",
        "kind",
        "topic",
        "day",
        "start",
        "end",
        "place",
        "online_url",
        "presenter",
        "material",
        "study_page",
    ]

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        branches = holding_meetings(user).order_by("path")
        self.fields["branch"].queryset = branches
        labels = {
            "branch": _("Party organisation"),
            "kind": _("Meeting type"),
            "topic": _("Meeting topic"),
            "presenter": _("Presenter"),
            "place": _("Place"),
            "online_url": _("Online meeting link"),
            "material": _("Meeting material"),
            "study_page": _("Study item"),
        }
        for name, label in labels.items():
            self.fields[name].label = label
        self.fields["presenter"].required = False
        self.fields["place"].required = False
        if not self.is_bound:
            only = list(branches.values_list("pk", flat=True)[:2])
            if len(only) == 1:
                self.initial["branch"] = only[0]
        self.fields["kind"].choices = MeetingRecord.Kind.choices
        self.fields["study_page"].queryset = StudyPage.objects.live().order_by("-first_published_at")
        self.fields["study_page"].required = False
        self.fields["topic"].widget.attrs["autocomplete"] = "off"

    def clean(self):
        data = super().clean()
        day, start, end = data.get("day"), data.get("start"), data.get("end")
        if day and start and end:
            if end <= start:
                self.add_error("end", _("The meeting must end after it starts."))
            else:
                zone = timezone.get_current_timezone()
                self.instance.starts_at = dt.datetime.combine(day, start, tzinfo=zone)
                self.instance.ends_at = dt.datetime.combine(day, end, tzinfo=zone)
                try:
                    check_ahead(self.instance.starts_at, self.instance.ends_at)
                except Refused as refusal:
                    self.add_error("day", str(refusal))
        if not data.get("place") and not data.get("online_url"):
            self.add_error("place", _("Give a place, an online meeting link, or both."))
        if data.get("study_page") and data.get("kind") != MeetingRecord.Kind.LECTURE:
            self.add_error("study_page", _("Only a Party lecture is linked to a study item."))
        return data


class ReplyForm(forms.Form):
    answer = forms.ChoiceField(
        label=_("Your reply"),
        choices=[(Invitation.Reply.ATTENDING, _("I will attend")), (Invitation.Reply.LEAVE, _("I ask for leave"))],
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label=_("Reason for leave"), max_length=500, required=False)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class MinutesForm(forms.Form):
    recorder = forms.CharField(label=_("Recorder"), max_length=64)
    content = forms.CharField(label=_("Meeting content"), widget=forms.Textarea(attrs={"rows": 8}))
    decisions = forms.CharField(label=_("Decisions"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    attachments = MultipleFileField(label=_("Attachments"), required=False)


class MakeupForm(forms.Form):
    note = forms.CharField(label=_("What I studied (optional)"), max_length=500, required=False)


class TermAdjustmentForm(forms.ModelForm):
    class Meta:
        model = TermAdjustment
        fields = ["direction", "months", "reason", "approved_by", "approved_on"]
        widgets = {"approved_on": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")}

    def clean_months(self):
        months = self.cleaned_data["months"]
        if not 1 <= months <= 12:
            raise forms.ValidationError(_("A term is postponed or brought forward by one to twelve months."))
        return months
