"""Fees, virtual accounts, the payment webhook (payments, and refunds: refunds.py) and expiry of
unpaid accounts.

Money is integer rupiah. PNBP per PP 76/2020: SIM A Rp 80.000, SIM C Rp 75.000.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from ujisim.accounts.models import User
from ujisim.core import audit, clock, workflow
from ujisim.exam import classes
from ujisim.renewal import provider_events, providers, refunds
from ujisim.renewal.application import (  # noqa: F401 (current_payment, close_pending: ours)
    advance,
    close_pending,
    current_payment,
    lock_application,
)
from ujisim.renewal.models import (
    AppState,
    Licence,
    Payment,
    PaymentStatus,
    RenewalApplication,
)
from ujisim.renewal.provider_events import WebhookResult

#: the renewal PNBP per class (PP 76/2020, as PP 60/2016 set it): every SIM C class Rp 75.000
PNBP = {"A": 80_000, "C": 75_000, "C1": 75_000, "C2": 75_000}

#: a virtual account is paid once, or closed unpaid (audit ``renewal.<verb>``)
PAYMENT_TRANSITIONS = {
    (PaymentStatus.PENDING, PaymentStatus.PAID): "payment_received",
    (PaymentStatus.PENDING, PaymentStatus.EXPIRED): "payment_closed",
}
PAYMENT_WORKFLOW = workflow.register(
    workflow.Workflow(
        model=Payment,
        field="status",
        states=PaymentStatus,
        transitions=PAYMENT_TRANSITIONS,
        object_type="payment",
        audit_prefix="renewal",
    )
)


@PAYMENT_WORKFLOW.on(PaymentStatus.PAID)
def _on_paid(session: Session, move: workflow.Move) -> None:
    move.obj.paid_at = move.at


@dataclass(frozen=True)
class FeeLine:
    """One line of the itemised bill."""

    label: str
    amount: int
    #: paid into the virtual account (False: paid to the test's provider already)
    in_account: bool = True
    note: str = ""


def fee_lines(application: RenewalApplication, licence: Licence | None = None) -> list[FeeLine]:
    """The itemised bill: what the virtual account asks for (its lines add up to
    ``application.total``, the account's amount), then the e-Rikkes and ePPsi tests, paid to
    their providers when they were taken and shown so the holder sees the whole cost once."""
    pnbp = _("PNBP (state fee) for SIM renewal")
    if licence is not None:
        pnbp = _(
            "PNBP (state fee) for renewing SIM %(cls)s", cls=classes.label(licence.licence_class)
        )
    lines = [
        FeeLine(pnbp, application.fee_pnbp),
        FeeLine(_("Service fee"), application.fee_service),
    ]
    if application.delivery_method == "courier":
        lines.append(FeeLine(_("Shipping"), application.fee_shipping))
    if application.fee_insurance:
        lines.append(FeeLine(_("Delivery insurance (optional)"), application.fee_insurance))
    paid = _("paid to the provider when you took the test; not charged again")
    if application.fee_psych:
        lines.append(FeeLine(_("Psychological test (ePPsi)"), application.fee_psych, False, paid))
    if application.fee_health:
        lines.append(FeeLine(_("Health test (e-Rikkes)"), application.fee_health, False, paid))
    return lines


def insurance_fee() -> int:
    return int(current_app.config.get("RENEWAL_INSURANCE_FEE", 30_000))


def set_fees(
    application: RenewalApplication, licence: Licence, shipping: int, insurance: bool = False
) -> None:
    application.fee_pnbp = PNBP[licence.licence_class]
    application.fee_service = int(current_app.config.get("RENEWAL_SERVICE_FEE", 5000))
    application.fee_shipping = shipping
    application.fee_insurance = insurance_fee() if insurance else 0


def open_payment(session: Session, application: RenewalApplication) -> Payment:
    """Ask the provider for a virtual account over the application's total."""
    provider = providers.payment_provider()
    now = clock.now()
    expires = now + timedelta(hours=int(current_app.config.get("RENEWAL_VA_EXPIRY_HOURS", 24)))
    user = session.get(User, application.user_id)
    info = provider.open_account(
        reference=application.public_id,
        amount=application.total,
        name=user.full_name,
        expires_at=expires,
    )
    payment = Payment(
        application_id=application.id,
        provider=provider.name,
        va_number=info.number,
        amount=application.total,
        status=PaymentStatus.PENDING,
        created_at=now,
        expires_at=info.expires_at,
    )
    session.add(payment)
    session.flush()
    audit.record(
        session,
        "renewal.va_opened",
        object_type="renewal",
        object_id=application.public_id,
        data={"provider": provider.name, "amount": payment.amount},
    )
    return payment


def handle_payment_webhook(
    session: Session, body: bytes, headers: Mapping[str, str], provider_name: str | None = None
) -> WebhookResult:
    """Verify, record and apply one payment event (provider_events.receive): BadSignature (401)
    for a bad signature, else what happened, on record. The caller commits in every case."""
    return provider_events.receive(
        session,
        "payment",
        providers.payment_provider(provider_name),
        body,
        headers,
        target=_lock_target,
        apply=_apply_event,
    )


def _is_refund(event) -> bool:
    return event.type.startswith("refund.")


def _lock_target(session: Session, event):
    """The virtual account, or the refund (``refund.*`` events), the event is about."""
    if _is_refund(event):
        return refunds.lock_refund(session, event)
    return session.scalars(
        select(Payment).where(Payment.va_number == event.reference).with_for_update()
    ).first()


def _apply_event(session: Session, subject, event) -> WebhookResult:
    if _is_refund(event):
        return refunds.apply_event(session, subject, event)
    return _apply_payment(session, subject, event)


def _apply_payment(session: Session, payment: Payment | None, event) -> WebhookResult:
    if event.type != "va.paid":
        return WebhookResult(200, "ignored", f"event type {event.type!r}")
    if payment is None:
        return WebhookResult(404, "unknown_account", f"no virtual account {event.reference!r}")
    if payment.status == PaymentStatus.PAID:
        return WebhookResult(200, "already_paid")
    if event.amount != payment.amount:
        audit.record(
            session,
            "renewal.payment_amount_mismatch",
            object_type="payment",
            object_id=payment.public_id,
            data={"expected": payment.amount, "got": event.amount},
        )
        return WebhookResult(
            422, "amount_mismatch", f"expected {payment.amount}, got {event.amount}"
        )
    if payment.status == PaymentStatus.EXPIRED or payment.expires_at <= clock.now():
        return WebhookResult(409, "expired", f"expired at {payment.expires_at.isoformat()}")
    application = lock_application(session, session.get(RenewalApplication, payment.application_id))
    payment = session.get(Payment, payment.id)
    workflow.advance(session, payment, PaymentStatus.PAID, None, f"paid via {payment.provider}")
    advance(session, application, AppState.PAID, None, f"paid via {payment.provider}")
    return WebhookResult(200, "paid")


def sandbox_pay(session: Session, payment: Payment, amount: int | None = None) -> WebhookResult:
    """The sandbox page's "pay": a signed webhook through the same handler a bank would hit."""
    sandbox = providers.payment_provider("sandbox")
    body, headers = sandbox.paid_event(
        payment.va_number, payment.amount if amount is None else amount
    )
    return handle_payment_webhook(session, body, headers, "sandbox")


def expire_unpaid(session: Session) -> int:
    """Expire every pending virtual account past its time, and its application with it."""
    now = clock.now()
    due = session.scalars(
        select(Payment)
        .where(Payment.status == PaymentStatus.PENDING, Payment.expires_at <= now)
        .order_by(Payment.id)
        .with_for_update(skip_locked=True)
    ).all()
    for payment in due:
        workflow.advance(session, payment, PaymentStatus.EXPIRED, None, "not paid in time")
        application = session.get(RenewalApplication, payment.application_id)
        if application.state == AppState.PAYMENT:
            advance(
                session,
                application,
                AppState.EXPIRED,
                None,
                "the virtual account was not paid in time",
            )
    session.flush()
    return len(due)


def sandbox_refund(session: Session, refund, outcome: str, reason: str = "") -> WebhookResult:
    """The officer's sandbox buttons: the provider's signed ``refund.<outcome>`` webhook
    ("paid" or "failed", with the bank's ``reason``), through the handler a provider hits."""
    sandbox = providers.payment_provider("sandbox")
    body, headers = sandbox.refund_event(refund.provider_ref or "", outcome, refund.amount, reason)
    return handle_payment_webhook(session, body, headers, "sandbox")
