"""Transfers of membership (nothing lost or held twice, whoever cancels) and mobile members' contact flag."""

import datetime as dt

import pytest

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from accounts.factories import UserFactory
from jobs.models import Job
from membership import mobile, transfers
from membership.models import (
    ContactLog,
    ContactMethod,
    MobileDirection,
    MobileRecord,
    MobileStatus,
    Transfer,
    TransferStatus,
)
from organizations import roles
from organizations.factories import RosterEntryFactory
from organizations.models import RosterEntry
from tests.jobs.downloading import content_of, download_report

D = dt.date
pytestmark = pytest.mark.django_db


@pytest.fixture
def secretary_b(branch_b):
    user = UserFactory(display_name="书记乙")
    roles.grant(user, branch_b, roles.Role.SECRETARY)
    return user


@pytest.fixture
def mover(branch_a):
    return RosterEntryFactory(branch=branch_a, name="调动党员", member_no="A-007")


def _where(entry):
    entry.refresh_from_db()
    return entry.branch_id, entry.status


def test_a_transfer_moves_the_entry_only_when_the_new_branch_accepts(
    branch_a, branch_b, mover, secretary_a, secretary_b
):
    RosterEntryFactory(branch=branch_b, member_no="A-007")  # the number is taken in the new branch
    transfer = transfers.request_transfer(mover, secretary_a, to_branch=branch_b)
    assert _where(mover) == (branch_a.pk, RosterEntry.Status.NORMAL)
    transfers.release(transfer, secretary_a)
    assert _where(mover) == (branch_a.pk, RosterEntry.Status.NORMAL)
    transfers.accept(transfer, secretary_b)
    assert _where(mover) == (branch_b.pk, RosterEntry.Status.NORMAL)
    transfer.refresh_from_db()
    assert (transfer.old_member_no, transfer.new_member_no) == ("A-007", "A-007-2")
    assert RosterEntry.objects.filter(name="调动党员").count() == 1


@pytest.mark.parametrize("cancel_after", ["requested", "released"])
def test_a_transfer_cancelled_halfway_leaves_the_member_where_they_were(
    branch_a, branch_b, mover, secretary_a, secretary_b, cancel_after
):
    transfer = transfers.request_transfer(mover, secretary_a, to_branch=branch_b)
    if cancel_after == "released":
        transfers.release(transfer, secretary_a)
    transfers.cancel(transfer, secretary_b, "对方支部暂不接收")
    assert _where(mover) == (branch_a.pk, RosterEntry.Status.NORMAL)
    assert RosterEntry.objects.filter(branch=branch_b, name="调动党员").count() == 0
    with pytest.raises(ValidationError):
        transfers.accept(transfer, secretary_b)
    # A new transfer can start again; the cancelled one stays as history.
    again = transfers.request_transfer(mover, secretary_a, to_branch=branch_b)
    assert Transfer.objects.filter(entry=mover).count() == 2 and again.status == TransferStatus.REQUESTED


def test_a_member_has_one_open_transfer_at_most(branch_b, mover, secretary_a, tree):
    transfers.request_transfer(mover, secretary_a, to_branch=branch_b)
    with pytest.raises(ValidationError):
        transfers.request_transfer(mover, secretary_a, outside="某市某局机关党委")
    with pytest.raises(IntegrityError), transaction.atomic():
        Transfer.objects.create(entry=mover, from_branch=mover.branch, to_branch=branch_b, old_member_no="x")


def test_an_accepted_transfer_cannot_be_cancelled_or_accepted_twice(branch_b, mover, secretary_a, secretary_b):
    transfer = transfers.request_transfer(mover, secretary_a, to_branch=branch_b)
    transfers.release(transfer, secretary_a)
    transfers.accept(transfer, secretary_b)
    for step in (transfers.cancel, transfers.accept, transfers.release):
        with pytest.raises(ValidationError):
            step(transfer, secretary_b)
    assert _where(mover)[0] == branch_b.pk


def test_a_transfer_outside_the_platform_ends_on_release_with_the_entry_kept(branch_a, mover, secretary_a):
    transfer = transfers.request_transfer(mover, secretary_a, outside="某市某局机关党委")
    transfers.release(transfer, secretary_a)
    assert _where(mover) == (branch_a.pk, RosterEntry.Status.TRANSFERRED)
    assert not RosterEntry.objects.active().filter(pk=mover.pk).exists()


def test_the_transfer_pages_follow_the_roles(client, branch_b, mover, secretary_a, secretary_b, editor_a):
    transfer = transfers.request_transfer(mover, secretary_a, to_branch=branch_b)
    url = reverse("membership:transfer", args=[transfer.pk])
    client.force_login(secretary_b)
    assert client.post(url, {"action": "release"}).status_code == 403  # only the old branch releases
    client.force_login(secretary_a)
    assert client.post(url, {"action": "release"}).status_code == 302
    assert client.post(url, {"action": "accept"}).status_code == 403  # only the new branch accepts
    client.force_login(secretary_b)
    assert client.post(url, {"action": "accept"}).status_code == 302
    assert _where(mover)[0] == branch_b.pk
    client.force_login(editor_a)
    assert client.get(url).status_code == 403


