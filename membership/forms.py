"""Forms of the membership pages: opening a dossier, taking a step, adding a paper."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from membership import recruitment
from membership.models import (
    ContactLog,
    Decision,
    Dossier,
    DossierDocument,
    DuesCategory,
    DuesRelief,
    MobileRecord,
    Step,
    StepKind,
    Transfer,
)
from organizations.models import Organization, RosterEntry

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
DOCUMENT_EXTENSIONS = ("pdf", "jpg", "jpeg", "png", "docx", "odt")


class DossierForm(forms.ModelForm):
    applied_on = forms.DateField(label=_("Date of the application"), widget=DATE_WIDGET)

    class Meta:
        model = Dossier
        fields = ["branch", "name", "gender", "birth_date", "phone", "email"]
        widgets = {"birth_date": DATE_WIDGET}

    def __init__(self, *args, branches, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = branches
        self.fields["branch"].empty_label = None
        self.fields["applied_on"].initial = timezone.localdate()

    def save(self, commit=True):
        dossier = super().save(commit=False)
        # The person's account, when they have verified this email: they can then read their dossier.
        # An unverified address proves nothing (anyone can register it), so it links no account.
        if dossier.email:
            dossier.user = recruitment.verified_account(dossier.email)
        return dossier


class MembersField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, entry: RosterEntry) -> str:
        return f"{entry.name}（{entry.member_no}）"


class StepForm(forms.ModelForm):
    """The fields a step of this kind records; the rest stay empty."""

    FIELDS = {
        StepKind.TRAINING: ["training_days", "training_hours"],
        StepKind.ADMISSION_MEETING: ["excused", "excused_reason", "present", "written", "agree", "against", "abstain"],
        StepKind.CONVERSION_MEETING: [
            "excused",
            "excused_reason",
            "present",
            "written",
            "agree",
            "against",
            "abstain",
            "decision",
            "extension_months",
        ],
    }

    class Meta:
        model = Step
        fields = [
            "taken_on",
            "training_days",
            "training_hours",
            "present",
            "written",
            "agree",
            "against",
            "abstain",
            "excused",
            "excused_reason",
            "decision",
            "extension_months",
            "note",
        ]
        widgets = {"taken_on": DATE_WIDGET, "note": forms.Textarea(attrs={"rows": 2})}

    def clean_excused(self):
        return self.cleaned_data.get("excused") or 0

    def __init__(self, *args, kind: str, dossier: Dossier, **kwargs):
        super().__init__(*args, prefix=kind, **kwargs)
        self.kind = kind
        keep = {"taken_on", "note", *self.FIELDS.get(kind, [])}
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        self.fields["taken_on"].initial = timezone.localdate()
        members = (
            RosterEntry.objects.active()
            .filter(branch=dossier.branch, member_type=RosterEntry.MemberType.FULL)
            .order_by("member_no")
        )
        if kind == StepKind.ACTIVIST:
            self.fields["contacts"] = MembersField(
                members, label=_("Contacts"), help_text=_("One or two full members who guide the activist.")
            )
        if kind == StepKind.CANDIDATE:
            self.fields["introducers"] = MembersField(
                members,
                label=_("Introducers"),
                help_text=_("Two full members; usually the contacts."),
                initial=[entry.pk for entry in dossier.contacts.all()],
            )
        if "present" in self.fields:
            # Those due to attend with a vote are computed from the roster on the meeting's date, never typed.
            self.roster_count = recruitment.voting_base(dossier.branch, timezone.localdate())
            self.fields["present"].help_text = _(
                "Those due to attend with a vote are counted from the roster on the meeting's date "
                "(today: %(count)d full members), less those left out (below)."
            ) % {"count": self.roster_count}
            for name in ("present", "written", "agree", "against", "abstain"):
                self.fields[name].required = True
            self.fields["excused"].required = False
            self.fields["written"].initial = 0
            self.fields["abstain"].initial = 0
        if "decision" in self.fields:
            self.fields["decision"].required = True
            self.fields["decision"].choices = Decision.choices
            self.fields["extension_months"].help_text = _("Only for an extension: 6 to 12 months.")


class DocumentForm(forms.ModelForm):
    class Meta:
        model = DossierDocument
        fields = ["title", "file"]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_DOCUMENT_BYTES:
            raise forms.ValidationError(_("The file is larger than 10 MB."))
        if upload.name.rsplit(".", 1)[-1].lower() not in DOCUMENT_EXTENSIONS:
            raise forms.ValidationError(
                _("Upload a PDF, image or document file (%(types)s).") % {"types": ", ".join(DOCUMENT_EXTENSIONS)}
            )
        return upload


class EntryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, entry: RosterEntry) -> str:
        return f"{entry.name}（{entry.branch.name} · {entry.member_no}）"


class TransferForm(forms.ModelForm):
    class Meta:
        model = Transfer
        fields = ["entry", "to_branch", "outside_organization", "reason"]
        field_classes = {"entry": EntryChoiceField}

    def __init__(self, *args, branches, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entry"].queryset = (
            RosterEntry.objects.active()
            .filter(branch__in=branches)
            .select_related("branch")
            .order_by("branch__path", "member_no")
        )
        self.fields["to_branch"].queryset = Organization.objects.filter(kind=Organization.Kind.BRANCH).order_by("path")
        self.fields["to_branch"].required = False


class MobileForm(forms.ModelForm):
    class Meta:
        model = MobileRecord
        fields = [
            "branch",
            "direction",
            "entry",
            "name",
            "home_organization",
            "place",
            "employer",
            "contact",
            "certificate_no",
            "registered_on",
            "expected_return",
        ]
        field_classes = {"entry": EntryChoiceField}
        widgets = {"registered_on": DATE_WIDGET, "expected_return": DATE_WIDGET}

    def __init__(self, *args, branches, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = branches
        self.fields["branch"].empty_label = None
        self.fields["entry"].queryset = (
            RosterEntry.objects.filter(branch__in=branches, status=RosterEntry.Status.NORMAL)
            .select_related("branch")
            .order_by("branch__path", "member_no")
        )
        self.fields["name"].required = False
        self.fields["name"].help_text = _("Only for an inflowing member (an outflowing one is named by the roster).")


class ContactForm(forms.ModelForm):
    class Meta:
        model = ContactLog
        fields = ["contacted_on", "method", "note"]
        widgets = {"contacted_on": DATE_WIDGET}


class AssessmentForm(forms.Form):
    entry = EntryChoiceField(RosterEntry.objects.none(), label=_("Member"))
    category = forms.ChoiceField(label=_("Category"), choices=DuesCategory.choices)
    declared_base = forms.DecimalField(
        label=_("Declared monthly base (yuan)"),
        min_value=0,
        max_digits=10,
        decimal_places=2,
        initial=0,
        help_text=_("Monthly income after tax as the member declares it; only for those in work or retired."),
    )

    def __init__(self, *args, branch, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entry"].queryset = RosterEntry.objects.active().filter(branch=branch).select_related("branch")


class PaymentForm(forms.Form):
    entry = EntryChoiceField(RosterEntry.objects.none(), label=_("Member"))
    month = forms.DateField(
        label=_("Month paid for"), widget=DATE_WIDGET, help_text=_("Any day of the month; it counts as that month.")
    )
    amount = forms.DecimalField(label=_("Amount (yuan)"), min_value=Decimal("0.01"), max_digits=8, decimal_places=2)
    paid_on = forms.DateField(label=_("Paid on"), widget=DATE_WIDGET, initial=timezone.localdate)

    def __init__(self, *args, branch, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entry"].queryset = RosterEntry.objects.active().filter(branch=branch).select_related("branch")


class ReliefForm(forms.ModelForm):
    class Meta:
        model = DuesRelief
        fields = ["entry", "from_month", "to_month", "reduced_amount", "reason", "branch_agreed_on"]
        field_classes = {"entry": EntryChoiceField}
        widgets = {"from_month": DATE_WIDGET, "to_month": DATE_WIDGET, "branch_agreed_on": DATE_WIDGET}

    def __init__(self, *args, branch, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entry"].queryset = RosterEntry.objects.active().filter(branch=branch).select_related("branch")

    def clean(self):
        data = super().clean()
        if data.get("from_month") and data.get("to_month"):
            data["from_month"] = data["from_month"].replace(day=1)
            data["to_month"] = data["to_month"].replace(day=1)
            if data["to_month"] < data["from_month"]:
                raise forms.ValidationError(_("The last month comes before the first."))
        return data
