"""The admin's choosers offer a user only their own organisations' records (issue 13, L2)."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from django.urls import reverse

from home.models import MeetingRecord
from organizations.factories import GridFactory, OrganizationFactory
from organizations.models import Organization

pytestmark = pytest.mark.django_db


def _listing(client, model: str) -> str:
    response = client.get(reverse(f"wagtailsnippetchoosers_{model}:choose"))
    assert response.status_code == 200
    return json.dumps(response.json(), ensure_ascii=False)


def _chosen(client, model: str, pk: int) -> int:
    return client.get(reverse(f"wagtailsnippetchoosers_{model}:chosen", args=[pk])).status_code


@pytest.fixture
def other_community(tree):
    community = OrganizationFactory(
        parent=tree["street"], name="光明社区党委", code="guangming", kind=Organization.Kind.COMMUNITY
    )
    GridFactory(community=community, name="光明网格", code="guangming-g1")
    return community


def _record(branch, topic):
    return MeetingRecord.objects.create(branch=branch, kind="committee", date=dt.date(2026, 3, 1), topic=topic)


def test_a_branch_editor_chooses_only_their_own_meeting_records(client, editor_a, branch_a, branch_b):
    own, other = _record(branch_a, "甲支部的会议"), _record(branch_b, "乙支部的会议")
    client.force_login(editor_a)
    listing = _listing(client, "home_meetingrecord")
    assert "甲支部的会议" in listing and "乙支部的会议" not in listing
    assert _chosen(client, "home_meetingrecord", other.pk) == 404
    assert _chosen(client, "home_meetingrecord", own.pk) == 200


def test_a_branch_editor_chooses_only_their_own_organisation(client, editor_a, tree, other_community):
    client.force_login(editor_a)
    listing = _listing(client, "organizations_organization")
    assert "第一党支部" in listing
    for name in ("第二党支部", "光明社区党委", "幸福街道党工委"):
        assert name not in listing
    assert _chosen(client, "organizations_organization", tree["branch_b"].pk) == 404
    assert _chosen(client, "organizations_organization", tree["branch_a"].pk) == 200


def test_a_branch_editor_chooses_only_their_communitys_grids(client, editor_a, tree, other_community):
    client.force_login(editor_a)
    listing = _listing(client, "organizations_grid")
    assert "第一网格" in listing and "光明网格" not in listing
    foreign = other_community.grids.get()
    assert _chosen(client, "organizations_grid", foreign.pk) == 404
    assert _chosen(client, "organizations_grid", tree["grid"].pk) == 200


def test_a_street_admin_chooses_among_the_whole_street(client, org_admin, tree, other_community):
    client.force_login(org_admin)
    assert "光明网格" in _listing(client, "organizations_grid")
    assert "光明社区党委" in _listing(client, "organizations_organization")
