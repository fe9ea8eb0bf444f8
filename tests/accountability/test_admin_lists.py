"""The admin's editor of a responsibility list: an organisation keeps and deletes its own items, never those
handed down by the level above (上级下发) — the same rule as the site's list page."""

import pytest

from django.urls import reverse

from accountability import responsibility
from accountability.models import ResponsibilityItem, ResponsibilityList
from tests.accountability.conftest import YEAR

pytestmark = pytest.mark.django_db


@pytest.fixture
def adopted(tree, branch_a, secretary_a):
    template = ResponsibilityList.objects.create(
        organization=tree["street"], year=YEAR, title="街道模板", published=True
    )
    ResponsibilityItem.objects.create(
        responsibility_list=template, duty="落实三会一课", responsible="书记", sort_order=0
    )
    own = responsibility.adopt(secretary_a, branch_a, YEAR)
    ResponsibilityItem.objects.create(
        responsibility_list=own, duty="走访困难党员", responsible="组织委员", sort_order=1
    )
    return own


def _post(client, own, delete: set[str]):
    items = list(own.items.order_by("sort_order", "pk"))
    data = {
        "organization": own.organization_id,
        "year": own.year,
        "title": own.title,
        "items-TOTAL_FORMS": len(items),
        "items-INITIAL_FORMS": len(items),
        "items-MIN_NUM_FORMS": 0,
        "items-MAX_NUM_FORMS": 1000,
    }
    for n, item in enumerate(items):
        data |= {
            f"items-{n}-id": item.pk,
            f"items-{n}-ORDER": n + 1,
            f"items-{n}-duty": item.duty,
            f"items-{n}-responsible": item.responsible,
            f"items-{n}-standard": "",
            f"items-{n}-evidence_expected": "",
            f"items-{n}-frequency": "",
        }
        if item.duty in delete:
            data[f"items-{n}-DELETE"] = "1"
    url = reverse("wagtailsnippets_accountability_responsibilitylist:edit", args=[own.pk])
    return client.post(url, data)


def test_the_admin_refuses_to_delete_an_item_handed_down_from_above(client, adopted, secretary_a):
    client.force_login(secretary_a)

    response = _post(client, adopted, delete={"落实三会一课"})

    assert response.status_code == 200  # the form again, with the reason
    assert "上级下发" in response.content.decode()
    assert adopted.items.filter(duty="落实三会一课", inherited=True).exists()
    assert adopted.items.count() == 2


def test_the_admin_deletes_the_organisations_own_item(client, adopted, secretary_a):
    client.force_login(secretary_a)

    response = _post(client, adopted, delete={"走访困难党员"})

    assert response.status_code == 302
    assert list(adopted.items.values_list("duty", flat=True)) == ["落实三会一课"]
