"""Password hashing (argon2id) and the common-password check."""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 10
_hasher = PasswordHasher()

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


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


@cache
def dummy_hash() -> str:
    """A hash to check when the e-mail is unknown, so a login takes as long either way."""
    return _hasher.hash("not-a-real-password")
