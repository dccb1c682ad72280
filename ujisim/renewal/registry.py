"""The licence registry: look-ups, adding licences (with their photo's face encoding) and the
CSV import with a per-row problem report."""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from ujisim.accounts.errors import NikError
from ujisim.accounts.nik import parse_nik
from ujisim.core import audit, clock, storage, workflow
from ujisim.core.errors import IllegalTransition, UjisimError
from ujisim.proctoring import faces
from ujisim.proctoring.errors import FaceError
from ujisim.renewal import images
from ujisim.renewal.errors import RowProblem
from ujisim.renewal.models import Licence, LicenceStatus

#: classes in the registry (Perpol 5/2021); ONLINE_CLASSES are renewed online
KNOWN_CLASSES = ("A", "A_UMUM", "B1", "B1_UMUM", "B2", "B2_UMUM", "C", "C1", "C2", "D", "D1")
#: renewed online: A and C (SINAR since 2021), C I and C II (issued since 2024, exam/classes.py)
ONLINE_CLASSES = ("A", "C", "C1", "C2")
#: how registers write C I and C II ("C I", "CI", "C II", "CII") -> our codes
CLASS_ALIASES = {"CI": "C1", "CII": "C2"}
NUMBER_RE = re.compile(r"[0-9]{12,16}")
FILE_PURPOSE = "licence_image"
#: (from, to) -> verb (audit ``renewal.<verb>``): a renewal replaces an active licence, or an
#: expired one inside a grace window (closures.py); the register import may expire, revoke or
#: reinstate one; a replaced licence stays replaced
LICENCE_TRANSITIONS = {
    (LicenceStatus.ACTIVE, LicenceStatus.REPLACED): "licence_replaced",
    (LicenceStatus.EXPIRED, LicenceStatus.REPLACED): "licence_replaced",
    (LicenceStatus.ACTIVE, LicenceStatus.EXPIRED): "licence_expired",
    (LicenceStatus.ACTIVE, LicenceStatus.REVOKED): "licence_revoked",
    (LicenceStatus.EXPIRED, LicenceStatus.REVOKED): "licence_revoked",
    (LicenceStatus.EXPIRED, LicenceStatus.ACTIVE): "licence_reinstated",
    (LicenceStatus.REVOKED, LicenceStatus.ACTIVE): "licence_reinstated",
}
LICENCE_WORKFLOW = workflow.register(
    workflow.Workflow(
        model=Licence,
        field="status",
        states=LicenceStatus,
        transitions=LICENCE_TRANSITIONS,
        object_type="licence",
        audit_prefix="renewal",
    )
)
CSV_COLUMNS = (
    "number",
    "class",
    "nik",
    "name",
    "date_of_birth",
    "place_of_birth",
    "address",
    "photo",
    "signature",
    "issued_at",
    "expires_at",
    "satpas",
    "status",
)
REQUIRED_COLUMNS = {
    "number",
    "class",
    "nik",
    "name",
    "date_of_birth",
    "address",
    "issued_at",
    "expires_at",
    "satpas",
}


def normalise_number(value: str) -> str:
    """SIM numbers are written with spaces or dashes; the registry keeps digits only."""
    return re.sub(r"[\s.\-]", "", value or "").upper()


def local_today(zone: str = "Asia/Jakarta") -> date:
    """Today's date in ``zone`` (a SIM is valid through its expiry day, local time)."""
    return clock.now().astimezone(ZoneInfo(zone)).date()


def get_current_licence(session: Session, number: str) -> Licence | None:
    """The newest card issued under ``number`` (older ones are replaced)."""
    return session.scalars(
        select(Licence)
        .where(Licence.number == normalise_number(number))
        .order_by(Licence.issued_on.desc(), Licence.id.desc())
        .limit(1)
    ).first()


def effective_status(licence: Licence, today: date) -> LicenceStatus:
    """The stored status, with an active licence past its expiry day counted as expired."""
    if licence.status == LicenceStatus.ACTIVE and licence.expires_on < today:
        return LicenceStatus.EXPIRED
    return LicenceStatus(licence.status)


