"""Risk of an attempt: each observation carries a weight (configurable), the case keeps the sum.

- a snapshot's weight is that of its finding (ok weighs 0); a browser event's that of its type;
- the candidate is warned on screen about every flagged observation;
- a case enters the review queue when its risk reaches ``PROCTOR_REVIEW_AT`` (or on a pause);
- when the newest ``PROCTOR_PAUSE_AFTER`` analysed snapshots since the last passed identity check
  are all mismatches (another person, or several faces), the attempt is paused and the candidate
  must pass a new identity check. Only an examiner voids an attempt.
"""

from __future__ import annotations

import json

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from ujisim.core import clock, workflow
from ujisim.exam import attempts
from ujisim.exam.models import AttemptState
from ujisim.proctoring.models import (
    IdentityCheck,
    IdentityStatus,
    Observation,
    ProctorCase,
    ReviewStatus,
)

DEFAULT_WEIGHTS: dict[str, float] = {
    # snapshot findings (faces.Finding)
    "ok": 0.0,
    "no_face": 1.0,
    "looking_away": 1.0,
    "several_faces": 3.0,
    "different_person": 4.0,
    # a snapshot that repeats the one before it, face for face (a picture, not a camera)
    "frozen": 2.0,
    # browser events
    "tab_hidden": 1.0,
    "window_blur": 0.5,
    "fullscreen_exit": 1.0,
    "copy": 1.0,
    "paste": 2.0,
    "camera_ended": 2.0,
    # no snapshot for three intervals during a running exam (observations.flag_silent_cameras)
    "snapshots_stopped": 2.0,
    "reload": 0.5,
    # failed identity-check tries (the case's own tries, before or during the exam)
    "failed_liveness": 1.5,
    "failed_identity": 1.0,
}
#: findings that count toward a pause
MISMATCH = frozenset({"different_person", "several_faces"})

_VERDICT_FROM = (ReviewStatus.NONE, ReviewStatus.OPEN, ReviewStatus.CLEARED)
#: the case in the examiners' queue (audit ``proctoring.<verb>``); a voided case is final, a
#: cleared one opens again when new risk is flagged
REVIEW_TRANSITIONS: dict[tuple[ReviewStatus, ReviewStatus], str] = {
    (ReviewStatus.NONE, ReviewStatus.OPEN): "review_opened",
    (ReviewStatus.CLEARED, ReviewStatus.OPEN): "review_opened",
    **{(status, ReviewStatus.SECOND_REVIEW): "review_second" for status in _VERDICT_FROM},
    **{(status, ReviewStatus.CLEARED): "review_cleared" for status in _VERDICT_FROM[:2]},
    (ReviewStatus.SECOND_REVIEW, ReviewStatus.CLEARED): "review_cleared",
    **{(status, ReviewStatus.VOIDED): "review_voided" for status in _VERDICT_FROM},
    (ReviewStatus.SECOND_REVIEW, ReviewStatus.VOIDED): "review_voided",
}
#: the identity of the candidate within the case's current round (audit ``proctoring.<verb>``)
IDENTITY_TRANSITIONS: dict[tuple[IdentityStatus, IdentityStatus], str] = {
    (IdentityStatus.PENDING, IdentityStatus.PASSED): "identity_passed",
    (IdentityStatus.PENDING, IdentityStatus.ESCALATED): "identity_escalated",
    (IdentityStatus.ESCALATED, IdentityStatus.CLEARED): "identity_cleared",
    **{
        (status, IdentityStatus.PENDING): "identity_new_round"
        for status in (IdentityStatus.PASSED, IdentityStatus.ESCALATED, IdentityStatus.CLEARED)
    },
}
REVIEW_WORKFLOW = workflow.register(
    workflow.Workflow(
        model=ProctorCase,
        field="review_status",
        states=ReviewStatus,
        transitions=REVIEW_TRANSITIONS,
        object_type="proctor_case",
        audit_prefix="proctoring",
    )
)
IDENTITY_WORKFLOW = workflow.register(
    workflow.Workflow(
        model=ProctorCase,
        field="identity_status",
        states=IdentityStatus,
        transitions=IDENTITY_TRANSITIONS,
        object_type="proctor_case",
        audit_prefix="proctoring",
    )
)


