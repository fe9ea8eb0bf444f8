import pytest

from django.db import IntegrityError, transaction

from organizations.models import RosterEntry
from tests.concurrency import run_concurrently


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_inserts_of_one_member_number_store_one_entry(branch_a):
    def insert(index: int):
        with transaction.atomic():
            return RosterEntry.objects.create(
                branch_id=branch_a.pk, member_no="007", name=f"党员{index}", gender="F", joined_on="2020-07-01"
            )

    results = run_concurrently(insert, 8)
    assert RosterEntry.objects.filter(branch=branch_a, member_no="007").count() == 1
    assert sum(isinstance(result, IntegrityError) for result in results) == 7
