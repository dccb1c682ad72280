"""The password hash's cost (accounts/passwords.py): production hashes with RFC 9106's
low-memory argon2id set; the suite's apps use CHEAPEST (tests/conftest.py), which production
refuses; a hash made with another set is rehashed at the next login."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.accounts.test_registration import FORM
from tests.conftest import _test_config
from ujisim.accounts.models import User
from ujisim.accounts.passwords import hasher
from ujisim.config import from_env

#: what RFC 9106's low-memory set writes into a hash: 64 MiB, 3 passes, 4 lanes
PRODUCTION_PARAMS = "$argon2id$v=19$m=65536,t=3,p=4$"
PASSWORD = "kunci-produksi-2026"  # noqa: S105 (a test user's)


@pytest.fixture
def app_config(tmp_path, database_url):
    """An app with the production default."""
    return _test_config(tmp_path, database_url, PASSWORD_HASH_PROFILE="RFC_9106_LOW_MEMORY")


def test_the_default_is_rfc_9106_low_memory(monkeypatch, tmp_path):
    monkeypatch.delenv("UJISIM_PASSWORD_HASH_PROFILE", raising=False)
    monkeypatch.setenv("UJISIM_ENV", "production")
    monkeypatch.setenv("UJISIM_PUBLIC_URL", "https://ujisim.example.id")
    assert from_env(str(tmp_path))["PASSWORD_HASH_PROFILE"] == "RFC_9106_LOW_MEMORY"


def test_production_refuses_the_test_profile_and_unknown_names(monkeypatch, tmp_path):
    monkeypatch.setenv("UJISIM_ENV", "production")
    monkeypatch.setenv("UJISIM_PUBLIC_URL", "https://ujisim.example.id")
    monkeypatch.setenv("UJISIM_PASSWORD_HASH_PROFILE", "CHEAPEST")
    with pytest.raises(RuntimeError, match="CHEAPEST is refused"):
        from_env(str(tmp_path))
    monkeypatch.setenv("UJISIM_ENV", "development")
    assert from_env(str(tmp_path))["PASSWORD_HASH_PROFILE"] == "CHEAPEST"
    monkeypatch.setenv("UJISIM_PASSWORD_HASH_PROFILE", "MD5")
    with pytest.raises(RuntimeError, match="must be one of"):
        from_env(str(tmp_path))


def test_registration_stores_a_production_cost_hash(client, db):
    form = {**FORM, "password": PASSWORD, "password_confirm": PASSWORD}
    assert client.submit("/register", form).status_code == 302, "registration refused"
    user = db.scalars(select(User).where(User.email == "dewi@example.id")).one()
    assert user.password_hash.startswith(PRODUCTION_PARAMS)


def test_a_cheaper_hash_is_rehashed_at_login(client, db, make_user):
    user = make_user()
    user.password_hash = hasher("CHEAPEST").hash(PASSWORD)
    db.flush()
    assert not user.password_hash.startswith(PRODUCTION_PARAMS)
    assert client.login(user.email, PASSWORD).status_code == 302
    db.refresh(user)
    assert user.password_hash.startswith(PRODUCTION_PARAMS)
    client.logout()
    assert client.login(user.email, PASSWORD).status_code == 302  # the new hash checks
