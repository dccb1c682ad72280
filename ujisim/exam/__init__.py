"""The official theory exam: blueprints, draw, attempts with an answer step log, grading,
the sweeper, results and the examiner's replay, regrade and void.

Below us, accounts, core and the question bank ask through their signals; the receivers are
here and connect in ``init_app`` (blinker keeps one connection per receiver, so a second app
in the same process connects nothing twice)."""

from flask import Flask
from flask_babel import lazy_gettext as _l

from ujisim.accounts import signals as account_signals
from ujisim.core import audit_views, duties
from ujisim.core import signals as core_signals
from ujisim.exam import (
    admin,
    analysis_views,
    api,
    attempts,
    classes,
    cli,
    clip_api,  # noqa: F401 -- defines api.bp's clip-part routes
    examiner,
    labels,
    policy,
    tasks,
    views,
)
from ujisim.exam.models import Attempt
from ujisim.question_bank import signals as bank_signals
from ujisim.question_bank.practice_mock import MockShape

OWN_ATTEMPT = _l("This is your own exam. Another examiner must review, regrade or void it.")
OPEN_ATTEMPT = _l(
    "You have an exam of your own in progress. Staff pages that show the question bank, "
    "keys, replays or reviews are closed to you until it ends."
)


def init_app(app: Flask) -> None:
    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(examiner.bp)
    app.register_blueprint(analysis_views.bp)
    # the audit explorer is core, but its users are the examiner workspace's (and admins)
    app.register_blueprint(audit_views.bp)
    app.register_blueprint(admin.bp)
    app.cli.add_command(cli.exam_cli)
    app.add_template_filter(classes.label, "sim_class")
    app.add_template_filter(labels.attempt_state, "attempt_state")
    app.add_template_filter(labels.grade_reason, "grade_reason")
    app.add_template_filter(labels.exam_language, "exam_language")
    tasks.register()
    account_signals.deletion_requested.connect(open_attempt_holds_deletion)
    # practice's mock exam copies the official blueprint in force
    bank_signals.mock_shape_wanted.connect(practice_shape)
    # separation of duties: an examiner is never the examiner of their own attempt, and sees no
    # bank, key or replay while an attempt of their own is open
    core_signals.subject_wanted.connect(attempt_subject, sender=Attempt)
    core_signals.open_business_wanted.connect(open_attempt)


def open_attempt_holds_deletion(user, *, session) -> str | None:
    """``accounts.signals.deletion_requested``: an attempt not graded or voided holds it."""
    return attempts.deletion_guard(session, user)


def practice_shape(vehicle_class: str, *, session) -> MockShape:
    """``question_bank.signals.mock_shape_wanted``: the official paper of the class in force."""
    return policy.practice_shape(session, vehicle_class)


def attempt_subject(_model, *, session, obj: Attempt) -> duties.Subject:
    """``core.signals.subject_wanted``: the candidate of an attempt."""
    return duties.Subject("attempt", obj.public_id, OWN_ATTEMPT, frozenset({obj.user_id}))


def open_attempt(user, *, session) -> duties.OpenBusiness | None:
    """``core.signals.open_business_wanted``: an attempt of the user's own not yet finished."""
    found = attempts.open_attempt_of(session, user)
    return None if found is None else duties.OpenBusiness("exam", "attempt", found, OPEN_ATTEMPT)
