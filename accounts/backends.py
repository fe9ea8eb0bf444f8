"""Model permissions read from the cache: every signed-in page asks whether the user may open the admin."""

from __future__ import annotations

from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache

from core import cache as page_cache

VERSION_KEY = "accounts:permissions:version"
TIMEOUT = 3600


def forget_all(**kwargs) -> None:
    """Any change to groups, their permissions or a user's permissions makes every cached set stale, and
    every page kept for a signed-in viewer (it shows what they may do)."""
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, 2, timeout=None)
    page_cache.forget_all_viewers()


def forget_pages_of(sender, instance, created=False, update_fields=None, **kwargs) -> None:
    """A saved account forgets the pages kept for it (a sign-in saves `last_login`; a new account has none),
    and a change to an existing one (a name shown beside posts, superuser or not, active or not) every
    page kept for anyone."""
    if created or (update_fields is not None and set(update_fields) <= {"last_login"}):
        page_cache.forget_viewer(instance.pk)
    else:
        page_cache.forget_all_viewers()


class CachedPermissionsBackend(ModelBackend):
    """Django's ModelBackend, with each user's permission set kept in the cache between requests."""

    def get_all_permissions(self, user_obj, obj=None):
        if not user_obj.is_active or user_obj.is_anonymous or obj is not None:
            return set()
        if not hasattr(user_obj, "_perm_cache"):
            user_obj._perm_cache = self._cached(user_obj)
        return user_obj._perm_cache

    def _cached(self, user_obj) -> set[str]:
        key = f"accounts:permissions:{user_obj.pk}:{int(user_obj.is_superuser)}"
        found = cache.get_many([VERSION_KEY, key])
        version = found.get(VERSION_KEY)
        if version is None:
            cache.add(VERSION_KEY, 1, timeout=None)
            version = cache.get(VERSION_KEY, 1)
        entry = found.get(key)
        if entry is not None and entry[0] == version:
            return entry[1]
        permissions = super().get_all_permissions(user_obj)
        cache.set(key, (version, permissions), TIMEOUT)
        return permissions


def connect_signals() -> None:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group, Permission
    from django.db.models.signals import m2m_changed, post_delete, post_save

    from wagtail.models import GroupPagePermission

    User = get_user_model()
    for through in (User.groups.through, User.user_permissions.through, Group.permissions.through):
        m2m_changed.connect(forget_all, sender=through, dispatch_uid=f"accounts_perms_{through._meta.label}")
    post_save.connect(forget_pages_of, sender=User, dispatch_uid="accounts_user_pages")
    # Wagtail's page permissions say who edits a page, and pages kept for a viewer show what they may do.
    for model in (Group, Permission, GroupPagePermission):
        post_save.connect(forget_all, sender=model, dispatch_uid=f"accounts_perms_saved_{model._meta.label}")
        post_delete.connect(forget_all, sender=model, dispatch_uid=f"accounts_perms_gone_{model._meta.label}")
