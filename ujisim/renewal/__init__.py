"""Online renewal of SIM A and C: the licence registry, eligibility, documents, the identity
check seam, delivery choice, payment (provider interface, sandbox, signed webhook), officer
verification, delivery orders (courier interface, sandbox) and the holder's tracking page."""

from flask import Flask
from flask_babel import lazy_gettext as _l

import ujisim.renewal.documents  # noqa: F401 (registers the storage access rules)
from ujisim.accounts import services as accounts
from ujisim.core import duties
from ujisim.core.security import csrf
from ujisim.renewal import (
    api,
    application,
    cli,
    officer,
    report_sources,
    tasks,
    views,
    webhooks,
)
from ujisim.renewal.models import DeliveryOrder, RenewalApplication


def init_app(app: Flask) -> None:
    report_sources.register()  # its queues and figures in the examiners' reports

    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(officer.bp)
    # authenticated by their HMAC signature only: no cookies, nothing for CSRF to protect
    csrf.exempt(webhooks.bp)
    app.register_blueprint(webhooks.bp)
    app.cli.add_command(cli.licences_cli)
    tasks.register()
    accounts.register_deletion_guard("renewal", application.deletion_guard)
    accounts.register_deletion_cleanup("renewal.faces", application.forget_registry_faces)
    # separation of duties: no officer verifies or hands over their own renewal, nor sees a
    # staff page while a renewal of their own is open
    duties.register_subject(RenewalApplication, application.duty_subject)
    duties.register_subject(DeliveryOrder, application.order_subject)
    duties.register_open_business(
        "renewal",
        application.open_application_of,
        "renewal",
        _l(
            "You have a licence renewal of your own in progress. Staff pages that show the "
            "question bank, keys, replays or reviews are closed to you until it ends."
        ),
    )
