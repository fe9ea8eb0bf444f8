import datetime as dt

import pytest

from django.urls import reverse
from django.utils import timezone

from surveys import mixing
from surveys.codes import hash_code
from surveys.factories import qid, survey_page
from surveys.invitations import issue
from surveys.models import Invitation, Response, SealedResponse, SurveyPage, invitation_pepper

pytestmark = pytest.mark.django_db


def _form(page):
    return {f"q-{qid(page, 0)}": "30岁以下", f"q-{qid(page, 1)}": ["健康讲座"], f"q-{qid(page, 2)}": "4"}


def _close(page):
    page.closes_at = timezone.now() - dt.timedelta(seconds=1)
    page.save()
    mixing.settle(page)


@pytest.fixture
def invited(branch_a):
    return survey_page(branch_a.page, mode=SurveyPage.Mode.INVITATION)


def test_codes_are_stored_only_as_a_keyed_hash(invited):
    (code, invitation), *_ = issue(invited, ["王秀英", "李建国"])
    assert code not in invitation.code_hash and len(invitation.code_hash) == 64
    assert Invitation.objects.get(pk=invitation.pk).code_hash == hash_code(code, invitation_pepper())
    assert not Invitation.objects.filter(code_hash__icontains=code.replace("-", "")).exists()


def test_a_code_admits_one_anonymous_response_without_an_account(client, invited):
    ((code, invitation),) = issue(invited, ["printed"])
    page = client.get(invited.url, {"code": code.lower().replace("-", " ")})
    assert page.context["state"] == "form"
    assert client.post(invited.url, _form(invited)).status_code == 302
    invitation.refresh_from_db()
    assert invitation.used
    assert SealedResponse.objects.filter(survey=invited).count() == 1 and not Response.objects.exists()
    # The same code again, from the link or typed: refused, nothing stored.
    again = client.get(invited.url, {"code": code})
    assert again.context["state"] == "code" and again.context["code_error"]
    client.post(invited.url, _form(invited) | {"code": code})
    assert SealedResponse.objects.count() == 1
    _close(invited)
    response = Response.objects.get(survey=invited)
    assert response.user_id is None


def test_a_revoked_code_is_refused(client, invited, editor_a):
    ((code, invitation),) = issue(invited, [""])
    client.force_login(editor_a)
    client.post(reverse("surveys_invitations_revoke", args=[invited.pk]), {"invitation": invitation.pk})
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    client.logout()
    client.post(invited.url, _form(invited) | {"code": code})
    assert Response.objects.count() == 0 and SealedResponse.objects.count() == 0


def test_editor_issues_and_prints_codes_with_qr_for_a_grid(client, invited, editor_a, tree):
    client.force_login(editor_a)
    url = reverse("surveys_invitations", args=[invited.pk])
    response = client.post(url, {"count": "3", "label": "第一批", "grid": tree["grid"].pk})
    assert response.status_code == 200
    assert len(response.context["cards"]) == 3 and response.content.decode().count("<svg") == 3
    assert Invitation.objects.filter(survey=invited, grid=tree["grid"], label="第一批").count() == 3
    # A response by such a code is counted under its grid.
    code = response.context["cards"][0]["code"]
    client.logout()
    client.post(invited.url, _form(invited) | {"code": code})
    _close(invited)
    assert Response.objects.get().grid == tree["grid"]


def test_other_branches_editors_cannot_issue_codes(client, invited, editor_b):
    client.force_login(editor_b)
    url = reverse("surveys_invitations", args=[invited.pk])
    response = client.get(url)
    assert response.status_code in (302, 403) and "form" not in (response.context or {})
    client.post(url, {"count": "3"})
    assert not Invitation.objects.exists()
