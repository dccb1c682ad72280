"""What the web page and the CLI share: the verification keys, the certificate data of a pass,
the check of a token against the keys and the database (``DOCUMENT_SOURCES``), and reading a
PDF's QR.

The documents' sources are imported, not registered: certificates is the last domain of the
flow, so the records it verifies (a pass of the exam, a card of renewal's registry) all live in
domains before it, and an import is the plain way to reach them."""

from __future__ import annotations

import dataclasses
import logging
import os
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from types import MappingProxyType
from zoneinfo import ZoneInfo

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from ujisim.accounts.models import User
from ujisim.certificates import signing
from ujisim.core.documents import CertificateData, Found, mask_nik
from ujisim.core.i18n import ZONES
from ujisim.core.secrets import signing_key
from ujisim.exam.models import Attempt, PassRecord
from ujisim.renewal.verification import card_source

log = logging.getLogger(__name__)

#: env var with retired public keys (PEMs concatenated), besides instance/retired_keys/*.pem
RETIRED_KEYS_ENV = "UJISIM_RETIRED_PUBLIC_KEYS"
RETIRED_KEYS_DIR = "retired_keys"
_PEM_BLOCK = re.compile(rb"-----BEGIN ([A-Z ]+)-----.+?-----END \1-----", re.DOTALL)
#: token reasons of ``signing.verify`` -> what we tell people
REASONS = {
    "malformed": "malformed",
    "unsupported_version": "malformed",
    "unknown_key": "unknown_key",
    "bad_signature": "tampered",
    "data_mismatch": "mismatch",
}


# --- keys ----------------------------------------------------------------------------------------


def _public_keys_in(text: bytes, source: str) -> list[Ed25519PublicKey]:
    """The Ed25519 public keys in ``text`` (public PEMs; a private PEM gives its public half)."""
    found = []
    for block in _PEM_BLOCK.finditer(text):
        pem = block.group(0)
        try:
            if b"PRIVATE" in block.group(1):
                key = serialization.load_pem_private_key(pem, password=None)
                key = key.public_key() if isinstance(key, Ed25519PrivateKey) else key
            else:
                key = serialization.load_pem_public_key(pem)
        except ValueError:
            # one broken file must not stop every other certificate from verifying
            log.error("retired key in %s is not a PEM key; ignored", source)
            continue
        if isinstance(key, Ed25519PublicKey):
            found.append(key)
        else:
            log.error("retired key in %s is not an Ed25519 key; ignored", source)
    return found


def retired_public_keys() -> list[Ed25519PublicKey]:
    """Public keys of retired signing keys: ``instance/retired_keys/*.pem`` and the
    ``UJISIM_RETIRED_PUBLIC_KEYS`` variable. Read on each call, so adding or removing a file
    takes effect without a restart."""
    keys = []
    folder = Path(current_app.instance_path) / RETIRED_KEYS_DIR
    for path in sorted(folder.glob("*.pem")):
        keys += _public_keys_in(path.read_bytes(), str(path))
    env = current_app.config.get("RETIRED_PUBLIC_KEYS") or os.environ.get(RETIRED_KEYS_ENV, "")
    keys += _public_keys_in(env.encode(), RETIRED_KEYS_ENV)
    return keys


def verification_keys() -> dict[str, Ed25519PublicKey]:
    """``{key id: public key}`` of the current signing key and every retired one."""
    return signing.public_keys(*retired_public_keys(), signing_key())


# --- certificates of passes ----------------------------------------------------------------------


def certificate_data(session: Session, record):
    """The certificate of a ``PassRecord`` as plain data (what is signed and printed), or
    ``None`` when the holder has no NIK to print."""
    user = session.get(User, record.user_id)
    if user is None or not user.nik:
        return None
    passed_at = record.passed_at
    if passed_at.tzinfo is None:
        passed_at = passed_at.replace(tzinfo=UTC)
    # the holder's own zone: the date must not depend on who looks at the certificate
    zone = user.timezone if user.timezone in ZONES else "Asia/Jakarta"
    attempt = session.get(Attempt, record.attempt_id)
    return CertificateData(
        candidate_name=user.full_name,
        nik_masked=mask_nik(user.nik),
        licence_class=record.vehicle_class,
        score=record.score,
        total=record.total,
        passed_on=passed_at.astimezone(ZoneInfo(zone)).date(),
        exam_id=record.public_id,
        office=attempt.satpas if attempt is not None else None,
    )


