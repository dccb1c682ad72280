"""Item media as SVG images (served by the app; no external files), and practice questions read
aloud by the server (core/speech.py)."""

from __future__ import annotations

from flask import Blueprint, abort, request
from flask_login import current_user
from sqlalchemy import select

from ujisim.core import duties
from ujisim.core import speech as speech_audio
from ujisim.core.db import get_session
from ujisim.question_bank.media import render_media, svg_response
from ujisim.question_bank.models import BankVersionItem, ItemVersion, VersionState

bp = Blueprint("bank", __name__, url_prefix="/bank")


def load_media_version_or_404(version_id: int, *, media: bool = True) -> ItemVersion:
    """A version (with media, unless ``media=False``) whose media and text anyone may see (a
    practice item in a published bank), or any version for staff. A reserved item's picture
    and audio are given only inside an official exam (by position, through the exam's own
    routes), so its version id leads nowhere here; nor does any other version's for a staff
    member with an exam or renewal of their own open (403, audited: core/duties.py)."""
    session = get_session()
    version = session.get(ItemVersion, version_id)
    if version is None or (media and not version.media_json):
        abort(404)
    public = version.practice and (
        session.scalars(
            select(BankVersionItem.item_version_id).where(
                BankVersionItem.item_version_id == version.id
            )
        ).first()
        is not None
    )
    if public:
        return version
    staff = current_user.is_authenticated and current_user.has_any_role(*duties.STAFF_ROLES)
    if not staff:
        abort(404)
    duties.refuse_open_business()
    return version


@bp.get("/media/<int:version_id>/<any(A, C):vehicle_class>.svg")
def media(version_id: int, vehicle_class: str):
    """The sign or scene of an item version, drawn for a car (A) or motorcycle (C) candidate,
    named in Indonesian or (``?lang=en``) in English: the language is in the address, so a
    cache never hands one reader's picture to the other."""
    lang = request.args.get("lang", "id")
    if lang not in ("id", "en"):
        abort(404)
    version = load_media_version_or_404(version_id)
    svg = render_media(version.media, vehicle_class, lang=lang)
    # drafts change in place; other versions are frozen
    frozen = version.state != VersionState.DRAFT
    return svg_response(svg, "public, max-age=86400" if frozen else "private, no-store")


@bp.get("/speech/<int:version_id>/<order>")
def speech(version_id: int, order: str):
    """An item version's stem and options read aloud by the server, the options in ``order``
    (the shown order as authoring indexes, e.g. "2013"), in Indonesian or (``?lang=en``) English,
    for a browser with no voice for it. Practice items of a published bank only (staff: any
    version), like the media."""
    lang = request.args.get("lang", "id")
    if lang not in ("id", "en"):
        abort(404)
    version = load_media_version_or_404(version_id, media=False)
    words = version.text(lang)
    if sorted(order) != [str(i) for i in range(len(words.options))]:
        abort(404)
    text = speech_audio.spoken_text(words.stem, [o["text"] for o in words.shown(map(int, order))])
    stored = speech_audio.audio_for(get_session(), text, words.lang)
    frozen = version.state != VersionState.DRAFT
    return speech_audio.audio_response(
        stored, "public, max-age=86400" if frozen else "private, no-store"
    )
