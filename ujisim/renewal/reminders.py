"""Renewal reminders: by e-mail and through the notification channel (channels.py) at 90, 30 and
7 days before a SIM expires, and on the first day of a grace window that covers an expired one.

Each (licence, kind, channel) is sent once: its ``renewal_reminder`` row is the claim, inserted
in a savepoint, and its unique key makes a second run, or a second worker running at the same
moment, skip it (on PostgreSQL the second insert waits for the first transaction and then fails
on the key). Nothing leaves before the run commits: the e-mail goes to the mail outbox, the text
is queued on its row and the job ``renewal.send_texts`` hands it to the channel afterwards, one
text per transaction; a channel that refuses it is asked again later (``TEXT_RETRY``), up to
``MAX_TEXT_ATTEMPTS`` times, and the holder's other channels are not held up. A missed day is
caught up (a reminder is due for the whole band, e.g. 30 to 8 days before expiry for the 30-day
one). Holders reached are those with an account under the licence's NIK; without a phone number,
by e-mail only. Run every hour by the job runner (``renewal.remind``) and by
``flask renewal remind``.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask_babel import force_locale, format_date
from flask_babel import gettext as _
from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ujisim.accounts.models import User
from ujisim.core import clock, jobs, workflow
from ujisim.core.mail import queue_mail
from ujisim.core.urls import public_url
from ujisim.exam import classes
from ujisim.renewal import channels, closures, eligibility, registry
from ujisim.renewal.errors import ChannelError
from ujisim.renewal.models import (
    GraceWindow,
    Licence,
    LicenceStatus,
    Reminder,
    ReminderStatus,
)

log = logging.getLogger(__name__)

#: (kind, days before expiry): each is due from that day until the next one's
BEFORE_EXPIRY = (("d90", 90), ("d30", 30), ("d7", 7))
GRACE = "grace"
EMAIL = "email"
#: a refused text is asked again after this long times its attempts, at most this many times
TEXT_RETRY = timedelta(minutes=10)
MAX_TEXT_ATTEMPTS = 5
#: a text goes out once (queued -> sent), or is given up after MAX_TEXT_ATTEMPTS refusals; the
#: row is the record (no audit: the mail outbox's moves are not audited either)
TEXT_WORKFLOW = workflow.register(
    workflow.Workflow(
        model=Reminder,
        field="status",
        states=ReminderStatus,
        transitions={
            (ReminderStatus.QUEUED, ReminderStatus.SENT): "sent",
            (ReminderStatus.QUEUED, ReminderStatus.FAILED): "failed",
        },
        object_type="reminder",
    )
)


@TEXT_WORKFLOW.on(ReminderStatus.SENT)
def _sent(session: Session, move: workflow.Move) -> None:
    move.obj.sent_at, move.obj.next_try_at = move.at, None


@TEXT_WORKFLOW.on(ReminderStatus.FAILED)
def _given_up(session: Session, move: workflow.Move) -> None:
    move.obj.next_try_at = None


@dataclass
class RunReport:
    """What one run did: reminders sent per channel (an e-mail into the outbox, a text queued
    for ``send_next_text``, which hands it over once the run commits)."""

    sent: dict[str, int] = field(default_factory=dict)

    def count(self, bucket: dict[str, int], channel: str) -> None:
        bucket[channel] = bucket.get(channel, 0) + 1

    def __str__(self) -> str:
        sent = ", ".join(f"{k}: {v}" for k, v in sorted(self.sent.items())) or "none"
        return f"sent {sent}"


def due_kind(days_left: int) -> str | None:
    """The reminder due ``days_left`` days before expiry (0: the expiry day), or None."""
    for (kind, days), (_next, next_days) in zip(
        BEFORE_EXPIRY, (*BEFORE_EXPIRY[1:], ("", -1)), strict=True
    ):
        if next_days < days_left <= days:
            return kind
    return None


@dataclass(frozen=True)
class Message:
    subject: str
    body: str
    #: the short text for SMS/WhatsApp
    text: str


def _expiry_message(licence: Licence, user: User, day: date) -> Message:
    days = (licence.expires_on - day).days
    url = public_url("renewal.index")
    expires = format_date(licence.expires_on, "long")
    subject = _(
        "Your SIM %(cls)s expires on %(day)s: renew it online",
        cls=classes.label(licence.licence_class),
        day=expires,
    )
    body = "\n\n".join(
        [
            _("Hello %(name)s,", name=user.full_name),
            _(
                "Your SIM %(cls)s %(number)s expires in %(days)s days, on %(day)s. You can "
                "renew it online now; an expired SIM cannot be renewed, not even by one day.",
                cls=classes.label(licence.licence_class),
                number=licence.number,
                days=days,
                day=expires,
            ),
            _("Start the renewal here: %(url)s", url=url),
            "ujisim",
        ]
    )
    text = _(
        "ujisim: your SIM %(cls)s %(number)s expires on %(day)s. Renew online: %(url)s",
        cls=classes.label(licence.licence_class),
        number=licence.number,
        day=expires,
        url=url,
    )
    return Message(subject, body, text)


def _grace_message(licence: Licence, user: User, window: GraceWindow) -> Message:
    until = format_date(window.renew_until, "long")
    telegram = closures.telegram_label(window)
    url = public_url("renewal.index")
    subject = _(
        "Grace window for your expired SIM %(cls)s until %(day)s",
        cls=classes.label(licence.licence_class),
        day=until,
    )
    if window.online:
        how = _("You may renew it online until %(day)s: %(url)s", day=until, url=url)
        text = _(
            "ujisim: your SIM %(cls)s %(number)s may still be renewed online until %(day)s "
            "(grace window, telegram %(telegram)s): %(url)s",
            cls=classes.label(licence.licence_class),
            number=licence.number,
            day=until,
            telegram=telegram,
            url=url,
        )
    else:
        how = _("Renew it at a Satpas counter until %(day)s.", day=until)
        text = _(
            "ujisim: your SIM %(cls)s %(number)s may still be renewed at a Satpas counter until "
            "%(day)s (grace window, telegram %(telegram)s).",
            cls=classes.label(licence.licence_class),
            number=licence.number,
            day=until,
            telegram=telegram,
        )
    body = "\n\n".join(
        [
            _("Hello %(name)s,", name=user.full_name),
            _(
                "Your SIM %(cls)s %(number)s expired on %(day)s, inside the grace window of "
                "%(window)s (telegram %(telegram)s).",
                cls=classes.label(licence.licence_class),
                number=licence.number,
                day=format_date(licence.expires_on, "long"),
                window=window.name,
                telegram=telegram,
            ),
            how,
            _("After that day a new SIM is needed (with the theory and practical tests)."),
            "ujisim",
        ]
    )
    return Message(subject, body, text)


def _holder(session: Session, licence: Licence) -> User | None:
    return session.scalars(
        select(User).where(User.nik == licence.holder_nik, User.active.is_(True)).limit(1)
    ).first()


def _remind(
    session: Session,
    licence: Licence,
    user: User,
    kind: str,
    day: date,
    message: Message,
    channel: channels.Channel | None,
    report: RunReport,
) -> None:
    """Send ``message`` on each of the holder's channels that has not had this reminder."""
    targets = [(EMAIL, user.email)]
    if channel is not None and user.phone:
        targets.append((channel.name, user.phone))
    for name, to in targets:
        claimed = session.scalar(
            select(Reminder.id).where(
                Reminder.licence_id == licence.id, Reminder.kind == kind, Reminder.channel == name
            )
        )
        if claimed is not None:
            continue
        text = name != EMAIL
        savepoint = session.begin_nested()
        try:
            session.add(
                Reminder(
                    licence_id=licence.id,
                    kind=kind,
                    channel=name,
                    recipient=to,
                    due_on=day,
                    status=ReminderStatus.QUEUED if text else ReminderStatus.SENT,
                    text=message.text if text else None,
                    sent_at=None if text else clock.now(),
                )
            )
            session.flush()
        except IntegrityError:  # another run claimed it meanwhile
            savepoint.rollback()
            continue
        if text:
            jobs.defer(session, "renewal.send_texts")  # handed to the channel once we commit
        else:
            queue_mail(
                session, to=to, subject=message.subject, body=message.body, kind="renewal_reminder"
            )
        savepoint.commit()
        report.count(report.sent, name)


