from decimal import Decimal

from evaluation import lib


def test_quota_is_a_third_of_full_members_rounded_down():
    assert [lib.excellent_quota(n) for n in (0, 2, 3, 5, 6, 10, 300)] == [0, 0, 1, 1, 2, 3, 100]


def test_receipt_codes_are_random_readable_and_typed_back_in_any_form():
    codes = {lib.new_receipt_code() for _ in range(200)}
    assert len(codes) == 200 and all(len(code) == 16 for code in codes)
    assert not set("".join(codes)) & set("0O1I")
    code = "ABCDEFGHJKLMNPQR"
    assert lib.format_receipt(code) == "ABCD-EFGH-JKLM-NPQR"
    for typed in ("ABCD-EFGH-JKLM-NPQR", "abcd efgh jklm npqr", "abcdefghjklmnpqr", " AbCd-EfGh JkLm—NpQr "):
        assert lib.normalise_receipt(typed) == code, typed
    for wrong in ("", "ABCD-EFGH-JKLM", "ABCD-EFGH-JKLM-NPQ0", "ABCD-EFGH-JKLM-NPQRS", "x" * 500):
        assert lib.normalise_receipt(wrong) is None, wrong


def test_a_receipt_digest_names_the_code_and_nothing_else():
    assert lib.receipt_digest("ABCDEFGHJKLMNPQR") != lib.receipt_digest("ABCDEFGHJKLMNPQS")
    assert len(lib.receipt_digest("ABCDEFGHJKLMNPQR")) == 64


def test_paper_entries_compare_by_a_keyed_digest_of_the_whole_content():
    base = lib.ballot_digest(b"k", "members", {1: "excellent", 2: ""}, {1: "好"})
    assert base == lib.ballot_digest(b"k", "members", {2: None, 1: "excellent"}, {1: "好"})
    assert base != lib.ballot_digest(b"k", "members", {1: "competent", 2: ""}, {1: "好"})
    assert base != lib.ballot_digest(b"k", "members", {1: "excellent", 2: ""}, {1: "差"})
    assert base != lib.ballot_digest(b"k2", "members", {1: "excellent", 2: ""}, {1: "好"})


def test_group_tally_rates_scores_and_abstentions():
    tally = lib.GroupTally({"excellent": 2, "competent": 1}, valid=4)
    assert tally.abstentions == 1
    assert tally.rate("excellent") == Decimal("0.5")
    assert tally.score() == Decimal("70.00")  # (200 + 80) / 4
    assert lib.GroupTally({}, 0).score() is None


def test_combined_score_renormalises_when_a_group_has_no_ballots():
    members = lib.GroupTally({"excellent": 1}, 1)
    assert lib.combined_score(members, lib.GroupTally({}, 0), Decimal("0.7"), Decimal("0.3")) == Decimal("100.00")


def test_quota_keeps_the_best_scored_candidates():
    assert lib.apply_quota([("a", Decimal(90)), ("b", Decimal(95)), ("c", None)], 1) == {"b"}
