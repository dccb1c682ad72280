"""Provider webhooks: ``POST /payments/webhook`` and ``POST /courier/webhook``.

CSRF-exempt and without a login: the HMAC signature is the only authentication (see
providers.py). Every verified event is committed with its outcome, refused and malformed ones
included, so the record of what a provider sent is complete (provider_events.py); a bad
signature changes nothing.
"""

from __future__ import annotations

from flask import Blueprint, request

from ujisim.core.db import get_session
from ujisim.core.requests import commit_despite_error_status
from ujisim.core.security import limiter
from ujisim.renewal import delivery, payments
from ujisim.renewal.errors import BadSignature

bp = Blueprint("renewal_webhooks", __name__)
MAX_BODY = 64 * 1024


def _answer(handler):
    body = request.get_data(cache=False)
    if len(body) > MAX_BODY:
        return {"error": {"code": "too_large", "message": "body too large", "fields": {}}}, 413
    session = get_session()
    try:
        result = handler(session, body, request.headers)
    except BadSignature as exc:  # nothing is written; JSON whatever the provider's content type
        error = {"code": exc.code, "message": exc.message, "fields": exc.fields}
        return {"error": error}, exc.status
    # a refused event (4xx) is kept on record too (provider_events.receive)
    commit_despite_error_status()
    return result.body(), result.status


@bp.post("/payments/webhook")
@limiter.limit("120 per minute")
def payment_webhook():
    return _answer(payments.handle_payment_webhook)


@bp.post("/courier/webhook")
@limiter.limit("120 per minute")
def courier_webhook():
    return _answer(delivery.handle_courier_webhook)
