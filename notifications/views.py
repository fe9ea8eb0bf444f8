"""The user's notifications (/notifications/) and their email settings."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.delivery import link_of, message_of, preference_of
from notifications.forms import NotificationPreferenceForm
from notifications.models import Notification
from notifications.unread import forget_pages_of


@login_required
def index(request):
    if request.method == "POST":
        if Notification.objects.filter(recipient=request.user, read_at=None).update(read_at=timezone.now()):
            forget_pages_of(request.user.pk)  # a queryset update sends no signal: the badge goes
        messages.success(request, _("All notifications are marked as read."))
        return redirect("notifications:index")
    notes = Paginator(Notification.objects.visible_to(request.user).select_related("consultation"), 30).get_page(
        request.GET.get("page")
    )
    items = [{"note": n, "message": message_of(n), "url": link_of(n)} for n in notes]
    return render(request, "notifications/index.html", {"items": items, "notes": notes})


@login_required
def preferences(request):
    preference = preference_of(request.user)
    form = NotificationPreferenceForm(request.POST or None, instance=preference)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Your notification settings are saved."))
        return redirect("notifications:settings")
    return render(request, "notifications/settings.html", {"form": form})
