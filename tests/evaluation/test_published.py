"""Issue 13, M3 and M4: what the published ballots show, and what they do not."""

import pytest

from django.urls import reverse

from evaluation import receipt_codes, tally, voting
from evaluation.models import Stage
from evaluation.voting import Choice

pytestmark = pytest.mark.django_db


@pytest.fixture
def with_one_masses_ballot(campaign, voters, secretary_a):
    campaign.masses_enabled = True
    campaign.save()
    (code,) = voting.issue_invitations(campaign, 1)
    campaign.move_to(Stage.BALLOTING, secretary_a)
    receipts = [voting.cast_member_ballot(campaign, voter, {}) for voter in voters]
    first = campaign.appraisees.get(user=voters[0])
    masses_receipt = voting.cast_masses_ballot(campaign, code, {first.pk: Choice("incompetent", "群众意见")})
    campaign.move_to(Stage.ASSESSMENT, secretary_a)
    return campaign, receipts, masses_receipt


def test_a_lone_masses_ballot_is_not_published_on_its_own(with_one_masses_ballot):
    campaign, receipts, _masses_receipt = with_one_masses_ballot
    published = tally.published_ballots(campaign)
    assert {ballot["group"] for ballot in published} == {"members"} and len(published) == len(receipts)
    assert tally.withheld_groups(campaign) == {"masses": 1}
    # Consistent with the tally, which shows no per-member masses' numbers either.
    assert all(result.masses is None for result in tally.compute(campaign).results)


def test_published_ballots_carry_no_receipt_and_the_receipts_are_listed_apart(client, with_one_masses_ballot, voters):
    campaign, receipts, masses_receipt = with_one_masses_ballot
    client.force_login(voters[1])
    data = client.get(reverse("evaluation:published_ballots", args=[campaign.pk]), {"format": "json"}).json()
    digests = sorted(
        receipt_codes.receipt_digest(receipt_codes.normalise_receipt(r)) for r in [*receipts, masses_receipt]
    )
    assert data["receipts"] == digests
    assert all(set(ballot) == {"key", "group", "grades"} for ballot in data["ballots"])
    text = str(data["ballots"])
    assert not any(digest in text for digest in digests)
    assert not any(r.replace("-", "") in text for r in receipts)
    page = client.get(reverse("evaluation:published_ballots", args=[campaign.pk])).content.decode()
    assert "群众代表 1" in page and "群众意见" not in page
