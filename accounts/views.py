from allauth.mfa.utils import is_mfa_enabled

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from organizations import roles


@login_required
def profile(request):
    """The signed-in user's own page: who they are and what they may do."""
    context = {
        "roster_entry": roles.roster_entry(request.user),
        "roles": roles.roles_of(request.user),
        "mfa_enabled": is_mfa_enabled(request.user),
    }
    return render(request, "accounts/profile.html", context)
