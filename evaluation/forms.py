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
        widgets = {
            name: forms.DateInput(attrs={"type": "date"})
            for name in ["study_starts", "self_assessment_starts", "ballot_date", "assessment_date", "notice_starts"]
        }

    def __init__(self, *args, branches, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = branches
        if self.instance.pk:
            self.fields["branch"].disabled = True


class StageForm(forms.Form):
    stage = forms.ChoiceField(label=_("Move to stage"), choices=Stage.choices)
