from decimal import Decimal

import pytest

from django.core.exceptions import ValidationError

from evaluation import grading, receipt_codes, tally, voting
from evaluation.models import Stage
from evaluation.receipts import published as published_receipts
from evaluation.voting import Choice

pytestmark = pytest.mark.django_db

# Planted votes: voter index → {appraisee index: grade}. Appraisees 0–4 are full members, 5 probationary.
PLAN = {
    0: {1: "excellent", 2: "excellent", 3: "incompetent", 4: "competent"},
    1: {0: "excellent", 2: "excellent", 3: "incompetent", 4: "basic"},
    2: {0: "excellent", 1: "competent", 3: "incompetent", 4: "basic"},
    3: {0: "excellent", 1: "excellent", 2: "excellent"},
    4: {0: "competent", 1: "competent", 2: "excellent", 3: "basic"},
    5: {0: "excellent", 1: "excellent", 2: "excellent", 3: "incompetent", 4: "basic"},
}


def _vote_plan(campaign, voters, plan=PLAN):
    appraisees = {a.user_id: a for a in campaign.appraisees.all()}
    by_index = [appraisees[v.pk] for v in voters]
    receipts = []
    for voter_index, grades in plan.items():
        choices = {by_index[i].pk: Choice(grade) for i, grade in grades.items()}
        receipts.append(voting.cast_member_ballot(campaign, voters[voter_index], choices))
    return by_index, receipts


@pytest.fixture
def closed(open_campaign, voters, secretary_a):
    appraisees, receipts = _vote_plan(open_campaign, voters)
    open_campaign.move_to(Stage.ASSESSMENT, secretary_a)
    return open_campaign, appraisees, receipts


def test_results_are_hidden_until_balloting_closes(open_campaign, voters):
    _vote_plan(open_campaign, voters)
    with pytest.raises(tally.ResultsHidden):
        tally.compute(open_campaign)
    with pytest.raises(tally.ResultsHidden):
        tally.published_ballots(open_campaign)


def test_tally_counts_rates_and_turnout(closed):
    campaign, appraisees, _receipts = closed
    computed = tally.compute(campaign)
    result = {r.appraisee.pk: r for r in computed.results}
    first = result[appraisees[0].pk].members
    assert first.counts == {"excellent": 4, "competent": 1, "basic": 0, "incompetent": 0}
    assert first.valid == 5 and first.rate("excellent") == Decimal("0.8")
    assert computed.members.issued == 6 and computed.members.returned == 6 and computed.valid
    assert computed.members.turnout == Decimal("1")


def test_suggestions_follow_the_rules_and_the_quota(closed):
    campaign, appraisees, _receipts = closed
    computed = tally.compute(campaign)
    suggested = {r.appraisee.pk: r.suggested for r in computed.results}
    # 5 full members → quota ⌊5/3⌋ = 1: of three 优秀 candidates only the best-scored keeps it.
    assert computed.quota == 1
    assert sum(1 for grade in suggested.values() if grade == "excellent") == 1
    assert suggested[appraisees[2].pk] == "excellent"  # 5 × 优秀 of 5: the highest score
    assert suggested[appraisees[3].pk] == "incompetent"  # 4 of 5 voted 不合格
    assert suggested[appraisees[4].pk] == "basic"
    assert suggested[appraisees[5].pk] is None  # probationary: 不定等次


def test_more_than_half_incompetent_is_flagged(closed):
    campaign, appraisees, _receipts = closed
    flagged = {r.appraisee.pk: r.flags for r in tally.compute(campaign).results}
    assert flagged[appraisees[3].pk] == ["incompetent_majority"]
    assert flagged[appraisees[0].pk] == []


def test_published_ballots_recompute_the_official_tally_and_every_receipt_is_listed_apart(closed):
    campaign, _appraisees, receipts = closed
    published = tally.published_ballots(campaign)
    assert all("receipt" not in ballot for ballot in published)
    assert sorted(
        receipt_codes.receipt_digest(receipt_codes.normalise_receipt(r)) for r in receipts
    ) == published_receipts(campaign)
    recounted = tally.recount(published)
    official = tally.compute(campaign)
    for result in official.results:
        if result.appraisee.is_graded:
            assert recounted[(result.appraisee.pk, "members")] == result.members.counts


