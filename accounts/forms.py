import re

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from accounts.models import User

# Mainland China numbers: a mobile (11 digits from 13x to 19x, optionally after +86 / 86 / 0086), or a
# landline with its area code (010 and 02x have 3 digits, the others 4: 0571) and 7 or 8 digits,
# optionally an extension. Spaces and hyphens between groups are allowed and removed.
_MOBILE = re.compile(r"^(?:\+?86|0086)?(1[3-9]\d{9})$")
_LANDLINE = re.compile(r"^(0(?:10|2\d)|0[3-9]\d{2})(\d{7,8})(?:(?:转|ext\.?|x|#)(\d{1,6}))?$", re.IGNORECASE)
_FULL_WIDTH = str.maketrans({chr(0xFF10 + i): str(i) for i in range(10)} | {"＋": "+", "－": "-", "　": " "})


def normalize_phone(value: str) -> str:
    """Return a mainland China phone number in one written form, or raise ValidationError.

    Mobiles become their 11 digits (13800138000); landlines "area-number" (010-62345678), with
    "-extension" when there is one. An empty value stays empty (the field is optional).
    """
    value = value.strip()
    if not value:
        return ""
    # Full-width digits and punctuation typed with a Chinese input method count as their ASCII forms.
    compact = re.sub(r"[\s\-()（）－]", "", value.translate(_FULL_WIDTH))
    if mobile := _MOBILE.match(compact):
        return mobile.group(1)
    if landline := _LANDLINE.match(compact):
        area, number, extension = landline.groups()
        return f"{area}-{number}" + (f"-{extension}" if extension else "")
    if re.fullmatch(r"(?:\+|00)\d+", compact) and not compact.startswith(("+86", "0086")):
        raise ValidationError(
            _("Only mainland China numbers are accepted: a mobile (11 digits) or a landline with its area code."),
            code="not_mainland",
        )
    raise ValidationError(
        _(
            "Enter a mobile number of 11 digits (e.g. 13800138000) or a landline with its area code (e.g. 010-62345678)."
        ),
        code="invalid_phone",
    )


def _clean_display_name(value: str) -> str:
    # One line: names go into e-mail subjects and lists, where a line break breaks them (or forges headers).
    return " ".join(value.split())


class SignupForm(forms.Form):
    """Extra fields on allauth's sign-up form."""

    display_name = forms.CharField(
        label=pgettext_lazy("person", "Name"), max_length=64, help_text=_("Shown next to what you post.")
    )
    phone = forms.CharField(label=_("Phone (optional)"), max_length=20, required=False)

    def clean_display_name(self) -> str:
        return _clean_display_name(self.cleaned_data["display_name"])

    def clean_phone(self) -> str:
        return normalize_phone(self.cleaned_data.get("phone", ""))

    def signup(self, request, user) -> None:
        user.display_name = self.cleaned_data["display_name"].strip()
        user.phone = self.cleaned_data.get("phone", "").strip()
        user.save(update_fields=["display_name", "phone"])


class ProfileForm(forms.ModelForm):
    """What a person may change about themselves on their profile page: their name and phone."""

    class Meta:
        model = User
        fields = ["display_name", "phone"]
        labels = {"display_name": pgettext_lazy("person", "Name"), "phone": _("Phone (optional)")}
        help_texts = {
            "display_name": _("Shown next to what you post."),
            "phone": _("A mobile (11 digits) or a landline with its area code, e.g. 010-62345678."),
        }
        error_messages = {
            "display_name": {
                "required": _("Please enter your name."),
                "max_length": _("Your name can be at most %(limit_value)d characters long."),
            },
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["display_name"].required = True
        self.fields["display_name"].widget.attrs.update({"autocomplete": "name"})
        self.fields["phone"].widget.attrs.update({"autocomplete": "tel", "inputmode": "tel"})
        # Longer than the stored 20 characters while typing ("+86 138 0013 8000"): normalised below.
        self.fields["phone"].max_length = 32
        self.fields["phone"].validators = []
        self.fields["phone"].widget.attrs["maxlength"] = "32"

    def clean_display_name(self) -> str:
        name = _clean_display_name(self.cleaned_data["display_name"])
        if not name:
            raise ValidationError(_("Please enter your name."), code="required")
        return name

    def clean_phone(self) -> str:
        return normalize_phone(self.cleaned_data.get("phone", ""))