def face_encoding_of(image_bytes: bytes) -> list[float] | None:
    """The face encoding of a licence photo, or None when it shows no single face."""

    try:
        return faces.reference_encoding(faces.load_image(image_bytes)).encoding
    except FaceError:
        return None


def _store_photo(session: Session, licence: Licence, clean) -> None:
    licence.photo_file_id = storage.store(
        session, clean.data, content_type=clean.content_type, purpose=FILE_PURPOSE
    ).id
    encoding = face_encoding_of(clean.data)
    licence.photo_encoding = json.dumps(encoding) if encoding else None


def set_photo(session: Session, licence: Licence, photo: bytes, *, actor=None) -> None:
    """Replace the photo on file of ``licence`` (a registry correction, or a demo licence given
    the tester's own face). Refused (``FaceError``, a clear message) unless the photo shows
    exactly one face: renewals compare the holder's camera with it."""

    clean = images.clean_image(photo, "photo")
    faces.reference_encoding(faces.load_image(clean.data))  # raises FaceError with the reason
    old = session.get(storage.StoredFile, licence.photo_file_id) if licence.photo_file_id else None
    _store_photo(session, licence, clean)
    if old is not None:
        storage.delete(session, old)
    session.flush()
    audit.record(
        session,
        "renewal.licence_photo_set",
        actor=actor,
        object_type="licence",
        object_id=licence.public_id,
    )


def add_licence(
    session: Session,
    *,
    number: str,
    licence_class: str,
    holder_nik: str,
    holder_name: str,
    date_of_birth: date,
    address: str,
    issued_on: date,
    expires_on: date,
    satpas: str,
    status: LicenceStatus = LicenceStatus.ACTIVE,
    place_of_birth: str = "",
    photo: bytes | None = None,
    signature: bytes | None = None,
    actor=None,
) -> Licence:
    """Add one licence; images are checked and re-encoded like holders' uploads."""
    licence = Licence(
        number=normalise_number(number),
        licence_class=licence_class,
        holder_nik=holder_nik,
        holder_name=holder_name,
        date_of_birth=date_of_birth,
        place_of_birth=place_of_birth,
        address=address,
        issued_on=issued_on,
        expires_on=expires_on,
        satpas=satpas,
        status=LicenceStatus(status),
        created_at=clock.now(),
    )
    if photo is not None:
        _store_photo(session, licence, images.clean_image(photo, "photo"))
    if signature is not None:
        clean = images.clean_image(signature, "signature")
        licence.signature_file_id = storage.store(
            session, clean.data, content_type=clean.content_type, purpose=FILE_PURPOSE
        ).id
    session.add(licence)
    session.flush()
    audit.record(
        session,
        "renewal.licence_added",
        actor=actor,
        object_type="licence",
        object_id=licence.public_id,
        data={"number": licence.number},
    )
    return licence


@dataclass
class ImportReport:
    added: int = 0
    updated: int = 0
    #: (CSV line number, message); a row with a problem is not imported
    problems: list[tuple[int, str]] = field(default_factory=list)
    #: (line, message) for rows imported with a caveat
    warnings: list[tuple[int, str]] = field(default_factory=list)


def _date(row: dict, name: str) -> date:
    try:
        return date.fromisoformat((row.get(name) or "").strip())
    except ValueError as exc:
        raise RowProblem(f"{name}: not a date (YYYY-MM-DD)") from exc


def _image(row: dict, name: str, base: Path) -> bytes | None:
    value = (row.get(name) or "").strip()
    if not value:
        return None
    path = (base / value).resolve()
    if not path.is_relative_to(base.resolve()) or not path.is_file():
        raise RowProblem(f"{name}: no file {value} next to the CSV")
    return path.read_bytes()