def test_published_ballots_are_in_the_order_of_their_random_keys(closed):
    campaign, _appraisees, _receipts = closed
    keys = [b["key"] for b in tally.published_ballots(campaign)]
    assert keys == sorted(keys) and len(keys) == 6


def test_fewer_than_three_ballots_show_no_per_member_numbers(campaign, voters, secretary_a):
    campaign.min_turnout = Decimal(0)
    campaign.save()
    campaign.move_to(Stage.BALLOTING, secretary_a)
    open_campaign = campaign
    voting.cast_member_ballot(open_campaign, voters[0], {})
    voting.cast_member_ballot(open_campaign, voters[1], {})
    open_campaign.move_to(Stage.ASSESSMENT, secretary_a)
    computed = tally.compute(open_campaign)
    assert all(result.members is None for result in computed.results)


def test_low_turnout_makes_the_ballot_invalid_and_refuses_final_grades(open_campaign, voters, secretary_a):
    for voter in voters[:3]:
        voting.cast_member_ballot(open_campaign, voter, {})
    open_campaign.move_to(Stage.ASSESSMENT, secretary_a)
    computed = tally.compute(open_campaign)
    assert computed.members.turnout == Decimal("0.5") and not computed.valid
    with pytest.raises(ValidationError, match="Turnout|参评率|turnout"):
        grading.record_final_grades(computed, {})


def _decisions(computed, **overrides):
    decisions = {}
    for r in computed.results:
        if r.appraisee.is_graded:
            decisions[r.appraisee.pk] = (r.suggested, "")
    decisions.update(overrides)
    return decisions


def test_final_grades_are_stored_when_they_respect_the_rules(closed):
    campaign, appraisees, _receipts = closed
    computed = tally.compute(campaign)
    grading.record_final_grades(computed, _decisions(computed))
    appraisees[2].refresh_from_db()
    appraisees[5].refresh_from_db()
    assert appraisees[2].final_grade == "excellent" and appraisees[5].final_grade == ""


def test_final_grades_over_the_quota_are_refused_and_nothing_is_stored(closed):
    campaign, appraisees, _receipts = closed
    computed = tally.compute(campaign)
    decisions = _decisions(computed)
    decisions[appraisees[0].pk] = ("excellent", "群众公认")
    with pytest.raises(ValidationError, match="quota|名额"):
        grading.record_final_grades(computed, decisions)
    assert not campaign.appraisees.exclude(final_grade="").exists()


def test_a_final_grade_that_differs_from_the_suggestion_needs_a_reason(closed):
    campaign, appraisees, _receipts = closed
    computed = tally.compute(campaign)
    decisions = _decisions(computed)
    decisions[appraisees[4].pk] = ("competent", "")
    with pytest.raises(ValidationError):
        grading.record_final_grades(computed, decisions)
    decisions[appraisees[4].pk] = ("competent", "支委会认为已整改")
    grading.record_final_grades(computed, decisions)
    appraisees[4].refresh_from_db()
    assert appraisees[4].final_reason == "支委会认为已整改"


def test_probationary_members_cannot_receive_a_final_grade(closed):
    campaign, appraisees, _receipts = closed
    computed = tally.compute(campaign)
    decisions = _decisions(computed)
    decisions[appraisees[5].pk] = ("competent", "")
    with pytest.raises(ValidationError):
        grading.record_final_grades(computed, decisions)


def test_masses_ballots_are_tallied_separately_and_weighted(campaign, voters, secretary_a):
    campaign.masses_enabled = True
    campaign.member_weight, campaign.masses_weight = Decimal("0.7"), Decimal("0.3")
    campaign.save()
    codes = voting.issue_invitations(campaign, 3)
    campaign.move_to(Stage.BALLOTING, secretary_a)
    open_campaign = campaign
    _vote_plan(open_campaign, voters)
    first = open_campaign.appraisees.get(user=voters[0])
    for code in codes:
        voting.cast_masses_ballot(open_campaign, code, {first.pk: Choice("incompetent")})
    open_campaign.move_to(Stage.ASSESSMENT, secretary_a)
    result = next(r for r in tally.compute(open_campaign).results if r.appraisee.pk == first.pk)
    assert result.masses.counts["incompetent"] == 3
    assert result.flags == ["low_masses_trust"]
    # members: (4×100 + 80) / 5 = 96; masses: 0 → 0.7 × 96 + 0.3 × 0 = 67.2
    assert result.combined == Decimal("67.20")
