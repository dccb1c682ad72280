"""Hazard-perception clips in practice mode: watch a clip, click when a hazard develops, then see
the scoring windows, your clicks, the score and the explanation, and replay it.

Anyone may practise; a logged-in applicant's results are kept (``PracticeClip``) for the
weak-topic page. The page gets the clip without its windows; it sends the clicks with the signed
viewing token and the server scores them (``clip_services``).
"""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request, url_for
from flask_login import current_user
from pydantic import Field

from ujisim.core.db import get_session
from ujisim.core.i18n import page_language
from ujisim.core.schemas import RequestModel, parse_body
from ujisim.core.security import Role
from ujisim.question_bank import clip_services
from ujisim.question_bank.clip_scoring import CLICK_LIMIT, PatternRule
from ujisim.question_bank.media.clip_package import package

bp = Blueprint("clips", __name__, url_prefix="/latihan")
CLASS = "<any(A, C):vehicle_class>"


class ClipClicks(RequestModel):
    """What the clip page sends after the clip: its viewing token and the clicks (ms)."""

    token: str = Field(max_length=1000)
    clicks: list[int] = Field(max_length=CLICK_LIMIT)


@bp.get(f"/{CLASS}/klip")
def clip(vehicle_class: str):
    """A practice clip (``?kode=`` one, else a random one, not ``?kecuali=`` if possible)."""
    session = get_session()
    versions = clip_services.practice_clips(session, vehicle_class)
    version = clip_services.choose_clip(
        versions, code=request.args.get("kode", ""), exclude=request.args.get("kecuali", type=int)
    )
    lang = page_language()
    return render_template(
        "question_bank/practice/clip.html",
        cls=vehicle_class,
        version=version,
        text=version.text(lang),
        clip=package(version.media["clip"], vehicle_class, lang),
        token=clip_services.sign_viewing(version, vehicle_class, current_app.config["SECRET_KEY"]),
        result_url=url_for("clips.result"),
        count=len(versions),
    )


@bp.post("/klip/hasil")
def result():
    """Score the clicks of a viewing on the server: the windows, the score, the explanation."""
    session = get_session()
    body = parse_body(ClipClicks)
    viewing = clip_services.read_viewing(session, body.token, current_app.config["SECRET_KEY"])
    rule = PatternRule.of(current_app.config.get("CLIP_PATTERN"))
    clicks, scored = clip_services.score_viewing(viewing, body.clicks, rule)
    if current_user.is_authenticated and current_user.has_any_role(Role.APPLICANT):
        clip_services.record_viewing(session, current_user, viewing, clicks, scored)
    return clip_services.result_body(viewing, clicks, scored, page_language())
