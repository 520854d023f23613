"""Password hashing with scrypt (memory-hard, in the standard library) and the password rules.

Stored form: ``scrypt$<log2 n>$<r>$<p>$<salt b64>$<hash b64>``, so the cost can be raised later and
old hashes still verify (`needs_rehash` tells when to upgrade at the next login).
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import secrets

LOG2_N = 15  # n = 32768, r = 8: 32 MiB and ~0.1 s per hash on this class of machine
R = 8
P = 1
MIN_LENGTH = 10
MAX_LENGTH = 256  # scrypt is fine with long input, but a megabyte "password" is an attack, not a password
_COMMON = frozenset(
    {
        "password",
        "password123",
        "passw0rd",
        "1234567890",
        "12345678910",
        "qwertyuiop",
        "admin12345",
        "administrator",
        "tangerang123",
        "iloveyou123",
        "katasandi123",
        "rahasia1234",
        "indonesia123",
        "changeme123",
    }
)


def _derive(password: str, salt: bytes, log2_n: int, r: int, p: int) -> bytes:
    n = 1 << log2_n
    return hashlib.scrypt(password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=256 * n * r, dklen=32)


def hash_password(password: str) -> str:
    """A new salted scrypt hash of `password`."""
    salt = secrets.token_bytes(16)
    digest = _derive(password, salt, LOG2_N, R, P)
    b64 = base64.b64encode
    return f"scrypt${LOG2_N}${R}${P}${b64(salt).decode()}${b64(digest).decode()}"


def verify_password(password: str, stored: str) -> bool:
    """True when `password` matches `stored`; a malformed stored hash never matches (and never raises)."""
    try:
        scheme, log2_n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt" or len(password) > MAX_LENGTH:
            return False
        expected = base64.b64decode(digest)
        actual = _derive(password, base64.b64decode(salt), int(log2_n), int(r), int(p))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(actual, expected)


def needs_rehash(stored: str) -> bool:
    return not stored.startswith(f"scrypt${LOG2_N}${R}${P}$")


@functools.cache
def dummy_hash() -> str:
    """Verifying against this when a username is unknown keeps the response time of a real user's."""
    return hash_password(secrets.token_urlsafe(16))


def password_problem(password: str, username: str = "") -> str | None:
    """Why a new password is refused, in words a person can act on; None when it is acceptable."""
    if len(password) < MIN_LENGTH:
        return f"password must be at least {MIN_LENGTH} characters"
    if len(password) > MAX_LENGTH:
        return f"password must be at most {MAX_LENGTH} characters"
    if len(set(password)) < 4:
        return "password must use at least 4 different characters"
    lowered = password.lower()
    if lowered in _COMMON:
        return "password is too common"
    if username and username.lower() in lowered:
        return "password must not contain the username"
    return None
