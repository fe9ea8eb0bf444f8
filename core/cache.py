"""A whole-page cache for anonymous visitors, purged whenever anything is published.

Any publish, unpublish, move or delete can change lists on other pages (the home page shows the
latest policies), so the purge is global: every cached page carries the generation it was rendered
in and a purge starts a new generation. The CSRF token in cached HTML is replaced by the current
visitor's own on every hit.

Pages are rendered by `serve_cached` (from the page's own `serve`, after Wagtail has checked view
restrictions), stored by `PageCacheMiddleware` once the response is final, and read back by the
same middleware before URL routing: a hit costs one cache round trip and no database query. A page may
also be kept for each signed-in viewer (see "Signed-in visitors" below).

What is never stored (issue 13, H1 and L3):
- a page under any view restriction (password, sign-in, groups): Wagtail marks its response
  `Cache-Control: private, no-store`, and no response so marked is stored;
- anything rendered for a visitor who has passed a page password (their session holds it);
- a request with a query parameter the pages do not read: the key is built from the known parameters
  only (in a fixed order), so `?utm=1`, `?x=2`… neither make new entries nor receive cached ones.

The store is the bounded, evicting "pages" cache (settings.CACHES), apart from sessions, rate limits
and the channel layer, which must never be evicted.
"""

from __future__ import annotations

import functools
import hashlib
import re
import time

from django.conf import settings
from django.contrib.messages import get_messages
from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.http import HttpResponse
from django.middleware.csrf import get_token
from django.utils.cache import get_max_age
from django.utils.functional import SimpleLazyObject
from django.utils.http import urlencode
from django.utils.translation import get_language

from wagtail.models import Page, PageViewRestriction, Site
from wagtail.signals import page_published, page_slug_changed, page_unpublished, post_page_move

CACHE_ALIAS = "pages"
TIMEOUT = 600
# The query parameters cached pages read (pagination and the home app's policy filters). Any other
# parameter bypasses the cache; so does a repeated or over-long one.
KNOWN_PARAMETERS = frozenset({"page", "year", "category", "status", "issuer"})
MAX_PARAMETER_LENGTH = 100
# Wagtail keeps the page passwords a visitor has entered in the session under this key.
PASSED_RESTRICTIONS_KEY = "passed_page_view_restrictions"
GENERATION_KEY = "home:page-cache:generation"
_TOKEN = re.compile(rb'(name="csrfmiddlewaretoken" value=")[^"]*(")')
_PLACEHOLDER = b"\x00csrf\x00"


cache = SimpleLazyObject(lambda: caches[CACHE_ALIAS])


def generation() -> int:
    """The current cache generation: anything cached under an older one is out of date."""
    value = cache.get(GENERATION_KEY)
    if value is None:
        # The store evicts: a lost generation restarts from the clock, never from a number older
        # entries may still carry.
        cache.add(GENERATION_KEY, _fresh_generation(), timeout=None)
        value = cache.get(GENERATION_KEY, 1)
    return value


def _fresh_generation() -> int:
    return time.time_ns() // 1000


def purge(**kwargs) -> None:
    """Forget every cached page, now and again after commit (a publish inside a workflow's transaction:
    a page drawn meanwhile from the data before the commit must not be kept under the new generation)."""
    changed(GENERATION_KEY)


def _cacheable_request(request, signed_in: bool = False) -> bool:
    """A request a kept copy may answer: anonymous ones for everyone's copies, signed-in ones (`signed_in`)
    for the viewer's own (see "Signed-in visitors" below)."""
    return (
        request.method in ("GET", "HEAD")
        and request.user.is_authenticated == signed_in
        and not _previewing(request)
        and len(request.get_full_path()) <= 500
        and _known_query(request) is not None
        and not request.session.get(PASSED_RESTRICTIONS_KEY)
        and len(get_messages(request)) == 0
    )


def _previewing(request) -> bool:
    """A preview or a moderator's look at a draft: Wagtail runs it through the middleware as a dummy request
    (`is_dummy`, before it sets `is_preview` in the view), with the editor's cookies and the page's path."""
    return getattr(request, "is_preview", False) or getattr(request, "is_dummy", False)


def _known_query(request) -> str | None:
    """The query string the cache keys on, or None when the request must bypass the cache."""
    items = []
    for name, values in request.GET.lists():
        if name not in KNOWN_PARAMETERS or len(values) != 1 or len(values[0]) > MAX_PARAMETER_LENGTH:
            return None
        items.append((name, values[0]))
    return urlencode(sorted(items))


