"""The thread's posts built from cached HTML: each post is drawn once per language and kind of viewer.

Drawing some sixty posts was two thirds of a signed-in thread page (issue 19). A post's own part (its
header, text and controls, without its replies) depends only on the post as it is now, the language,
and a few facts about the viewer (may take part, own reaction, author or not, may edit, may
moderate): the cache key is a digest of all of them, so an edit, a hide, a pin, a reaction or a
stage change makes a new key and an old copy is never shown (nothing to purge; old copies age out of
the bounded "pages" store). The CSRF token is a placeholder in the cache, the viewer's own on the page.
"""

from __future__ import annotations

import functools
import hashlib

from django.core.cache import caches
from django.middleware.csrf import get_token
from django.template.loader import get_template, render_to_string
from django.utils.safestring import mark_safe
from django.utils.translation import get_language

from consultation import conf

TEMPLATE = "consultation/includes/post_own.html"
TIMEOUT = 3600
_PLACEHOLDER = "csrf0placeholder0for0cached0posts"


@functools.cache
def _template_digest() -> str:
    """A changed template (a new release) makes new keys."""
    return hashlib.sha256(get_template(TEMPLATE).template.source.encode()).hexdigest()[:12]


def _key(post, consultation, viewer: tuple) -> str:
    shown = (
        post.pk,
        post.parent_id,
        post.depth,
        post.kind,
        post.body,
        post.status,
        post.moderation_reason,
        post.is_official,
        post.is_pinned,
        post.support_count,
        post.oppose_count,
        post.created_at.isoformat(),
        post.edited_at.isoformat() if post.edited_at else "",
        post.author.get_full_name(),
        post.my_reaction,
        post.can_edit,
        consultation.pk,
        consultation.allow_oppose,
        consultation.thread_open,
    )
    digest = hashlib.sha256(repr((shown, viewer)).encode()).hexdigest()[:40]
    return f"consultation:post:{_template_digest()}:{get_language()}:{digest}"


def render_posts(request, consultation, posts, *, can_take_part: bool, can_manage: bool) -> None:
    """Set `post.html` on each of `posts` (top-level, with `children` set by `prepare`): the post and
    its replies, as post.html draws them, from the cache where it can."""
    user = request.user
    everything = []
    pending = list(posts)
    while pending:
        post = pending.pop()
        everything.append(post)
        pending.extend(post.children)
    max_length = conf.get("MAX_POST_LENGTH")
    keys = {}
    for post in everything:
        viewer = (can_take_part, can_manage, user.is_authenticated and user.pk != post.author_id, max_length)
        keys[post.pk] = _key(post, consultation, viewer)
    store = caches["pages"]
    found = store.get_many(list(keys.values())) if keys else {}
    drawn = {}
    context = {
        "consultation": consultation,
        "page": consultation,
        "can_take_part": can_take_part,
        "can_manage": can_manage,
        "user": user,
        "max_length": max_length,
        "csrf_token": _PLACEHOLDER,
    }
    for post in everything:
        key = keys[post.pk]
        if key not in found:
            found[key] = drawn[key] = str(render_to_string(TEMPLATE, {**context, "post": post}))
    if drawn:
        store.set_many(drawn, TIMEOUT)
    token = get_token(request)

    def draw(post) -> str:
        replies = "".join(draw(child) for child in post.children)
        return f'{found[keys[post.pk]]}<div class="post__replies" data-replies>{replies}</div></article>'

    for post in posts:
        post.html = mark_safe(draw(post).replace(_PLACEHOLDER, token))  # noqa: S308 -- rendered by post_own.html
