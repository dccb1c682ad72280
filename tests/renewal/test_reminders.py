"""Renewal reminders (issue 19, point 2): by e-mail and the SMS/WhatsApp sandbox channel at 90,
30 and 7 days before expiry and on the first day of a grace window, once each per licence, kind
and channel across repeated runs (the unique key is the claim), with the start link on the
public address; e-mail only without a phone; a failed channel does not stop the others and is
tried again on the next run."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from tests.renewal.conftest import TODAY
from ujisim.core.mail import OutboxMessage
from ujisim.core.urls import public_url
from ujisim.renewal import application as apps
from ujisim.renewal import closures, reminders
from ujisim.renewal.models import Reminder, SandboxMessage

pytestmark = pytest.mark.both_backends  # the subject is the database: SQLite and PostgreSQL

PHONE = "081234567890"


@pytest.fixture
def with_phone(db, holder):
    holder.phone = PHONE
    db.commit()
    return holder


def mails(db) -> list[OutboxMessage]:
    return list(
        db.scalars(
            select(OutboxMessage)
            .where(OutboxMessage.kind == "renewal_reminder")
            .order_by(OutboxMessage.id)
        )
    )


def texts(db) -> list[SandboxMessage]:
    return list(db.scalars(select(SandboxMessage).order_by(SandboxMessage.id)))


def kinds(db, licence) -> set[tuple[str, str]]:
    rows = db.scalars(select(Reminder).where(Reminder.licence_id == licence.id))
    return {(r.kind, r.channel) for r in rows}


def run(db, day):
    report = reminders.send_reminders(db, day)
    db.commit()
    return report


@pytest.mark.parametrize(
    ("days_left", "kind"),
    [(91, None), (90, "d90"), (31, "d90"), (30, "d30"), (8, "d30"), (7, "d7"), (0, "d7")],
)
def test_which_reminder_is_due(days_left, kind):
    assert reminders.due_kind(days_left) == kind


def test_90_30_7_days_once_each_across_repeated_runs(db, clock, with_phone, make_licence):
    licence = make_licence(with_phone, expires_in_days=90)
    expected = []
    for day_offset, kind in [(0, "d90"), (60, "d30"), (83, "d7")]:
        day = TODAY + timedelta(days=day_offset)
        report = run(db, day)
        assert report.sent == {"email": 1, "sandbox": 1}
        expected += [(kind, "email"), (kind, "sandbox")]
        assert kinds(db, licence) == set(expected)
        # the same day again, and the next day: nothing new
        assert run(db, day).sent == {}
        assert run(db, day + timedelta(days=1)).sent == {}
    assert len(mails(db)) == 3
    assert len(texts(db)) == 3
    link = public_url("renewal.index")
    assert link.startswith("http://localhost")
    for message in mails(db):
        assert link in message.body
        assert licence.number in message.body
        assert message.to == with_phone.email
    assert "in 7 days" in mails(db)[-1].body
    for text in texts(db):
        assert text.to == PHONE
        assert link in text.text


def test_a_missed_day_is_caught_up_once(db, clock, holder, make_licence):
    licence = make_licence(holder, expires_in_days=60)  # the 90-day mark passed unseen
    assert run(db, TODAY).sent == {"email": 1}
    assert kinds(db, licence) == {("d90", "email")}


def test_without_a_phone_only_e_mail(db, clock, holder, make_licence):
    assert holder.phone is None
    make_licence(holder, expires_in_days=30)
    assert run(db, TODAY).sent == {"email": 1}
    assert texts(db) == []


def test_a_failed_channel_does_not_stop_the_others_and_is_retried(
    db, app, clock, with_phone, make_licence
):
    """The text is handed over by the job after the run commits (never inside it); a refusal
    keeps it queued and it is asked again later, the e-mail is not held up or sent twice."""
    licence = make_licence(with_phone, expires_in_days=30)
    app.config["NOTIFY_SANDBOX_FAIL"] = PHONE  # the phone is unreachable
    assert run(db, TODAY).sent == {"email": 1, "sandbox": 1}
    assert kinds(db, licence) == {("d30", "email"), ("d30", "sandbox")}
    assert texts(db) == []
    text = db.scalars(select(Reminder).where(Reminder.channel == "sandbox")).one()
    assert (text.status, text.attempts, text.failure) == (
        "queued",
        1,
        f"sandbox: {PHONE} is unreachable",
    )
    assert text.next_try_at == clock() + reminders.TEXT_RETRY
    assert reminders.send_next_text(db) is None  # not before its time
    assert run(db, TODAY + timedelta(days=1)).sent == {}  # no second claim
    clock.advance(minutes=10)
    app.config["NOTIFY_SANDBOX_FAIL"] = ""
    assert reminders.send_next_text(db).status == "sent"
    db.commit()
    assert [t.to for t in texts(db)] == [PHONE]
    assert len(mails(db)) == 1  # the e-mail was not sent again


def test_a_text_refused_five_times_is_given_up(db, app, clock, with_phone, make_licence):
    make_licence(with_phone, expires_in_days=30)
    app.config["NOTIFY_SANDBOX_FAIL"] = PHONE
    run(db, TODAY)  # the first try, after the commit
    for _try in range(reminders.MAX_TEXT_ATTEMPTS - 1):
        clock.advance(hours=1)
        reminders.send_next_text(db)
        db.commit()
    text = db.scalars(select(Reminder).where(Reminder.channel == "sandbox")).one()
    assert (text.status, text.attempts) == ("failed", reminders.MAX_TEXT_ATTEMPTS)
    clock.advance(days=1)
    app.config["NOTIFY_SANDBOX_FAIL"] = ""
    assert reminders.send_next_text(db) is None
    assert texts(db) == []


class Gateway:
    """A stand-in for an SMS gateway outside the database: what it was handed stays handed,
    whatever the transaction does afterwards."""

    name, label, sandbox = "gateway", "TEST GATEWAY", True

    def __init__(self):
        self.handed: list[tuple[str, str]] = []

    def send(self, to: str, text: str) -> None:
        self.handed.append((to, text))


def test_nothing_leaves_before_the_run_commits(
    db, app, clock, with_phone, make_licence, monkeypatch
):
    """A run that rolls back hands nothing to the gateway: the text waits on its row for the
    job, which runs only after the commit (DESIGN.md: mail and jobs after the commit)."""
    from ujisim.renewal import channels

    gateway = Gateway()
    monkeypatch.setitem(channels.CHANNELS, "gateway", lambda: gateway)
    app.config["NOTIFY_CHANNEL"] = "gateway"
    make_licence(with_phone, expires_in_days=30)
    reminders.send_reminders(db, TODAY)
    assert gateway.handed == []  # not inside the run
    db.rollback()
    assert mails(db) == []
    assert db.scalar(select(func.count()).select_from(Reminder)) == 0
    run(db, TODAY)  # committed: the job hands the text over once
    assert [to for to, _text in gateway.handed] == [PHONE]
    assert reminders.send_next_text(db) is None
    assert len(gateway.handed) == 1


def test_the_claim_is_unique_in_the_database(db, clock, holder, make_licence):
    """What keeps two workers from sending twice: the second claim of a (licence, kind,
    channel) fails in the database itself."""
    licence = make_licence(holder, expires_in_days=30)
    run(db, TODAY)
    db.add(
        Reminder(
            licence_id=licence.id,
            kind="d30",
            channel="email",
            recipient=holder.email,
            due_on=TODAY,
            sent_at=clock(),
        )
    )
    with pytest.raises(IntegrityError):
        db.flush()
    db.rollback()


def test_a_claim_made_by_another_worker_is_not_sent_again(db, clock, holder, make_licence):
    licence = make_licence(holder, expires_in_days=30)
    db.add(
        Reminder(
            licence_id=licence.id,
            kind="d30",
            channel="email",
            recipient=holder.email,
            due_on=TODAY,
            sent_at=clock(),
        )
    )
    db.commit()
    assert run(db, TODAY).sent == {}
    assert mails(db) == []


def test_no_reminder_while_a_renewal_is_open(db, clock, holder, licence):
    apps.start_application(db, holder, licence.number, holder.nik, holder.date_of_birth)
    db.commit()
    before = len(mails(db))
    assert run(db, TODAY).sent == {}
    assert len(mails(db)) == before


def test_other_classes_and_holders_without_an_account(db, clock, holder, make_licence):
    make_licence(holder, expires_in_days=30, licence_class="B1")  # renewed at the counter
    make_licence(holder, expires_in_days=30, holder_nik="3174050101900001")  # no account
    assert run(db, TODAY).sent == {}


@pytest.fixture
def grace_window(db, clock):
    def make(**fields):
        values = {
            "name": "Lebaran test",
            "closed_from": TODAY - timedelta(days=10),
            "closed_until": TODAY - timedelta(days=1),
            "expired_from": TODAY - timedelta(days=10),
            "expired_until": TODAY - timedelta(days=1),
            "renew_from": TODAY,
            "renew_until": TODAY + timedelta(days=7),
            "telegram": "ST/785/IV/YAN.1.1/2026",
            "classes": "A,C",
            "online": True,
            "counter": True,
            "source": "",
            **fields,
        }
        window = closures.add_window(db, None, **values)
        closures.publish(db, window, None)
        db.commit()
        return window

    return make


def test_grace_window_first_day_once(db, clock, with_phone, make_licence, grace_window):
    grace_window()
    licence = make_licence(with_phone, expires_in_days=-5)
    assert run(db, TODAY).sent == {"email": 1, "sandbox": 1}
    assert run(db, TODAY).sent == {}
    assert run(db, TODAY + timedelta(days=1)).sent == {}
    assert kinds(db, licence) == {("grace", "email"), ("grace", "sandbox")}
    (mail,) = mails(db)
    assert "ST/785/IV/YAN.1.1/2026" in mail.body
    assert "November 29, 2026" in mail.body  # the window's last day
    assert public_url("renewal.index") in mail.body
    assert "ST/785/IV/YAN.1.1/2026" in texts(db)[0].text


def test_grace_window_counter_only_says_so(db, clock, holder, make_licence, grace_window):
    grace_window(online=False)
    make_licence(holder, expires_in_days=-5)
    run(db, TODAY)
    (mail,) = mails(db)
    assert "Satpas counter" in mail.body
    assert public_url("renewal.index") not in mail.body


def test_an_expiry_outside_the_grace_window_gets_no_grace_reminder(
    db, clock, holder, make_licence, grace_window
):
    grace_window()
    make_licence(holder, expires_in_days=-11)
    assert run(db, TODAY).sent == {}


def test_the_cli_command(db, runner, clock, holder, make_licence):
    make_licence(holder, expires_in_days=30)
    day = TODAY.isoformat()
    first = runner.invoke(args=["renewal", "remind", "--day", day])
    assert first.exit_code == 0, first.output
    assert "sent email: 1" in first.output
    second = runner.invoke(args=["renewal", "remind", "--day", day])
    assert "sent none" in second.output
    bad = runner.invoke(args=["renewal", "remind", "--day", "22-11-2026"])
    assert bad.exit_code == 2
    assert db.scalar(select(func.count()).select_from(Reminder)) == 1


def test_the_job_runs_every_hour():
    """Hourly, so a day's reminders go out that day even after a restart (the thread runner's
    first run of a job waits one period); repeated runs send nothing twice (above)."""
    from ujisim.core import jobs

    assert jobs.PERIODIC["renewal.remind"] == 3600
    assert jobs.PERIODIC["renewal.send_texts"] == 300
