"""Webcam proctoring: consent, face enrolment, face analysis, liveness, browser events, risk and
the examiner's review queue.

``faces.py`` holds the pure face analysis (no database, no Flask); the services are split by verb
(consent, reference, checks, observations, risk, review, retention); ``views`` are the candidate's
pages, ``api`` the JSON the pages call, ``examiner`` the review queue. The exam and accounts,
below us, ask through their signals; the receivers connect in ``init_app`` (once per process:
blinker keeps one connection per receiver).
"""

from flask import Flask, current_app
from flask_babel import gettext as _

from ujisim.accounts import signals as account_signals
from ujisim.accounts.models import User
from ujisim.exam import signals as exam_signals
from ujisim.exam.models import Attempt
from ujisim.proctoring import (
    access,
    api,
    checks,
    cli,
    examiner,
    labels,
    report_sources,
    review,
    tasks,
    views,
)
from ujisim.proctoring.errors import ProctoringRequired


def init_app(app: Flask) -> None:
    report_sources.connect()  # its queues and figures in the examiners' reports

    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(examiner.bp)
    app.cli.add_command(cli.proctoring_cli)
    app.add_template_filter(labels.proctor_label, "proctor_label")
    access.register(app)
    exam_signals.begin_requested.connect(refuse_begin_before_checks)
    tasks.register()
    account_signals.deletion_requested.connect(open_review_holds_deletion)


def refuse_begin_before_checks(attempt: Attempt, *, session) -> ProctoringRequired | None:
    """``exam.signals.begin_requested``: a proctored exam starts only once the consent, the
    photo and the identity check have passed."""
    if not current_app.config["PROCTOR_REQUIRED"]:
        return None
    if checks.gate(session, session.get(User, attempt.user_id), attempt).ready:
        return None
    return ProctoringRequired(
        _("Complete the consent, photo and identity check steps before you begin.")
    )


def open_review_holds_deletion(user, *, session) -> str | None:
    """``accounts.signals.deletion_requested``: a proctoring review without a verdict holds it."""
    return review.deletion_guard(session, user)