def send_next_text(session: Session) -> Reminder | None:
    """Hand the next queued text that is due to the channel (its row locked; a concurrent job
    takes another): sent, or refused and asked again after ``TEXT_RETRY`` times its attempts,
    given up after ``MAX_TEXT_ATTEMPTS``. None when nothing is due. The caller commits, one text
    per transaction, so a text handed over is on record as sent at once."""
    channel = channels.channel()
    if channel is None:
        return None
    now = clock.now()
    due = (
        select(Reminder)
        .where(
            Reminder.status == ReminderStatus.QUEUED,
            Reminder.channel == channel.name,
            or_(Reminder.next_try_at.is_(None), Reminder.next_try_at <= now),
        )
        .order_by(Reminder.id)
        .limit(20)
        .with_for_update(skip_locked=True)
    )
    for reminder in session.scalars(due).all():
        # the claim: counting the attempt only if nobody else did meanwhile (PostgreSQL's row
        # lock already keeps others off; on SQLite the second writer waits, then finds it taken)
        taken = session.execute(
            update(Reminder)
            .where(
                Reminder.id == reminder.id,
                Reminder.status == ReminderStatus.QUEUED,
                Reminder.attempts == reminder.attempts,
            )
            .values(attempts=Reminder.attempts + 1)
            .execution_options(synchronize_session=False)
        ).rowcount
        if taken:
            session.refresh(reminder)
            return _hand_over(session, channel, reminder, now)
    return None


