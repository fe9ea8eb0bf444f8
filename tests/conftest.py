"""Shared fixtures: an organisation tree with two branches, and one user per role.

street ─ community ─┬─ branch_a  (editor_a, secretary_a, member_a)
                    └─ branch_b  (editor_b)
org_admin administers the street; resident holds no role; outsider is anonymous.
"""

import os

import pytest

from django.core.cache import caches

from wagtail.models import Page, Site

from accounts.factories import UserFactory
from home.models import BranchPage, HomePage
from organizations import roles
from organizations.factories import GridFactory, OrganizationFactory, RosterEntryFactory
from organizations.models import Organization


def pytest_collection_modifyitems(config, items):
    """Tests marked `postgres` need PostgreSQL's concurrency; the SQLite run deselects them (and `redis`
    tests are deselected where REDIS_URL is unset).

    Deselected, not skipped: CI runs the whole suite a second time on PostgreSQL, where they run.
    """
    from django.db import connection

    _serialize_transactional_tests(items)
    # Tests marked `redis` run a real Redis-backed task worker: only where REDIS_URL names a Redis.
    needs = {"redis"} if not os.environ.get("REDIS_URL") else set()
    if connection.vendor != "postgresql":
        needs.add("postgres")
    if not needs:
        return
    selected = [item for item in items if not needs & set(item.keywords)]
    deselected = [item for item in items if needs & set(item.keywords)]
    if deselected:
        config.hook.pytest_deselected(items=deselected)
        items[:] = selected


def _serialize_transactional_tests(items) -> None:
    """Every transactional test restores the migrated data (Wagtail's root page, content types).

    A flush without it deletes the root page for the tests after it, and mixing the two kinds makes
    the restore collide with content types that the flush re-created.
    """
    for item in items:
        marker = item.get_closest_marker("django_db")
        if marker and marker.kwargs.get("transaction") and not marker.kwargs.get("serialized_rollback"):
            kwargs = {**marker.kwargs, "serialized_rollback": True}
            item.add_marker(pytest.mark.django_db(*marker.args, **kwargs), append=False)


@pytest.fixture(autouse=True)
def _clear_cache():
    # Rate-limit counters live in the cache; one test's failures must not limit the next.
    # Every store: rendered pages live in the "pages" cache apart from the default one.
    for store in caches.all():
        store.clear()
    yield
    for store in caches.all():
        store.clear()


def require_service(reachable: bool, what: str) -> None:
    """Skip when a service is unreachable on a developer machine; in CI that is a failure."""
    if reachable:
        return
    if os.environ.get("CI") == "true":
        pytest.fail(f"{what} is unreachable, and CI=true requires it.")
    pytest.skip(f"{what} is unreachable.")


@pytest.fixture
def sign_in(client, settings):
    """Signs the test client in as a user, with production's session store (cached_db): the page cache
    answers signed-in viewers' kept copies (core/cache.py) after reading the session, before routing."""
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"

    def as_user(user):
        client.force_login(user)
        return client

    return as_user


@pytest.fixture
def home_page(db):
    root = Page.get_first_root_node()
    home = root.add_child(instance=HomePage(title="幸福街道", slug="test-home"))
    Site.objects.update_or_create(is_default_site=True, defaults={"root_page": home, "hostname": "localhost"})
    return home


@pytest.fixture
def tree(db, home_page):
    street = OrganizationFactory(name="幸福街道党工委", code="street", kind=Organization.Kind.STREET)
    community = OrganizationFactory(parent=street, name="和平社区党委", code="heping", kind=Organization.Kind.COMMUNITY)
    branch_a = OrganizationFactory(parent=community, name="第一党支部", code="branch-a")
    branch_b = OrganizationFactory(parent=community, name="第二党支部", code="branch-b")
    for organization in (street, community, branch_a, branch_b):
        parent_page = organization.get_parent().page if organization.get_parent() else home_page
        if organization is street:
            organization.page = home_page
        else:
            organization.page = parent_page.add_child(
                instance=BranchPage(title=organization.name, slug=organization.code, organization=organization)
            )
        organization.save()
    grid = GridFactory(community=community, name="第一网格", code="heping-g1")
    return {"street": street, "community": community, "branch_a": branch_a, "branch_b": branch_b, "grid": grid}


@pytest.fixture
def branch_a(tree):
    return Organization.objects.get(pk=tree["branch_a"].pk)


@pytest.fixture
def branch_b(tree):
    return Organization.objects.get(pk=tree["branch_b"].pk)


def _with_role(organization, role, **kwargs):
    user = UserFactory(**kwargs)
    roles.grant(user, organization, role)
    return user


@pytest.fixture
def editor_a(branch_a):
    return _with_role(branch_a, roles.Role.EDITOR, display_name="编辑甲")


@pytest.fixture
def editor_b(branch_b):
    return _with_role(branch_b, roles.Role.EDITOR, display_name="编辑乙")


@pytest.fixture
def secretary_a(branch_a):
    return _with_role(branch_a, roles.Role.SECRETARY, display_name="书记甲")


@pytest.fixture
def org_admin(tree):
    return _with_role(tree["street"], roles.Role.ADMIN, display_name="街道管理员")


@pytest.fixture
def member_a(branch_a):
    user = UserFactory(display_name="党员甲")
    RosterEntryFactory(branch=branch_a, user=user, name="党员甲")
    return user


@pytest.fixture
def resident(db):
    return UserFactory(display_name="居民")
