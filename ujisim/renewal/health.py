"""The e-Rikkes (health) and ePPsi (psychological) certificates, verified with their providers,
through a provider chosen by configuration (``UJISIM_HEALTH_PROVIDER``), like the payment,
courier and population register providers.

A certificate counts when its provider knows its number, it belongs to the holder's NIK, its
result is "fit" and it is still valid: e-Rikkes 14 days, ePPsi 6 months from its issue date. The
provider's issue date wins over the one the holder typed (the holder's is used only when the
provider gives none). The fee the holder paid the provider comes with the answer (else from
configuration) and is shown on the bill as already paid, never charged again.

Providers:

- ``sandbox``: certificates kept in a folder (``HEALTH_SANDBOX_DIR``, default
  ``instance/health_sandbox``), one JSON file per certificate, issued by the SANDBOX test page
  (``/perpanjangan/sandbox/tes``) and the demo seed. ``HEALTH_SANDBOX_OUTAGE`` makes every look-up
  answer "unavailable", as a provider does when it cannot be reached. Refused with
  ``UJISIM_ENV=production`` (the app does not start): anybody could issue themselves a "fit"
  certificate on its test page.
- ``none``: no provider connected; every look-up is unavailable, so no certificate is accepted
  (the production default until a real provider is configured).
"""

from __future__ import annotations

import calendar
import enum
import hashlib
import json
import os
import re
import secrets
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Protocol

from flask import current_app
from flask_babel import format_date
from flask_babel import gettext as _

from ujisim.renewal.errors import CertificatesUnavailable, InvalidDocument

KINDS = ("health", "psych")
#: e-Rikkes health certificates count for 14 days, ePPsi psychological ones for 6 months
HEALTH_VALID_DAYS = 14
PSYCH_VALID_MONTHS = 6
CERT_NUMBER = re.compile(r"[A-Za-z0-9./\-]{4,40}")
FIT, NOT_FIT = "fit", "not_fit"
#: ePPsi's fee went from Rp 57.500 to Rp 77.500 in January 2026 (detik, 31 July 2025)
PSYCH_FEE_RISE = date(2026, 1, 1)


class Outcome(enum.StrEnum):
    FOUND = "found"
    NOT_FOUND = "not_found"
    UNAVAILABLE = "unavailable"


@dataclass(frozen=True)
class Certificate:
    """A certificate as its provider knows it."""

    kind: str
    number: str
    #: the holder's NIK the test was taken under
    nik: str
    #: None when the provider does not say (the holder's typed date is used then)
    issued_on: date | None
    #: FIT or NOT_FIT
    result: str
    #: rupiah the holder paid the provider (None when the provider does not say)
    fee: int | None


@dataclass(frozen=True)
class Lookup:
    outcome: Outcome
    certificate: Certificate | None = None
    #: why it is unavailable (for the log)
    detail: str = ""


class HealthProvider(Protocol):
    name: str
    #: shown to holders and officers (a sandbox says so)
    label: str
    sandbox: bool

    def verify(self, kind: str, number: str, nik: str) -> Lookup:
        """The provider's record of certificate ``number`` of ``kind`` ("health" or "psych"),
        asked on behalf of the holder ``nik``: found, not found or unavailable."""


PROVIDERS: dict[str, Callable[[], HealthProvider]] = {}


def provider(name: str | None = None) -> HealthProvider:
    return PROVIDERS[name or current_app.config.get("HEALTH_PROVIDER") or "sandbox"]()


def default_fee(kind: str, day: date) -> int:
    """The fee of a test taken on ``day`` when its provider does not say (configuration)."""
    config = current_app.config
    if kind == "health":
        return int(config.get("HEALTH_TEST_FEE", 35_000))
    if day < PSYCH_FEE_RISE:
        return int(config.get("PSYCH_TEST_FEE_2025", 57_500))
    return int(config.get("PSYCH_TEST_FEE", 77_500))


def months_before(day: date, months: int) -> date:
    """The same day ``months`` earlier (later for negative ``months``; the month's last day
    when it has no such day)."""
    year, month0 = divmod(day.year * 12 + day.month - 1 - months, 12)
    last = calendar.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(day.day, last))


def last_valid_day(kind: str, issued: date) -> date:
    """The last day a certificate issued on ``issued`` counts."""
    if kind == "health":
        return issued + timedelta(days=HEALTH_VALID_DAYS)
    return months_before(issued, -PSYCH_VALID_MONTHS)


NAMES = {"health": "e-Rikkes", "psych": "ePPsi"}


@dataclass(frozen=True)
class Verified:
    """A certificate that counts for a renewal."""

    number: str
    issued_on: date
    fee: int
    provider: str


