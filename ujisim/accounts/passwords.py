"""Password hashing (argon2id) and the common-password check.

The hash's cost is one of argon2-cffi's named parameter sets (``argon2.profiles``), chosen by
``PASSWORD_HASH_PROFILE``: RFC 9106's low-memory set by default (time 3, 64 MiB, 4 lanes: about
140 ms per check here), its high-memory set for a larger server, and ``CHEAPEST`` for the test
suite only (about 1 ms; refused with ``UJISIM_ENV=production``). A check reads the cost from the
stored hash, and a login rehashes a password whose hash was made with another set.
"""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from flask import current_app, has_app_context

MIN_LENGTH = 10
#: the parameter sets PASSWORD_HASH_PROFILE may name
PROFILES = ("RFC_9106_LOW_MEMORY", "RFC_9106_HIGH_MEMORY", "CHEAPEST")
DEFAULT_PROFILE = "RFC_9106_LOW_MEMORY"

# Local favourites that the (English-centric) zxcvbn list lacks.
EXTRA_COMMON = {
    "indonesia1", "indonesia123", "indonesia45", "bismillah1", "bismillah123", "jakarta123",
    "sayangku123", "alhamdulillah", "merdeka1945", "garuda1234", "rahasia123", "kata sandi",
    "katasandi1", "katasandi123", "password12", "passw0rd123",
}  # fmt: skip


@cache
def common_passwords() -> frozenset[str]:
    """zxcvbn's list of the 30,000 most common passwords plus local favourites."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS

    return frozenset(FREQUENCY_LISTS["passwords"]) | EXTRA_COMMON


def is_common(password: str) -> bool:
    return password.strip().lower() in common_passwords()


@cache
def hasher(profile: str = DEFAULT_PROFILE) -> PasswordHasher:
    """The argon2id hasher of one of PROFILES."""
    if profile not in PROFILES:
        raise ValueError(f"unknown password hash profile {profile!r}: one of {PROFILES}")
    return PasswordHasher.from_parameters(getattr(profiles, profile))


def _hasher() -> PasswordHasher:
    """The app's hasher (PASSWORD_HASH_PROFILE); the default outside an app."""
    if has_app_context():
        return hasher(current_app.config.get("PASSWORD_HASH_PROFILE", DEFAULT_PROFILE))
    return hasher()


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:  # the cost is the stored hash's own
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether the hash was made with other parameters than the app's profile."""
    return _hasher().check_needs_rehash(password_hash)


def dummy_hash() -> str:
    """A hash to check when the e-mail is unknown, so a login takes as long either way."""
    return _dummy_hash(_hasher())


@cache
def _dummy_hash(of: PasswordHasher) -> str:
    return of.hash("not-a-real-password")
