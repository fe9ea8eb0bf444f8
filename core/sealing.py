"""Sealed ballot boxes: secret content is encrypted at submission and opened only by the mixer.

A ballot (or an anonymous survey response) is sealed to a per-box public key with libsodium's sealed
boxes (PyNaCl: X25519 + XSalsa20-Poly1305, an ephemeral sender key per message), chosen because it is a
small, well-audited primitive with no parameters to get wrong. The sealed blob is stored in the same
transaction as the participation row, so the database holds "who took part" next to an opaque blob
that nobody can open from the database alone.

The private key never enters the database. It lives in a file under ``SEALING_KEY_DIR`` (the server's
secrets), itself encrypted ("wrapped") with ``SEALING_WRAP_KEY`` from the environment, so neither a
database dump nor a copy of the key directory alone opens anything. ``destroy`` deletes the key after
the final mix: from then on backups, replicas and the WAL hold only blobs that no one can open.

Plaintexts are padded to a multiple of ``PAD_TO`` bytes before sealing so that the blob's length does
not tell a long note from a short one.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
from pathlib import Path

from nacl.public import PrivateKey, PublicKey, SealedBox
from nacl.secret import SecretBox
from nacl.utils import random as random_bytes

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

PAD_TO = 512
_SCOPE = re.compile(r"^[a-z0-9][a-z0-9-]{0,80}$")


class SealingError(Exception):
    """A box cannot be opened: its key is missing, destroyed or was wrapped with another key."""


def _key_dir() -> Path:
    return Path(settings.SEALING_KEY_DIR)


def _wrap_box() -> SecretBox:
    configured = getattr(settings, "SEALING_WRAP_KEY", None)
    if configured:
        try:
            key = base64.b64decode(configured, validate=True)
        except ValueError as error:
            raise ImproperlyConfigured("SEALING_WRAP_KEY must be 32 bytes in base64.") from error
        if len(key) != SecretBox.KEY_SIZE:
            raise ImproperlyConfigured("SEALING_WRAP_KEY must be 32 bytes in base64.")
    else:
        # Development and tests only (production settings require SEALING_WRAP_KEY): derived, not stored.
        key = hashlib.blake2b(settings.SECRET_KEY.encode(), person=b"gongzhi-sealing", digest_size=32).digest()
    return SecretBox(key)


def _path(scope: str) -> Path:
    if not _SCOPE.match(scope):
        raise ValueError(f"Invalid sealing scope {scope!r}.")
    return _key_dir() / f"{scope}.key"


def create_key(scope: str) -> bytes:
    """Make the key pair of a new box and return its public key (32 bytes, safe to store anywhere).

    Refuses to replace an existing key: a second key would split one box into two.
    """
    private = PrivateKey.generate()
    path = _path(scope)
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    wrapped = _wrap_box().encrypt(bytes(private))
    # O_EXCL: two processes opening the same box at once cannot both write a key.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(wrapped)
    return bytes(private.public_key)


def has_key(scope: str) -> bool:
    return _path(scope).exists()


def seal(public_key: bytes, payload: dict) -> bytes:
    """Encrypt a JSON-serialisable payload to the box's public key (padded, see PAD_TO)."""
    data = json.dumps(payload, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()
    data += b" " * (-len(data) % PAD_TO)
    return SealedBox(PublicKey(bytes(public_key))).encrypt(data)


def _private_key(scope: str) -> PrivateKey:
    path = _path(scope)
    try:
        wrapped = path.read_bytes()
    except FileNotFoundError:
        raise SealingError(f"The key of {scope} is missing or was destroyed.") from None
    try:
        return PrivateKey(_wrap_box().decrypt(wrapped))
    except Exception as error:  # nacl.exceptions.CryptoError and friends
        raise SealingError(f"The key of {scope} cannot be unwrapped with SEALING_WRAP_KEY.") from error


def open_all(scope: str, blobs: list[bytes]) -> list[dict]:
    """Decrypt blobs of one box (the mixer's job). Raises SealingError if any cannot be opened."""
    box = SealedBox(_private_key(scope))
    opened = []
    for blob in blobs:
        try:
            opened.append(json.loads(box.decrypt(bytes(blob)).rstrip(b" ")))
        except Exception as error:
            raise SealingError(f"A blob of {scope} cannot be opened.") from error
    return opened


def destroy(scope: str) -> None:
    """Delete the box's private key (after the final mix). Overwritten first: a best effort on disks
    that rewrite in place; the wrapping key is what protects copies elsewhere."""
    path = _path(scope)
    # Two workers may destroy the same key at once (the close's task and `mix_ballots`): whichever finds the
    # file gone at any step has nothing left to do.
    try:
        with path.open("r+b") as handle:
            handle.write(random_bytes(os.fstat(handle.fileno()).st_size))
            handle.flush()
            os.fsync(handle.fileno())
        path.unlink()
    except FileNotFoundError:
        return


def shuffled(items: list) -> list:
    """A uniformly random order from the operating system's CSPRNG (never `random`)."""
    import secrets

    items = list(items)
    for i in range(len(items) - 1, 0, -1):
        j = secrets.randbelow(i + 1)
        items[i], items[j] = items[j], items[i]
    return items