def verify_certificate(
    kind: str, number: str, typed_date: date | None, nik: str, today: date
) -> Verified:
    """Ask the provider about the certificate the holder gave; ``InvalidDocument`` naming the
    field with a specific reason (``CertificatesUnavailable`` when it could not be asked)."""
    name = NAMES[kind]
    number_field, date_field = f"{kind}_number", f"{kind}_date"
    number = (number or "").strip()
    if not CERT_NUMBER.fullmatch(number):
        raise InvalidDocument(
            _("Please correct the marked fields."),
            {
                number_field: _(
                    "Enter the certificate number as printed (4 to 40 letters, digits, . / -)."
                )
            },
        )
    answer = provider().verify(kind, number, nik)
    if answer.outcome == Outcome.UNAVAILABLE:
        message = _(
            "The %(name)s service cannot be reached right now, so the certificate could not be "
            "checked. Nothing was sent; please try again in a few minutes.",
            name=name,
        )
        raise CertificatesUnavailable(message, {number_field: message})
    certificate = answer.certificate
    if answer.outcome == Outcome.NOT_FOUND or certificate is None or certificate.kind != kind:
        raise InvalidDocument(
            _("Please correct the marked fields."),
            {
                number_field: _(
                    "%(name)s has no certificate with this number. Check the number on your "
                    "certificate.",
                    name=name,
                )
            },
        )
    if certificate.nik != nik:
        raise InvalidDocument(
            _("Please correct the marked fields."),
            {
                number_field: _(
                    "This %(name)s certificate belongs to another person (another NIK). Use the "
                    "certificate of your own test.",
                    name=name,
                )
            },
        )
    if certificate.result != FIT:
        raise InvalidDocument(
            _("Please correct the marked fields."),
            {
                number_field: _(
                    'The result of this %(name)s test is "not fit", so it cannot be used for a '
                    "renewal. Take the test again when you are ready.",
                    name=name,
                )
            },
        )
    issued = certificate.issued_on or _typed(kind, typed_date, today)
    last = last_valid_day(kind, issued)
    if issued > today:
        raise InvalidDocument(
            _("Please correct the marked fields."),
            {date_field: _("The certificate date cannot be in the future.")},
        )
    if last < today:
        if kind == "health":
            message = _(
                "The health certificate (e-Rikkes) is older than 14 days: it was valid until "
                "%(day)s. Take a new health test.",
                day=format_date(last, "long"),
            )
        else:
            message = _(
                "The psychological certificate (ePPsi) is older than 6 months: it was valid "
                "until %(day)s. Take a new test.",
                day=format_date(last, "long"),
            )
        raise InvalidDocument(_("Please correct the marked fields."), {date_field: message})
    fee = certificate.fee if certificate.fee is not None else default_fee(kind, issued)
    return Verified(number, issued, fee, provider().name)


def _typed(kind: str, typed: date | None, today: date) -> date:
    """The date the holder typed, used when the provider gives none."""
    if typed is None:
        raise InvalidDocument(
            _("Please correct the marked fields."),
            {f"{kind}_date": _("Enter the date on the certificate.")},
        )
    return typed


class NoProvider:
    """No provider connected: no certificate can be verified."""

    name = "none"
    label = "none"
    sandbox = False

    def verify(self, kind: str, number: str, nik: str) -> Lookup:
        return Lookup(Outcome.UNAVAILABLE, detail="no e-Rikkes/ePPsi provider is configured")


# --- the sandbox -------------------------------------------------------------------------------


class SandboxHealth:
    """Certificates kept in a folder, one ``<sha256 of kind and number>.json`` each (a number
    never names a path)."""

    name = "sandbox"
    label = "SANDBOX"
    sandbox = True
    PREFIX = {"health": "RKS-SBX", "psych": "PSI-SBX"}

    def __init__(self, folder: Path | str | None = None, *, outage: bool | None = None):
        config = current_app.config
        self.folder = Path(
            folder
            or config.get("HEALTH_SANDBOX_DIR")
            or Path(current_app.instance_path) / "health_sandbox"
        )
        self.outage = bool(config.get("HEALTH_SANDBOX_OUTAGE")) if outage is None else outage

    def _path(self, kind: str, number: str) -> Path:
        digest = hashlib.sha256(f"{kind}:{number.upper()}".encode()).hexdigest()
        return self.folder / f"{digest}.json"

    def verify(self, kind: str, number: str, nik: str) -> Lookup:
        if self.outage:
            return Lookup(Outcome.UNAVAILABLE, detail="sandbox outage (HEALTH_SANDBOX_OUTAGE)")
        path = self._path(kind, number)
        if not path.is_file():
            return Lookup(Outcome.NOT_FOUND)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            certificate = Certificate(
                kind=data["kind"],
                number=data["number"],
                nik=data["nik"],
                issued_on=date.fromisoformat(data["issued_on"]) if data.get("issued_on") else None,
                result=data["result"],
                fee=data.get("fee"),
            )
        except (OSError, ValueError, KeyError, TypeError) as exc:
            return Lookup(Outcome.UNAVAILABLE, detail=f"unreadable sandbox record: {exc}")
        return Lookup(Outcome.FOUND, certificate)

    def issue(
        self,
        kind: str,
        nik: str,
        *,
        issued_on: date | None,
        result: str = FIT,
        fee: int | None = None,
        number: str | None = None,
    ) -> Certificate:
        """A new certificate of ``kind`` for ``nik`` (the SANDBOX test page, the seed, tests)."""
        if kind not in KINDS or result not in (FIT, NOT_FIT):
            raise ValueError(f"kind {kind!r} / result {result!r}")
        number = number or f"{self.PREFIX[kind]}-{secrets.token_hex(4).upper()}"
        certificate = Certificate(kind, number, nik, issued_on, result, fee)
        record = {
            "kind": kind,
            "number": number,
            "nik": nik,
            "issued_on": issued_on.isoformat() if issued_on else None,
            "result": result,
            "fee": fee,
        }
        self.folder.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".cert.")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(json.dumps(record, indent=1).encode())
            os.replace(tmp, self._path(kind, number))
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return certificate


PROVIDERS["sandbox"] = SandboxHealth
PROVIDERS["none"] = NoProvider