@REVIEW_WORKFLOW.on(ReviewStatus.OPEN)
def _on_open(session: Session, move: workflow.Move) -> None:
    case = move.obj
    case.verdict_at = None
    if case.flagged_at is None:
        case.flagged_at = move.at


def weights() -> dict[str, float]:
    """The defaults with ``UJISIM_PROCTOR_RISK_WEIGHTS`` (a JSON object) laid over them."""
    configured = current_app.config.get("PROCTOR_RISK_WEIGHTS")
    if isinstance(configured, str):
        configured = json.loads(configured)
    merged = dict(DEFAULT_WEIGHTS)
    for key, value in (configured or {}).items():
        if key in merged:
            merged[key] = float(value)
    return merged


def add(session: Session, case: ProctorCase, observation: Observation) -> None:
    """Add ``observation``'s weight to the case (an atomic update: analysis jobs and event
    requests run concurrently), warn the candidate and open the review when due."""
    if observation.weight:
        session.execute(
            update(ProctorCase)
            .where(ProctorCase.id == case.id)
            .values(risk=ProctorCase.risk + observation.weight)
        )
        session.refresh(case)
    if not observation.flagged:
        return
    case.warning = observation.finding or observation.event_type
    case.warned_at = clock.now()
    if case.risk >= current_app.config["PROCTOR_REVIEW_AT"]:
        open_review(session, case, f"risk {case.risk}")
    session.flush()


def open_review(session: Session, case: ProctorCase, reason: str = "", actor=None) -> None:
    """Put the case in the examiners' queue (again, if it was cleared before)."""
    if case.review_status in (ReviewStatus.NONE, ReviewStatus.CLEARED):
        workflow.advance(session, case, ReviewStatus.OPEN, actor, reason)


def recompute(session: Session, case: ProctorCase) -> float:
    """Weigh every observation of the case again with the current weights (after a change of
    ``UJISIM_PROCTOR_RISK_WEIGHTS``); returns the new risk."""
    table = weights()
    total = 0.0
    for obs in session.scalars(select(Observation).where(Observation.case_id == case.id)):
        key = obs.finding if obs.kind == "snapshot" else obs.event_type
        obs.weight = table.get(key or "", 0.0) if obs.status != "failed" else 0.0
        total += obs.weight
    case.risk = round(total, 3)
    session.flush()
    return case.risk


def mismatch_streak(session: Session, case: ProctorCase) -> int:
    """How many of the newest analysed snapshots since the last passed identity check are
    mismatches, counting back to the first one that is not."""
    since = session.scalar(
        select(IdentityCheck.decided_at)
        .where(IdentityCheck.case_id == case.id, IdentityCheck.decision == "passed")
        .order_by(IdentityCheck.decided_at.desc())
    )
    query = select(Observation.finding).where(
        Observation.case_id == case.id,
        Observation.kind == "snapshot",
        Observation.status == "done",
    )
    if since is not None:
        query = query.where(Observation.at >= since)
    streak = 0
    limit = current_app.config["PROCTOR_PAUSE_AFTER"]
    # newest first; snapshots with the same time (a clock's resolution, two requests at once) in
    # the order they were recorded
    newest = query.order_by(Observation.at.desc(), Observation.id.desc()).limit(limit)
    for finding in session.scalars(newest):
        if finding not in MISMATCH:
            break
        streak += 1
    return streak


def maybe_pause(session: Session, case: ProctorCase) -> bool:
    """Pause the attempt for a new identity check after K consecutive mismatches."""

    limit = current_app.config["PROCTOR_PAUSE_AFTER"]
    if limit <= 0 or mismatch_streak(session, case) < limit:
        return False
    attempt = attempts.lock_attempt(session, case.attempt_id)
    session.refresh(case)
    if attempt.state != AttemptState.STARTED:
        return False
    attempts.advance(
        session,
        attempt,
        AttemptState.PAUSED,
        None,
        f"proctoring: {limit} consecutive face mismatches; a new identity check is required",
    )
    case.round += 1
    if case.identity_status != IdentityStatus.PENDING:
        workflow.advance(session, case, IdentityStatus.PENDING, None, "paused for a re-check")
    case.warning = "paused"
    case.warned_at = clock.now()
    open_review(session, case, "paused for a re-check")
    session.flush()
    return True
