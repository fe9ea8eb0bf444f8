from decimal import Decimal

from evaluation import scoring


def test_quota_is_a_third_of_full_members_rounded_down():
    assert [scoring.excellent_quota(n) for n in (0, 2, 3, 5, 6, 10, 300)] == [0, 0, 1, 1, 2, 3, 100]


def test_group_tally_rates_scores_and_abstentions():
    tally = scoring.GroupTally({"excellent": 2, "competent": 1}, valid=4)
    assert tally.abstentions == 1
    assert tally.rate("excellent") == Decimal("0.5")
    assert tally.score() == Decimal("70.00")  # (200 + 80) / 4
    assert scoring.GroupTally({}, 0).score() is None


def test_combined_score_renormalises_when_a_group_has_no_ballots():
    members = scoring.GroupTally({"excellent": 1}, 1)
    assert scoring.combined_score(members, scoring.GroupTally({}, 0), Decimal("0.7"), Decimal("0.3")) == Decimal(
        "100.00"
    )


def test_quota_keeps_the_best_scored_candidates():
    assert scoring.apply_quota([("a", Decimal(90)), ("b", Decimal(95)), ("c", None)], 1) == {"b"}