def get_pass_record(session: Session, attempt_id: int):
    """The attempt's pass, if it has one (revoked or not)."""
    return session.scalars(select(PassRecord).where(PassRecord.attempt_id == attempt_id)).first()


@dataclass(frozen=True, slots=True)
class Check:
    """What a token says about a document. ``status`` is ``valid``, ``revoked`` or
    ``invalid``; ``reason`` (invalid) is ``malformed``, ``unknown_key``, ``tampered``,
    ``mismatch`` (signed, but not what our records say) or ``unknown_document``; (revoked)
    ``replaced`` when a renewed licence took its place, ``superseded`` when a later copy of the
    card was printed, ``void`` when this copy was withdrawn, else None.
    ``certificate`` is the document as our records have it (a certificate or a card).
    ``doc_type`` is the kind of document the token names (unchecked when the token is refused:
    only for saying "card" or "certificate" on the page)."""

    status: str
    reason: str | None = None
    certificate: object | None = None
    revoked_at: datetime | None = None
    doc_type: str | None = None


def _certificate_source(session: Session, document_id: str) -> Found | None:
    record = session.scalars(select(PassRecord).where(PassRecord.public_id == document_id)).first()
    data = certificate_data(session, record) if record is not None else None
    if data is None:
        return None
    return Found(data, revoked=record.revoked_at is not None, revoked_at=record.revoked_at)


#: document type -> source(session, document id) -> Found | None: certificates are ours, the
#: licence cards come from renewal's registry
DOCUMENT_SOURCES: Mapping[str, Callable[[Session, str], Found | None]] = MappingProxyType(
    {"certificate": _certificate_source, "card": card_source}
)


def check_token(session: Session, token: str) -> Check:
    """Verify ``token`` against ``verification_keys()`` and the record of the document it
    names (a pass certificate or a licence card)."""
    verified = signing.verify(token, verification_keys())
    if not verified.valid:
        reason = REASONS.get(verified.reason, "malformed")
        return Check("invalid", reason, doc_type=signing.claimed_type(token))
    payload = verified.payload
    kind = payload.doc_type
    source = DOCUMENT_SOURCES.get(kind)
    found = source(session, payload.document_id) if source is not None else None
    if found is None:
        return Check("invalid", "unknown_document", doc_type=kind)
    if not _matches(payload, found.data):
        return Check("invalid", "mismatch", doc_type=kind)
    if found.revoked:
        reason = "replaced" if found.replaced else found.reason
        return Check("revoked", reason, found.data, found.revoked_at, doc_type=kind)
    return Check("valid", certificate=found.data, doc_type=kind)


def _matches(payload: signing.Payload, data) -> bool:
    """Whether the token was made for ``data``, or for it as printed before the Satpas office
    was on certificates (signed only when set: those tokens hold the data without it)."""
    if payload.matches(data):
        return True
    office = getattr(data, "office", None)
    return office is not None and payload.matches(dataclasses.replace(data, office=None))


# --- reading a PDF back --------------------------------------------------------------------------


def qr_texts(pdf: bytes, page: int | None = 0, dpi: int = 200) -> list[str]:
    """The QR codes decoded from a page (``None``: every page, in order) as rendered by PDFium
    (what a phone camera sees). A licence card has its QR on the back, page 2."""
    import pypdfium2 as pdfium  # heavy, and only the CLI and the tests read PDFs back
    import zxingcpp

    document = pdfium.PdfDocument(pdf)
    try:
        pages = range(len(document)) if page is None else [page]
        images = [document[number].render(scale=dpi / 72).to_pil() for number in pages]
    finally:
        document.close()
    return [
        barcode.text
        for image in images
        for barcode in zxingcpp.read_barcodes(image, formats=zxingcpp.BarcodeFormat.QRCode)
    ]
