"""The population register (Dukcapil): the record of a NIK, through a provider chosen by
configuration (``UJISIM_POPULATION_PROVIDER``), like the payment and courier providers.

A renewal whose licence has no photo on file takes the register's photo of the holder's NIK as
the reference face of its camera identity check (``identity.resolve_reference``); with no
register photo the holder is checked in person at the Satpas office.

Providers:

- ``sandbox``: records kept in a folder (``POPULATION_SANDBOX_DIR``, default
  ``instance/population_sandbox``), one JSON file per NIK and its JPEG, filled by
  ``flask licences population add`` and the demo seed. ``POPULATION_SANDBOX_OUTAGE`` makes
  every look-up answer "unavailable", as a real register does during an outage. Refused with
  ``UJISIM_ENV=production``: its records are whatever somebody put there.
- ``none``: no register connected; every look-up is unavailable (the production default until
  a real provider is configured).
"""

from __future__ import annotations

import enum
import json
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Protocol

from flask import current_app
from flask_babel import gettext as _

from ujisim.accounts.errors import NikError
from ujisim.accounts.nik import check_nik, parse_nik
from ujisim.core import images
from ujisim.core.errors import ValidationError
from ujisim.renewal.errors import InvalidNik, ProviderRefused

#: the image intake profile of register photos (core/images.py PROFILES)
PHOTO_PROFILE = "population"


class Outcome(enum.StrEnum):
    FOUND = "found"
    NOT_FOUND = "not_found"
    UNAVAILABLE = "unavailable"


@dataclass(frozen=True)
class PopulationRecord:
    nik: str
    name: str
    birth_date: date
    #: the register's photo as the provider sent it (untrusted: the caller passes it through
    #: the image intake); None when the register holds no photo of the NIK
    photo_jpeg: bytes | None


@dataclass(frozen=True)
class Lookup:
    """The answer of the register about one NIK."""

    outcome: Outcome
    record: PopulationRecord | None = None
    #: why it is unavailable (for the log and the audit record)
    detail: str = ""


class PopulationProvider(Protocol):
    name: str
    #: shown to officers (a sandbox says so)
    label: str
    sandbox: bool

    def lookup(self, nik: str) -> Lookup:
        """The register's record of ``nik``: found, not found or unavailable. ``InvalidNik``
        for a NIK that is not structurally valid."""


PROVIDERS: dict[str, Callable[[], PopulationProvider]] = {}


def provider(name: str | None = None) -> PopulationProvider:
    """The configured provider; ``ProviderRefused`` for the sandbox in production."""
    config = current_app.config
    name = name or config.get("POPULATION_PROVIDER") or "sandbox"
    made = PROVIDERS[name]()
    if made.sandbox and config.get("UJISIM_ENV") == "production":
        raise ProviderRefused(
            "UJISIM_POPULATION_PROVIDER=sandbox is refused with UJISIM_ENV=production"
        )
    return made


def check_config(config) -> None:
    """Refuse to start with an unknown provider or the sandbox in production."""
    name = config.get("POPULATION_PROVIDER") or "sandbox"
    if name not in PROVIDERS:
        raise ProviderRefused(f"unknown UJISIM_POPULATION_PROVIDER {name!r}")
    if getattr(PROVIDERS[name], "sandbox", False) and config.get("UJISIM_ENV") == "production":
        raise ProviderRefused(
            "UJISIM_POPULATION_PROVIDER=sandbox is refused with UJISIM_ENV=production"
        )


def _nik(value: str) -> str:
    try:
        return parse_nik(value).value
    except NikError as exc:
        raise InvalidNik(_("This is not a valid NIK."), {"nik": exc.code}) from exc


class NoRegister:
    """No register connected: nothing can be looked up."""

    name = "none"
    label = "none"
    sandbox = False

    def lookup(self, nik: str) -> Lookup:
        _nik(nik)
        return Lookup(Outcome.UNAVAILABLE, detail="no population register is configured")


class SandboxRegister:
    """Records kept in a folder: ``<NIK>.json`` (nik, name, birth_date, photo) and the photo
    ``<NIK>.jpg`` as it came out of the image intake."""

    name = "sandbox"
    label = "SANDBOX"
    sandbox = True

    def __init__(self, folder: Path | str | None = None, *, outage: bool | None = None):
        config = current_app.config
        self.folder = Path(
            folder
            or config.get("POPULATION_SANDBOX_DIR")
            or Path(current_app.instance_path) / "population_sandbox"
        )
        self.outage = bool(config.get("POPULATION_SANDBOX_OUTAGE")) if outage is None else outage

    def _path(self, nik: str, suffix: str) -> Path:
        return self.folder / f"{nik}{suffix}"

    def lookup(self, nik: str) -> Lookup:
        nik = _nik(nik)
        if self.outage:
            return Lookup(Outcome.UNAVAILABLE, detail="sandbox outage (POPULATION_SANDBOX_OUTAGE)")
        path = self._path(nik, ".json")
        if not path.is_file():
            return Lookup(Outcome.NOT_FOUND)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            photo = self._path(nik, ".jpg").read_bytes() if data.get("photo") else None
            record = PopulationRecord(
                nik=nik,
                name=str(data["name"]),
                birth_date=date.fromisoformat(data["birth_date"]),
                photo_jpeg=photo,
            )
        except (OSError, ValueError, KeyError, TypeError) as exc:
            return Lookup(Outcome.UNAVAILABLE, detail=f"unreadable sandbox record: {exc}")
        return Lookup(Outcome.FOUND, record)

    def _write(self, path: Path, data: bytes) -> None:
        """Atomically: a look-up never reads half a record."""
        fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=f".{path.name}.")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def add(self, nik: str, name: str, birth_date: date, photo: bytes | None) -> PopulationRecord:
        """Put (or replace) the record of ``nik``. The NIK must hold ``birth_date``; the photo
        goes through the image intake (``images.InvalidImage`` naming ``photo``)."""
        try:
            nik = check_nik(nik, birth_date).value
        except NikError as exc:
            raise InvalidNik(_("This is not a valid NIK."), {"nik": exc.code}) from exc
        name = " ".join((name or "").split())[:120]
        if not name:
            raise ValidationError(_("Enter the name."), {"name": "required"})
        clean = images.clean_image(photo, PHOTO_PROFILE, "photo") if photo is not None else None
        self.folder.mkdir(parents=True, exist_ok=True)
        if clean is not None:
            self._write(self._path(nik, ".jpg"), clean.data)
        else:
            self._path(nik, ".jpg").unlink(missing_ok=True)
        record = {
            "nik": nik,
            "name": name,
            "birth_date": birth_date.isoformat(),
            "photo": clean is not None,
        }
        self._write(self._path(nik, ".json"), json.dumps(record, indent=1).encode())
        return PopulationRecord(nik, name, birth_date, clean.data if clean else None)

    def remove(self, nik: str) -> bool:
        """Delete the record of ``nik``; False when there was none."""
        nik = _nik(nik)
        found = self._path(nik, ".json").is_file()
        for suffix in (".json", ".jpg"):
            self._path(nik, suffix).unlink(missing_ok=True)
        return found


PROVIDERS["sandbox"] = SandboxRegister
PROVIDERS["none"] = NoRegister
