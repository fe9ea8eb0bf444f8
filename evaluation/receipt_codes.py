"""Receipt codes (framework-free): what the voter is shown once, and the digest the ballot box keeps."""

from __future__ import annotations

import hashlib
import secrets

# Receipt codes: 16 characters of an alphabet without 0/O or 1/I (80 random bits), read aloud in four
# groups of four. The voter alone keeps the code; the ballot box keeps only its digest.
RECEIPT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
RECEIPT_LENGTH = 16


def new_receipt_code() -> str:
    return "".join(secrets.choice(RECEIPT_ALPHABET) for _ in range(RECEIPT_LENGTH))


def format_receipt(code: str) -> str:
    """ABCD-EFGH-JKLM-NPQR: the form shown to the voter and read aloud."""
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def normalise_receipt(text: str) -> str | None:
    """The code as typed (any case, with or without dashes or spaces), or None if it cannot be one."""
    code = "".join(ch for ch in (text or "")[:64] if not ch.isspace() and ch not in "-‐‑–—_").upper()
    if len(code) != RECEIPT_LENGTH or any(ch not in RECEIPT_ALPHABET for ch in code):
        return None
    return code


def receipt_digest(code: str) -> str:
    """What the ballot box stores and publishes for a receipt code (SHA-256; 80 random bits behind it)."""
    return hashlib.sha256(f"gongzhi-receipt|{code}".encode()).hexdigest()
