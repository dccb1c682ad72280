"""Service closures and grace windows (dispensasi): the table admins keep, and what eligibility
and the start page ask of it.

When Satpas services close (Lebaran, national holidays, the 2021 PPKM closures), a police
telegram lets SIMs that expired during the closure be renewed in a set window afterwards; one
day later they need a new SIM again. A window is data (models.GraceWindow): it counts only once
published, through its workflow (draft -> published -> withdrawn, audited ``renewal.grace_*``).
During a published closure that covers the online channel, starting an online renewal is paused;
renewals already in progress carry on (their holder passed eligibility before the closure, and
pausing them would only push them past their own expiry or grace window).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from ujisim.core import audit, clock, workflow
from ujisim.renewal.errors import GraceNotDraft, RenewalPaused
from ujisim.renewal.models import GraceStatus, GraceWindow, Licence

#: (from, to) -> verb (audit ``renewal.<verb>``); a withdrawn window may be drafted again to be
#: corrected and published anew
GRACE_TRANSITIONS = {
    (GraceStatus.DRAFT, GraceStatus.PUBLISHED): "grace_published",
    (GraceStatus.DRAFT, GraceStatus.WITHDRAWN): "grace_withdrawn",
    (GraceStatus.PUBLISHED, GraceStatus.WITHDRAWN): "grace_withdrawn",
    (GraceStatus.WITHDRAWN, GraceStatus.DRAFT): "grace_redrafted",
}
GRACE_WORKFLOW = workflow.register(
    workflow.Workflow(
        model=GraceWindow,
        field="status",
        states=GraceStatus,
        transitions=GRACE_TRANSITIONS,
        object_type="grace_window",
        audit_prefix="renewal",
        refusal=lambda a, b: _("This grace window cannot go from %(a)s to %(b)s.", a=a, b=b),
    )
)


@GRACE_WORKFLOW.on()
def _touch(session: Session, move: workflow.Move) -> None:
    move.obj.updated_at = move.at
    move.obj.version += 1  # an edit form shown before the move is stale


#: the fields an admin edits (closure_forms.GraceWindowForm checks them)
FIELDS = (
    "name",
    "closed_from",
    "closed_until",
    "expired_from",
    "expired_until",
    "renew_from",
    "renew_until",
    "telegram",
    "classes",
    "online",
    "counter",
    "source",
)


def telegram_label(window: GraceWindow) -> str:
    """The telegram's number, or a sentence saying it is not known (never a made-up one)."""
    return window.telegram or _("telegram number not known")


def add_window(session: Session, actor, **values) -> GraceWindow:
    """A new grace window, as a draft (audited)."""
    now = clock.now()
    window = GraceWindow(
        **values, status=GraceStatus.DRAFT, version=1, created_at=now, updated_at=now
    )
    session.add(window)
    session.flush()
    audit.record(
        session,
        "renewal.grace_added",
        actor=actor,
        object_type="grace_window",
        object_id=window.public_id,
        data={k: str(v) for k, v in values.items()},
    )
    return window


def edit_window(session: Session, window: GraceWindow, actor, **values) -> GraceWindow:
    """Change a draft window (a published one is withdrawn and redrafted first, so what was in
    force stays on record)."""
    if window.status != GraceStatus.DRAFT:
        raise GraceNotDraft(
            _("Only a draft can be edited. Withdraw the grace window first, then redraft it.")
        )
    before = {name: getattr(window, name) for name in FIELDS}
    # each field by name: the status is the workflow's alone (no setattr by a variable name)
    window.name = values["name"]
    window.closed_from = values["closed_from"]
    window.closed_until = values["closed_until"]
    window.expired_from = values["expired_from"]
    window.expired_until = values["expired_until"]
    window.renew_from = values["renew_from"]
    window.renew_until = values["renew_until"]
    window.telegram = values["telegram"]
    window.classes = values["classes"]
    window.online = values["online"]
    window.counter = values["counter"]
    window.source = values["source"]
    changed = {
        name: [str(before[name]), str(values[name])]
        for name in FIELDS
        if before[name] != values[name]
    }
    window.updated_at = clock.now()
    window.version += 1
    session.flush()
    audit.record(
        session,
        "renewal.grace_edited",
        actor=actor,
        object_type="grace_window",
        object_id=window.public_id,
        data=changed,
    )
    return window


