"""Certificates: PDF renderers (pass certificate, licence card, imposition sheet, delivery label),
signing and verification of the documents' data.

The renderers and the signer work on the plain data objects of ``core.documents``; no ORM
inside. ``verification`` holds what the web page and the CLI share (its names are re-exported
here). Below us: renewal hears the print side through ``renewal.signals``, the exam through
``exam.signals``; we connect to both in ``init_app``.
"""

from __future__ import annotations

import os

from flask import Flask

from ujisim.certificates import (
    admin,
    api,
    cli,
    print_documents,
    printshop,
    renewal_cards,
    report_sources,
    tasks,
    views,
)
from ujisim.certificates.verification import (  # noqa: F401 (the package's public names)
    DOCUMENT_SOURCES,
    REASONS,
    RETIRED_KEYS_DIR,
    RETIRED_KEYS_ENV,
    Check,
    Found,
    certificate_data,
    check_token,
    get_pass_record,
    qr_texts,
    retired_public_keys,
    verification_keys,
)
from ujisim.core.security import csrf
from ujisim.exam import signals as exam_signals


def init_app(app: Flask) -> None:
    report_sources.connect()  # its queues and figures in the examiners' reports
    app.config.setdefault(
        "PRINT_LEASE_SECONDS", int(os.environ.get("UJISIM_PRINT_LEASE_SECONDS", "600"))
    )
    app.register_blueprint(views.bp)
    # bearer tokens, no cookies: a forged cross-site request has nothing to ride on
    csrf.exempt(api.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(printshop.bp)
    app.register_blueprint(admin.bp)
    app.cli.add_command(cli.certificates_cli)
    # a new pass gets its certificate print job, in the grade's transaction
    exam_signals.passed.connect(print_documents.on_passed)
    # renewal's licence cards: print job on approval, label, order moved on once printed
    renewal_cards.connect()
    tasks.register()
