from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.models import phone_validator


class SignupForm(forms.Form):
    """Extra fields on allauth's sign-up form."""

    display_name = forms.CharField(label=_("Name"), max_length=64, help_text=_("Shown next to what you post."))
    phone = forms.CharField(label=_("Phone (optional)"), max_length=20, required=False, validators=[phone_validator])

    def clean_display_name(self) -> str:
        # One line: names go into e-mail subjects and lists, where a line break breaks them (or forges headers).
        return " ".join(self.cleaned_data["display_name"].split())

    def signup(self, request, user) -> None:
        user.display_name = self.cleaned_data["display_name"].strip()
        user.phone = self.cleaned_data.get("phone", "").strip()
        user.save(update_fields=["display_name", "phone"])
