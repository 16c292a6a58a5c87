"""Password hashing with scrypt (memory-hard, standard library) and password rules.

A random salt per password; the parameters travel with the hash so they can be raised later
(:func:`needs_rehash` upgrades a hash at the next successful sign-in).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import secrets
import unicodedata
from functools import cache

from gtec.core.errors import UserError

#: scrypt cost: n=2**15, r=8 uses 32 MiB and about 0.1 s per hash on one core (OWASP minimum is 2**14... 2**17).
SCRYPT_N = 2**15
SCRYPT_R = 8
SCRYPT_P = 1
SALT_BYTES = 16
KEY_BYTES = 32
#: Refuse to verify hashes whose stored cost is absurd (a tampered row must not exhaust the server).
MAX_SCRYPT_N = 2**20
MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 256


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _normalise_password(password: str) -> bytes:
    # NFC: "é" typed as one code point or as e + accent must give the same hash.
    return unicodedata.normalize("NFC", password).encode("utf-8")


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    maxmem = 128 * r * (n + p + 2) + 2**20
    return hashlib.scrypt(_normalise_password(password), salt=salt, n=n, r=r, p=p, maxmem=maxmem, dklen=KEY_BYTES)


def hash_password(password: str, *, n: int = SCRYPT_N, r: int = SCRYPT_R, p: int = SCRYPT_P) -> str:
    """Hash ``password`` with scrypt and a fresh random salt.

    Returns ``"scrypt$n=<n>,r=<r>,p=<p>$<salt base64>$<key base64>"``: the parameters travel with the hash.
    """
    salt = secrets.token_bytes(SALT_BYTES)
    key = _scrypt(password, salt, n, r, p)
    return f"scrypt$n={n},r={r},p={p}${_b64(salt)}${_b64(key)}"


def _parse_hash(stored: str) -> tuple[int, int, int, bytes, bytes] | None:
    try:
        algorithm, params, salt_b64, key_b64 = stored.split("$")
        if algorithm != "scrypt":
            return None
        values = dict(item.split("=", 1) for item in params.split(","))
        n, r, p = int(values["n"]), int(values["r"]), int(values["p"])
        salt, key = base64.b64decode(salt_b64, validate=True), base64.b64decode(key_b64, validate=True)
    except (ValueError, KeyError, binascii.Error):
        return None
    if not (2 <= n <= MAX_SCRYPT_N and n & (n - 1) == 0 and 1 <= r <= 32 and 1 <= p <= 16 and salt and key):
        return None
    return n, r, p, salt, key


def verify_password(password: str, stored: str) -> bool:
    """True when ``password`` matches ``stored`` (constant-time compare). Malformed hashes never match."""
    parsed = _parse_hash(stored or "")
    if parsed is None or len(password) > MAX_PASSWORD_LENGTH:
        return False
    n, r, p, salt, key = parsed
    return hmac.compare_digest(_scrypt(password, salt, n, r, p), key)


def needs_rehash(stored: str) -> bool:
    """True when ``stored`` was made with weaker parameters than the current ones (or is malformed)."""
    parsed = _parse_hash(stored or "")
    if parsed is None:
        return True
    n, r, p, _salt, key = parsed
    return n < SCRYPT_N or r < SCRYPT_R or p < SCRYPT_P or len(key) < KEY_BYTES


@cache
def dummy_hash() -> str:
    # Verified when the username is unknown, so that the answer takes as long as for a real account.
    return hash_password(secrets.token_urlsafe(16))


def validate_password(password: str, confirm: str | None = None) -> None:
    """Raise :class:`UserError` when ``password`` is too short/long or differs from ``confirm``."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise UserError("auth.error.password_short", min=MIN_PASSWORD_LENGTH)
    if len(password) > MAX_PASSWORD_LENGTH:
        raise UserError("auth.error.password_long", max=MAX_PASSWORD_LENGTH)
    if confirm is not None and confirm != password:
        raise UserError("auth.error.password_mismatch")