def _hand_over(session: Session, channel, reminder: Reminder, now) -> Reminder:
    """Give the claimed text to the channel: sent, or refused (asked again later, or given
    up)."""
    try:
        channel.send(reminder.recipient, reminder.text or "")
    except ChannelError as exc:
        reminder.failure = str(exc)[:500]
        log.warning("text reminder %s refused (try %s): %s", reminder.id, reminder.attempts, exc)
        if reminder.attempts >= MAX_TEXT_ATTEMPTS:
            workflow.advance(session, reminder, ReminderStatus.FAILED, None, reminder.failure)
        else:
            reminder.next_try_at = now + TEXT_RETRY * reminder.attempts
        session.flush()
        return reminder
    return workflow.advance(session, reminder, ReminderStatus.SENT, None, channel.name)


def send_reminders(session: Session, day: date | None = None) -> RunReport:
    """Send the reminders due on ``day`` (default: today in WIB). Flushes; the caller commits."""
    day = day or registry.local_today()
    channel = channels.channel()
    report = RunReport()
    expiring = session.scalars(
        select(Licence)
        .where(
            Licence.status == LicenceStatus.ACTIVE,
            Licence.licence_class.in_(registry.ONLINE_CLASSES),
            Licence.expires_on >= day,
            Licence.expires_on <= day + timedelta(days=BEFORE_EXPIRY[0][1]),
        )
        .order_by(Licence.id)
    ).all()
    for licence in expiring:
        kind = due_kind((licence.expires_on - day).days)
        user = _holder(session, licence)
        if kind is None or user is None or eligibility.get_open_application(session, licence):
            continue
        with force_locale(user.locale or "id"):
            message = _expiry_message(licence, user, day)
        _remind(session, licence, user, kind, day, message, channel, report)
    for window in closures.windows_opening(session, day):
        covered = session.scalars(
            select(Licence)
            .where(
                Licence.status.in_((LicenceStatus.ACTIVE, LicenceStatus.EXPIRED)),
                Licence.licence_class.in_(window.class_list),
                Licence.expires_on >= window.expired_from,
                Licence.expires_on <= window.expired_until,
                Licence.expires_on < day,
            )
            .order_by(Licence.id)
        ).all()
        for licence in covered:
            user = _holder(session, licence)
            if user is None or eligibility.get_open_application(session, licence):
                continue
            with force_locale(user.locale or "id"):
                message = _grace_message(licence, user, window)
            _remind(session, licence, user, GRACE, day, message, channel, report)
    return report
