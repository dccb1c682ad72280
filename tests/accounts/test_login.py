from sqlalchemy import select

from tests.conftest import DEFAULT_PASSWORD
from ujisim.core.audit import AuditRecord
from ujisim.core.security import Role


def test_login_and_logout_are_audited(client, db, make_user):
    user = make_user(Role.APPLICANT)
    response = client.login(user.email.upper(), DEFAULT_PASSWORD)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"
    assert client.get("/account").status_code == 200
    assert client.logout().status_code == 302
    assert client.get("/account").status_code == 302
    rows = db.scalars(select(AuditRecord).order_by(AuditRecord.seq)).all()
    assert [r.action for r in rows][-2:] == ["accounts.login", "accounts.logout"]
    assert rows[-1].actor_id == user.id


def test_wrong_password_is_refused_and_audited(client, db, make_user):
    user = make_user()
    response = client.login(user.email, "salah-sekali-123")
    assert response.status_code == 401
    assert "Surel atau kata sandi salah." in response.get_data(as_text=True)
    failed = db.scalars(
        select(AuditRecord).where(AuditRecord.action == "accounts.login_failed")
    ).all()
    assert len(failed) == 1
    assert failed[0].object_id == user.public_id


def test_unknown_email_gets_the_same_answer(client):
    response = client.login("tidak-ada@example.id", "apa-saja-12345")
    assert response.status_code == 401
    assert "Surel atau kata sandi salah." in response.get_data(as_text=True)


def test_deactivated_user_cannot_log_in(client, make_user):
    user = make_user(active=False)
    assert client.login(user.email, DEFAULT_PASSWORD).status_code == 401


def test_next_is_followed_only_when_local(client, make_user):
    user = make_user()
    token = client.csrf_token()
    data = {"email": user.email, "password": DEFAULT_PASSWORD, "csrf_token": token}
    response = client.post("/login?next=/account", data=data)
    assert response.headers["Location"] == "/account"
    client.logout()
    for evil in [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example",
        "javascript:alert(1)",
    ]:
        response = client.post(
            f"/login?next={evil}", data=dict(data, csrf_token=client.csrf_token())
        )
        assert response.headers["Location"] == "/", evil
        client.logout()


def test_login_rate_limit_counts_failures_only_and_explains(client, app, make_user):
    app.config["LOGIN_RATE_LIMIT"] = "3 per minute"
    user = make_user()
    for _ in range(3):
        assert client.login(user.email, "salah-sekali-123").status_code == 401
    response = client.login(user.email, DEFAULT_PASSWORD)
    assert response.status_code == 429
    page = response.get_data(as_text=True)
    assert "Terlalu banyak percobaan. Tunggu" in page
    assert "detik" in page
    assert int(response.headers["Retry-After"]) > 0


def test_successful_logins_do_not_use_up_the_limit(client, app, make_user):
    app.config["LOGIN_RATE_LIMIT"] = "2 per minute"
    user = make_user()
    for _ in range(4):
        assert client.login(user.email, DEFAULT_PASSWORD).status_code == 302
        client.logout()


def test_remember_me_sets_a_remember_cookie(client, make_user):
    user = make_user()
    client.login(user.email, DEFAULT_PASSWORD, remember="y")
    assert client.get_cookie("remember_token") is not None
    client.logout()
    client.login(user.email, DEFAULT_PASSWORD)
    assert client.get_cookie("remember_token") is None


def test_strong_session_protection_drops_a_session_moved_to_another_browser(client, make_user):
    user = make_user()
    client.login(user.email, DEFAULT_PASSWORD)
    assert client.get("/account").status_code == 200
    moved = client.get("/account", headers={"User-Agent": "Another/1.0"})
    assert moved.status_code == 302
    assert "/login" in moved.headers["Location"]


def test_password_change_ends_other_sessions(app, client, db, make_user):
    from ujisim.accounts.services import set_password

    user = make_user()
    client.login(user.email, DEFAULT_PASSWORD)
    set_password(db, user, "kata-sandi-baru-sekali", action="accounts.password_reset")
    db.commit()
    assert client.get("/account").status_code == 302
