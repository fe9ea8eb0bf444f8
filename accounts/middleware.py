from allauth.mfa.utils import is_mfa_enabled

from django.conf import settings
from django.shortcuts import redirect
from django.urls import reverse


class StaffMFARequiredMiddleware:
    """With GONGZHI_REQUIRE_STAFF_MFA, admin users must enrol TOTP before entering the admin."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._must_enrol(request):
            return redirect(f"{reverse('mfa_activate_totp')}?next={request.get_full_path()}")
        return self.get_response(request)

    def _must_enrol(self, request) -> bool:
        if not settings.GONGZHI_REQUIRE_STAFF_MFA or not request.path.startswith("/admin/"):
            return False
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return False
        return user.has_perm("wagtailadmin.access_admin") and not is_mfa_enabled(user)
