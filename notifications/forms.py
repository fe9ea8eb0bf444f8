from django import forms

from notifications.models import NotificationPreference


class NotificationPreferenceForm(forms.ModelForm):
    class Meta:
        model = NotificationPreference
        fields = [
            "email",
            "on_reply",
            "on_stage",
            "on_outcome",
            "on_moderation",
            "on_appeal",
            "on_membership",
            "on_reminder",
            "on_orglife",
        ]
        widgets = {"email": forms.RadioSelect}
