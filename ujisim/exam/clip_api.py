"""JSON for the exam's clip part (``exam/clips.py``): its state, starting the next clip (the
clip's package, never its windows) and the clicks when a clip ends. Routes of the exam API
blueprint (``api.py``), documented in its OpenAPI document."""

from __future__ import annotations

from flask_wtf.csrf import generate_csrf

from ujisim.core.db import get_session
from ujisim.core.openapi import operation, read_body
from ujisim.core.security import Role, role_required
from ujisim.exam import classes, clips, schemas
from ujisim.exam.api import _status, bp
from ujisim.exam.views import load_own_attempt_or_404
from ujisim.question_bank.media.clip_package import package


def _part(session, attempt) -> dict:
    held = clips.responses(session, attempt)
    states = []
    for number in range(len(attempt.clips)):
        response = held.get(number)
        states.append({
            "number": number,
            "started": response is not None,
            "finished": response is not None and response.finished_at is not None,
            "restarts": response.restarts if response else 0,
            "zeroed": bool(response and response.zeroed),
        })  # fmt: skip
    return {
        "total": len(attempt.clips),
        "next": clips.next_clip(session, attempt, held),
        "restarts_allowed": clips.RESTARTS,
        "clips": states,
    }


@bp.get("/attempts/<public_id>/clips")
@operation(
    op_id="getClipPart",
    summary="The clip part: each clip's state and the next to watch.",
    ok=schemas.ClipPart,
    errors=("401", "403", "404"),
)
@role_required(Role.APPLICANT)
def clip_part(public_id: str):
    """Each clip's state (finished, restarts, scored 0) and the next one to watch."""
    session = get_session()
    attempt = load_own_attempt_or_404(public_id)
    return {**_status(attempt), **_part(session, attempt), "csrf_token": generate_csrf()}


@bp.post("/attempts/<public_id>/clips/start")
@operation(
    op_id="startClip",
    summary="Start the next clip (a clip started before restarts once, then scores 0).",
    ok=schemas.ClipStarted,
    errors=("400", "401", "403", "404", "409", "422"),
    body=schemas.ClipStart,
)
@role_required(Role.APPLICANT)
def start_clip(public_id: str):
    """Start clip {"number": n}: its package to play (no windows), how often it restarted."""
    session = get_session()
    attempt = load_own_attempt_or_404(public_id, lock=True)
    body = read_body()
    started = clips.start_clip(session, attempt, body.number, body.key)
    # from the seat of the class's vehicle (C I and C II ride SIM C's clips), in the exam's
    # language; a clip restarted too often is not sent at all
    view = classes.bank_class(attempt.vehicle_class)
    spec = started.version.media["clip"]
    clip = None if started.zeroed else package(spec, view, attempt.language, official=True)
    return {
        **_status(attempt),
        "number": started.number,
        "total": len(attempt.clips),
        "restarts": started.restarts,
        "zeroed": started.zeroed,
        "clip": clip,
    }


@bp.post("/attempts/<public_id>/clips/clicks")
@operation(
    op_id="saveClipClicks",
    summary="The clicks of a clip that has ended (a repeat of the same clicks: stored false).",
    ok=schemas.ClipSaved,
    errors=("400", "401", "403", "404", "409", "422"),
    body=schemas.ClipClicks,
)
@role_required(Role.APPLICANT)
def save_clip_clicks(public_id: str):
    """Keep the clicks {"number": n, "clicks": [ms, ...]} of clip n once it has ended."""
    session = get_session()
    attempt = load_own_attempt_or_404(public_id, lock=True)
    body = read_body()
    stored = clips.save_clicks(session, attempt, body.number, body.clicks)
    return {**_status(attempt), "stored": stored, "next": clips.next_clip(session, attempt)}
