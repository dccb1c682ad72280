"""The candidate's pass certificate (PDF) and the public verification page of its QR."""

from __future__ import annotations

import dataclasses
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, abort, render_template
from flask_babel import lazy_gettext as _l

from ujisim.certificates import signing
from ujisim.certificates.render import certificate_pdf
from ujisim.certificates.verification import certificate_data, check_token, get_pass_record
from ujisim.core import clock
from ujisim.core.db import get_session
from ujisim.core.errors import wants_json
from ujisim.core.secrets import signing_key
from ujisim.core.security import Role, limiter, role_required
from ujisim.core.urls import public_url
from ujisim.exam.views import load_own_attempt_or_404

bp = Blueprint("certificates", __name__)

REASON_TEXT = {
    "malformed": _l("The code is damaged or incomplete."),
    "unknown_key": _l("The certificate was signed with a key this service does not know."),
    "tampered": _l("The signature does not match: the certificate has been altered."),
    "mismatch": _l("The certificate does not match our records."),
    "unknown_document": _l("No such certificate was issued by this service."),
}
#: why a card copy is no longer valid although its licence is (card copy registry)
REVOKED_TEXT = {
    "superseded": _l(
        "Superseded by a card printed later: this copy of the licence card is no longer valid."
    ),
    "void": _l("Void: this copy of the licence card was withdrawn and is no longer valid."),
}


@bp.get("/ujian/<public_id>/sertifikat.pdf")
@role_required(Role.APPLICANT)
def download(public_id: str):
    """The pass certificate of the candidate's own attempt; 404 without a standing pass."""
    session = get_session()
    attempt = load_own_attempt_or_404(public_id)
    record = get_pass_record(session, attempt.id)
    if record is None or record.revoked_at is not None:
        abort(404)
    data = certificate_data(session, record)
    if data is None:
        abort(404)
    token = signing.sign(data, signing_key())
    url = public_url("certificates.verify", token=token)
    pdf = certificate_pdf(dataclasses.replace(data, verification_url=url))
    response = Response(pdf, mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f'attachment; filename="sertifikat-{data.exam_id}.pdf"'
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/verify/<token>")
@limiter.limit("60 per minute")
def verify(token: str):
    """Public: is the certificate or licence card behind this QR valid, revoked or not genuine?"""
    check = check_token(get_session(), token)
    data = check.certificate
    if wants_json():
        body = {"status": check.status, "reason": check.reason}
        text = (REASON_TEXT if check.status == "invalid" else REVOKED_TEXT).get(check.reason)
        if text is not None:
            body["message"] = str(text)
        if data is not None:
            body[data.DOC_TYPE] = _public_fields(data)
        if check.revoked_at is not None:
            body["revoked_at"] = check.revoked_at.isoformat()
        return body
    reason = REASON_TEXT.get(check.reason) if check.status == "invalid" else None
    # a genuine card past its expiry day (WIB) no longer entitles anyone to drive
    expired = getattr(data, "DOC_TYPE", None) == "card" and data.expires_on < _today_wib()
    if check.status == "revoked":
        reason = REVOKED_TEXT.get(check.reason)
    return render_template(
        "certificates/verify.html", check=check, data=data, reason=reason, expired=expired
    )


def _today_wib():
    return clock.now().astimezone(ZoneInfo("Asia/Jakarta")).date()


def _public_fields(data) -> dict:
    """What the verification page shows of a document (never the full NIK or the address)."""
    if data.DOC_TYPE == "card":
        return {
            "number": data.licence_number,
            "class": data.licence_class,
            "name": data.name,
            "date_of_birth": data.date_of_birth.isoformat(),
            "issued_on": data.issued_on.isoformat(),
            "expires_on": data.expires_on.isoformat(),
            "issuing_office": data.issuing_office,
            "serial": data.serial,
        }
    return {
        "name": data.candidate_name,
        "nik": data.nik_masked,
        "class": data.licence_class,
        "score": data.score,
        "total": data.total,
        "passed_on": data.passed_on.isoformat(),
        "exam_id": data.exam_id,
    }
