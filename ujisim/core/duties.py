"""Separation of duties (DESIGN, "Trust rules"): nobody reviews, grades, regrades, voids or
verifies their own exam, proctoring case or renewal, nor approves their own item version; and a
staff member whose own exam attempt or renewal is still open sees no staff page that shows the
bank, keys, replays or reviews until it ends. Every refusal is audited.

Core knows neither exams nor renewals, so it asks the domains through ``core/signals.py``
(each connects its receivers in its ``init_app``):

- who the subject of an object is (``subject_wanted``: the candidate of an attempt or a
  proctoring case, the holder of a renewal, the author of an item version), and
- what is open business of a user (``open_business_wanted``: an attempt not yet finished, a
  renewal not yet ended).

Views use two things: ``staff_pages(bp)`` marks a staff blueprint (every request to it from a
staff member with open business is refused before the view runs), and ``refuse_own(obj)`` in
the object loaders refuses the object's own subject.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any, NoReturn

from flask import Blueprint, request
from flask_login import current_user
from sqlalchemy.orm import Session

from ujisim.core import audit, signals
from ujisim.core.db import get_db, get_session
from ujisim.core.errors import DutyRefused
from ujisim.core.security import Role

#: the roles whose pages may show the bank, keys, replays or reviews
STAFF_ROLES = (Role.EXAMINER, Role.ADMIN)
OWN_ACTION = "access.own_case_refused"
#: formatted with the open business's name ("exam", "renewal")
OPEN_ACTION = "access.staff_with_open_{name}_refused"


@dataclass(frozen=True)
class Subject:
    """Whose an object is: the people who may not act on it as staff."""

    #: what the audit record calls the object ("attempt", "renewal", "item_version", ...)
    object_type: str
    #: its public id (or code) for the audit record
    object_id: str
    #: why a subject is refused, in the user's language (a lazy string)
    message: Any
    user_ids: frozenset[int] = frozenset()
    #: national id numbers: a licence holder is known by NIK too, whichever account applied
    niks: frozenset[str] = frozenset()

    def includes(self, user) -> bool:
        if getattr(user, "id", None) in self.user_ids:
            return True
        nik = getattr(user, "nik", None)
        return bool(nik) and nik in self.niks


@dataclass(frozen=True)
class OpenBusiness:
    """Something of a user's own that is still going on (an exam, a renewal)."""

    #: "exam", "renewal": names the audit action
    name: str
    object_type: str
    object_id: str
    message: Any


#: names of the blueprints marked with ``staff_pages`` (tests walk them)
STAFF_BLUEPRINTS: set[str] = set()


def subject_of(session: Session, obj) -> Subject:
    """Who ``obj`` is about, as the receiver connected for its class (or the nearest base
    class that has one) answers ``signals.subject_wanted``."""
    for cls in type(obj).__mro__:
        found = signals.at_most_one(signals.subject_wanted.send(cls, session=session, obj=obj))
        if found is not None:
            return found
    raise TypeError(f"no subject rule for {type(obj).__name__}")


def is_subject(session: Session, user, obj) -> bool:
    """Is ``user`` the subject of ``obj`` (its candidate, holder or author)?"""
    return subject_of(session, obj).includes(user)


def open_business(session: Session, user) -> OpenBusiness | None:
    """An exam attempt or renewal of ``user``'s own still open (the exam's first, the receivers
    of ``signals.open_business_wanted`` in order), or None."""
    found = signals.answers(signals.open_business_wanted.send(user, session=session))
    return found[0] if found else None


def _refuse(
    session: Session, user, action: str, *, object_type: str, object_id: str, message, code: str
) -> NoReturn:
    """Audit the refusal and raise DutyRefused. The refusal ends the request's unit of work:
    what it did so far is rolled back (its locks go with it), and the audit record is committed
    on a write session of its own, since the error handler rolls the request's session back
    (and a GET's session on SQLite may not be able to start writing)."""
    actor = SimpleNamespace(id=user.id, email=user.email)  # read before the rollback expires it
    where = {"endpoint": request.endpoint, "method": request.method}
    session.rollback()
    writer = get_db().session(write=True)
    try:
        audit.record(
            writer, action, actor=actor, object_type=object_type, object_id=object_id, data=where
        )
        writer.commit()
    finally:
        writer.close()
    raise DutyRefused(str(message), code=code)


def refuse_own(obj, *, user=None, session: Session | None = None) -> None:
    """Refuse (403, audited) when the user is the subject of ``obj``; else return."""
    session = session or get_session()
    user = user if user is not None else current_user
    subject = subject_of(session, obj)
    if subject.includes(user):
        _refuse(
            session,
            user,
            OWN_ACTION,
            object_type=subject.object_type,
            object_id=subject.object_id,
            message=subject.message,
            code="own_case",
        )


def refuse_open_business(*, user=None, session: Session | None = None) -> None:
    """Refuse (403, audited) when the user has an exam or renewal of their own still open."""
    session = session or get_session()
    user = user if user is not None else current_user
    found = open_business(session, user)
    if found is not None:
        _refuse(
            session,
            user,
            OPEN_ACTION.format(name=found.name),
            object_type=found.object_type,
            object_id=found.object_id,
            message=found.message,
            code=f"open_{found.name}",
        )


def _guard_staff_page() -> None:
    # anonymous visitors and users without a staff role meet role_required in the view (login
    # page or 403); this only stops staff who are candidates or holders themselves right now
    if current_user.is_authenticated and current_user.has_any_role(*STAFF_ROLES):
        refuse_open_business()


def staff_pages(bp: Blueprint) -> Blueprint:
    """Mark ``bp``'s pages as showing the bank, keys, replays or reviews: a staff member with an
    open exam attempt or renewal of their own is refused every one of them."""
    bp.before_request(_guard_staff_page)
    STAFF_BLUEPRINTS.add(bp.name)
    return bp
