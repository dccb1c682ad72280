"""Refunds of rejected paid renewals, paid out through the payment provider's refund API.

pending -> requested -> paid
requested -> failed -> pending (the holder corrected the refund account) -> requested ...

The rejection writes the refund (pending) in its own transaction. The job ``renewal.refunds``
asks the provider after that commit, never inside it: a rejection that rolls back must not pay.
The request carries an idempotency key (the refund's public id and attempt), so a retry after a
lost answer or a crash before the commit is the same refund, paid once. The provider's signed
webhook (the payment webhook, events ``refund.paid`` and ``refund.failed``) moves it on.

The bank keeps a fee (``RENEWAL_BANK_FEE``, default Rp 16.500: the BNI fee Polda Jawa Tengah's
Kasi SIM named to Kompas on 17 August 2024; Polda Jawa Timur told Kompas on 20 August 2025 that
the bank sets it, so it is configuration).
"""

from __future__ import annotations

import json
import logging

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from ujisim.core import audit, clock, jobs, workflow
from ujisim.core.errors import IllegalTransition
from ujisim.renewal import notify, providers
from ujisim.renewal.application import current_payment
from ujisim.renewal.errors import ProviderUnavailable, StaleForm
from ujisim.renewal.models import (
    PaymentStatus,
    Refund,
    RefundStatus,
    RenewalApplication,
)
from ujisim.renewal.provider_events import WebhookResult

log = logging.getLogger(__name__)

#: Rp 16.500: BNI's fee on a refund (Polda Jawa Tengah via Kompas, 17 August 2024)
DEFAULT_BANK_FEE = 16_500

#: (from, to) -> verb (audit ``renewal.<verb>``)
TRANSITIONS = {
    (RefundStatus.PENDING, RefundStatus.REQUESTED): "refund_requested",
    (RefundStatus.REQUESTED, RefundStatus.PAID): "refund_paid",
    (RefundStatus.REQUESTED, RefundStatus.FAILED): "refund_failed",
    (RefundStatus.FAILED, RefundStatus.PENDING): "refund_account_changed",
}
WORKFLOW = workflow.register(
    workflow.Workflow(
        model=Refund,
        field="status",
        states=RefundStatus,
        transitions=TRANSITIONS,
        object_type="refund",
        audit_prefix="renewal",
        refusal=lambda a, b: _("This refund cannot go from %(a)s to %(b)s.", a=a, b=b),
        audit_data=lambda move: {
            "from": move.from_state,
            "to": move.to,
            "amount": move.obj.amount,
            "provider_ref": move.obj.provider_ref,
        },
        after=[lambda session, move: notify.refund_changed(session, move.obj)],
    )
)


@WORKFLOW.on()
def _stamp(session: Session, move: workflow.Move) -> None:
    move.obj.version += 1


@WORKFLOW.on(RefundStatus.REQUESTED)
def _requested(session: Session, move: workflow.Move) -> None:
    move.obj.requested_at, move.obj.failure = move.at, None


@WORKFLOW.on(RefundStatus.PAID)
def _paid(session: Session, move: workflow.Move) -> None:
    move.obj.paid_at = move.at


@WORKFLOW.on(RefundStatus.FAILED)
def _failed(session: Session, move: workflow.Move) -> None:
    move.obj.failure = move.reason or None


def bank_fee() -> int:
    return int(current_app.config.get("RENEWAL_BANK_FEE", DEFAULT_BANK_FEE))


def create_refund(session: Session, application: RenewalApplication, reason: str) -> Refund | None:
    """A refund of what was paid minus the bank fee (None when nothing was paid), asked of the
    provider by the job once the caller commits."""
    payment = current_payment(session, application)
    if payment is None or payment.status != PaymentStatus.PAID:
        return None
    fee = min(bank_fee(), payment.amount)
    refund = Refund(
        application_id=application.id,
        paid=payment.amount,
        bank_fee=fee,
        amount=payment.amount - fee,
        reason=reason,
        status=RefundStatus.PENDING,
        account=application.refund_account,
        provider=payment.provider,
        created_at=clock.now(),
    )
    session.add(refund)
    session.flush()
    audit.record(
        session,
        "renewal.refund",
        object_type="renewal",
        object_id=application.public_id,
        data={"amount": refund.amount, "bank_fee": fee, "refund": refund.public_id},
    )
    jobs.defer(session, "renewal.refunds")
    return refund


