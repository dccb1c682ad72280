"""E-mail through an outbox table: written in the caller's transaction, sent by a job.

Without ``UJISIM_SMTP_HOST`` messages stay in the outbox as ``held`` (admins can read them there
in development); with it, the ``mail.deliver`` job sends them over SMTP. ``flask mail send``
retries whatever is still pending.
"""

from __future__ import annotations

import enum
import smtplib
from datetime import datetime
from email.message import EmailMessage

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from flask_babel import lazy_gettext as _l
from sqlalchemy import String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from ujisim.core import clock, jobs, workflow
from ujisim.core.db import Base, get_session


class MailStatus(enum.StrEnum):
    PENDING = "pending"
    SENT = "sent"
    HELD = "held"  # no SMTP configured: readable in the outbox only
    FAILED = "failed"


#: how a message's state reads on the admin's outbox page
MAIL_LABELS = {
    MailStatus.PENDING: _l("waiting to be sent"),
    MailStatus.SENT: _l("sent"),
    MailStatus.HELD: _l("held (no mail server configured)"),
    MailStatus.FAILED: _l("failed"),
}
workflow.name_states(MailStatus, MAIL_LABELS)


class OutboxMessage(Base):
    __tablename__ = "mail_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    to: Mapped[str] = mapped_column(String(255))
    subject: Mapped[str] = mapped_column(String(255))
    body: Mapped[str] = mapped_column(Text)
    #: what kind of mail, e.g. "password_reset"
    kind: Mapped[str] = mapped_column(String(64))
    status: Mapped[MailStatus] = mapped_column(String(16), default=MailStatus.PENDING)
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)


_UNSENT = (MailStatus.PENDING, MailStatus.HELD, MailStatus.FAILED)
#: a message is sent once; until then it may be held (no SMTP) or fail and be tried again. A
#: job's bookkeeping: the outbox row keeps its tries and last error, so no audit record
WORKFLOW = workflow.register(
    workflow.Workflow(
        model=OutboxMessage,
        field="status",
        states=MailStatus,
        transitions={
            **{(status, MailStatus.SENT): "sent" for status in _UNSENT},
            **{(status, MailStatus.HELD): "held" for status in _UNSENT if status != "held"},
            **{(status, MailStatus.FAILED): "failed" for status in _UNSENT if status != "failed"},
        },
        object_type="mail",
    )
)


def _move(session: Session, message: OutboxMessage, to: MailStatus) -> None:
    """``message`` to ``to`` through the workflow (a failed try again stays failed)."""
    if message.status != to:
        workflow.advance(session, message, to)


def queue_mail(session: Session, *, to: str, subject: str, body: str, kind: str) -> OutboxMessage:
    """Put a message in the outbox; it is sent after the caller's commit."""
    message = OutboxMessage(
        to=to, subject=subject, body=body, kind=kind, created_at=clock.now(), attempts=0
    )
    session.add(message)
    session.flush()
    jobs.defer(session, "mail.deliver", message_id=message.id)
    return message


def deliver(session: Session, message: OutboxMessage) -> MailStatus:
    """Send one message over SMTP (or hold it when no SMTP server is configured)."""
    config = current_app.config
    if not config.get("SMTP_HOST"):
        _move(session, message, MailStatus.HELD)
        return message.status
    email = EmailMessage()
    email["From"] = config["MAIL_FROM"]
    email["To"] = message.to
    email["Subject"] = message.subject
    email.set_content(message.body)
    message.attempts += 1
    try:
        with smtplib.SMTP(config["SMTP_HOST"], config["SMTP_PORT"], timeout=20) as smtp:
            if config.get("SMTP_STARTTLS"):
                smtp.starttls()
            if config.get("SMTP_USER"):
                smtp.login(config["SMTP_USER"], config["SMTP_PASSWORD"] or "")
            smtp.send_message(email)
    except (OSError, smtplib.SMTPException) as exc:
        message.last_error = f"{type(exc).__name__}: {exc}"
        _move(session, message, MailStatus.FAILED)
    else:
        message.sent_at = clock.now()
        message.last_error = None
        _move(session, message, MailStatus.SENT)
    session.flush()
    return message.status


@jobs.task("mail.deliver")
def deliver_job(message_id: int) -> str | None:
    session = get_session()
    message = session.get(OutboxMessage, message_id)
    if message is None or message.status == MailStatus.SENT:
        return None
    status = deliver(session, message)
    session.commit()
    return status


mail_cli = AppGroup("mail", help="The e-mail outbox.")


@mail_cli.command("send")
def send_command() -> None:
    """Send every pending, held or failed message now."""
    session = get_session()
    unsent = session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.status != MailStatus.SENT)
        .order_by(OutboxMessage.id)
    ).all()
    counts: dict[str, int] = {}
    for message in unsent:
        status = deliver(session, message)
        session.commit()
        counts[status] = counts.get(status, 0) + 1
    click.echo(", ".join(f"{k}: {v}" for k, v in sorted(counts.items())) or "nothing to send")


def init_app(app: Flask) -> None:
    app.cli.add_command(mail_cli)
