"""The upgrade rule of the motorcycle classes, answered from the licence registry: SIM C I needs
a SIM C held at least 12 months, SIM C II a SIM C I held at least 12 months (Perpol 5/2021 as
amended; exam/classes.py). The exam asks through ``exam.signals.admission_wanted``."""

from __future__ import annotations

from datetime import date

from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from ujisim.exam import classes
from ujisim.exam.errors import NotEligible
from ujisim.renewal import registry
from ujisim.renewal.health import months_before
from ujisim.renewal.models import Licence, LicenceStatus


def months_after(day: date, months: int) -> date:
    """The same day ``months`` later (the month's last day when it has no such day)."""
    return months_before(day, -months)


def held_since(session: Session, licence: Licence) -> date:
    """The day its holder first got this SIM: a renewal keeps the number, so the earliest issue
    date under the number (in the class) counts."""
    return min(
        session.scalars(
            select(Licence.issued_on).where(
                Licence.number == licence.number,
                Licence.licence_class == licence.licence_class,
                Licence.holder_nik == licence.holder_nik,
            )
        )
    )


def upgrade_refusal(vehicle_class: str, *, session: Session, user, today: date):
    """``exam.signals.admission_wanted``: None when ``user`` may sit ``vehicle_class``'s exam as
    far as the upgrade rule goes, else the NotEligible that says which SIM is missing or from
    which day the exam may be taken."""
    needed = classes.UPGRADE_FROM.get(vehicle_class)
    if needed is None:
        return None
    base, months = needed
    wanted, held = classes.label(vehicle_class), classes.label(base)
    in_force = [
        licence
        for licence in session.scalars(
            select(Licence).where(
                Licence.holder_nik == (user.nik or ""), Licence.licence_class == base
            )
        )
        if registry.effective_status(licence, today) == LicenceStatus.ACTIVE
    ]
    if not in_force:
        return NotEligible(
            _(
                "SIM %(wanted)s needs a valid SIM %(held)s held for at least %(months)s months. "
                "No valid SIM %(held)s is registered for your NIK.",
                wanted=wanted,
                held=held,
                months=months,
            ),
            code="upgrade_missing",
        )
    since = min(held_since(session, licence) for licence in in_force)
    allowed = months_after(since, months)
    if today < allowed:
        return NotEligible(
            _(
                "SIM %(wanted)s needs SIM %(held)s held for at least %(months)s months. You have "
                "held it since %(since)s: you may take the SIM %(wanted)s exam from %(day)s.",
                wanted=wanted,
                held=held,
                months=months,
                since=format_date(since, "long"),
                day=format_date(allowed, "long"),
            ),
            code="upgrade_too_soon",
        )
    return None
