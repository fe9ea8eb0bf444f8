"""The resident's report form and the small forms of handling and rating."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from wagtail.admin.forms import WagtailAdminModelForm

from appeals.models import Category, Complaint, Level, Volunteer
from core.satisfaction import VALID_CODES, Satisfaction
from organizations import roles
from organizations.models import Grid, Organization


class ReportForm(forms.Form):
    category = forms.ModelChoiceField(
        label=_("What kind of problem"), queryset=Category.objects.filter(active=True), empty_label=None
    )
    description = forms.CharField(
        label=_("What is the problem"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4, "maxlength": 1000}),
        help_text=_("Where exactly, since when, what you saw."),
    )
    grid = forms.ModelChoiceField(label=_("Grid"), queryset=Grid.objects.select_related("community"), empty_label=None)
    place = forms.CharField(
        label=_("Building or place"), max_length=120, required=False, help_text=_("E.g. building 3, unit 2.")
    )
    complains_about = forms.ChoiceField(
        label=_("Is this a complaint about how your grid or community handled something?"),
        choices=Complaint.choices,
        required=False,
        initial=Complaint.NONE,
        widget=forms.RadioSelect,
        help_text=_(
            "A complaint goes to the level above: those it is about never handle it and never learn who reported."
        ),
    )
    share_location = forms.BooleanField(
        label=_("Share where my photos were taken"),
        required=False,
        help_text=_("Otherwise the location saved in a photo is removed before anyone sees it."),
    )
    show_name = forms.BooleanField(
        label=_("My name may be shown on the public board"),
        required=False,
        help_text=_("Handlers always see who reported, to follow up; the public does not unless you tick this."),
    )


class RatingForm(forms.Form):
    rating = forms.ChoiceField(
        label=_("How satisfied are you"),
        choices=[(code, label) for code, label in Satisfaction.choices if code in VALID_CODES],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=pgettext_lazy("rating", "Comment"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class EscalateForm(forms.Form):
    level = forms.TypedChoiceField(
        label=_("Call"),
        coerce=int,
        choices=[(Level.COMMUNITY, Level.COMMUNITY.label), (Level.STREET, Level.STREET.label)],
    )


class VolunteerForm(forms.ModelForm):
    community = forms.ModelChoiceField(
        label=_("Community where I live"),
        queryset=Organization.objects.filter(kind=Organization.Kind.COMMUNITY),
        empty_label=None,
    )

    class Meta:
        model = Volunteer
        fields = ["community", "grid", "workplace", "skills", "availability"]


class GridDutyForm(WagtailAdminModelForm):
    """Who handles a grid: the grid and branch among the admin's own organisations, the worker by e-mail
    (a site with many residents cannot list every account in a menu)."""

    worker = forms.ModelChoiceField(
        queryset=get_user_model().objects.filter(is_active=True),
        to_field_name="email",
        required=False,
        widget=forms.EmailInput,
        label=_("Grid worker's e-mail"),
        error_messages={"invalid_choice": _("No active account has this e-mail.")},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        managed = roles.managed_organizations(self.for_user)
        self.fields["grid"].queryset = Grid.objects.filter(community__in=managed).select_related("community")
        self.fields["branch"].queryset = managed.filter(kind=Organization.Kind.BRANCH)
        if self.instance.pk and self.instance.worker_id:
            self.initial["worker"] = self.instance.worker.email

    def clean(self):
        cleaned = super().clean()
        grid, branch = cleaned.get("grid"), cleaned.get("branch")
        if grid and branch and not branch.path.startswith(grid.community.path):
            self.add_error("branch", _("This branch is not in the grid's community."))
        return cleaned
