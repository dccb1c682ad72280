"""Applicant pages around the bill: the satisfaction survey before payment, the SANDBOX page
where a tester takes the e-Rikkes and ePPsi tests (renewal/health.py) to get certificate numbers
for their own NIK, and the SANDBOX bank page that pays a virtual account. On the renewal
blueprint (views.py)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ujisim.core.db import get_session
from ujisim.core.errors import refusal_page
from ujisim.core.security import Role, limiter, role_required
from ujisim.renewal import health, payments, registry, survey, tracking
from ujisim.renewal.forms import SandboxPayForm, SandboxTestForm
from ujisim.renewal.models import Payment, RenewalApplication
from ujisim.renewal.views import _per_user, bp, load_own_application_or_404


@bp.post("/<public_id>/survei")
@role_required(Role.APPLICANT)
@refusal_page("renewal.show")
def answer_survey(public_id: str):
    """The satisfaction survey before payment: answers (each optional) or a skip, once."""
    session = get_session()
    application = load_own_application_or_404(public_id)
    skipped = request.form.get("skip") == "1"
    _response, created = survey.record_response(
        session, application, survey.parse_answers(request.form), current_user, skipped=skipped
    )
    if not created:
        flash(_("Your survey answer was already recorded; the first one is kept."), "info")
    elif skipped:
        flash(_("Survey skipped. You can pay now."), "info")
    else:
        flash(_("Thank you for your answers."), "success")
    return redirect(url_for("renewal.show", public_id=application.public_id) + "#va", 303)


# --- the sandbox health and psychological tests (labelled SANDBOX, 404 with a real provider) ---


def _sandbox_health_or_404():
    provider = health.provider()
    if not provider.sandbox:
        abort(404)
    return provider


@bp.get("/sandbox/tes")
@role_required(Role.APPLICANT)
def sandbox_tests():
    _sandbox_health_or_404()
    return render_template(
        "renewal/sandbox_tests.html", form=SandboxTestForm(), issued=None, errors={}
    )


@bp.post("/sandbox/tes")
@role_required(Role.APPLICANT)
@limiter.limit("30 per minute", key_func=_per_user)
def sandbox_take_test():
    """SANDBOX: the holder "takes" an e-Rikkes or ePPsi test and gets a certificate number for
    their own NIK (the result and date as chosen, to try each refusal)."""
    provider = _sandbox_health_or_404()
    form = SandboxTestForm()
    if not form.validate_on_submit():
        page = render_template(
            "renewal/sandbox_tests.html", form=form, issued=None, errors=form.field_errors()
        )
        return page, 422
    issued_on = form.day or registry.local_today(current_user.timezone or "Asia/Jakarta")
    certificate = provider.issue(
        form.kind.data,
        current_user.nik,
        issued_on=issued_on,
        result=form.result.data,
        fee=health.default_fee(form.kind.data, issued_on),
    )
    return render_template(
        "renewal/sandbox_tests.html", form=SandboxTestForm(), issued=certificate, errors={}
    )


# --- the sandbox payment page (testers only: labelled SANDBOX, 404 with a real provider) -------


def _own_sandbox_payment_or_404(public_id: str) -> Payment:
    session = get_session()
    payment = session.scalars(select(Payment).where(Payment.public_id == public_id[:40])).first()
    if payment is None or payment.provider != "sandbox":
        abort(404)
    load_own_application_or_404(session.get(RenewalApplication, payment.application_id).public_id)
    return payment


@bp.get("/sandbox/bayar/<public_id>")
@role_required(Role.APPLICANT)
def sandbox_page(public_id: str):
    payment = _own_sandbox_payment_or_404(public_id)
    application = get_session().get(RenewalApplication, payment.application_id)
    return render_template(
        "renewal/sandbox_pay.html",
        payment=payment,
        application=application,
        payment_labels=tracking.PAYMENT_LABELS,
    )


@bp.post("/sandbox/bayar/<public_id>")
@role_required(Role.APPLICANT)
def sandbox_pay(public_id: str):
    session = get_session()
    payment = _own_sandbox_payment_or_404(public_id)
    application = session.get(RenewalApplication, payment.application_id)
    form = SandboxPayForm()
    if not form.validate_on_submit():
        page = render_template(
            "renewal/sandbox_pay.html",
            payment=payment,
            application=application,
            payment_labels=tracking.PAYMENT_LABELS,
            error=form.amount.errors[0] if form.amount.errors else "",
            entered=form.amount.data or "",
        )
        return page, 422
    result = payments.sandbox_pay(session, payment, form.rupiah)
    messages = {
        "paid": _("SANDBOX: payment received."),
        "already_paid": _("SANDBOX: this account was already paid."),
        "amount_mismatch": _("SANDBOX: the amount does not match the bill; nothing was paid."),
        "expired": _("SANDBOX: this virtual account has expired; nothing was paid."),
    }
    flash(
        messages.get(result.outcome, result.outcome), "success" if result.status == 200 else "error"
    )
    return redirect(url_for("renewal.track", public_id=application.public_id), 303)
