"""The record of provider webhooks: every event whose signature verified, payment or courier,
with its outcome (accepted, or refused and why). payments.py and delivery.py say what an event
does; ``receive`` verifies, records and answers for both.

A bad signature is refused before anything is written. Everything after it is on record: a body
that is not an event, an unknown account or shipment, a wrong amount, an unknown status, an
illegal move. An accepted event id is recorded once, so a replay or a retry of it is a no-op
("duplicate"). A refused event is judged again when it comes again -- a courier retries a
status that arrived before the one it follows -- and each try is on record.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ujisim.core import clock
from ujisim.core.errors import UjisimError
from ujisim.renewal.errors import MalformedEvent
from ujisim.renewal.models import DeliveryOrder, Payment, ProviderEvent, Refund
from ujisim.renewal.providers import WebhookEvent


@dataclass
class WebhookResult:
    """What came of one webhook: the HTTP status answered and the outcome's code."""

    status: int
    outcome: str
    #: why, in words, for the record (refusals)
    reason: str = ""
    #: the fields a malformed event got wrong: it is answered in the JSON error shape
    error: MalformedEvent | None = field(default=None, repr=False)

    @property
    def accepted(self) -> bool:
        return self.status < 400

    def body(self) -> dict:
        if self.error is not None:
            error = self.error
            return {"error": {"code": error.code, "message": error.message, "fields": error.fields}}
        return {"status": self.outcome}


Target = Payment | Refund | DeliveryOrder | None


def receive(
    session: Session,
    kind: str,
    provider,
    body: bytes,
    headers: Mapping[str, str],
    *,
    target: Callable[[Session, WebhookEvent], Target],
    apply: Callable[[Session, Target, WebhookEvent], WebhookResult],
) -> WebhookResult:
    """Verify, record and apply one ``kind`` webhook ("payment" or "courier") of ``provider``.

    BadSignature (401) propagates and nothing is written. Otherwise ``target`` locks and
    returns what the event is about (None: not ours), ``apply`` acts on it and returns the
    result; a domain error it raises is a refusal, and nothing it wrote stays. Returns the
    result, on record; the caller commits in every case."""
    now = clock.now()
    try:
        event = provider.parse_webhook(body, headers)
    except MalformedEvent as exc:
        reason = ", ".join(f"{name}: {problem}" for name, problem in sorted(exc.fields.items()))
        result = WebhookResult(400, "malformed", reason, error=exc)
        session.add(_record(kind, provider.name, result, _text(body), now))
        session.flush()
        return result
    # lock first: a concurrent delivery of the same event then sees the record made below
    subject = target(session, event)
    if _accepted_before(session, kind, provider.name, event.event_id):
        return WebhookResult(200, "duplicate")
    # Claim the event id before acting (the unique index on accepted rows): of two deliveries
    # at once only one goes on. A refusal gives the id back.
    payload = json.dumps(event.raw, sort_keys=True)
    record = _record(kind, provider.name, WebhookResult(200, "received"), payload, now)
    record.event_id, record.amount = event.event_id, event.amount
    if isinstance(subject, Payment):
        record.payment_id = subject.id
    elif isinstance(subject, Refund):
        record.refund_id = subject.id
    elif isinstance(subject, DeliveryOrder):
        record.order_id = subject.id
    try:
        with session.begin_nested():
            session.add(record)
    except IntegrityError:
        return WebhookResult(200, "duplicate")
    record_id = record.id
    try:
        with session.begin_nested():
            result = apply(session, subject, event)
    except UjisimError as exc:
        result = WebhookResult(exc.status, exc.code, str(exc.message))
    record = session.get(ProviderEvent, record_id)
    record.accepted, record.outcome, record.reason = result.accepted, result.outcome, result.reason
    session.flush()
    return result


def _record(kind: str, provider: str, result: WebhookResult, payload: str, now) -> ProviderEvent:
    return ProviderEvent(
        kind=kind,
        provider=provider,
        accepted=result.accepted,
        outcome=result.outcome,
        reason=result.reason,
        payload=payload,
        received_at=now,
    )


def _text(body: bytes) -> str:
    # the body as sent, storable: PostgreSQL text holds no NUL
    return body.decode("utf-8", "replace").replace("\x00", "\ufffd")


def _accepted_before(session: Session, kind: str, provider: str, event_id: str) -> bool:
    return (
        session.scalars(
            select(ProviderEvent.id).where(
                ProviderEvent.kind == kind,
                ProviderEvent.provider == provider,
                ProviderEvent.event_id == event_id,
                ProviderEvent.accepted.is_(True),
            )
        ).first()
        is not None
    )
