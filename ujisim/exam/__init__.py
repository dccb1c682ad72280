"""The official theory exam: blueprints, draw, attempts with an answer step log, grading,
the sweeper, results and the examiner's replay, regrade and void."""

from flask import Flask
from flask_babel import lazy_gettext as _l

from ujisim.accounts import services as accounts
from ujisim.core import audit_views, duties
from ujisim.exam import (
    admin,
    analysis_views,
    api,
    attempts,
    cli,
    examiner,
    policy,
    tasks,
    views,
)
from ujisim.exam.models import Attempt
from ujisim.question_bank import practice_services


def init_app(app: Flask) -> None:
    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(examiner.bp)
    app.register_blueprint(analysis_views.bp)
    # the audit explorer is core, but its users are the examiner workspace's (and admins)
    app.register_blueprint(audit_views.bp)
    app.register_blueprint(admin.bp)
    app.cli.add_command(cli.exam_cli)
    tasks.register()
    accounts.register_deletion_guard("exam", attempts.deletion_guard)
    # practice's mock exam copies the official blueprint in force
    practice_services.register_shape_source(policy.practice_shape)
    # separation of duties: an examiner is never the examiner of their own attempt, and sees no
    # bank, key or replay while an attempt of their own is open
    duties.register_subject(
        Attempt,
        lambda _session, attempt: duties.Subject(
            "attempt",
            attempt.public_id,
            _l("This is your own exam. Another examiner must review, regrade or void it."),
            frozenset({attempt.user_id}),
        ),
    )
    duties.register_open_business(
        "exam",
        attempts.open_attempt_of,
        "attempt",
        _l(
            "You have an exam of your own in progress. Staff pages that show the question bank, "
            "keys, replays or reviews are closed to you until it ends."
        ),
    )
