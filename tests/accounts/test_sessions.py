"""Sessions end on the server (issue 17, point 2): logout, a password change, deactivation and
an administrator's "sign out everywhere" end every session and remember token of the account;
a copy of the old cookies opens nothing. A session without a request for a while ends."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.conftest import DEFAULT_PASSWORD
from ujisim.accounts import services
from ujisim.core.audit import AuditRecord
from ujisim.core.security import Role

pytestmark = pytest.mark.both_backends  # the subject is the database: SQLite and PostgreSQL


def cookies(client) -> dict[str, str]:
    return {
        name: client.get_cookie(name).value
        for name in ("session", "remember_token")
        if client.get_cookie(name) is not None
    }


def replay(app, saved: dict[str, str], *only: str):
    """A new browser that sends ``saved`` cookies (or only the named ones) to /account."""
    other = app.test_client()
    for name, value in saved.items():
        if not only or name in only:
            other.set_cookie(name, value)
    return other.get("/account")


@pytest.mark.parametrize("which", [(), ("session",), ("remember_token",)])
def test_after_logout_the_old_cookies_open_nothing(app, client, make_user, which):
    user = make_user(Role.APPLICANT)
    client.login(user.email, DEFAULT_PASSWORD, remember="y")
    saved = cookies(client)
    assert set(saved) == {"session", "remember_token"}
    assert replay(app, saved, *which).status_code == 200  # a copy works while logged in ...
    assert client.logout().status_code == 302
    stale = replay(app, saved, *which)  # ... and not after the logout
    assert stale.status_code == 302
    assert "/login" in stale.headers["Location"]


def test_logout_in_one_browser_ends_the_session_in_another(app, client, make_user):
    user = make_user(Role.APPLICANT)
    other = app.test_client()
    other.login(user.email, DEFAULT_PASSWORD)
    client.login(user.email, DEFAULT_PASSWORD)
    assert other.get("/account").status_code == 200
    client.logout()
    assert other.get("/account").status_code == 302


def test_an_admin_signs_a_user_out_everywhere(app, client, db, make_user):
    user = make_user(Role.APPLICANT)
    client.login(user.email, DEFAULT_PASSWORD, remember="y")
    saved = cookies(client)
    admin = make_user(Role.ADMIN)
    desk = app.test_client()
    desk.login(admin.email, DEFAULT_PASSWORD)
    page = desk.get(f"/admin/users/{user.public_id}").get_data(as_text=True)
    assert 'id="sign-out-everywhere"' in page
    response = desk.submit(f"/admin/users/{user.public_id}/sign-out", {})
    assert response.status_code == 302
    assert client.get("/account").status_code == 302
    assert replay(app, saved, "remember_token").status_code == 302
    record = db.scalars(
        select(AuditRecord).where(AuditRecord.action == "accounts.sessions_ended")
    ).one()
    assert (record.actor_id, record.object_id) == (admin.id, user.public_id)
    # the user logs in again as usual
    assert client.login(user.email, DEFAULT_PASSWORD).status_code == 302
    assert client.get("/account").status_code == 200


def test_only_an_admin_signs_anybody_out(app, client, make_user):
    user, other = make_user(Role.APPLICANT), make_user(Role.EXAMINER)
    client.login(other.email, DEFAULT_PASSWORD)
    assert client.submit(f"/admin/users/{user.public_id}/sign-out", {}).status_code == 403


def test_deactivation_ends_the_sessions(app, client, db, make_user):
    user = make_user(Role.APPLICANT)
    client.login(user.email, DEFAULT_PASSWORD, remember="y")
    saved = cookies(client)
    services.set_active(db, user, False, actor=None)
    db.commit()
    assert client.get("/account").status_code == 302
    assert replay(app, saved, "remember_token").status_code == 302


def test_a_session_ends_after_a_time_without_requests(app, client, make_user, frozen_clock):
    app.config["SESSION_IDLE_SECONDS"] = 60 * 60
    user = make_user(Role.APPLICANT)
    client.login(user.email, DEFAULT_PASSWORD)
    assert client.get("/account").status_code == 200
    for _ in range(3):  # activity keeps it open, well past an hour in all
        frozen_clock.advance(minutes=50)
        assert client.get("/account").status_code == 200
    frozen_clock.advance(minutes=61)
    ended = client.get("/account")
    assert ended.status_code == 302
    assert "/login" in ended.headers["Location"]
    page = client.get(ended.headers["Location"]).get_data(as_text=True)
    assert "Sesi Anda berakhir" in page
    assert client.login(user.email, DEFAULT_PASSWORD).status_code == 302
    assert client.get("/account").status_code == 200


def test_a_device_kept_logged_in_comes_back_after_the_idle_end(
    app, client, make_user, frozen_clock
):
    app.config["SESSION_IDLE_SECONDS"] = 60 * 60
    user = make_user(Role.APPLICANT)
    client.login(user.email, DEFAULT_PASSWORD, remember="y")
    frozen_clock.advance(hours=3)
    assert client.get("/account").status_code == 200
