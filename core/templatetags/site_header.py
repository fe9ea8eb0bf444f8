"""The site header, drawn once per language and kind of visitor, then filled in for each request.

Every page drawn anew draws the header: eleven URL reversals, twenty translations and the language list,
about 1.7 ms of a 2.4 ms page (the ballot receipt, measured). Only four things in it are the request's
own: the visitor's name, the unread badge, the CSRF token of its two forms and the path the language
switcher returns to. Everything else follows from the language, whether the visitor is signed in and
whether they may open the admin: `{% site_header %}` draws the header once for each such kind with
markers in those four places and keeps it in the process, then fills the markers in, escaped, for
each request. The output is the same as drawing includes/header.html (tests/core/test_site_header.py).

Kept per process and never stale: templates, URLs and translations change only with a new deploy.
With DEBUG (templates edited while the server runs) the header is drawn each time.
"""

from __future__ import annotations

from django import template
from django.conf import settings
from django.core.signals import setting_changed
from django.template.loader import get_template, render_to_string
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

register = template.Library()

TEMPLATE = "includes/header.html"
# A private-use character: autoescaping leaves it alone, and no name, path or translation holds it.
_MARK = "\ue000"
_DRAWING_SKELETON = "_site_header_skeleton"
_skeletons: dict[tuple, list[str]] = {}


def _slot(name: str) -> str:
    return f"{_MARK}{name}{_MARK}"


class _StandInUser:
    """What the header reads of the visitor, with a marker for their name."""

    def __init__(self, signed_in: bool):
        self.is_authenticated = signed_in

    def get_full_name(self) -> str:
        return _slot("name")


class _StandInRequest:
    def get_full_path(self) -> str:
        return _slot("next")


def _kind(user) -> tuple:
    signed_in = bool(user.is_authenticated)
    return get_language(), signed_in, signed_in and user.has_perm("wagtailadmin.access_admin")


def _skeleton(kind: tuple) -> list[str]:
    """The header for one kind of visitor, split at its markers: text, slot name, text, slot name, …"""
    parts = _skeletons.get(kind)
    if parts is None:
        _language, signed_in, admin = kind
        context = {
            _DRAWING_SKELETON: True,
            "user": _StandInUser(signed_in),
            "perms": {"wagtailadmin": {"access_admin": admin}},
            "request": _StandInRequest(),
            "csrf_token": _slot("csrf"),
        }
        parts = _skeletons[kind] = get_template(TEMPLATE).render(context).split(_MARK)
    return parts


@register.simple_tag(takes_context=True)
def site_header(context) -> SafeString:
    request, user = context.get("request"), context.get("user")
    token = context.get("csrf_token")
    if settings.DEBUG or request is None or user is None or token in (None, "NOTPROVIDED"):
        return context.template.engine.get_template(TEMPLATE).render(context)
    values = {
        "name": lambda: conditional_escape(user.get_full_name()),
        "badge": lambda: _badge(context),
        "csrf": lambda: conditional_escape(str(token)),
        "next": lambda: conditional_escape(request.get_full_path()),
    }
    parts = _skeleton(_kind(user))
    filled = {name: values[name]() for name in set(parts[1::2])}
    return mark_safe("".join(filled[part] if index % 2 else part for index, part in enumerate(parts)))  # noqa: S308


def _badge(context) -> SafeString:
    return render_to_string("includes/unread_badge.html", {"unread_notifications": context.get("unread_notifications")})


@register.simple_tag(takes_context=True)
def unread_badge(context) -> str:
    """The unread count beside "Notifications"; a marker while the header's skeleton is drawn."""
    if context.get(_DRAWING_SKELETON):
        return _slot("badge")  # escaping leaves the marker as it is
    return _badge(context)


def _forget(**kwargs) -> None:
    _skeletons.clear()


# Tests change languages, URLs and templates with override_settings.
setting_changed.connect(_forget, dispatch_uid="core_site_header_forget")
