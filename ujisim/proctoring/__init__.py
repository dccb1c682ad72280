"""Webcam proctoring: consent, face enrolment, face analysis, liveness, browser events, risk and
the examiner's review queue.

``faces.py`` holds the pure face analysis (no database, no Flask); the services are split by verb
(consent, reference, checks, observations, risk, review, retention); ``views`` are the candidate's
pages, ``api`` the JSON the pages call, ``examiner`` the review queue.
"""

from flask import Flask

from ujisim.accounts import services as accounts
from ujisim.exam import views as exam_views
from ujisim.proctoring import (
    access,
    api,
    checks,
    cli,
    examiner,
    report_sources,
    review,
    tasks,
    views,
)


def init_app(app: Flask) -> None:
    report_sources.register()  # its queues and figures in the examiners' reports

    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(examiner.bp)
    app.cli.add_command(cli.proctoring_cli)
    access.register(app)
    if checks.require_gate not in exam_views.BEGIN_GUARDS:
        exam_views.BEGIN_GUARDS.append(checks.require_gate)
    tasks.register()
    accounts.register_deletion_guard("proctoring", review.deletion_guard)