def test_secretary_requests_a_transfer_on_the_site(client, branch_b, mover, secretary_a):
    client.force_login(secretary_a)
    response = client.post(reverse("membership:transfers"), {"entry": mover.pk, "to_branch": branch_b.pk})
    assert response.status_code == 302
    assert Transfer.objects.get().to_branch == branch_b
    response = client.post(reverse("membership:transfers"), {"entry": mover.pk})
    assert response.status_code == 400  # neither a branch nor an outside organisation


def _outflow(branch, entry, registered_on):
    record = MobileRecord(
        branch=branch,
        direction=MobileDirection.OUTFLOW,
        entry=entry,
        place="深圳市南山区",
        contact="138",
        registered_on=registered_on,
    )
    return mobile.register(record, None)


def test_an_outflowing_member_shows_as_mobile_and_back_to_normal_on_return(branch_a, mover):
    record = _outflow(branch_a, mover, D(2026, 1, 5))
    assert _where(mover)[1] == RosterEntry.Status.MOBILE
    mobile.mark_returned(record, None)
    assert _where(mover)[1] == RosterEntry.Status.NORMAL


def test_not_contacted_for_three_months_is_flagged(branch_a, mover, settings):
    record = _outflow(branch_a, mover, D(2026, 5, 1))
    today = D(2026, 8, 31)
    assert mobile.flag_date(today) == D(2026, 5, 31)
    assert MobileRecord.objects.not_contacted_since(mobile.flag_date(today)).get() == record
    ContactLog.objects.create(record=record, contacted_on=D(2026, 5, 31), method=ContactMethod.PHONE, note="近况良好")
    assert not MobileRecord.objects.not_contacted_since(mobile.flag_date(today)).exists()
    assert MobileRecord.objects.not_contacted_since(mobile.flag_date(D(2026, 9, 1))).exists()
    settings.MEMBERSHIP_CONTACT_MONTHS = 6
    assert not MobileRecord.objects.not_contacted_since(mobile.flag_date(D(2026, 9, 1))).exists()


def test_lost_contact_is_a_status_and_a_new_contact_ends_it(branch_a, mover):
    record = _outflow(branch_a, mover, D(2026, 1, 5))
    mobile.mark_lost(record, None)
    assert MobileRecord.objects.get(pk=record.pk).status == MobileStatus.LOST
    mobile.record_contact(
        record, ContactLog(contacted_on=D(2026, 6, 1), method=ContactMethod.MESSAGE, note="已回复"), None
    )
    assert MobileRecord.objects.get(pk=record.pk).status == MobileStatus.IN_TOUCH


def test_a_member_is_registered_as_mobile_once_at_a_time(branch_a, mover):
    _outflow(branch_a, mover, D(2026, 1, 5))
    with pytest.raises(ValidationError):
        _outflow(branch_a, mover, D(2026, 2, 5))


def test_the_mobile_list_flags_and_is_for_keepers_only(client, branch_a, mover, secretary_a, member_a):
    _outflow(branch_a, mover, D(2025, 1, 5))
    client.force_login(secretary_a)
    body = client.get(reverse("membership:mobile_list")).content.decode()
    assert "调动党员" in body and "个月未联系" in body
    client.force_login(member_a)
    assert client.get(reverse("membership:mobile_list")).status_code == 403


def test_the_transfer_letter_is_a_pdf_in_chinese_with_an_embedded_font(
    client, mover, secretary_a, secretary_b, tmp_path
):
    import subprocess

    transfer = transfers.request_transfer(mover, secretary_a, outside="某市某局机关党委", reason="工作调动")
    transfers.release(transfer, secretary_a)
    url = reverse("membership:transfer_letter", args=[transfer.pk])
    client.force_login(secretary_b)
    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403
    client.force_login(secretary_a)
    assert client.get(url).status_code == 200 and not Job.objects.exists()  # an old link: the button's page
    response = download_report(client, url)
    assert response["Content-Type"] == "application/pdf"
    job = Job.objects.get()
    path = tmp_path / "letter.pdf"
    path.write_bytes(content_of(response))
    text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
    assert "调动党员" in text and "某市某局机关党委" in text and "组织关系介绍信" in text
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    assert [line for line in fonts.splitlines() if "CJK" in line and " yes " in line], fonts
    client.force_login(secretary_b)
    assert client.get(f"/jobs/{job.pk}/download/").status_code == 404  # only its owner downloads it
    # The job asks again: once the transfer is cancelled, no letter is written for it.
    from jobs import running
    from membership.models import Transfer, TransferStatus

    Transfer.objects.filter(pk=transfer.pk).update(status=TransferStatus.CANCELLED)
    again = Job.objects.create(
        owner=secretary_a, kind="membership.transfer_letter", title="介绍信", params={"transfer_id": transfer.pk}
    )
    assert running.run(again.pk) == Job.Status.FAILED
    gone = Job.objects.create(
        owner=secretary_a, kind="membership.transfer_letter", title="介绍信", params={"transfer_id": 0}
    )
    assert running.run(gone.pk) == Job.Status.FAILED
    client.force_login(secretary_a)
    assert client.post(reverse("membership:transfer_letter", args=[999999])).status_code == 404
