from allauth.mfa.utils import is_mfa_enabled

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

# What a signed-in staff user without TOTP may still reach: allauth's pages (enrolment, re-authentication,
# logout, password, e-mail), the language switch, static files and the health probe.
OPEN_TO_UNENROLLED_STAFF = ("/accounts/", "/i18n/", "/static/", "/healthz")


class StaffMFARequiredMiddleware:
    """With GONGZHI_REQUIRE_STAFF_MFA, users who can open the admin must enrol TOTP before anything else.

    Not only the admin: their password alone also opens the staff pages outside it (appraisal tallies
    and management, survey results and exports, moderation), so every page waits for enrolment.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._must_enrol(request):
            return redirect(f"{reverse('mfa_activate_totp')}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)

    def _must_enrol(self, request) -> bool:
        if not settings.GONGZHI_REQUIRE_STAFF_MFA or request.path.startswith(OPEN_TO_UNENROLLED_STAFF):
            return False
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return False
        return user.has_perm("wagtailadmin.access_admin") and not is_mfa_enabled(user)
