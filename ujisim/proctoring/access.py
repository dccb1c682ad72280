"""Who may read proctoring files, who is the subject of a case (separation of duties), and the
template helpers the exam pages use."""

from __future__ import annotations

from flask import Flask
from flask_babel import lazy_gettext as _l

from ujisim.core import duties, signals, storage
from ujisim.core.db import get_session
from ujisim.core.security import Role
from ujisim.exam.models import Attempt
from ujisim.proctoring.checks import gate, get_case
from ujisim.proctoring.models import IdentityCheck, ProctorCase

OWN_CASE = _l("This is your own proctoring case. Another examiner must review it.")


@storage.access_rule("proctor_reference")
def _reference(user, stored) -> bool:
    """The candidate's own photo: the candidate, examiners and admins."""
    return stored.owner_id == user.id or user.has_any_role(Role.EXAMINER, Role.ADMIN)


@storage.access_rule("proctor_snapshot")
def _snapshot(user, stored) -> bool:
    """Exam snapshots and identity-check frames: examiners and admins only."""
    return user.has_any_role(Role.EXAMINER, Role.ADMIN)


storage.access_rule("proctor_identity")(_snapshot)


def proctor_gate(attempt):
    """The proctoring steps of a created attempt (instructions page), or None if not required."""
    from flask import current_app
    from flask_login import current_user

    if not current_app.config["PROCTOR_REQUIRED"]:
        return None
    return gate(get_session(), current_user, attempt)


def proctor_case(attempt):
    """The proctoring case of an attempt (the exam page loads the webcam script when there is)."""

    return get_case(get_session(), attempt)


def case_subject(_model, *, session, obj: ProctorCase) -> duties.Subject:
    """``core.signals.subject_wanted``: the candidate of a case; nobody clears, voids or
    reviews their own (core/duties.py)."""
    attempt = session.get(Attempt, obj.attempt_id)
    users = frozenset({obj.user_id, attempt.user_id})
    return duties.Subject("attempt", attempt.public_id, OWN_CASE, users)


def check_subject(_model, *, session, obj: IdentityCheck) -> duties.Subject:
    """``core.signals.subject_wanted``: an identity check's is its case's."""
    return case_subject(ProctorCase, session=session, obj=session.get(ProctorCase, obj.case_id))


def register(app: Flask) -> None:
    signals.subject_wanted.connect(case_subject, sender=ProctorCase)
    signals.subject_wanted.connect(check_subject, sender=IdentityCheck)
    app.jinja_env.globals["proctor_gate"] = proctor_gate
    app.jinja_env.globals["proctor_case"] = proctor_case