def _key(request) -> str:
    address = f"{request.get_host()} {request.path} {_known_query(request)}"
    return f"home:page:{get_language()}:{hashlib.sha256(address.encode()).hexdigest()[:40]}"


def _storable(response) -> bool:
    """Whether the final response may be kept for everyone: not private, not no-store, not max-age=0."""
    cache_control = {part.strip().split("=")[0].lower() for part in response.get("Cache-Control", "").split(",")}
    return not cache_control & {"private", "no-store", "no-cache"} and get_max_age(response) != 0


def version(key: str) -> int:
    """The current value of a page's own version key (see `serve_cached`), started from the clock."""
    value = cache.get(key)
    if value is None:
        cache.add(key, _fresh_generation(), timeout=None)
        value = cache.get(key, 1)
    return value


def bump(*keys: str) -> None:
    """Forget the cached pages that depend on these keys (and only those)."""
    if len(keys) > 1 and isinstance(cache, RedisCache):
        _bump_in_redis(cache, keys)
        return
    for key in keys:
        try:
            cache.incr(key)
        except ValueError:
            cache.set(key, _fresh_generation(), timeout=None)


# What `bump` does to each key, for many keys in one round trip: a notification to thousands of people
# bumps each one's viewer version, and Django's `incr` takes two round trips a key (it asks first whether
# the key exists). A missing key starts from the clock, never from 1, as in `bump`.
_BUMP_SCRIPT = """
for _, key in ipairs(KEYS) do
  if redis.call('EXISTS', key) == 1 then redis.call('INCR', key) else redis.call('SET', key, ARGV[1]) end
end
"""
_BUMP_BATCH = 1000  # keys per script call: Redis runs a script alone, so no call holds it for long


def _bump_in_redis(backend: RedisCache, keys: tuple[str, ...]) -> None:
    client = backend._cache.get_client(write=True)
    script = client.register_script(_BUMP_SCRIPT)
    names = [backend.make_and_validate_key(key) for key in keys]
    for start in range(0, len(names), _BUMP_BATCH):
        script(keys=names[start : start + _BUMP_BATCH], args=[_fresh_generation()])


def changed(*keys: str) -> None:
    """`bump` for a change being written: now, so that the writer's next page is never the old copy, and
    again after commit, so that a copy another request drew meanwhile from the data as it was before the
    commit (under the version bumped now) is dropped too."""
    if not keys:
        return
    bump(*keys)
    transaction.on_commit(functools.partial(bump, *keys))


def _cached_response(request) -> HttpResponse | None:
    if _known_query(request) is None:
        return None
    key = _key(request)
    found = cache.get_many([GENERATION_KEY, key])
    entry = found.get(key)
    if entry is None:
        return None
    # (generation, content, content type); a page with a version key of its own stores
    # ((generation, key, version), …): a worker of the previous release reads that as out of date.
    stamp, content, content_type = entry
    rendered_in, *dependency = stamp if isinstance(stamp, tuple) else (stamp,)
    if rendered_in != found.get(GENERATION_KEY):
        return None
    if dependency and cache.get(dependency[0]) != dependency[1]:
        return None
    token = get_token(request).encode()
    response = HttpResponse(content.replace(_PLACEHOLDER, token), content_type=content_type)
    response["X-Page-Cache"] = "hit"
    if dependency:
        response.edge_cacheable = False
    return response


def serve_cached(request, render, depends_on: str | None = None, per_viewer: bool = False):
    """`render()`'s response, from the cache for anonymous GET requests (and, with `per_viewer`, for
    signed-in ones: see "Signed-in visitors" below).

    `depends_on` names a version key (see `bump`) for a page that changes without a publish, e.g. a
    consultation with every post: its entry is valid while the key keeps the value read before
    rendering, so a change committed during the rendering is never hidden. nginx never keeps such a
    page (core/edge.py): a post a moderator hides must vanish at once, not a few seconds later.
    """
    if not _cacheable_request(request):
        if per_viewer and settings.PAGE_CACHE_VIEWER_COPIES and _cacheable_request(request, signed_in=True):
            return _serve_for_viewer(request, render, depends_on)
        return render()
    cached = _cached_response(request)
    if cached is not None:
        return cached
    current = generation()
    dependency = (depends_on, version(depends_on)) if depends_on else ()
    response = render()
    if hasattr(response, "render") and not response.is_rendered:
        response.render()
    if response.status_code == 200 and not response.cookies.get(settings.SESSION_COOKIE_NAME):
        # Stored by the middleware once the response is final: Wagtail adds `private, no-store` to a
        # restricted page's response only after this page's `serve` has returned.
        content = _TOKEN.sub(rb"\1" + _PLACEHOLDER + rb"\2", response.content)
        response._page_cache_entry = (
            _key(request),
            (
                (current, *dependency) if dependency else current,
                content,
                response.get("Content-Type", "text/html; charset=utf-8"),
            ),
        )
        response["X-Page-Cache"] = "miss"
        if dependency:
            response.edge_cacheable = False
    return response


