from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext_lazy as _

from evaluation.models import AppraisalCampaign, Grade, SelfAssessment, Stage
from evaluation.voting import Choice


class SelfAssessmentForm(forms.ModelForm):
    class Meta:
        model = SelfAssessment
        fields = ["study", "duties", "shortcomings", "plan", "self_grade"]
        widgets = {name: forms.Textarea(attrs={"rows": 4}) for name in ["study", "duties", "shortcomings", "plan"]}


class InvitationCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Invitation code"), max_length=20, help_text=_("The code printed on your invitation.")
    )


class IssueInvitationsForm(forms.Form):
    count = forms.IntegerField(label=_("Number of codes"), min_value=1, max_value=500)


def parse_ballot(data, rows) -> dict[int, Choice]:
    """Ballot choices from POST data: `grade-<id>` and `note-<id>` per listed member.

    Notes are passed on whole: an over-long note is refused by the ballot's validation, never cut short.
    """
    return {row.pk: Choice(grade=data.get(f"grade-{row.pk}", ""), note=data.get(f"note-{row.pk}", "")) for row in rows}


def parse_decisions(data, results) -> dict[int, tuple[str, str]]:
    return {
        r.appraisee.pk: (data.get(f"final-{r.appraisee.pk}", ""), data.get(f"reason-{r.appraisee.pk}", "")[:500])
        for r in results
    }


GRADE_CHOICES = Grade.choices

DATE_WIDGET_FORMAT = "%Y-%m-%d"  # the only value format <input type="date"> accepts
DATETIME_LOCAL_WIDGET_FORMAT = "%Y-%m-%dT%H:%M"  # the same for <input type="datetime-local">


class PercentField(forms.DecimalField):
    """A share stored as a fraction (0.8) and shown and typed as a percentage (80)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", Decimal(0))
        kwargs.setdefault("max_value", Decimal(100))
        kwargs.setdefault("max_digits", 5)
        kwargs.setdefault("decimal_places", 2)
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, (Decimal, int, float)) and not isinstance(value, bool):
            percent = (Decimal(str(value)) * 100).quantize(Decimal("0.01"))
            return f"{percent.normalize():f}"
        return value  # what the user typed, shown again as typed

    def clean(self, value):
        percent = super().clean(value)
        return None if percent is None else (percent / 100).quantize(Decimal("0.0001"))

    def has_changed(self, initial, data):
        try:
            return self.clean(data) != (Decimal(str(initial)) if initial is not None else None)
        except (forms.ValidationError, InvalidOperation):
            return True


class CampaignForm(forms.ModelForm):
    """A campaign for one of the branches the user oversees."""

    class Meta:
        model = AppraisalCampaign
        fields = [
            "branch",
            "year",
            "study_starts",
            "self_assessment_starts",
            "ballot_date",
            "assessment_date",
            "notice_starts",
            "notice_days",
            "masses_enabled",
            "member_weight",
            "masses_weight",
            "excellent_min_rate",
            "basic_min_rate",
            "incompetent_flag_rate",
            "masses_trust_min",
            "min_turnout",
        ]
        # An <input type="date"> takes only yyyy-mm-dd; without a format the widget would write the
        # language's first input format (zh-hans: 2026/12/18), which the browser shows as empty.
        widgets = {
            name: forms.DateInput(format=DATE_WIDGET_FORMAT, attrs={"type": "date"})
            for name in ["study_starts", "self_assessment_starts", "ballot_date", "assessment_date", "notice_starts"]
        }

    # The shares, stored as fractions (0.8), are shown and typed as percentages (80).
    member_weight = PercentField(label=_("Weight of the members' ballots (%)"))
    masses_weight = PercentField(label=_("Weight of the masses' ballots (%)"))
    excellent_min_rate = PercentField(label=_("优秀 votes needed to suggest 优秀 (%)"))
    basic_min_rate = PercentField(label=_("基本合格 and 不合格 votes above which 基本合格 is suggested (%)"))
    incompetent_flag_rate = PercentField(label=_("不合格 votes above which 不合格 is suggested and flagged (%)"))
    masses_trust_min = PercentField(label=_("Lowest masses' trust rate (优秀 + 合格) before a flag (%)"))
    min_turnout = PercentField(label=_("Minimum turnout for a valid ballot (%)"))

    def __init__(self, *args, branches, **kwargs):
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            model_field = self._meta.model._meta.get_field(name)
            if isinstance(field, PercentField):
                field.help_text = model_field.help_text
                field.initial = model_field.default  # a new campaign starts from the model's defaults
        self.fields["min_turnout"].help_text = _(
            "Ballots returned ÷ members with a vote (应到). Below it the ballot is not valid: the branch holds it "
            "again or takes more ballots before the organisational assessment."
        )
        self.fields["branch"].queryset = branches
        if self.instance.pk:
            self.fields["branch"].disabled = True


class StageForm(forms.Form):
    stage = forms.ChoiceField(label=_("Move to stage"), choices=Stage.choices)
