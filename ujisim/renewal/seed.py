"""Demo licences for ``flask seed demo``: one per eligibility case, for the demo applicant; and
the two public grace windows (dispensasi) of Lebaran 2024 and 2025."""

from __future__ import annotations

from datetime import date, timedelta

import click
from sqlalchemy import select
from sqlalchemy.orm import Session

from ujisim.exam import classes
from ujisim.renewal import closures, health, population, registry
from ujisim.renewal.models import GraceWindow, LicenceStatus

#: (number, class, days until expiry, status, what it shows)
DEMO_LICENCES = [
    ("317400000001", "A", 30, LicenceStatus.ACTIVE, "inside the 90-day window"),
    ("317400000002", "C", 200, LicenceStatus.ACTIVE, "too early (window not open yet)"),
    ("317400000003", "C", -10, LicenceStatus.ACTIVE, "expired 10 days ago"),
    ("317400000004", "A", 40, LicenceStatus.REVOKED, "revoked"),
    ("317400000005", "C1", 60, LicenceStatus.ACTIVE, "SIM C I inside the 90-day window"),
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
        click.echo(f"  SIM {classes.label(cls)} {number}: {label}")
    session.commit()
    seed_register(user)
    seed_certificates(user)
    seed_grace_windows(session)


def seed_register(user) -> None:
    """The demo holder's record in the sandbox population register, without a photo (none is
    in the repository): a renewal of a demo licence (no photo on file) finds the NIK but no
    face, so it goes to the in-person check until ``flask licences population add NIK PHOTO``
    gives the record a photo. A record already there (perhaps with a photo) is kept."""
    register = population.provider("sandbox")
    if register.lookup(user.nik).outcome == population.Outcome.NOT_FOUND:
        register.add(user.nik, user.full_name, user.date_of_birth, None)
    click.echo(
        f"  population register (sandbox): NIK {user.nik}; give it your photo with "
        f"flask licences population add {user.nik} PHOTO"
    )


#: (kind, number, days before today, result, what it shows): the demo holder's certificates at
#: the sandbox e-Rikkes and ePPsi providers (renewal/health.py)
DEMO_CERTIFICATES = [
    ("health", "RKS-SBX-DEMO0001", 0, health.FIT, "valid (14 days from today)"),
    ("psych", "PSI-SBX-DEMO0001", 0, health.FIT, "valid (6 months from today)"),
    ("health", "RKS-SBX-DEMO0002", 20, health.FIT, "expired (20 days old)"),
    ("psych", "PSI-SBX-DEMO0002", 0, health.NOT_FIT, "result not fit"),
]


def seed_certificates(user) -> None:
    """The demo holder's sandbox certificates, dated from today (seeding again renews them).
    More come from the SANDBOX test page, /perpanjangan/sandbox/tes."""
    provider = health.provider("sandbox")
    today = registry.local_today()
    for kind, number, days, result, label in DEMO_CERTIFICATES:
        issued = today - timedelta(days=days)
        provider.issue(kind, user.nik, issued_on=issued, result=result, number=number)
        click.echo(f"  {health.NAMES[kind]} {number}: {label}")


#: The public grace windows, as police statements reported them. Neither telegram's number was
#: found in a public source, so it stays empty ("telegram number not known"); never made up.
#: Lebaran 2024: Satpas closed 8-15 April 2024; SIMs that expired 7-15 April (DOMAIN.md) could be
#: renewed from 16 April, "paling lambat 20 April 2024" (Kakorlantas Irjen Aan Suhanan, itworks.id
#: 8 April 2024), so the window ends on 20 April. Lebaran 2025: closed and expired 28 March - 7
#: April, renew 8-19 April 2025 (NTMC Korlantas, bernasnews 6 April 2025). Both on the online
#: and counter channels: the statements say the usual renewal mechanism applies.
GRACE_WINDOWS = [
    {
        "name": "Lebaran 2024",
        "closed_from": date(2024, 4, 8),
        "closed_until": date(2024, 4, 15),
        "expired_from": date(2024, 4, 7),
        "expired_until": date(2024, 4, 15),
        "renew_from": date(2024, 4, 16),
        "renew_until": date(2024, 4, 20),
        "telegram": "",
        "classes": "A,C",
        "online": True,
        "counter": True,
        "source": "https://www.itworks.id/66449/sim-dan-stnk-habis-masa-berlakunya-selama-libur-lebaran-tak-ditilang.html",
    },
    {
        "name": "Lebaran 2025",
        "closed_from": date(2025, 3, 28),
        "closed_until": date(2025, 4, 7),
        "expired_from": date(2025, 3, 28),
        "expired_until": date(2025, 4, 7),
        "renew_from": date(2025, 4, 8),
        "renew_until": date(2025, 4, 19),
        "telegram": "",
        "classes": "A,C",
        "online": True,
        "counter": True,
        "source": "https://bernasnews.com/2025/04/06/jadwal-dispensasi-perpanjangan-sim-libur-lebaran-2025-sampai-tanggal-berapa",
    },
]


def seed_grace_windows(session: Session) -> None:
    """Add the public grace windows once, published (idempotent: a name already there is kept)."""
    for values in GRACE_WINDOWS:
        found = session.scalars(select(GraceWindow).where(GraceWindow.name == values["name"]))
        if found.first() is None:
            window = closures.add_window(session, None, **values)
            closures.publish(session, window, None)
        click.echo(
            f"  grace window {values['name']}: "
            f"renew {values['renew_from']} - {values['renew_until']} (published)"
        )
    session.commit()