def _store(request, response) -> None:
    entry = getattr(response, "_page_cache_entry", None)
    if entry is None:
        return
    if _storable(response) and _cacheable_request(request):
        key, value = entry
        cache.set(key, value, replica_bound(TIMEOUT))
    elif _storable(response) and entry[0].startswith(_VIEWER_PREFIX) and _cacheable_request(request, signed_in=True):
        key, value = entry
        cache.set(key, value, replica_bound(getattr(request, "_page_cache_timeout", VIEWER_TIMEOUT)))
    else:
        del response["X-Page-Cache"]


# --- Signed-in visitors: a copy per viewer ----------------------------------------------------------
#
# A page that opts in (`per_viewer=True`: the consultation and the survey results, read far more often
# than they change) is kept for each signed-in viewer, in their language, as it was drawn for them. Never
# for a preview; with a read replica for PAGE_CACHE_REPLICA_SECONDS at most; only where every process
# shares the page store (PAGE_CACHE_VIEWER_COPIES). A copy is valid while nothing it was drawn from has changed:
# - the site-wide generation (any publish, restriction or site change) and the page's own version key;
# - the viewer's own version (`forget_viewer`: their account changed, e.g. name, superuser, a sign-in;
#   their notifications changed, which the header's unread badge counts);
# - the version of everyone's rights (`forget_all_viewers`: groups, roster, residences, organisations
#   change rarely and say who may see, take part in or manage what; one bump forgets every copy);
# - and time: a page that shows a control only for a while (a post editable for N minutes) caps its
#   copy's life with `limit_timeout`, and no copy lives more than VIEWER_TIMEOUT.
# The CSRF token is the visitor's own, as for anonymous copies. A hit is answered by the
# middleware after sign-in is checked (session and user, as for any signed-in request) and before URL
# routing; nginx never keeps it (core/edge.py passes signed-in responses through).

VIEWER_TIMEOUT = 300
VIEWERS_VERSION_KEY = "home:page-cache:viewers"
_VIEWER_PREFIX = "home:page:viewer:"


def viewer_version_key(user_id: int) -> str:
    return f"home:page-cache:viewer:{user_id}"


def forget_viewer(*user_ids: int | None) -> None:
    """Forget the pages kept for these people (something about them that pages show has changed)."""
    changed(*(viewer_version_key(user_id) for user_id in user_ids if user_id))


def forget_all_viewers(**kwargs) -> None:
    """Forget every page kept for a signed-in viewer (who may do what has changed somewhere)."""
    changed(VIEWERS_VERSION_KEY)


def limit_timeout(request, seconds: float) -> None:
    """Keep the copy of the page being drawn for at most `seconds` (it shows something that expires)."""
    current = getattr(request, "_page_cache_timeout", VIEWER_TIMEOUT)
    request._page_cache_timeout = max(0, min(current, int(seconds)))


def _viewer_key(request) -> str:
    address = f"{request.get_host()} {request.path} {_known_query(request)}"
    digest = hashlib.sha256(address.encode()).hexdigest()[:40]
    return f"{_VIEWER_PREFIX}{request.user.pk}:{get_language()}:{digest}"


def _viewer_stamp(request, depends_on: str | None) -> tuple:
    """What a viewer's copy was drawn from, read before drawing it (a change meanwhile makes it stale)."""
    return (
        generation(),
        version(VIEWERS_VERSION_KEY),
        version(viewer_version_key(request.user.pk)),
        depends_on or "",
        version(depends_on) if depends_on else 0,
    )


def _serve_for_viewer(request, render, depends_on: str | None):
    cached = _cached_viewer_response(request)
    if cached is not None:
        return cached
    stamp = _viewer_stamp(request, depends_on)
    if depends_on:
        _remember_dependency(request.path, depends_on)
    response = render()
    if hasattr(response, "render") and not response.is_rendered:
        response.render()
    if response.status_code == 200 and not response.cookies.get(settings.SESSION_COOKIE_NAME):
        content = _TOKEN.sub(rb"\1" + _PLACEHOLDER + rb"\2", response.content)
        content_type = response.get("Content-Type", "text/html; charset=utf-8")
        response._page_cache_entry = (_viewer_key(request), (stamp, content, content_type))
        response["X-Page-Cache"] = "miss"
    response.edge_cacheable = False
    return response


