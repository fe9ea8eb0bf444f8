"""Two keepers recording the same month's dues at the same moment, on PostgreSQL: one payment is stored,
the other keeper is told in Chinese, nothing half-written (no payment logged twice, no server error)."""

import datetime as dt
import threading
from decimal import Decimal

import pytest

from django.core.exceptions import ValidationError
from django.db.models.signals import pre_save
from django.utils import translation

from wagtail.models import ModelLogEntry

from membership import dues
from membership.models import DuesPayment
from organizations.factories import RosterEntryFactory
from tests.concurrency import run_concurrently

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def test_two_keepers_paying_the_same_month_at_once_store_one_payment_and_tell_the_other(branch_a, secretary_a):
    entry = RosterEntryFactory(branch=branch_a, name="交费党员")
    both_checked = threading.Barrier(2, timeout=10)

    def after_both_checks(sender, instance, **kwargs):
        # Both threads have found the month unpaid before either inserts: the constraint must decide.
        both_checked.wait()

    def pay(index):
        with translation.override("zh-hans"):
            return dues.record_payment(entry, dt.date(2026, 3, 1), Decimal("15"), dt.date(2026, 3, 20), secretary_a)

    pre_save.connect(after_both_checks, sender=DuesPayment)
    try:
        results = run_concurrently(pay, 2)
    finally:
        pre_save.disconnect(after_both_checks, sender=DuesPayment)
    assert sum(isinstance(r, DuesPayment) for r in results) == 1, results
    refused = [r for r in results if isinstance(r, ValidationError)]
    assert len(refused) == 1 and refused[0].messages == ["2026-03已登记为已交。"]
    assert DuesPayment.objects.filter(entry=entry).count() == 1
    assert ModelLogEntry.objects.filter(action="membership.dues.payment").count() == 1
