"""Refund pages: the holder corrects the account a refund could not be paid into (tracking
page), and the officer's SANDBOX buttons that send the provider's refund webhook."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ujisim.core import duties
from ujisim.core.db import get_session
from ujisim.core.errors import IllegalTransition, refusal_page
from ujisim.core.security import Role, role_required
from ujisim.renewal import officer, payments, refunds, views
from ujisim.renewal.errors import InvalidDocument
from ujisim.renewal.forms import RefundAccountForm

bp = Blueprint("renewal_refunds", __name__, url_prefix="/perpanjangan")
staff = duties.staff_pages(
    Blueprint("renewal_refunds_officer", __name__, url_prefix="/examiner/renewals")
)


@bp.post("/<public_id>/refund/rekening")
@role_required(Role.APPLICANT)
@refusal_page("renewal.track")
def change_account(public_id: str):
    """The holder's new refund account (only after the bank could not pay into the old one)."""
    session = get_session()
    application = views.load_own_application_or_404(public_id)
    refund = refunds.get_refund(session, application)
    if refund is None:
        abort(404)
    form = RefundAccountForm()
    if not form.validate():
        errors = form.field_errors()
        raise InvalidDocument(" ".join(str(m) for m in errors.values()), errors)
    refunds.change_account(
        session, refund, form.refund_account(), current_user, form.version.data or None
    )
    flash(_("Thank you. We ask the bank again to pay the refund into this account."), "success")
    return redirect(url_for("renewal.track", public_id=application.public_id), 303)


@staff.post("/<public_id>/refund-sandbox")
@role_required(Role.EXAMINER)
@refusal_page("renewal_officer.detail")
def refund_sandbox(public_id: str):
    """SANDBOX payment provider: send the refund webhook it would send (paid, or failed)."""
    session = get_session()
    application = officer.load_application_or_404(public_id)
    refund = refunds.get_refund(session, application)
    if refund is None or refund.provider != "sandbox" or not refund.provider_ref:
        abort(404)
    outcome = request.form.get("outcome", "")
    if outcome not in ("paid", "failed"):
        abort(400)
    reason = _("SANDBOX: the account is closed") if outcome == "failed" else ""
    result = payments.sandbox_refund(session, refund, outcome, reason)
    if not result.accepted:
        raise IllegalTransition(
            _("SANDBOX provider: the refund event was refused (%(why)s).", why=result.outcome)
        )
    return redirect(url_for("renewal_officer.detail", public_id=public_id), 303)
