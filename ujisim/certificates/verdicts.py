"""What the verification page shows of a check (``verification.Check``): the verdict in one of five
states, each with its own colour and words, the reason in a sentence, and the document's details
as far as the one who asks may see them.

The states: ``valid``; ``expired`` (a genuine card past its expiry day, WIB); ``invalid`` (with
the reason: damaged, an unknown key, altered, not what our records say, no such document);
``revoked`` (withdrawn: a voided pass, a revoked licence, a card copy voided); ``superseded``
(something newer took its place: a renewed card, a card copy printed later).

Who sees what: the QR's page shows what it always did (never the full NIK or the address); a
code typed by an anonymous visitor (``codes.py``: short codes can be guessed, if very slowly)
shows the verdict, the holder's initials, the class, the dates and the office; a logged-in
examiner (the officer who checks a card) sees every detail and, for a card, the holder's photo
on record (served by ``views.card_photo``, which checks the role again).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

from flask_babel import format_date
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ujisim.core import clock
from ujisim.core.security import Role

#: the states' headline words (the colour comes with ``data-verdict`` from verdict.css)
HEADLINES = {
    "valid": _l("Valid"),
    "expired": _l("Expired"),
    "invalid": _l("Not valid"),
    "revoked": _l("Revoked"),
    "superseded": _l("Superseded"),
}
#: why a token is refused, per the kind of document it names
REASON_TEXT = {
    "malformed": _l("The code is damaged or incomplete."),
    "unknown_key": _l("The document was signed with a key this service does not know."),
    "tampered": _l("The signature does not match: the document has been altered."),
    "mismatch": _l("The document does not match our records."),
    "unknown_document": _l("No such document was issued by this service."),
    "unknown_code": _l("No document has this code. Check it and type it again."),
}
#: why a card copy is no longer valid although its licence is (card copy registry)
REVOKED_TEXT = {
    "superseded": _l(
        "Superseded by a card printed later: this copy of the licence card is no longer valid."
    ),
    "void": _l("Void: this copy of the licence card was withdrawn and is no longer valid."),
}


@dataclass(frozen=True)
class Verdict:
    """A check as the page says it: ``state`` (one of HEADLINES), the headline and a sentence."""

    state: str
    headline: str
    explanation: str


def today_wib() -> date:
    return clock.now().astimezone(ZoneInfo("Asia/Jakarta")).date()


def _day(value) -> str:
    return format_date(value, "d MMMM yyyy")


def state_of(check, data) -> str:
    """The page's state of ``check`` (module docstring)."""
    if check.status == "valid":
        card = getattr(data, "DOC_TYPE", None) == "card"
        return "expired" if card and data.expires_on < today_wib() else "valid"
    if check.status == "revoked":
        return "superseded" if check.reason in ("replaced", "superseded") else "revoked"
    return "invalid"


def verdict_of(check, kind: str | None) -> Verdict:
    """The verdict of ``check`` on a document of ``kind`` ("card", "certificate" or None)."""
    data = check.certificate
    state = state_of(check, data)
    since = _day(check.revoked_at) if check.revoked_at else None
    card = kind == "card"
    if state == "valid" and card:
        text = _l(
            "This licence card was issued through ujisim and has not been revoked or replaced."
        )
    elif state == "valid":
        text = _l("This certificate was issued by ujisim and has not been revoked.")
    elif state == "expired":
        text = _l(
            "This card is genuine, but it expired on %(day)s: it is no longer valid for driving.",
            day=_day(data.expires_on),
        )
    elif state == "invalid":
        text = REASON_TEXT.get(check.reason, REASON_TEXT["malformed"])
    elif check.reason == "replaced":
        text = (
            _l("A renewed card was issued on %(day)s; this card is no longer valid.", day=since)
            if since
            else _l("A renewed card was issued; this card is no longer valid.")
        )
    elif check.reason in REVOKED_TEXT:
        text = REVOKED_TEXT[check.reason]
        if since:
            text = f"{text} {_l('(since %(day)s)', day=since)}"
    elif card:
        text = _l("This licence card has been withdrawn and is no longer valid.")
    elif since:
        text = _l("This certificate was withdrawn on %(day)s and is no longer valid.", day=since)
    else:
        text = _l("This certificate has been withdrawn and is no longer valid.")
    return Verdict(state, str(HEADLINES[state]), str(text))


def is_officer() -> bool:
    """Whether the one asking is a logged-in examiner (who checks cards and certificates)."""
    return bool(current_user.is_authenticated and Role.EXAMINER in current_user.role_set)


def initials(name: str) -> str:
    """``Siti Nurhaliza Rahmawati`` -> ``S. N. R.``"""
    return " ".join(f"{part[0]}." for part in name.split() if part)
