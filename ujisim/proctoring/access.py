"""Who may read proctoring files, and the template helpers the exam pages use."""

from __future__ import annotations

from flask import Flask

from ujisim.core import storage
from ujisim.core.db import get_session
from ujisim.core.security import Role


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

    from ujisim.proctoring.checks import gate

    if not current_app.config["PROCTOR_REQUIRED"]:
        return None
    return gate(get_session(), current_user, attempt)


def proctor_case(attempt):
    """The proctoring case of an attempt (the exam page loads the webcam script when there is)."""
    from ujisim.proctoring.checks import get_case

    return get_case(get_session(), attempt)


def register(app: Flask) -> None:
    app.jinja_env.globals["proctor_gate"] = proctor_gate
    app.jinja_env.globals["proctor_case"] = proctor_case
