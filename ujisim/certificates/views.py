"""The candidate's pass certificate (PDF) and the public verification pages: the page of a QR
(``/verify/<token>``), the form where a short code is typed instead (``/verify``, ``codes.py``),
and for a logged-in examiner the photo on record of a card's holder."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request
from flask_babel import gettext as _

from ujisim.certificates import codes, verdicts
from ujisim.certificates.render import certificate_pdf
from ujisim.certificates.verification import Check, certificate_data, check_token, get_pass_record
from ujisim.core.db import get_session
from ujisim.core.errors import ValidationError, wants_json
from ujisim.core.security import Role, limiter, role_required
from ujisim.exam.views import load_own_attempt_or_404

bp = Blueprint("certificates", __name__)


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
    pdf = certificate_pdf(codes.signed(session, data))
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
    return _answer(check_token(get_session(), token), token, limited=False)


@bp.get("/verify")
@limiter.limit(codes.LOOKUP_LIMIT, exempt_when=lambda: "code" not in request.args)
def verify_code():
    """Public: the form where the short code beside a QR is typed; with ``?code=`` the verdict
    of the document it was printed on (the same as its QR's). Lookups are rate-limited."""
    typed = request.args.get("code")
    if typed is None:
        return _page(None, None, typed="")
    if codes.normalise(typed) is None:
        message = _("A code has 10 letters and digits, like %(example)s.", example="7KQ3M-XW29D")
        if wants_json():
            raise ValidationError(message, {"code": "format"})
        return _page(None, None, typed=typed, error=message), 422
    found = codes.get_code(get_session(), typed)
    if found is None:
        check = Check("invalid", "unknown_code")
        return _answer(check, None, limited=True, typed=typed)
    return _answer(check_token(get_session(), found.token), found.token, limited=True, typed=typed)


@bp.get("/verify/<token>/foto")
@role_required(Role.EXAMINER)
@limiter.limit("60 per minute")
def card_photo(token: str):
    """The photo on record of the holder of the card behind ``token``, for the examiner who
    checks that card against the person in front of them (never shown to anonymous visitors)."""
    check = check_token(get_session(), token)
    data = check.certificate
    if getattr(data, "DOC_TYPE", None) != "card":
        abort(404)
    mimetype = "image/png" if data.photo.startswith(b"\x89PNG") else "image/jpeg"
    response = Response(data.photo, mimetype=mimetype)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _answer(check: Check, token: str | None, *, limited: bool, typed: str | None = None):
    """The verdict of ``check`` as JSON or as the page. ``limited``: reached by a typed code,
    so an anonymous visitor sees less (verdicts.py)."""
    if wants_json():
        return _json(check, limited and not verdicts.is_officer())
    return _page(check, token, typed=typed)


def _json(check: Check, limited: bool) -> dict:
    data = check.certificate
    verdict = verdicts.verdict_of(check, check.doc_type)
    body = {"status": check.status, "reason": check.reason, "verdict": verdict.state}
    if check.status != "valid":
        body["message"] = verdict.explanation
    if data is not None:
        body[data.DOC_TYPE] = _public_fields(data, limited)
    if check.revoked_at is not None:
        body["revoked_at"] = check.revoked_at.isoformat()
    return body


def _page(check: Check | None, token: str | None, *, typed: str | None, error: str | None = None):
    kind = check.doc_type if check is not None else None
    officer = verdicts.is_officer()
    return render_template(
        "certificates/verify.html",
        check=check,
        kind=kind,
        data=check.certificate if check is not None else None,
        verdict=verdicts.verdict_of(check, kind) if check is not None else None,
        # the QR's page shows what it always did; a typed code shows an anonymous visitor less
        limited=typed is not None and not officer,
        officer=officer,
        token=token,
        typed=typed,
        error=error,
        initials=verdicts.initials,
    )


def _public_fields(data, limited: bool = False) -> dict:
    """What the verification page shows of a document (never the full NIK or the address;
    ``limited``: the initials, the class, the dates and the office only)."""
    if data.DOC_TYPE == "card":
        fields = {
            "number": data.licence_number,
            "class": data.licence_class,
            "name": data.name,
            "date_of_birth": data.date_of_birth.isoformat(),
            "issued_on": data.issued_on.isoformat(),
            "expires_on": data.expires_on.isoformat(),
            "issuing_office": data.issuing_office,
            "serial": data.serial,
        }
        hidden = ("number", "date_of_birth", "serial")
    else:
        fields = {
            "name": data.candidate_name,
            "nik": data.nik_masked,
            "class": data.licence_class,
            "score": data.score,
            "total": data.total,
            "passed_on": data.passed_on.isoformat(),
            "exam_id": data.exam_id,
            "office": data.office,
        }
        hidden = ("nik", "score", "total", "exam_id")
    if limited:
        fields = {k: v for k, v in fields.items() if k not in hidden}
        fields["name"] = verdicts.initials(fields["name"])
    return fields
