"""What the renewal browser tests set up in the live app: a SIM expiring on a given day, and the
holder's own e-Rikkes and ePPsi certificates from the sandbox provider."""

from __future__ import annotations

from datetime import date, timedelta

from tests.renewal.conftest import photo_bytes
from ujisim.renewal import health, registry

#: a SIM is valid 5 years from its issue date (Perpol 5/2021 Pasal 4)
VALID_DAYS = 1826


def add_licence_expiring(
    session,
    *,
    number: str,
    nik: str,
    name: str,
    born: date,
    expires: date,
    licence_class: str = "A",
    address: str = "Jl. Dahlia 7, Bandung",
    satpas: str = "Satpas Polrestabes Bandung",
    photo: str | None = "obama.jpg",
):
    """The holder's SIM in the registry, issued five years before ``expires`` (the photo on
    file: a test face photo, or none)."""
    return registry.add_licence(
        session,
        number=number,
        licence_class=licence_class,
        holder_nik=nik,
        holder_name=name,
        date_of_birth=born,
        address=address,
        issued_on=expires - timedelta(days=VALID_DAYS),
        expires_on=expires,
        satpas=satpas,
        photo=photo_bytes(photo) if photo else None,
    )


def sandbox_certificates(nik: str, today: date, *, health_days=1, psych_days=20) -> dict:
    """The holder's own e-Rikkes and ePPsi from the sandbox provider, as the documents step
    takes them (call inside the live app's context)."""
    sandbox = health.provider("sandbox")
    fit = sandbox.issue("health", nik, issued_on=today - timedelta(days=health_days))
    psych = sandbox.issue("psych", nik, issued_on=today - timedelta(days=psych_days))
    return {
        "health_number": fit.number,
        "health_date": fit.issued_on,
        "psych_number": psych.number,
        "psych_date": psych.issued_on,
    }
