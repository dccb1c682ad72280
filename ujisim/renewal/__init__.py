"""Online renewal of SIM A and C: the licence registry, eligibility, documents, the identity
check seam, delivery choice, payment (provider interface, sandbox, signed webhook), officer
verification, delivery orders (courier interface, sandbox) and the holder's tracking page.

Accounts and core, below us, ask through their signals; the receivers are here and connect in
``init_app`` (blinker keeps one connection per receiver)."""

from flask import Flask
from flask_babel import lazy_gettext as _l

import ujisim.renewal.delivery_views  # noqa: F401 (its pages are on the renewal blueprint)
import ujisim.renewal.documents  # noqa: F401 (registers the storage access rules)
from ujisim.accounts import signals as account_signals
from ujisim.core import duties
from ujisim.core import signals as core_signals
from ujisim.core.security import csrf
from ujisim.exam import signals as exam_signals
from ujisim.renewal import (
    admin,
    api,
    application,
    cli,
    labels,  # noqa: F401 (names the renewal's states for the workflow engine)
    officer,
    refund_pages,
    report_sources,
    step_views,  # noqa: F401 (its pages are on views.bp)
    tasks,
    upgrades,
    views,
    webhooks,
)
from ujisim.renewal.models import DeliveryOrder, RenewalApplication

OPEN_RENEWAL = _l(
    "You have a licence renewal of your own in progress. Staff pages that show the "
    "question bank, keys, replays or reviews are closed to you until it ends."
)


def init_app(app: Flask) -> None:
    report_sources.connect()  # its queues and figures in the examiners' reports

    app.register_blueprint(views.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(officer.bp)
    app.register_blueprint(refund_pages.bp)
    app.register_blueprint(refund_pages.staff)
    app.register_blueprint(admin.bp)
    # authenticated by their HMAC signature only: no cookies, nothing for CSRF to protect
    csrf.exempt(webhooks.bp)
    app.register_blueprint(webhooks.bp)
    app.cli.add_command(cli.licences_cli)
    app.cli.add_command(cli.renewal_cli)
    tasks.register()
    account_signals.deletion_requested.connect(open_renewal_holds_deletion)
    account_signals.account_deleting.connect(forget_registry_faces)
    # separation of duties: no officer verifies or hands over their own renewal, nor sees a
    # staff page while a renewal of their own is open
    core_signals.subject_wanted.connect(renewal_subject, sender=RenewalApplication)
    core_signals.subject_wanted.connect(order_subject, sender=DeliveryOrder)
    core_signals.open_business_wanted.connect(open_renewal)
    # the exam of C I and C II asks for the class held before (the upgrade rule)
    exam_signals.admission_wanted.connect(upgrades.upgrade_refusal)


def open_renewal_holds_deletion(user, *, session) -> str | None:
    """``accounts.signals.deletion_requested``: a renewal still in progress holds it."""
    return application.deletion_guard(session, user)


def forget_registry_faces(user, *, session) -> None:
    """``accounts.signals.account_deleting``: the face encodings made from the account's photos."""
    application.forget_registry_faces(session, user)


def renewal_subject(_model, *, session, obj: RenewalApplication) -> duties.Subject:
    """``core.signals.subject_wanted``: the applicant and the licence holder."""
    return application.duty_subject(session, obj)


def order_subject(_model, *, session, obj: DeliveryOrder) -> duties.Subject:
    """``core.signals.subject_wanted``: a delivery order's is its renewal's."""
    return application.order_subject(session, obj)


def open_renewal(user, *, session) -> duties.OpenBusiness | None:
    """``core.signals.open_business_wanted``: a renewal of the user's own not yet ended."""
    found = application.open_application_of(session, user)
    return None if found is None else duties.OpenBusiness("renewal", "renewal", found, OPEN_RENEWAL)
