"""Who may start an online renewal: each check has its own code and message."""

from __future__ import annotations

from datetime import date, timedelta

from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from ujisim.accounts.errors import NikError
from ujisim.accounts.nik import parse_nik
from ujisim.core.errors import ValidationError
from ujisim.exam import classes
from ujisim.renewal import closures, registry
from ujisim.renewal.errors import LicenceNotFound, NotEligible
from ujisim.renewal.models import OPEN_STATES, Licence, LicenceStatus, RenewalApplication

#: online renewal opens this many days before expiry (Korlantas, SINAR)
WINDOW_DAYS = 90


def window_opens(licence: Licence) -> date:
    return licence.expires_on - timedelta(days=WINDOW_DAYS)


def get_open_application(session: Session, licence: Licence) -> RenewalApplication | None:
    """The renewal in progress for ``licence`` (at most one)."""
    return session.scalars(
        select(RenewalApplication).where(
            RenewalApplication.licence_id == licence.id,
            RenewalApplication.state.in_(OPEN_STATES),
        )
    ).first()


def check_eligibility(
    session: Session, user, number: str, nik: str, date_of_birth: date | None
) -> Licence:
    """The licence ``user`` may renew now, or :class:`NotEligible` / :class:`LicenceNotFound`
    saying which check failed (``code``) and what the holder can do.

    Order: found and the holder's (number, NIK, birth date belong together and to the account),
    class A or C, not revoked, not expired (or expired inside a published grace window open
    online today: closures.py), inside the window, no renewal already open. An expired SIM
    whose grace window is open at the counter only is told to go there, naming the telegram.
    """
    try:
        nik = parse_nik(nik).value
    except NikError as exc:
        message = _("Enter the 16-digit NIK of your ID card (KTP).")
        raise ValidationError(message, {"nik": exc.code}, code="nik_invalid") from exc
    if user.nik != nik:
        raise NotEligible(
            _("This NIK is not the one of your account. Renew your own SIM while logged in."),
            {"nik": "account"},
            code="account_mismatch",
        )
    licence = registry.get_current_licence(session, number)
    if licence is None:
        raise LicenceNotFound(
            _("No SIM with this number was found. Check the number printed on your card."),
            {"number": "not_found"},
            code="not_found",
        )
    if licence.holder_nik != nik or licence.date_of_birth != date_of_birth:
        raise NotEligible(
            _(
                "The SIM number, NIK and date of birth do not belong together. Check them "
                "against your card and your ID card (KTP)."
            ),
            {"number": "mismatch"},
            code="data_mismatch",
        )
    if licence.licence_class not in registry.ONLINE_CLASSES:
        raise NotEligible(
            _(
                "Online renewal is for SIM A, C, C I and C II only. Renew your SIM %(cls)s at "
                "a Satpas office.",
                cls=classes.label(licence.licence_class),
            ),
            code="class",
        )
    today = registry.local_today(user.timezone or "Asia/Jakarta")
    status = registry.effective_status(licence, today)
    if status == LicenceStatus.REVOKED:
        raise NotEligible(
            _(
                "This SIM has been revoked and cannot be renewed. Apply for a new SIM at a "
                "Satpas office once the revocation allows it."
            ),
            code="revoked",
        )
    if status == LicenceStatus.REPLACED:  # only reached through an inconsistent registry
        raise NotEligible(_("This SIM has already been replaced by a newer card."), code="replaced")
    if status == LicenceStatus.EXPIRED:
        grace = closures.grace_for(session, licence, today)
        if grace.online is not None:
            _no_open_renewal(session, licence)
            return licence  # inside a published grace window open online today
        if grace.online_later is not None:
            window = grace.online_later
            raise NotEligible(
                _(
                    "Your SIM expired inside the grace window of %(name)s (telegram "
                    "%(telegram)s). Online renewal of it opens on %(start)s and closes on "
                    "%(end)s.",
                    name=window.name,
                    telegram=closures.telegram_label(window),
                    start=format_date(window.renew_from, "long"),
                    end=format_date(window.renew_until, "long"),
                ),
                {"grace_window": window.public_id},
                code="grace_not_open",
            )
        if grace.counter is not None:
            window = grace.counter
            raise NotEligible(
                _(
                    "This SIM expired on %(day)s, inside the grace window of %(name)s "
                    "(telegram %(telegram)s), which is open at the Satpas counter only: renew "
                    "it at a Satpas office from %(start)s until %(end)s. After that day a new "
                    "SIM is needed.",
                    day=format_date(licence.expires_on, "long"),
                    name=window.name,
                    telegram=closures.telegram_label(window),
                    start=format_date(window.renew_from, "long"),
                    end=format_date(window.renew_until, "long"),
                ),
                {"grace_window": window.public_id},
                code="grace_counter",
            )
        raise NotEligible(
            _(
                "This SIM expired on %(day)s. An expired SIM cannot be renewed, not even by "
                "one day: apply for a new SIM at a Satpas office (with the theory and "
                "practical tests).",
                day=format_date(licence.expires_on, "long"),
            ),
            code="expired",
        )
    opens = window_opens(licence)
    if today < opens:
        raise NotEligible(
            _(
                "Online renewal for this SIM opens on %(opens)s, 90 days before it expires "
                "on %(day)s. Please come back then.",
                opens=format_date(opens, "long"),
                day=format_date(licence.expires_on, "long"),
            ),
            code="too_early",
        )
    _no_open_renewal(session, licence)
    return licence


def _no_open_renewal(session: Session, licence: Licence) -> None:
    if get_open_application(session, licence) is not None:
        raise NotEligible(
            _("A renewal of this SIM is already in progress. Continue that one."),
            code="open_renewal",
        )


def grace_window_of(session: Session, licence: Licence, user) -> closures.GraceWindow | None:
    """The published grace window that lets ``licence`` (expired) be renewed online today, or
    None (an unexpired licence needs none)."""
    today = registry.local_today(user.timezone or "Asia/Jakarta")
    if registry.effective_status(licence, today) != LicenceStatus.EXPIRED:
        return None
    return closures.grace_for(session, licence, today).online
