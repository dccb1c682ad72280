"""Plain data for the documents we print: no ORM, no Flask, frozen so a render or a signature is
made from a value that cannot change underneath it.

Every document has a ``DOC_TYPE`` and a ``document_id`` (what the signed token names). Certificates
and cards carry a ``verification_url`` (the QR's content), filled in after signing
(``signing.with_verification``); it is left out of the signed data since it holds the signature,
and so is the ``short_code`` printed beside the QR, which stands for that signed token.

They live below the domains: renewal builds a licence card's data, certificates renders, signs
and verifies it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime
from typing import ClassVar

#: the classes certificates and cards are made for (exam/classes.py: C1, C2 are C I, C II)
LICENCE_CLASSES = ("A", "C", "C1", "C2")
SEXES = {"L": ("Laki-laki", "Male"), "P": ("Perempuan", "Female")}
BLOOD_TYPES = ("A", "B", "AB", "O")
NIK_LENGTH = 16
_MASKED_NIK = re.compile(r"\*{12}\d{4}")
_POSTAL_CODE = re.compile(r"\d{5}")
_SERIAL = re.compile(r"[A-Z0-9-]{1,16}")


def mask_nik(nik: str) -> str:
    """``3174012501900001`` -> ``************0001``: only the last four digits stay readable."""
    if len(nik) != NIK_LENGTH or not nik.isdigit():
        raise ValueError("a NIK has 16 digits")
    return "*" * (NIK_LENGTH - 4) + nik[-4:]


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise ValueError(message)


def _check_image(name: str, data: bytes) -> None:
    _require(
        data.startswith(b"\xff\xd8\xff") or data.startswith(b"\x89PNG\r\n\x1a\n"),
        f"{name} must be a JPEG or PNG image",
    )


@dataclass(frozen=True, slots=True)
class CertificateData:
    """A theory-exam pass certificate."""

    DOC_TYPE: ClassVar[str] = "certificate"

    candidate_name: str
    #: the NIK with all but the last four digits masked (``mask_nik``); the full NIK never
    #: reaches a printed document
    nik_masked: str
    licence_class: str
    #: correct answers, out of ``total``
    score: int
    total: int
    passed_on: date
    #: the pass's public id: the certificate number printed on it, which examiners search
    exam_id: str
    verification_url: str = ""
    #: the Satpas office the exam was registered with (None on a pass from before it was asked)
    office: str | None = None
    #: the short code printed beside the QR (``certificates.codes``), not signed: it stands for
    #: the token, which is
    short_code: str = ""

    def __post_init__(self) -> None:
        _require(bool(self.candidate_name.strip()), "candidate name is empty")
        _require(bool(_MASKED_NIK.fullmatch(self.nik_masked)), "NIK must be masked (mask_nik)")
        _require(self.licence_class in LICENCE_CLASSES, "licence class must be A, C, C1 or C2")
        _require(0 < self.total and 0 <= self.score <= self.total, "score out of range")
        _require(bool(self.exam_id), "exam id is empty")

    @property
    def document_id(self) -> str:
        return self.exam_id


@dataclass(frozen=True, slots=True)
class CardData:
    """A licence card (SIM) print file: front with photo and data, back with the QR."""

    DOC_TYPE: ClassVar[str] = "card"

    licence_number: str
    licence_class: str
    name: str
    place_of_birth: str
    date_of_birth: date
    address: str
    #: ``L`` (laki-laki) or ``P`` (perempuan), as on Indonesian documents
    sex: str
    issued_on: date
    expires_on: date
    #: the issuing Satpas office, e.g. ``Satpas Polres Metro Jakarta Selatan``
    issuing_office: str
    #: JPEG or PNG bytes of the holder's photo; resampled to the placed size at 300 dpi
    photo: bytes
    blood_type: str | None = None
    #: JPEG or PNG bytes of the holder's signature, optional
    signature: bytes | None = None
    #: the serial of this physical copy (renewal's card copy registry), printed on the card and
    #: part of its document id; None on a card rendered outside the print queue
    serial: str | None = None
    verification_url: str = ""
    #: the short code printed beside the QR (``certificates.codes``), not signed
    short_code: str = ""

    def __post_init__(self) -> None:
        _require(bool(self.licence_number.strip()), "licence number is empty")
        _require(self.licence_class in LICENCE_CLASSES, "licence class must be A, C, C1 or C2")
        _require(bool(self.name.strip()), "name is empty")
        _require(self.sex in SEXES, "sex must be L or P")
        _require(self.blood_type is None or self.blood_type in BLOOD_TYPES, "unknown blood type")
        _require(self.issued_on < self.expires_on, "a card expires after its issue date")
        _check_image("photo", self.photo)
        if self.signature is not None:
            _check_image("signature", self.signature)
        _require(
            self.serial is None or bool(_SERIAL.fullmatch(self.serial)),
            "serial must be 1-16 letters, digits or dashes",
        )

    @property
    def document_id(self) -> str:
        # a renewal keeps the licence number, so the issue date tells the cards apart; the
        # serial tells the physical copies of one card apart
        card = f"{self.licence_number}.{self.issued_on:%Y%m%d}"
        return f"{card}.{self.serial}" if self.serial else card


@dataclass(frozen=True, slots=True)
class LabelData:
    """A delivery label for a courier shipment of a card."""

    DOC_TYPE: ClassVar[str] = "label"

    recipient: str
    street: str
    #: kelurahan / desa
    village: str
    #: kecamatan
    district: str
    #: kabupaten / kota
    city: str
    province: str
    postal_code: str
    phone: str
    tracking_number: str
    sender_name: str
    #: the issuing Satpas office's return address (where an undeliverable card goes back)
    sender_address: str
    #: the office's telephone, for the courier
    sender_phone: str = ""

    def __post_init__(self) -> None:
        _require(bool(self.recipient.strip()), "recipient is empty")
        _require(bool(_POSTAL_CODE.fullmatch(self.postal_code)), "postal code has 5 digits")
        _require(
            bool(self.tracking_number) and self.tracking_number.isascii(),
            "tracking number must be ASCII",
        )

    @property
    def document_id(self) -> str:
        return self.tracking_number


Document = CertificateData | CardData | LabelData
DOCUMENT_TYPES: dict[str, type] = {
    cls.DOC_TYPE: cls for cls in (CertificateData, CardData, LabelData)
}


@dataclass(frozen=True, slots=True)
class Found:
    """A signed document's data rebuilt from our records, and whether it has been withdrawn."""

    data: object
    revoked: bool = False
    revoked_at: datetime | None = None
    #: revoked because a newer document took its place (a renewed licence card)
    replaced: bool = False
    #: why it is revoked, when more is known: ``superseded`` (a later copy of the card was
    #: printed), ``void`` (this copy was withdrawn: a failed print, a reprint)
    reason: str | None = None
