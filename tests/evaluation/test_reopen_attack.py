"""Issue 13, H3: re-opening the ballot to catch one member's ballot alone.

The attack: the secretary closes balloting, saves the published ballots, moves the campaign back to
balloting, waits for one member to vote, closes again and compares: the one new ballot is that member's.
Closing is final, and the settings, the voter list and enrolment freeze when balloting opens.
"""

from decimal import Decimal

import pytest

from django.core.exceptions import ValidationError
from django.urls import reverse

from evaluation import voting
from evaluation.models import AppraisalCampaign, Appraisee, Stage
from organizations.factories import RosterEntryFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("closed_to", [Stage.ASSESSMENT, Stage.NOTICE, Stage.DONE])
def test_closed_balloting_cannot_be_opened_again(open_campaign, voters, secretary_a, closed_to):
    for voter in voters[:4]:
        voting.cast_member_ballot(open_campaign, voter, {})
    open_campaign.move_to(closed_to, secretary_a)
    for back in (Stage.BALLOTING, Stage.PREPARING, Stage.STUDYING, Stage.SELF_ASSESSMENT):
        with pytest.raises(ValidationError):
            open_campaign.move_to(back, secretary_a)
        assert AppraisalCampaign.objects.get(pk=open_campaign.pk).stage == closed_to
    with pytest.raises(voting.BallotRefused):
        voting.cast_member_ballot(open_campaign, voters[4], {})


def test_the_reopen_attack_through_the_manage_page_fails(client, open_campaign, voters, secretary_a):
    for voter in voters[:4]:
        voting.cast_member_ballot(open_campaign, voter, {})
    client.force_login(secretary_a)
    url = reverse("evaluation:manage", args=[open_campaign.pk])
    assert client.post(url, {"action": "stage", "stage": "assessment", "confirm": "close"}).status_code == 302
    before = client.get(reverse("evaluation:published_ballots", args=[open_campaign.pk]), {"format": "json"}).json()
    response = client.post(url, {"action": "stage", "stage": "balloting", "confirm": "close"}, follow=True)
    assert response.status_code == 200
    assert "balloting" not in dict(response.context["stage_form"].fields["stage"].choices)
    open_campaign.refresh_from_db()
    assert open_campaign.stage == Stage.ASSESSMENT
    # The last member cannot vote: there is no new ballot to single out.
    client.force_login(voters[4])
    assert client.post(reverse("evaluation:ballot", args=[open_campaign.pk]), {}).status_code == 409
    after = client.get(reverse("evaluation:published_ballots", args=[open_campaign.pk]), {"format": "json"}).json()
    assert after["ballots"] == before["ballots"] and after["receipts"] == before["receipts"]


def test_once_open_the_campaign_cannot_go_back_to_enrol_more_voters(open_campaign, secretary_a, branch_a):
    with pytest.raises(ValidationError):
        open_campaign.move_to(Stage.PREPARING, secretary_a)
    RosterEntryFactory(branch=branch_a, name="新党员", member_no="A99")
    assert open_campaign.enrol_members() == 0
    assert not open_campaign.appraisees.filter(name="新党员").exists()


def test_settings_that_decide_the_result_freeze_when_balloting_opens(open_campaign):
    fresh = AppraisalCampaign.objects.get(pk=open_campaign.pk)
    fresh.min_turnout = Decimal("0.1")
    with pytest.raises(ValidationError):
        fresh.full_clean()
    with pytest.raises(ValidationError):
        fresh.save()
    fresh = AppraisalCampaign.objects.get(pk=open_campaign.pk)
    fresh.masses_enabled = True
    with pytest.raises(ValidationError):
        fresh.save()
    # Dates after the ballot stay editable.
    fresh = AppraisalCampaign.objects.get(pk=open_campaign.pk)
    fresh.notice_days = 7
    fresh.full_clean()
    fresh.save()


def test_the_settings_form_refuses_frozen_changes_with_an_error(client, open_campaign, secretary_a):
    client.force_login(secretary_a)
    url = reverse("evaluation:manage", args=[open_campaign.pk])
    page = client.get(url)
    data = {name: value for name, value in page.context["form"].initial.items() if value is not None}
    data.update({"action": "settings", "min_turnout": "0.1", "branch": open_campaign.branch_id})
    for name in ("study_starts", "self_assessment_starts", "ballot_date", "assessment_date", "notice_starts"):
        if data.get(name):
            data[name] = data[name].isoformat()
    response = client.post(url, data)
    assert response.status_code in (200, 400)
    assert "民主测评已开始" in response.content.decode()
    open_campaign.refresh_from_db()
    assert open_campaign.min_turnout != Decimal("0.1")


def test_relinking_a_roster_entry_after_opening_gives_no_vote(open_campaign, voters, branch_a):
    from accounts.factories import UserFactory

    stranger = UserFactory()
    appraisee = Appraisee.objects.get(campaign=open_campaign, user=voters[0])
    entry = appraisee.roster_entry
    entry.user = stranger
    entry.save()
    with pytest.raises(voting.BallotRefused):
        voting.cast_member_ballot(open_campaign, stranger, {})
    voting.cast_member_ballot(open_campaign, voters[0], {})  # the voter list froze with the real member
