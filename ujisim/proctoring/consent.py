"""Consent to webcam proctoring (UU 27/2022: biometric data is specific personal data).

The consent text lives in templates/proctoring/consent.html; ``CONSENT_VERSION`` names it. Change
the version whenever the text's meaning changes: every candidate is then asked again.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from ujisim.core import audit, clock
from ujisim.proctoring.errors import ProctoringRequired
from ujisim.proctoring.models import Consent

CONSENT_VERSION = "2026-12-v3"


def current_consent(session: Session, user) -> Consent | None:
    """The user's consent to the current text version, if given."""
    return session.scalars(
        select(Consent)
        .where(Consent.user_id == user.id, Consent.text_version == CONSENT_VERSION)
        .order_by(Consent.id.desc())
    ).first()


def require_consent(session: Session, user) -> Consent:
    """The user's current consent; without one ProctoringRequired (403): no camera frame of theirs
    may be analysed or stored. Every endpoint that receives frames calls this first."""
    given = current_consent(session, user)
    if given is None:
        raise ProctoringRequired(_("Give your consent to webcam proctoring first."))
    return given


def record_consent(
    session: Session, user, *, locale: str, ip: str | None, user_agent: str | None
) -> Consent:
    """Record that ``user`` agreed to the current consent text (time, version, where from)."""
    consent = Consent(
        user_id=user.id,
        text_version=CONSENT_VERSION,
        locale=locale[:5],
        given_at=clock.now(),
        ip=(ip or None) and ip[:64],
        user_agent=(user_agent or None) and user_agent[:255],
    )
    session.add(consent)
    session.flush()
    audit.record(
        session,
        "proctoring.consent",
        actor=user,
        object_type="user",
        object_id=user.public_id,
        data={"version": CONSENT_VERSION, "locale": consent.locale},
    )
    return consent
