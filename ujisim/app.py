"""Application factory."""

from __future__ import annotations

import os

from flask import Flask

from ujisim import config
from ujisim.core.requests import App


def create_app(test_config: dict | None = None) -> Flask:
    """Create the app: config from the environment (or ``test_config``), then each domain. Every
    view runs in the request's unit of work (``App``, core/requests.py)."""
    app = App(
        "ujisim",
        instance_path=(test_config or {}).get("INSTANCE_PATH")
        or os.environ.get("UJISIM_INSTANCE_PATH")
        or None,
        instance_relative_config=True,
    )
    app.config.from_mapping(config.from_env(app.instance_path))
    if test_config:
        app.config.update(test_config)
    os.makedirs(app.instance_path, exist_ok=True)

    from ujisim import (
        accounts,
        certificates,
        exam,
        main,
        proctoring,
        question_bank,
        renewal,
        seed,
    )
    from ujisim.core import (
        assets,
        audit,
        db,
        errors,
        i18n,
        jobs,
        json_input,
        mail,
        secrets,
        security,
        storage,
    )

    secrets.init_app(app)
    db.init_app(app)
    security.init_app(app)
    assets.init_app(app)
    i18n.init_app(app)
    errors.init_app(app)
    errors.keep_error_page(errors.DutyRefused)  # a separation-of-duties refusal stays a 403 page
    json_input.init_app(app)
    audit.init_app(app)
    mail.init_app(app)
    storage.init_app(app)
    accounts.init_app(app)
    question_bank.init_app(app)
    exam.init_app(app)
    proctoring.init_app(app)
    renewal.init_app(app)
    app.register_blueprint(main.bp)
    app.cli.add_command(seed.seed_cli)
    certificates.init_app(app)
    jobs.init_app(app)  # last: every domain has registered its tasks
    return app