def _parse_row(row: dict, base: Path) -> dict:
    missing = sorted(c for c in REQUIRED_COLUMNS if not (row.get(c) or "").strip())
    if missing:
        raise RowProblem(f"missing {', '.join(missing)}")
    number = normalise_number(row["number"])
    if not NUMBER_RE.fullmatch(number):
        raise RowProblem("number: 12 to 16 digits expected")
    licence_class = row["class"].strip().upper().replace(" ", "")
    licence_class = CLASS_ALIASES.get(licence_class, licence_class)
    if licence_class not in KNOWN_CLASSES:
        raise RowProblem(f"class: unknown class {row['class']!r}")
    try:
        nik = parse_nik(row["nik"])
    except NikError as exc:
        raise RowProblem(f"nik: invalid ({exc.code})") from exc
    born = _date(row, "date_of_birth")
    if not nik.matches(born):
        raise RowProblem("nik: birth date inside the NIK differs from date_of_birth")
    issued, expires = _date(row, "issued_at"), _date(row, "expires_at")
    if expires <= issued:
        raise RowProblem("expires_at must come after issued_at")
    status = (row.get("status") or "active").strip().lower()
    if status not in set(LicenceStatus):
        raise RowProblem(f"status: one of {', '.join(LicenceStatus)}")
    return {
        "number": number,
        "licence_class": licence_class,
        "holder_nik": nik.value,
        "holder_name": row["name"].strip()[:120],
        "date_of_birth": born,
        "place_of_birth": (row.get("place_of_birth") or "").strip()[:80],
        "address": row["address"].strip(),
        "issued_on": issued,
        "expires_on": expires,
        "satpas": row["satpas"].strip()[:120],
        "status": LicenceStatus(status),
        "photo": _image(row, "photo", base),
        "signature": _image(row, "signature", base),
    }


def import_csv(session: Session, text: str, base: Path, actor=None) -> ImportReport:
    """Import licences from CSV ``text`` (images named relative to ``base``).

    Each row is checked on its own: a bad row is reported with its line and skipped, the others
    are imported. A row whose number and issue date are already there updates status, name and
    address (a re-run changes nothing else). The caller commits.
    """
    report = ImportReport()
    reader = csv.DictReader(io.StringIO(text))
    unknown = set(reader.fieldnames or ()) - set(CSV_COLUMNS)
    if not reader.fieldnames or REQUIRED_COLUMNS - set(reader.fieldnames):
        report.problems.append((1, f"header must have: {', '.join(CSV_COLUMNS)}"))
        return report
    if unknown:
        report.warnings.append((1, f"ignored columns: {', '.join(sorted(unknown))}"))
    for row in reader:
        line = reader.line_num
        try:
            values = _parse_row(row, base)
            existing = session.scalars(
                select(Licence).where(
                    Licence.number == values["number"], Licence.issued_on == values["issued_on"]
                )
            ).first()
            if existing is not None:
                if existing.status != values["status"]:
                    try:
                        workflow.advance(
                            session, existing, values["status"], actor, "register import"
                        )
                    except IllegalTransition as exc:
                        raise RowProblem(f"status: {exc.message}") from exc
                existing.holder_name, existing.address = values["holder_name"], values["address"]
                session.flush()
                report.updated += 1
                continue
            with session.begin_nested():
                licence = add_licence(session, **values, actor=actor)
        except RowProblem as exc:
            report.problems.append((line, str(exc)))
            continue
        except UjisimError as exc:  # an image refused by the upload checks
            report.problems.append((line, f"{', '.join(exc.fields) or 'image'}: {exc.message}"))
            continue
        report.added += 1
        if values["photo"] is not None and licence.photo_encoding is None:
            report.warnings.append((line, "photo: no single face found; renewals get flagged"))
    return report


def card_address(address: dict) -> str:
    """A courier address as the card prints it: street (with RT/RW), village, district, city."""
    parts = (address.get(name, "").strip() for name in ("street", "village", "district", "city"))
    return ", ".join(part for part in parts if part)


def _same_address(a: str, b: str) -> bool:
    return " ".join(a.casefold().replace(",", " ").split()) == " ".join(
        b.casefold().replace(",", " ").split()
    )


def new_address(session: Session, old: Licence, application, actor) -> str:
    """The address of the renewed licence: the courier address the holder chose for the card,
    else the registry's. A change of address is audited with the old and new values."""
    if application.delivery_method != "courier" or not application.address:
        return old.address
    address = card_address(application.address)
    if not address or _same_address(address, old.address):
        return old.address
    audit.record(
        session,
        "renewal.address_changed",
        actor=actor,
        object_type="licence",
        object_id=old.public_id,
        data={"old": old.address, "new": address, "renewal": application.public_id},
    )
    return address
