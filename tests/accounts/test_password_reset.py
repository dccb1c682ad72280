"""Password reset by a signed, expiring, single-use link sent over real SMTP."""

import re

import pytest
from sqlalchemy import select

from tests.conftest import DEFAULT_PASSWORD, _test_config
from tests.smtp import SmtpServer
from ujisim.core.audit import AuditRecord
from ujisim.core.mail import MailStatus, OutboxMessage

LINK = re.compile(r"http://localhost/password/reset/(\S+)")
NEW = "sepeda-motor-merah-2026"


@pytest.fixture
def smtp():
    with SmtpServer() as server:
        yield server


@pytest.fixture
def app_config(tmp_path, database_url, smtp):
    return _test_config(tmp_path, database_url, **smtp.config())


def ask_for_link(client, smtp, email) -> str:
    response = client.submit("/password/forgot", {"email": email})
    assert response.status_code == 302
    assert len(smtp.inbox.messages) == 1
    message = smtp.inbox.messages[0]
    assert message["To"] == email
    return LINK.search(message.get_payload(decode=True).decode()).group(1)


def test_reset_link_is_mailed_and_works_once(client, db, make_user, smtp, frozen_clock):
    user = make_user()
    token = ask_for_link(client, smtp, user.email)
    outbox = db.scalars(select(OutboxMessage)).one()
    assert outbox.status == MailStatus.SENT
    assert outbox.kind == "password_reset"

    assert client.get(f"/password/reset/{token}").status_code == 200
    response = client.submit(f"/password/reset/{token}", {"password": NEW, "password_confirm": NEW})
    assert response.status_code == 302
    assert client.login(user.email, DEFAULT_PASSWORD).status_code == 401
    assert client.login(user.email, NEW).status_code == 302
    client.logout()

    used = client.get(f"/password/reset/{token}")
    assert used.status_code == 410
    assert "sudah dipakai" in used.get_data(as_text=True)
    actions = db.scalars(select(AuditRecord.action)).all()
    assert "accounts.password_reset_requested" in actions
    assert "accounts.password_reset" in actions


def test_link_expires(client, make_user, smtp, frozen_clock, app):
    user = make_user()
    token = ask_for_link(client, smtp, user.email)
    frozen_clock.advance(seconds=app.config["PASSWORD_RESET_MAX_AGE"] + 1)
    response = client.get(f"/password/reset/{token}")
    assert response.status_code == 410
    assert "kedaluwarsa" in response.get_data(as_text=True)


def test_forged_link_is_refused(client):
    response = client.get("/password/reset/bukan-token-asli")
    assert response.status_code == 410
    assert "tidak valid" in response.get_data(as_text=True)


def test_unknown_email_gets_the_same_answer_and_no_mail(client, smtp):
    response = client.submit(
        "/password/forgot", {"email": "siapa@example.id"}, follow_redirects=True
    )
    assert "Jika ada akun dengan surel tersebut" in response.get_data(as_text=True)
    assert smtp.inbox.messages == []


def test_weak_new_password_changes_nothing(client, make_user, smtp):
    user = make_user()
    token = ask_for_link(client, smtp, user.email)
    response = client.submit(
        f"/password/reset/{token}", {"password": "1234567890", "password_confirm": "1234567890"}
    )
    assert response.status_code == 422
    assert client.login(user.email, DEFAULT_PASSWORD).status_code == 302


def test_smtp_failure_is_recorded_for_a_retry(client, db, make_user, app):
    from tests.support import free_port

    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=free_port())  # nobody listens there
    user = make_user()
    client.submit("/password/forgot", {"email": user.email})
    message = db.scalars(select(OutboxMessage)).one()
    assert message.status == MailStatus.FAILED
    assert message.attempts == 1
    assert "ConnectionRefused" in message.last_error
