"""The meetings admin (orglife's own): a meeting at which members signed in is part of the ledger and is
never deleted there, not even by a superuser (the only role with the model's delete permission); one nobody
attended can still be removed."""

import pytest

from django.urls import reverse

from accounts.factories import UserFactory
from orglife import attendance, factories
from orglife.models import Meeting, SignIn

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(db):
    return UserFactory(display_name="超级管理员", is_superuser=True, is_staff=True)


def _url(name, pk):
    return reverse(f"wagtailsnippets_orglife_meeting:{name}", args=(pk,))


def test_a_meeting_that_took_place_cannot_be_deleted_in_the_admin(client, running_meeting, members, superuser):
    attendance.sign_in(running_meeting, members["a"])
    client.force_login(superuser)
    response = client.post(_url("delete", running_meeting.pk), follow=True)
    assert "不能删除" in response.content.decode()
    bulk = reverse("wagtail_bulk_action", args=("orglife", "meeting", "delete"))
    client.post(f"{bulk}?id={running_meeting.pk}", {})
    assert Meeting.objects.filter(pk=running_meeting.pk).exists()
    assert SignIn.objects.filter(meeting=running_meeting).count() == 1
    html = client.get(reverse("wagtailsnippets_orglife_meeting:list")).content.decode()
    assert _url("delete", running_meeting.pk) not in html


def test_a_meeting_nobody_attended_can_still_be_deleted_in_the_admin(client, branch_a, secretary_a, superuser):
    meeting = factories.meeting(branch_a, user=secretary_a)
    client.force_login(superuser)
    assert client.post(_url("delete", meeting.pk)).status_code == 302
    assert not Meeting.objects.filter(pk=meeting.pk).exists()
