"""JSON for the exam page. Official responses carry positions only: no keys, no explanations,
no stable item ids. Each view's ``@operation`` names the pydantic models of ``schemas.py`` it
answers and reads (``read_body()`` validates with them); the OpenAPI document at
``/api/v1/exam/openapi.json`` (``openapi.py``) is generated from these routes and models."""

from __future__ import annotations

from flask import Blueprint, url_for
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from ujisim.core import clock
from ujisim.core.db import get_session
from ujisim.core.openapi import operation, read_body, undocumented
from ujisim.core.security import Role, role_required
from ujisim.exam import answers, attempts, grading, openapi, schemas
from ujisim.exam.models import AttemptState
from ujisim.exam.views import load_own_attempt_or_404

bp = Blueprint("exam_api", __name__, url_prefix="/api/v1/exam")


def _status(attempt) -> dict:
    return {
        "state": attempt.state,
        "server_now": clock.now().isoformat(),
        "deadline": attempt.deadline_at.isoformat() if attempt.deadline_at else None,
        "remaining_s": round(attempts.remaining_seconds(attempt), 3),
        "result_url": url_for("exam.result", public_id=attempt.public_id)
        if not attempt.open
        else None,
    }


@bp.get("/attempts/<public_id>")
@operation(
    op_id="getPaper",
    summary="The questions as the candidate sees them, the answers held and the clock.",
    ok=schemas.Paper,
    errors=("401", "403", "404"),
)
@role_required(Role.APPLICANT)
def paper(public_id: str):
    """The questions as the candidate sees them, the saved answers and the clock."""
    session = get_session()
    attempt = load_own_attempt_or_404(public_id)
    questions = []
    if attempt.state in (AttemptState.STARTED, AttemptState.PAUSED):
        for position, (entry, version) in enumerate(
            zip(attempt.paper, attempts.paper_versions(session, attempt), strict=True)
        ):
            # in the language chosen at the start, whatever the pages are in now
            text = version.text(attempt.language)
            questions.append(
                {
                    "position": position,
                    "lang": text.lang,
                    "stem": text.stem,
                    "options": [o["text"] for o in text.shown(entry["o"])],
                    "media": url_for("exam.media", public_id=public_id, position=position)
                    if version.media_json
                    else None,
                    "speech": url_for("exam.speech", public_id=public_id, position=position),
                }
            )
    held = attempts.current_answers(session, attempt)
    opened = attempts.opened_positions(session, attempt)
    return {
        **_status(attempt),
        "attempt": attempt.public_id,
        "vehicle_class": attempt.vehicle_class,
        "language": attempt.language,
        "item_time_limit_s": attempt.blueprint.item_time_limit_s,
        "last_seq": attempts.last_seq(session, attempt),
        # the token of this session (after a new login the page's own token is stale)
        "csrf_token": generate_csrf(),
        "questions": questions,
        "answers": {str(k): v for k, v in held.items()},
        # AVIS mode: seconds left per question already shown (0 = closed)
        "item_remaining_s": {
            str(p): round(attempts.item_remaining(attempt, at), 3) for p, at in opened.items()
        }
        if attempt.blueprint.item_time_limit_s
        else {},
    }


@bp.post("/attempts/<public_id>/answers")
@operation(
    op_id="saveAnswer",
    summary="Append one answer step. A repeated or stale `seq` is not stored "
    "(`stored: false`, with `repeat` and `last_seq`); a click another browser's "
    "later answer overtook answers `superseded` with `held_choice`.",
    ok=schemas.Saved,
    errors=("400", "401", "403", "404", "409", "422"),
    body=schemas.AnswerStep,
)
@role_required(Role.APPLICANT)
def save_answer(public_id: str):
    """Append one answer step: {"position": 0, "choice": 2 | null, "seq": 17, "device":
    "k3x9", "age_ms": 40}. A step not stored (repeated or stale seq) answers ``stored: false``
    with ``repeat`` and ``last_seq``; one another browser's later click overtook answers
    ``superseded`` with ``held_choice`` (record_answer). ``device`` and ``age_ms`` are
    optional."""
    session = get_session()
    # read with its row lock: the save's one read of the attempt (see record_answer)
    attempt = load_own_attempt_or_404(public_id, lock=True)
    step = read_body()
    saved = answers.record_answer(
        session,
        attempt,
        position=step.position,
        choice=step.choice,
        client_seq=step.seq,
        locked=True,
        device=step.device,
        age_ms=step.age_ms,
    )
    body = {"saved": saved.seq, "stored": saved.stored, **_status(attempt)}
    if not saved.stored:
        # "repeat": this answer is already held under this seq; otherwise the browser resends
        # it with a number above "last_seq" (another tab or device used this one)
        body.update(repeat=saved.repeat, last_seq=saved.last_seq)
        if saved.superseded:
            body.update(superseded=True, held_choice=saved.held_choice)
    return body


@bp.post("/attempts/<public_id>/open")
@operation(
    op_id="openQuestion",
    summary="AVIS mode: the candidate sees this question; its countdown starts (idempotent).",
    ok=schemas.Opened,
    errors=("400", "401", "403", "404", "409", "422"),
    body=schemas.OpenQuestion,
)
@role_required(Role.APPLICANT)
def open_question(public_id: str):
    """AVIS mode: the candidate sees question {"position": n}; its own countdown starts."""
    session = get_session()
    attempt = load_own_attempt_or_404(public_id)
    position = read_body().position
    opened_at = answers.open_position(session, attempt, position)
    return {"item_remaining_s": attempts.item_remaining(attempt, opened_at), **_status(attempt)}


@bp.post("/attempts/<public_id>/submit")
@operation(
    op_id="submit",
    summary="Close and grade the attempt (idempotent: a second submit answers the same).",
    ok=schemas.Status,
    errors=("400", "401", "403", "404", "409"),
)
@role_required(Role.APPLICANT)
def submit(public_id: str):
    """Close and grade the attempt (idempotent: a second submit returns the same result)."""
    session = get_session()
    attempt = grading.submit(session, load_own_attempt_or_404(public_id), current_user)
    return _status(attempt)


@bp.get("/openapi.json")
@undocumented("the document itself")
def openapi_document():
    """The OpenAPI 3.1 description of this API (public, like the print API's), generated from
    the routes above."""
    return openapi.API.serve()
