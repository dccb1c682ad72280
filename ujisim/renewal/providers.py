"""Payment and courier providers: a small interface each, a registry chosen by configuration
(``UJISIM_PAYMENT_PROVIDER``, ``UJISIM_COURIER_PROVIDER``) and the bundled sandboxes.

Webhooks are signed with HMAC-SHA256 over ``"<unix time>." + body`` and sent as
``X-Ujisim-Signature: t=<unix time>,v1=<hex>``. A signature older or newer than
``WEBHOOK_TOLERANCE_S`` is refused, so a captured request cannot be replayed later; within the
window the event's unique id makes a replay a no-op (payments.py, delivery.py).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

from flask import current_app
from flask_babel import gettext as _

from ujisim.core import clock, json_input
from ujisim.core.secrets import load_or_create
from ujisim.core.urls import public_url
from ujisim.renewal.errors import BadSignature, MalformedEvent

SIGNATURE_HEADER = "X-Ujisim-Signature"
WEBHOOK_TOLERANCE_S = 300
#: unix seconds: up to 12 digits (far past any real time, and no float overflows on them)
SIGNATURE_TIME = re.compile(r"[0-9]{1,12}")
HEX = re.compile(r"[0-9a-fA-F]{1,128}")
#: the largest amount an event may name: the amount column's range on PostgreSQL (rupiah; a
#: fee is about 100,000)
MAX_AMOUNT = 2**31 - 1


def webhook_secret(kind: str) -> bytes:
    """The HMAC secret of ``kind`` ("payment" or "courier"): from the environment, else
    generated into instance/ on first use (like the other secrets)."""
    configured = current_app.config.get(f"{kind.upper()}_WEBHOOK_SECRET")
    if configured:
        return configured.encode()
    path = Path(current_app.instance_path) / f"{kind}_webhook_secret"
    return load_or_create(path, lambda: secrets.token_hex(32).encode()).strip()


def sign(secret: bytes, body: bytes, timestamp: int | None = None) -> str:
    """The signature header value for ``body``."""
    timestamp = int(clock.now().timestamp()) if timestamp is None else timestamp
    digest = hmac.new(secret, f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def verify(secret: bytes, body: bytes, header: str | None) -> None:
    """Refuse (BadSignature, 401) a missing, malformed, wrong or stale signature.

    The header is read as the server got it (latin-1): anything but ASCII, a time that is not
    a plain number of seconds or a signature that is not hex is malformed, not a server error."""
    header = header or ""
    parts = dict(p.split("=", 1) for p in header.split(",") if "=" in p)
    timestamp, given = parts.get("t", ""), parts.get("v1", "")
    if not (header.isascii() and SIGNATURE_TIME.fullmatch(timestamp) and HEX.fullmatch(given)):
        raise BadSignature(_("Missing or malformed signature."))
    expected = hmac.new(secret, f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(expected, given):
        raise BadSignature(_("Invalid signature."))
    if abs(clock.now().timestamp() - int(timestamp)) > WEBHOOK_TOLERANCE_S:
        raise BadSignature(_("The signature has expired."), code="stale")


@dataclass(frozen=True)
class WebhookEvent:
    """A verified provider event."""

    event_id: str
    type: str
    #: payments: the virtual account; courier: the tracking number
    reference: str
    amount: int | None
    status: str | None
    raw: dict


def _id(data: dict, name: str, length: int, problems: dict) -> str:
    """A required id of the event: text or a whole number, printable."""
    value = data.get(name)
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not value or not value.isprintable():
        problems[name] = "required" if value in (None, "") else "string"
        return ""
    return value[:length]


def _parse(body: bytes) -> WebhookEvent:
    """The event in a verified ``body``; MalformedEvent naming each bad field."""
    try:
        data = json_input.loads(body)
    except ValueError as exc:
        raise MalformedEvent(_("Malformed event."), {"body": "json"}) from exc
    if not isinstance(data, dict):
        raise MalformedEvent(_("Malformed event."), {"body": "object"})
    problems: dict[str, str] = {}
    event_id = _id(data, "event_id", 64, problems)
    reference = _id(data, "reference", 40, problems)
    amount = data.get("amount")
    if amount is not None and (not isinstance(amount, int) or isinstance(amount, bool)):
        problems["amount"] = "integer"
    elif amount is not None and not 0 <= amount <= MAX_AMOUNT:
        problems["amount"] = "range"
    for name in ("type", "status"):
        if data.get(name) is not None and not isinstance(data[name], str):
            problems[name] = "string"
    if problems:
        raise MalformedEvent(_("Malformed event."), problems)
    return WebhookEvent(
        event_id, data.get("type") or "", reference, amount, data.get("status"), data
    )


def event_body(**fields) -> bytes:
    fields.setdefault("event_id", f"evt_{secrets.token_hex(12)}")
    fields.setdefault("occurred_at", clock.now().isoformat())
    return json.dumps(fields, sort_keys=True, separators=(",", ":")).encode()


# --- payments ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class AccountInfo:
    number: str
    expires_at: datetime


class PaymentProvider(Protocol):
    name: str
    #: shown to holders and officers (a sandbox says so)
    label: str
    sandbox: bool

    def open_account(
        self, *, reference: str, amount: int, name: str, expires_at: datetime
    ) -> AccountInfo: ...

    def request_refund(self, *, key: str, amount: int, account: dict, reference: str) -> str:
        """Ask the provider to pay ``amount`` to ``account`` (bank, number, holder); returns
        the provider's refund id. ``key`` is the idempotency key: the same key asked twice (a
        retry after a lost answer) is the same refund, paid once. The outcome comes later as a
        signed webhook (``refund.paid`` or ``refund.failed``, reference = the refund id)."""

    def parse_webhook(self, body: bytes, headers: Mapping[str, str]) -> WebhookEvent:
        """The event of a webhook: BadSignature before anything of ``body`` is read, then
        MalformedEvent for a verified body that is not an event."""


PAYMENT_PROVIDERS: dict[str, Callable[[], PaymentProvider]] = {}
COURIERS: dict[str, Callable[[], CourierProvider]] = {}


def payment_provider(name: str | None = None) -> PaymentProvider:
    name = name or current_app.config.get("PAYMENT_PROVIDER", "sandbox")
    return PAYMENT_PROVIDERS[name]()


class SandboxPayments:
    """Issues virtual accounts that nobody can pay except through the sandbox page, which
    sends the same signed webhook a bank would."""

    name = "sandbox"
    label = "SANDBOX"
    sandbox = True

    def open_account(self, *, reference, amount, name, expires_at) -> AccountInfo:
        return AccountInfo(f"88089{secrets.randbelow(10**11):011d}", expires_at)

    def parse_webhook(self, body, headers) -> WebhookEvent:
        verify(webhook_secret("payment"), body, headers.get(SIGNATURE_HEADER))
        return _parse(body)

    def request_refund(self, *, key, amount, account, reference) -> str:
        # the id follows from the key alone, as a real provider's idempotency does: the same
        # request twice is one refund
        digest = hmac.new(webhook_secret("payment"), key.encode(), hashlib.sha256).hexdigest()
        return f"RFD{digest[:24].upper()}"

    def refund_event(
        self,
        refund_ref: str,
        outcome: str,
        amount: int,
        reason: str = "",
        event_id: str | None = None,
    ):
        """(body, headers) of the webhook telling that refund ``refund_ref`` was paid
        (``outcome`` "paid") or could not be (``"failed"``, with the bank's ``reason``)."""
        fields = {"type": f"refund.{outcome}", "reference": refund_ref, "amount": amount}
        if reason:
            fields["reason"] = reason
        if event_id:
            fields["event_id"] = event_id
        body = event_body(**fields)
        return body, {SIGNATURE_HEADER: sign(webhook_secret("payment"), body)}

    def paid_event(self, va_number: str, amount: int, event_id: str | None = None):
        """(body, headers) of the webhook telling that ``va_number`` received ``amount``."""
        fields = {"type": "va.paid", "reference": va_number, "amount": amount}
        if event_id:
            fields["event_id"] = event_id
        body = event_body(**fields)
        return body, {SIGNATURE_HEADER: sign(webhook_secret("payment"), body)}


PAYMENT_PROVIDERS["sandbox"] = SandboxPayments


# --- couriers ----------------------------------------------------------------------------------


class CourierProvider(Protocol):
    name: str
    label: str
    sandbox: bool

    def create_shipment(self, *, order_ref: str, recipient: dict) -> str:
        """Book a pick-up of the parcel; returns the tracking number."""

    def tracking_url(self, tracking_number: str) -> str:
        """The courier's public page following the shipment ``tracking_number``."""

    def parse_webhook(self, body: bytes, headers: Mapping[str, str]) -> WebhookEvent: ...


def courier(name: str | None = None) -> CourierProvider:
    name = name or current_app.config.get("COURIER_PROVIDER", "sandbox")
    return COURIERS[name]()


class SandboxCourier:
    """Tracking numbers and status webhooks, driven by the officer's sandbox page."""

    name = "sandbox"
    label = "SANDBOX"
    sandbox = True
    STATUSES = ("in_transit", "delivered", "returned")

    def create_shipment(self, *, order_ref, recipient) -> str:
        return f"SBX{secrets.randbelow(10**10):010d}"

    def tracking_url(self, tracking_number: str) -> str:
        # no courier's site behind the sandbox: our own page of the shipment's events
        return public_url("renewal.sandbox_courier_track", tracking_number=tracking_number)

    def parse_webhook(self, body, headers) -> WebhookEvent:
        verify(webhook_secret("courier"), body, headers.get(SIGNATURE_HEADER))
        return _parse(body)

    def status_event(self, tracking_number: str, status: str, event_id: str | None = None):
        fields = {"type": "shipment.status", "reference": tracking_number, "status": status}
        if event_id:
            fields["event_id"] = event_id
        body = event_body(**fields)
        return body, {SIGNATURE_HEADER: sign(webhook_secret("courier"), body)}


COURIERS["sandbox"] = SandboxCourier