# The version key each path's copies depend on, as this process last saw it: read in the same round trip
# as the copy (a hint only: the copy names its own key, which is what is checked).
_dependency_of: dict[str, str] = {}


def _cached_viewer_response(request) -> HttpResponse | None:
    key = _viewer_key(request)
    own_version = viewer_version_key(request.user.pk)
    hinted = _dependency_of.get(request.path)
    found = cache.get_many([key, GENERATION_KEY, VIEWERS_VERSION_KEY, own_version, *([hinted] if hinted else [])])
    entry = found.get(key)
    if entry is None:
        return None
    (rendered_in, viewers, own, depends_on, dependency), content, content_type = entry
    if depends_on and depends_on != hinted:
        _remember_dependency(request.path, depends_on)
    if (rendered_in, viewers, own) != (
        found.get(GENERATION_KEY),
        found.get(VIEWERS_VERSION_KEY),
        found.get(own_version),
    ):
        return None
    if depends_on and (found.get(depends_on) if depends_on == hinted else cache.get(depends_on)) != dependency:
        return None
    response = HttpResponse(content.replace(_PLACEHOLDER, get_token(request).encode()), content_type=content_type)
    response["X-Page-Cache"] = "hit"
    response.edge_cacheable = False
    return response


def _remember_dependency(path: str, depends_on: str) -> None:
    if len(_dependency_of) >= 10_000:  # bounded: a process serves many paths over its life
        _dependency_of.clear()
    _dependency_of[path] = depends_on


def replica_bound(seconds: int) -> int:
    """With a read replica (config/dbrouter.py), a page may have been drawn from data a little behind a
    change whose invalidation has already happened (replication lags by a fraction of a second): keep it
    only PAGE_CACHE_REPLICA_SECONDS, so that a drawing from caught-up data soon replaces it."""
    if "replica" in settings.DATABASES:
        return min(seconds, settings.PAGE_CACHE_REPLICA_SECONDS)
    return seconds


class PageCacheMiddleware:
    """Answers a cached page before URL routing: to a visitor without a session with no database
    query, to a signed-in one with their own copy (the session and user read as for any request).

    Anything else (messages, a page password, a miss) goes the whole way: the page's own `serve_cached`
    decides, knowing who the user is.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if self._sessionless_get(request):
            cached = _cached_response(request)
            if cached is not None:
                return cached
        elif settings.PAGE_CACHE_VIEWER_COPIES and self._signed_in_get(request):
            cached = _cached_viewer_response(request)
            if cached is not None:
                return cached
        response = self.get_response(request)
        _store(request, response)
        return response

    @staticmethod
    def _signed_in_get(request) -> bool:
        return (
            request.method in ("GET", "HEAD")
            and settings.SESSION_COOKIE_NAME in request.COOKIES
            and not request.path_info.startswith(("/admin/", "/accounts/"))
            and _cacheable_request(request, signed_in=True)
        )

    @staticmethod
    def _sessionless_get(request) -> bool:
        return (
            request.method in ("GET", "HEAD")
            and settings.SESSION_COOKIE_NAME not in request.COOKIES
            and "messages" not in request.COOKIES
            and not _previewing(request)
            and len(request.get_full_path()) <= 500
            and not request.path_info.startswith(("/admin/", "/accounts/"))
        )


def connect_signals() -> None:
    page_published.connect(purge, dispatch_uid="page_cache_published")
    page_unpublished.connect(purge, dispatch_uid="page_cache_unpublished")
    post_page_move.connect(purge, dispatch_uid="page_cache_moved")
    page_slug_changed.connect(purge, dispatch_uid="page_cache_slug")
    post_delete.connect(_purge_on_page_delete, dispatch_uid="page_cache_deleted")
    # A new or removed view restriction must reach visitors at once: hits skip Wagtail's own check.
    post_save.connect(_purge_on_restriction, sender=PageViewRestriction, dispatch_uid="page_cache_restriction_saved")
    post_delete.connect(_purge_on_restriction, sender=PageViewRestriction, dispatch_uid="page_cache_restriction_gone")
    post_save.connect(_purge_on_site_change, dispatch_uid="page_cache_site")


def _purge_on_page_delete(sender, instance, **kwargs) -> None:
    if isinstance(instance, Page):
        purge()


def _purge_on_site_change(sender, instance, created=False, **kwargs) -> None:
    # A page created live (not through a revision, e.g. by seed_demo) is a publish too.
    if isinstance(instance, Site) or (created and isinstance(instance, Page) and instance.live):
        purge()


def _purge_on_restriction(sender, **kwargs) -> None:
    purge()
