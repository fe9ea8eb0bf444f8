from evaluation import receipt_codes


def test_receipt_codes_are_random_readable_and_typed_back_in_any_form():
    codes = {receipt_codes.new_receipt_code() for _ in range(200)}
    assert len(codes) == 200 and all(len(code) == 16 for code in codes)
    assert not set("".join(codes)) & set("0O1I")
    code = "ABCDEFGHJKLMNPQR"
    assert receipt_codes.format_receipt(code) == "ABCD-EFGH-JKLM-NPQR"
    for typed in ("ABCD-EFGH-JKLM-NPQR", "abcd efgh jklm npqr", "abcdefghjklmnpqr", " AbCd-EfGh JkLm—NpQr "):
        assert receipt_codes.normalise_receipt(typed) == code, typed
    for wrong in ("", "ABCD-EFGH-JKLM", "ABCD-EFGH-JKLM-NPQ0", "ABCD-EFGH-JKLM-NPQRS", "x" * 500):
        assert receipt_codes.normalise_receipt(wrong) is None, wrong


def test_a_receipt_digest_names_the_code_and_nothing_else():
    assert receipt_codes.receipt_digest("ABCDEFGHJKLMNPQR") != receipt_codes.receipt_digest("ABCDEFGHJKLMNPQS")
    assert len(receipt_codes.receipt_digest("ABCDEFGHJKLMNPQR")) == 64
