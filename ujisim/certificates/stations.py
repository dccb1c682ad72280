"""Print-shop stations and their API tokens: created by an admin, shown once, stored as a
sha256 hash, revocable. Tokens carry 256 random bits, so a plain hash is enough (no slow KDF)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask_babel import gettext as _
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ujisim.certificates.models import PrintStation
from ujisim.core import audit, clock
from ujisim.core.errors import ValidationError

TOKEN_PREFIX = "ujp_"  # noqa: S105 - a marker that tells tokens apart, not a secret
#: last_used_at is written at most this often per station (every request would be a write)
LAST_USED_EVERY = timedelta(minutes=1)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_station(session: Session, name: str, actor) -> tuple[PrintStation, str]:
    """A new station with a fresh token; returns the token (the only time it exists in clear)."""
    name = (name or "").strip()
    if not name or len(name) > 120:
        raise ValidationError(
            _("Give the station a name (at most 120 characters)."), {"name": "required"}
        )
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    station = PrintStation(
        name=name,
        token_hash=hash_token(token),
        token_hint=token[: len(TOKEN_PREFIX) + 4],
        created_at=clock.now(),
        created_by_id=getattr(actor, "id", None),
    )
    session.add(station)
    session.flush()
    audit.record(
        session,
        "print.station_created",
        actor=actor,
        object_type="print_station",
        object_id=station.public_id,
        data={"name": name},
    )
    return station, token


def revoke_station(session: Session, station: PrintStation, actor) -> PrintStation:
    """Refuse the station's token from now on (idempotent). Its claimed jobs return to the
    queue when their leases expire."""
    if station.revoked_at is None:
        station.revoked_at = clock.now()
        session.flush()
        audit.record(
            session,
            "print.station_revoked",
            actor=actor,
            object_type="print_station",
            object_id=station.public_id,
            data={"name": station.name},
        )
    return station


def find_station(session: Session, token: str) -> PrintStation | None:
    """The active station whose token this is, or None (unknown or revoked)."""
    if not token or not token.startswith(TOKEN_PREFIX) or len(token) > 200:
        return None
    station = session.scalars(
        select(PrintStation).where(PrintStation.token_hash == hash_token(token))
    ).first()
    if station is None or station.revoked_at is not None:
        return None
    return station


def touch(session: Session, station_id: int) -> None:
    """Record that the station was just used (skipped when it was within the last minute)."""
    now = clock.now()
    session.execute(
        update(PrintStation)
        .where(PrintStation.id == station_id)
        .where(
            (PrintStation.last_used_at.is_(None))
            | (PrintStation.last_used_at < now - LAST_USED_EVERY)
        )
        .values(last_used_at=now)
    )


def query_stations(session: Session) -> list[PrintStation]:
    return list(session.scalars(select(PrintStation).order_by(PrintStation.created_at.desc())))


def get_station(session: Session, public_id: str) -> PrintStation | None:
    if not public_id.replace("-", "").replace("_", "").isalnum() or len(public_id) > 40:
        return None
    return session.scalars(select(PrintStation).where(PrintStation.public_id == public_id)).first()
