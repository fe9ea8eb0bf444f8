"""Invitation codes: made at random, typed from paper, compared as printed, stored only as an HMAC."""

from __future__ import annotations

import hashlib
import hmac
import secrets

# No 0/O, 1/I/L: codes are typed from paper by people of every age.
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 10


def new_code() -> str:
    """A random invitation code, ~49 bits, printed in two groups of five."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
    return f"{raw[:5]}-{raw[5:]}"


def normalise_code(code: str) -> str:
    """Upper-case, without spaces or dashes: what a resident types is compared as printed."""
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def hash_code(code: str, pepper: str) -> str:
    """HMAC-SHA256 of the normalised code with a server-side pepper: the database never holds codes."""
    return hmac.new(pepper.encode(), normalise_code(code).encode(), hashlib.sha256).hexdigest()
