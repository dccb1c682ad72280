"""Hazard-perception clips in practice: choosing a clip of the published bank, the signed viewing
token the page plays it under, scoring the clicks it sends back (``clip_scoring``) and keeping
a logged-in applicant's result for the weak-topic page.

The page gets the clip's package (``media/clip_package``) without its windows; the windows, the
score and the explanation come back only with the clicks, so no one reads the answer from the
page before watching.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass

from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select
from sqlalchemy.orm import Session

from ujisim.core import clock
from ujisim.core.db import UPSERT_INSERTS, new_public_id
from ujisim.question_bank.clip_scoring import (
    ClipScore,
    PatternRule,
    check_clicks,
    pattern_message,
    score,
)
from ujisim.question_bank.errors import PracticeTokenError, PracticeUnavailable
from ujisim.question_bank.models import (
    CLASSES,
    BankVersionItem,
    ItemKind,
    ItemVersion,
    PracticeClip,
)
from ujisim.question_bank.services import bank_item_versions, latest_bank_version

VIEWING_SALT = "practice-clip"
#: how long a page may take between getting a clip and sending its clicks (seconds)
VIEWING_MAX_AGE = 3 * 3600
_rng = random.SystemRandom()


@dataclass(frozen=True)
class Viewing:
    """One clip handed to a page: the version, the class it is seen from, a random reference
    (a result sent twice is kept once) and when it was handed out (seconds, epoch)."""

    version: ItemVersion
    vehicle_class: str
    ref: str
    issued_at: float = 0.0


def practice_clips(session: Session, vehicle_class: str) -> list[ItemVersion]:
    """The practice clips of the latest published bank for one class (never a reserved one)."""
    bank = latest_bank_version(session)
    versions = bank_item_versions(session, bank, vehicle_class, kind=ItemKind.CLIP) if bank else []
    versions = [v for v in versions if v.practice]
    if not versions:
        raise PracticeUnavailable(
            _("No hazard-perception clips are published for SIM %(cls)s yet.", cls=vehicle_class)
        )
    return versions


def choose_clip(versions: list[ItemVersion], *, code: str = "", exclude: int | None = None):
    """The clip with item ``code``, else a random one (not the one just watched if possible)."""
    if code:
        found = [v for v in versions if v.item.code == code]
        if not found:
            raise PracticeUnavailable(_("There is no practice clip %(code)s.", code=code))
        return found[0]
    fresh = [v for v in versions if v.id != exclude] or versions
    return _rng.choice(fresh)


def sign_viewing(version: ItemVersion, vehicle_class: str, secret: str) -> str:
    """The token the page sends back with its clicks; only this server can make one."""
    payload = {"v": version.id, "c": vehicle_class, "r": new_public_id(),
               "i": round(clock.now().timestamp(), 3)}  # fmt: skip
    return URLSafeSerializer(secret, salt=VIEWING_SALT).dumps(payload)


def read_viewing(session: Session, token: str, secret: str) -> Viewing:
    """The viewing behind a token; ``PracticeTokenError`` if it was forged, is older than
    ``VIEWING_MAX_AGE`` or names something that is not a published practice clip."""
    refused = PracticeTokenError(
        _("This clip could not be scored: the page did not come from this site or is too old. "
          "Nothing was saved. Open the clip again.")
    )  # fmt: skip
    try:
        payload = URLSafeSerializer(secret, salt=VIEWING_SALT).loads(token or "")
    except BadSignature:
        raise refused from None
    if not isinstance(payload, dict) or payload.get("c") not in CLASSES:
        raise refused
    issued = payload.get("i")
    age = clock.now().timestamp() - issued if isinstance(issued, int | float) else -1
    if not 0 <= age <= VIEWING_MAX_AGE:
        raise refused
    published = select(BankVersionItem.item_version_id).where(
        BankVersionItem.item_version_id == payload.get("v")
    )
    version = session.scalars(
        select(ItemVersion).where(
            ItemVersion.id.in_(published),
            ItemVersion.practice.is_(True),
            ItemVersion.kind == ItemKind.CLIP,
        )
    ).first()
    if version is None or payload["c"] not in version.class_list:
        raise refused
    return Viewing(version, payload["c"], payload["r"], issued)


def score_viewing(viewing: Viewing, raw_clicks, rule: PatternRule) -> tuple[list[int], ClipScore]:
    """Check the page's clicks (``clip_scoring.check_clicks``: none later than the clip could
    have played since it was handed out) and score them."""
    spec = viewing.version.media["clip"]
    played_ms = (clock.now().timestamp() - viewing.issued_at) * 1000 + 2000
    clicks = check_clicks(raw_clicks, spec["duration"], played_ms=played_ms)
    return clicks, score(spec["windows"], clicks, rule)


def record_viewing(
    session: Session, user, viewing: Viewing, clicks: list[int], result: ClipScore
) -> None:
    """Keep a logged-in applicant's result (once per viewing: a resent result changes
    nothing)."""
    values = {
        "user_id": user.id,
        "item_version_id": viewing.version.id,
        "viewing": viewing.ref,
        "vehicle_class": viewing.vehicle_class,
        "clicks_json": json.dumps(clicks),
        "score": result.total,
        "max_score": result.maximum,
        "pattern": result.pattern,
        "topic": viewing.version.topic,
        "answered_at": clock.now(),
    }
    insert = UPSERT_INSERTS[session.get_bind().dialect.name]
    session.execute(
        insert(PracticeClip)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["user_id", "viewing"])
    )


def result_body(viewing: Viewing, clicks: list[int], result: ClipScore, lang: str) -> dict:
    """What the page shows after the clip: the windows, each one's score and scoring click,
    the total, the pattern rule broken if any, and the explanation."""
    version = viewing.version
    text = version.text(lang)
    windows = version.media["clip"]["windows"]
    return {
        "score": result.total,
        "max": result.maximum,
        "clicks": clicks,
        "windows": [
            {"start": w["start"], "end": w["end"], "score": s.score, "click": s.click_ms}
            for w, s in zip(windows, result.windows, strict=True)
        ],
        "pattern": result.pattern,
        "message": pattern_message(result.pattern) if result.pattern else "",
        "explanation": text.explanation,
        "legal_basis": version.legal_basis,
        "lang": text.lang,
    }
