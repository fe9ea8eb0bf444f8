"""Model permissions come from the cache between requests, and every grant or revocation reaches it at once."""

import pytest

from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from organizations import roles

pytestmark = pytest.mark.django_db


def _fresh(user):
    # A new request loads the user anew: nothing is remembered on the object.
    return get_user_model().objects.get(pk=user.pk)


def test_a_second_request_reads_permissions_without_a_query(resident):
    assert not _fresh(resident).has_perm("wagtailadmin.access_admin")
    user = _fresh(resident)
    with CaptureQueriesContext(connection) as captured:
        assert not user.has_perm("wagtailadmin.access_admin")
    assert len(captured) == 0


def test_a_role_granted_or_revoked_applies_on_the_next_request(resident, branch_a):
    assert not _fresh(resident).has_perm("wagtailadmin.access_admin")
    roles.grant(resident, branch_a, roles.Role.EDITOR)
    assert _fresh(resident).has_perm("wagtailadmin.access_admin")
    roles.revoke(resident, branch_a, roles.Role.EDITOR)
    assert not _fresh(resident).has_perm("wagtailadmin.access_admin")


def test_a_group_losing_a_permission_applies_to_its_members_at_once(editor_a, branch_a):
    assert _fresh(editor_a).has_perm("wagtailadmin.access_admin")
    group = roles.role_group(branch_a, roles.Role.EDITOR)
    group.permissions.remove(*group.permissions.filter(codename="access_admin"))
    assert not _fresh(editor_a).has_perm("wagtailadmin.access_admin")


def test_a_deactivated_user_has_no_permissions(editor_a):
    editor_a.is_active = False
    editor_a.save()
    assert not _fresh(editor_a).has_perm("wagtailadmin.access_admin")
