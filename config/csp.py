"""Content-Security-Policy: strict on the site, relaxed for scripts in Wagtail's admin only."""

from csp.constants import UNSAFE_INLINE
from csp.middleware import CSPMiddleware as BaseCSPMiddleware
from csp.middleware import PolicyParts

ADMIN_PREFIX = "/admin/"


class CSPMiddleware(BaseCSPMiddleware):
    """The site's policy forbids inline scripts. Wagtail's admin templates (date pickers, inline panels,
    choosers) still write inline `<script>` elements that we cannot change, so under /admin/ — reached
    only by staff, behind MFA in production — script-src also allows 'unsafe-inline'."""

    def get_policy_parts(self, request, response, report_only: bool = False) -> PolicyParts:
        parts = super().get_policy_parts(request, response, report_only)
        if request.path_info.startswith(ADMIN_PREFIX) and parts.update is None and parts.replace is None:
            parts.update = {"script-src": [UNSAFE_INLINE]}
        return parts