def publish(session: Session, window: GraceWindow, actor) -> GraceWindow:
    return workflow.advance(session, window, GraceStatus.PUBLISHED, actor)


def withdraw(session: Session, window: GraceWindow, actor) -> GraceWindow:
    return workflow.advance(session, window, GraceStatus.WITHDRAWN, actor)


def redraft(session: Session, window: GraceWindow, actor) -> GraceWindow:
    return workflow.advance(session, window, GraceStatus.DRAFT, actor)


def get_window(session: Session, public_id: str) -> GraceWindow | None:
    return session.scalars(select(GraceWindow).where(GraceWindow.public_id == public_id)).first()


def query_windows(session: Session) -> list[GraceWindow]:
    """Every window, newest renewal window first."""
    return list(
        session.scalars(
            select(GraceWindow).order_by(GraceWindow.renew_from.desc(), GraceWindow.id.desc())
        )
    )


def _published(session: Session):
    return select(GraceWindow).where(GraceWindow.status == GraceStatus.PUBLISHED)


def current_closure(session: Session, today: date) -> GraceWindow | None:
    """The published closure covering the online channel that includes ``today`` (the one
    reopening last when several overlap), or None."""
    return session.scalars(
        _published(session)
        .where(
            GraceWindow.online.is_(True),
            GraceWindow.closed_from <= today,
            GraceWindow.closed_until >= today,
        )
        .order_by(GraceWindow.closed_until.desc())
    ).first()


def reopens_on(window: GraceWindow) -> date:
    return window.closed_until + timedelta(days=1)


def closure_notice(window: GraceWindow) -> str:
    """The start page's notice during a closure."""
    return _(
        "Online renewal is paused during the service closure (%(name)s) from %(start)s to "
        "%(end)s. It opens again on %(reopens)s. If your SIM expires during the closure, the "
        "grace window (%(telegram)s) lets you renew from %(renew_from)s to %(renew_until)s.",
        name=window.name,
        start=format_date(window.closed_from, "long"),
        end=format_date(window.closed_until, "long"),
        reopens=format_date(reopens_on(window), "long"),
        telegram=telegram_label(window),
        renew_from=format_date(window.renew_from, "long"),
        renew_until=format_date(window.renew_until, "long"),
    )


def ensure_online_open(session: Session, today: date) -> None:
    """Refuse (RenewalPaused, 503) to start an online renewal during a published closure."""
    window = current_closure(session, today)
    if window is not None:
        raise RenewalPaused(
            closure_notice(window),
            {"reopens_on": reopens_on(window).isoformat(), "grace_window": window.public_id},
        )


@dataclass(frozen=True)
class Grace:
    """What the published grace windows say about one expired licence today."""

    #: a window open online today: the licence may be renewed online
    online: GraceWindow | None = None
    #: an online window not open yet (during the closure)
    online_later: GraceWindow | None = None
    #: a window open (or still to open) at the counter only
    counter: GraceWindow | None = None


def grace_for(session: Session, licence: Licence, today: date) -> Grace:
    """The published windows covering ``licence``'s expiry day and class, as of ``today``."""
    windows = session.scalars(
        _published(session)
        .where(
            GraceWindow.expired_from <= licence.expires_on,
            GraceWindow.expired_until >= licence.expires_on,
            GraceWindow.renew_until >= today,
        )
        .order_by(GraceWindow.renew_until.desc())
    ).all()
    windows = [w for w in windows if licence.licence_class in w.class_list]
    online = [w for w in windows if w.online]
    open_now = next((w for w in online if w.renew_from <= today), None)
    later = next((w for w in online if w.renew_from > today), None)
    counter = next((w for w in windows if w.counter and not w.online), None)
    return Grace(online=open_now, online_later=later, counter=counter)


def grace_message(window: GraceWindow) -> str:
    """What the holder is told when a grace window lets them renew online."""
    return _(
        "Your SIM expired inside the grace window of %(name)s (telegram %(telegram)s): you may "
        "renew it online until %(day)s.",
        name=window.name,
        telegram=telegram_label(window),
        day=format_date(window.renew_until, "long"),
    )


def windows_opening(session: Session, day: date) -> list[GraceWindow]:
    """Published windows whose renewal window is open on ``day`` (reminders catch up on a
    missed first day, once each per licence)."""
    return list(
        session.scalars(
            _published(session).where(GraceWindow.renew_from <= day, GraceWindow.renew_until >= day)
        )
    )
