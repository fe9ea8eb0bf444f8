"""Who may report, see, handle and rate a request, and who may know who reported. Built on organizations.roles.

Views, templates (through context flags), the live connection and the photo view ask these with
`user.has_perm("appeals.…", appeal)`; lists are narrowed in SQL with `Appeal.objects.for_handler(user)`.
"""

from __future__ import annotations

import rules

from django.db.models import Q

from appeals.models import Appeal, GridDuty, Level, Status, worker_lookup
from organizations import roles
from organizations.models import Organization


def _active(user) -> bool:
    return user.is_authenticated and user.is_active


def is_grid_worker(user, appeal: Appeal) -> bool:
    """The worker of a grid whose branch holds the request at grid level (art. 14 aside)."""
    return Appeal.objects.filter(worker_lookup(user), pk=appeal.pk).exists()


@rules.predicate
def can_report(user) -> bool:
    return _active(user)


@rules.predicate
def can_handle(user, appeal: Appeal) -> bool:
    """The grid worker while the request is at grid level, whoever manages the unit holding it
    (admins above included), and the first receiver until it is accepted elsewhere (art. 14); never the
    people of the unit a complaint is about (art. 35)."""
    if not _active(user) or appeal is None:
        return False
    if user.is_superuser:
        return True
    if in_complained_unit(user, appeal):
        return False  # a complaint is never handled by those it is about (art. 35)
    if appeal.owner_id == user.pk and appeal.is_open:
        return True
    if appeal.level == Level.GRID and appeal.pk and is_grid_worker(user, appeal):
        return True
    return roles.can_manage(user, appeal.unit)


@rules.predicate
def is_reporter(user, appeal: Appeal) -> bool:
    return _active(user) and appeal is not None and appeal.reporter_id == user.pk


def in_complained_unit(user, appeal: Appeal) -> bool:
    """Whether the user acts for the organisation the request complains about (or one below it)."""
    about: Organization | None = appeal.complains_about
    if about is None:
        return False
    direct = roles.organizations_with_role(user, *roles.Role)
    if direct.filter(path__startswith=about.path).exists():
        return True
    return (
        GridDuty.objects.filter(worker=user)
        .filter(Q(branch__path__startswith=about.path) | Q(branch=None, grid__community__path__startswith=about.path))
        .exists()
    )


@rules.predicate
def can_see_reporter(user, appeal: Appeal) -> bool:
    """The handler sees who reported, for follow-up; never someone of the unit complained about (art. 35)."""
    if is_reporter(user, appeal):
        return True
    return can_handle(user, appeal) and not in_complained_unit(user, appeal)


@rules.predicate
def can_view(user, appeal: Appeal) -> bool:
    """The whole request (photos, internal notes excepted for the reporter): its reporter and its handlers."""
    return is_reporter(user, appeal) or can_handle(user, appeal)


@rules.predicate
def can_rate(user, appeal: Appeal) -> bool:
    return is_reporter(user, appeal) and appeal.status == Status.DONE and not appeal.rating


@rules.predicate
def can_view_photo(user, photo) -> bool:
    return photo is not None and can_view(user, photo.appeal)


rules.add_perm("appeals.report", can_report)
rules.add_perm("appeals.view_appeal", can_view)
rules.add_perm("appeals.handle", can_handle)
rules.add_perm("appeals.see_reporter", can_see_reporter)
rules.add_perm("appeals.rate", can_rate)
rules.add_perm("appeals.view_photo", can_view_photo)
rules.add_perm("appeals.receive_live", can_report)


def is_street_admin(user) -> bool:
    """Categories and their deadlines are the street's: its admins (and superusers) maintain them."""
    if not _active(user):
        return False
    return (
        user.is_superuser
        or roles.organizations_with_role(user, roles.Role.ADMIN).filter(kind=Organization.Kind.STREET).exists()
    )
