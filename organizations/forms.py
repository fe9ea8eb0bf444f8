from django import forms
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from wagtail.admin.forms import WagtailAdminModelForm

from organizations import roles
from organizations.models import Grid, Organization

MAX_IMPORT_BYTES = 5 * 1024 * 1024


class OrganizationForm(WagtailAdminModelForm):
    """Places a new organisation in the tree under the chosen parent."""

    parent = forms.ModelChoiceField(
        queryset=Organization.objects.none(), required=False, label=_("Parent organisation")
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = roles.managed_organizations(self.for_user).order_by("path")
        if self.instance.pk:
            del self.fields["parent"]

    def clean_page(self):
        """Which section an organisation owns decides what its editors may edit: only a superuser
        chooses it freely; an organisation admin only a page inside a section they administer."""
        page = self.cleaned_data.get("page")
        if page is None or page.pk == self.instance.page_id or self.for_user.is_superuser:
            return page
        if not roles.may_assign_section(self.for_user, page):
            raise ValidationError(
                _("Only a site administrator may choose this page: choose a page inside a section you administer.")
            )
        return page

    def clean(self):
        cleaned = super().clean()
        page = cleaned.get("page")
        if page is not None and page.pk != self.instance.page_id:
            try:
                self.instance.validate_section(page, parent=cleaned.get("parent"))
            except ValidationError as error:
                self.add_error(None, error)
        return cleaned

    def save(self, commit=True):
        if self.instance.pk or not commit:
            return super().save(commit)
        parent = self.cleaned_data.get("parent")
        if parent is None:
            return Organization.add_root(instance=self.instance)
        return parent.add_child(instance=self.instance)


class GridForm(WagtailAdminModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = roles.managed_organizations(self.for_user).exclude(
            kind=Organization.Kind.BRANCH
        )


class RosterEntryForm(WagtailAdminModelForm):
    """Branch and grid choices are limited to what the user manages.

    The user account can only be the one already linked or one with a verified email equal to
    the entry's: editors never see the list of all users.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        managed = roles.managed_organizations(self.for_user)
        self.fields["branch"].queryset = managed.filter(kind=Organization.Kind.BRANCH).order_by("path")
        self.fields["grid"].queryset = Grid.objects.filter(community__in=managed) | Grid.objects.filter(
            community__in=self._ancestor_ids(managed)
        )
        if "user" in self.fields:
            self.fields["user"].queryset = self._linkable_users()

    def _linkable_users(self):
        lookups = Q(pk=self.instance.user_id) if self.instance.user_id else Q(pk__in=[])
        if self.instance.email:
            lookups |= Q(emailaddress__email__iexact=self.instance.email, emailaddress__verified=True)
        return get_user_model().objects.filter(lookups).distinct()

    @staticmethod
    def _ancestor_ids(managed) -> list[int]:
        ids = set()
        for organization in managed:
            ids.update(organization.get_ancestors().values_list("pk", flat=True))
        return list(ids)

    def clean(self):
        cleaned = super().clean()
        branch, grid = cleaned.get("branch"), cleaned.get("grid")
        if branch and grid and not branch.get_ancestors().filter(pk=grid.community_id).exists():
            self.add_error("grid", _("This grid does not belong to the branch's community."))
        return cleaned


class RosterImportForm(forms.Form):
    branch = forms.ModelChoiceField(queryset=Organization.objects.none(), label=_("Branch"))
    file = forms.FileField(label=_("Roster file (.xlsx or .csv)"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        managed = roles.managed_organizations(user).filter(kind=Organization.Kind.BRANCH)
        self.fields["branch"].queryset = managed.order_by("path")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise ValidationError(_("The file is larger than 5 MB."))
        if not upload.name.lower().endswith((".xlsx", ".csv")):
            raise ValidationError(_("Only .csv and .xlsx files can be imported."))
        return upload