def get_refund(session: Session, application: RenewalApplication) -> Refund | None:
    return session.scalars(select(Refund).where(Refund.application_id == application.id)).first()


def request_refund(session: Session, refund: Refund) -> Refund:
    """Ask the provider to pay ``refund`` (locked, pending) and move it to requested."""
    provider = providers.payment_provider(refund.provider)  # the one that took the payment
    application = session.get(RenewalApplication, refund.application_id)
    attempt = refund.attempt + 1
    ref = provider.request_refund(
        key=f"{refund.public_id}.{attempt}",
        amount=refund.amount,
        account=json.loads(refund.account or "{}"),
        reference=application.public_id,
    )
    refund.attempt, refund.provider_ref = attempt, ref
    return workflow.advance(session, refund, RefundStatus.REQUESTED, None, f"via {provider.name}")


def request_due(session: Session) -> int:
    """Ask the provider for every pending refund (the job ``renewal.refunds``). A provider
    that cannot be reached leaves the refund pending for the next run."""
    due = session.scalars(
        select(Refund)
        .where(Refund.status == RefundStatus.PENDING)
        .order_by(Refund.id)
        .with_for_update(skip_locked=True)
    ).all()
    asked = 0
    for refund in due:
        try:
            with session.begin_nested():
                request_refund(session, refund)
            asked += 1
        except ProviderUnavailable as exc:
            log.warning("refund %s not requested: %s", refund.public_id, exc)
    return asked


# --- the provider's webhook (payments.handle_payment_webhook hands refund events here) ---------


def lock_refund(session: Session, event) -> Refund | None:
    return session.scalars(
        select(Refund).where(Refund.provider_ref == event.reference).with_for_update()
    ).first()


def apply_event(session: Session, refund: Refund | None, event) -> WebhookResult:
    """``refund.paid`` / ``refund.failed`` about one of our refunds."""
    outcome = event.type.removeprefix("refund.")
    if outcome not in ("paid", "failed"):
        return WebhookResult(200, "ignored", f"event type {event.type!r}")
    if refund is None:
        return WebhookResult(404, "unknown_refund", f"no refund {event.reference!r}")
    if event.amount != refund.amount:
        audit.record(
            session,
            "renewal.refund_amount_mismatch",
            object_type="refund",
            object_id=refund.public_id,
            data={"expected": refund.amount, "got": event.amount},
        )
        return WebhookResult(
            422, "amount_mismatch", f"expected {refund.amount}, got {event.amount}"
        )
    to = RefundStatus.PAID if outcome == "paid" else RefundStatus.FAILED
    if refund.status == to:
        return WebhookResult(200, "unchanged")
    reason = str(event.raw.get("reason") or "")[:500] if outcome == "failed" else ""
    # a refund already paid or not requested: IllegalTransition (409), on record
    workflow.advance(session, refund, to, None, reason)
    return WebhookResult(200, f"refund_{outcome}")


def change_account(
    session: Session, refund: Refund, account: dict[str, str], actor, version=None
) -> Refund:
    """The holder corrects the account of a refund the bank could not pay; it is asked again
    (the job, after the commit)."""
    refund = session.scalars(select(Refund).where(Refund.id == refund.id).with_for_update()).one()
    if version is not None and str(version) != str(refund.version):
        raise StaleForm(_("This refund changed in the meantime. Reload the page."))
    if refund.status != RefundStatus.FAILED:
        raise IllegalTransition(
            _("Only a refund the bank could not pay can go to another account.")
        )
    application = session.get(RenewalApplication, refund.application_id)
    application.refund_account = refund.account = json.dumps(account)
    workflow.advance(session, refund, RefundStatus.PENDING, actor, "refund account corrected")
    jobs.defer(session, "renewal.refunds")
    return refund
