"""Demo licences for ``flask seed demo``: one per eligibility case, for the demo applicant."""

from __future__ import annotations

from datetime import timedelta

import click
from sqlalchemy.orm import Session

from ujisim.renewal import registry
from ujisim.renewal.models import LicenceStatus

#: (number, class, days until expiry, status, what it shows)
DEMO_LICENCES = [
    ("317400000001", "A", 30, LicenceStatus.ACTIVE, "inside the 90-day window"),
    ("317400000002", "C", 200, LicenceStatus.ACTIVE, "too early (window not open yet)"),
    ("317400000003", "C", -10, LicenceStatus.ACTIVE, "expired 10 days ago"),
    ("317400000004", "A", 40, LicenceStatus.REVOKED, "revoked"),
]


def seed_licences(session: Session, user) -> None:
    """Add the demo licences of ``user`` once (idempotent: numbers already there are kept)."""
    today = registry.local_today()
    for number, cls, days, status, label in DEMO_LICENCES:
        if registry.get_current_licence(session, number) is None:
            expires = today + timedelta(days=days)
            registry.add_licence(
                session,
                number=number,
                licence_class=cls,
                holder_nik=user.nik,
                holder_name=user.full_name,
                date_of_birth=user.date_of_birth,
                place_of_birth="Jakarta",
                address="Jl. Melati No. 5, Kebayoran Baru, Jakarta Selatan",
                issued_on=expires - timedelta(days=5 * 365 + 1),
                expires_on=expires,
                satpas="Satpas Polda Metro Jaya",
                status=status,
            )
        click.echo(f"  SIM {cls} {number}: {label}")
    session.commit()
