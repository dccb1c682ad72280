"""Links that leave the app are built on the configured public address (core/urls.py), never on
the request's Host header: a forged host gets no reset link or QR code pointing to its site."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from ujisim.config import from_env
from ujisim.core.mail import OutboxMessage
from ujisim.core.urls import public_url

CSRF = re.compile(r'name="csrf-token" content="([^"]+)"')
FORGED = "http://evil.example"


def test_a_reset_link_asked_for_under_a_forged_host_points_to_the_public_address(
    client, db, make_user
):
    user = make_user()
    page = client.get("/password/forgot", base_url=FORGED).get_data(as_text=True)
    response = client.post(
        "/password/forgot",
        data={"email": user.email, "csrf_token": CSRF.search(page).group(1)},
        base_url=FORGED,
    )
    assert response.status_code == 302
    body = db.scalars(select(OutboxMessage)).one().body
    assert "http://localhost/password/reset/" in body  # PUBLIC_URL of the test apps
    assert "evil.example" not in body


def test_a_card_or_certificate_qr_url_ignores_the_request_host(app):
    with app.test_request_context("/", base_url=FORGED):
        assert public_url("certificates.verify", token="abc") == "http://localhost/verify/abc"
    app.config["PUBLIC_URL"] = "https://ujisim.example.id/app"
    with app.test_request_context("/", base_url=FORGED):
        url = public_url("certificates.verify", token="abc")
    assert url == "https://ujisim.example.id/app/verify/abc"


def test_production_needs_the_public_address(monkeypatch, tmp_path):
    monkeypatch.setenv("UJISIM_ENV", "production")
    monkeypatch.delenv("UJISIM_PASSWORD_HASH_PROFILE")  # the suite's, which production refuses
    monkeypatch.delenv("UJISIM_PUBLIC_URL", raising=False)
    with pytest.raises(RuntimeError, match="UJISIM_PUBLIC_URL"):
        from_env(str(tmp_path))
    monkeypatch.setenv("UJISIM_PUBLIC_URL", "https://ujisim.example.id")
    assert from_env(str(tmp_path))["PUBLIC_URL"] == "https://ujisim.example.id"
