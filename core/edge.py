"""Anonymous pages served by nginx itself: what Django marks for nginx's short-lived cache (issue 19).

Behind `make run-prod`, nginx sends a cookie-less GET to the workers with `X-Edge-Cache: 1`
(site/deploy/nginx.conf; a client cannot set it, nginx overwrites it). When the page cache (core/cache.py)
has judged the answer fit for every anonymous visitor (it carries `X-Page-Cache: hit` or `miss`) and the
response sets no cookie but the CSRF one, this middleware, the outermost, prepares it for nginx:

- the visitor's CSRF tokens in the HTML become a placeholder, and the CSRF cookie is dropped: nginx
  replaces the placeholder with its own per-request random value (`$request_id`, 32 hex characters, a
  valid unmasked CSRF secret) and sets the same value as the `csrftoken` cookie, so every visitor still
  gets a token of their own without Python;
- `X-Accel-Expires` tells nginx how long it may keep the page (EDGE_CACHE_SECONDS): nginx keeps nothing
  Django has not marked, and a publish, unpublish or new view restriction reaches visitors within those
  seconds (Django's own page cache is purged at once, as before).

A page whose cache entry depends on its own version (a consultation, see core/cache.py `serve_cached`)
is never marked: nginx cannot be purged, and a post a moderator hides must vanish at once.

Anything else (a signed-in visitor, a page under a view restriction, a response with messages or a
session) passes through untouched and nginx does not store it.
"""

from __future__ import annotations

import re

from django.conf import settings

EDGE_HEADER = "HTTP_X_EDGE_CACHE"
PLACEHOLDER = b"__EDGE_CSRF__"
_TOKEN = re.compile(rb'(name="csrfmiddlewaretoken" value=")[^"]*(")')


def edge_seconds() -> int:
    return getattr(settings, "EDGE_CACHE_SECONDS", 0)


class EdgeCacheMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.META.get(EDGE_HEADER) == "1" and edge_seconds() > 0 and self._shareable(response):
            self._prepare(response)
        return response

    @staticmethod
    def _shareable(response) -> bool:
        return (
            response.status_code == 200
            and response.get("X-Page-Cache") in ("hit", "miss")  # the page cache's judgement, see core/cache.py
            and getattr(response, "edge_cacheable", True)  # not a page that must change at once (core/cache.py)
            and not response.streaming
            and set(response.cookies) <= {settings.CSRF_COOKIE_NAME}
            and response.get("Content-Type", "").startswith("text/html")
        )

    @staticmethod
    def _prepare(response) -> None:
        response.content = _TOKEN.sub(rb"\1" + PLACEHOLDER + rb"\2", response.content)
        if response.has_header("Content-Length"):
            response["Content-Length"] = str(len(response.content))
        response.cookies.pop(settings.CSRF_COOKIE_NAME, None)
        response["X-Accel-Expires"] = str(edge_seconds())
        response["X-Edge-Token"] = "1"  # nginx sets the csrftoken cookie only on responses that say so
