from allauth.mfa.utils import is_mfa_enabled

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.forms import ProfileForm
from accounts.models import User
from organizations import roles


@login_required
def profile(request):
    """The signed-in user's own page: who they are, what they may do, and their name and phone to change."""
    # The form edits its own copy: a refused entry must not show up in the header as the user's name.
    instance = User.objects.get(pk=request.user.pk)
    if request.method == "POST":
        form = ProfileForm(request.POST, instance=instance)
        if form.is_valid():
            instance.save(update_fields=["display_name", "phone"])
            messages.success(request, _("Your name and phone number have been saved."))
            return redirect("accounts_profile")
    else:
        form = ProfileForm(instance=instance)
    context = {
        "form": form,
        "roster_entry": roles.roster_entry(request.user),
        "roles": roles.roles_of(request.user),
        "mfa_enabled": is_mfa_enabled(request.user),
    }
    return render(request, "accounts/profile.html", context)
