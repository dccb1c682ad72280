"""The proctoring case of an attempt, the gate before the start, and the identity check: a burst
of frames against the reference face plus an action challenge issued by the server.

A burst is bound to its challenge: the check's id is single-use, and its frames must follow the
challenge's schedule and show one live person who matches the reference (``bursts.py`` does that
face work, without the database). A challenge is answered within CHALLENGE_TTL of its issue.

Tries are counted per round (round 0 before the start, one more round after each pause). After
``MAX_TRIES`` failed tries in a round the case goes to an examiner instead of looping.

``store_frame`` and the burst's analysis serve the exam attempt here and the renewal application
(``renewal.identity``: the licence photo as the reference, the result recorded through
``record_identity_result``). Both pages include ``proctoring/_identity_widget.html`` and run
``proctor.js`` against their own URLs.
"""

from __future__ import annotations

import io
import json
from dataclasses import dataclass
from datetime import timedelta

from flask import current_app
from flask_babel import gettext as _
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ujisim.core import audit, clock, storage, workflow
from ujisim.core.errors import ConflictError, NotFoundError
from ujisim.exam import attempts
from ujisim.exam.models import Attempt, AttemptState
from ujisim.proctoring import faces, risk
from ujisim.proctoring.bursts import (
    BURST_MAX,
    FRAME_INTERVAL_MS,
    Burst,
    burst_evidence,
    burst_reason,
)
from ujisim.proctoring.consent import current_consent
from ujisim.proctoring.errors import ProctoringRequired
from ujisim.proctoring.models import (
    Decision,
    IdentityCheck,
    IdentityStatus,
    Observation,
    ProctorCase,
)
from ujisim.proctoring.reference import get_reference
from ujisim.proctoring.risk import open_review

MAX_TRIES = 3
#: a challenge must be answered this soon after it was issued
CHALLENGE_TTL = timedelta(minutes=3)
PURPOSE = "proctor_identity"
#: a try is decided once; the decision's record is ``proctoring.identity_check`` with what it was
#: made with (``_audit``), so the move writes none of its own
DECISION_WORKFLOW = workflow.register(
    workflow.Workflow(
        model=IdentityCheck,
        field="decision",
        states=Decision,
        transitions={
            (Decision.PENDING, Decision.PASSED): "passed",
            (Decision.PENDING, Decision.FAILED): "failed",
        },
        object_type="proctor_identity_check",
    )
)


def get_case(session: Session, attempt: Attempt) -> ProctorCase | None:
    return session.scalars(select(ProctorCase).where(ProctorCase.attempt_id == attempt.id)).first()


def ensure_case(session: Session, attempt: Attempt) -> ProctorCase:
    """The attempt's case, created on first use."""
    case = get_case(session, attempt)
    if case is None:
        case = ProctorCase(attempt_id=attempt.id, user_id=attempt.user_id, created_at=clock.now())
        session.add(case)
        session.flush()
    return case


@dataclass(frozen=True)
class Gate:
    """What stands between a candidate and the start of a proctored exam."""

    required: bool
    consent: bool
    reference: bool
    identity: str
    tries_left: int

    @property
    def ready(self) -> bool:
        return not self.required or (
            self.consent
            and self.reference
            and self.identity in (IdentityStatus.PASSED, IdentityStatus.CLEARED)
        )


def failed_tries(session: Session, case: ProctorCase) -> int:
    return session.scalar(
        select(func.count()).where(
            IdentityCheck.case_id == case.id,
            IdentityCheck.round == case.round,
            IdentityCheck.decision == "failed",
        )
    )


def gate(session: Session, user, attempt: Attempt) -> Gate:
    case = get_case(session, attempt)
    return Gate(
        required=bool(current_app.config["PROCTOR_REQUIRED"]),
        consent=current_consent(session, user) is not None,
        reference=get_reference(session, user) is not None,
        identity=case.identity_status if case else IdentityStatus.PENDING,
        tries_left=MAX_TRIES - (failed_tries(session, case) if case else 0),
    )


def issue_challenge(session: Session, attempt: Attempt, user) -> IdentityCheck:
    """A new try of the identity check with a random head-turn order (or the unanswered one)."""
    if attempt.state not in (AttemptState.CREATED, AttemptState.PAUSED):
        raise ConflictError(_("An identity check is not needed now."), code="not_needed")
    if current_consent(session, user) is None:
        raise ProctoringRequired(_("Give your consent to webcam proctoring first."))
    if get_reference(session, user) is None:
        raise ProctoringRequired(_("Upload your photo first."))
    case = ensure_case(session, attempt)
    if case.identity_status == IdentityStatus.ESCALATED:
        raise ConflictError(
            _("After %(n)s failed tries an examiner reviews your identity check.", n=MAX_TRIES),
            code="escalated",
        )
    if case.identity_status in (IdentityStatus.PASSED, IdentityStatus.CLEARED):
        raise ConflictError(_("Your identity check has already passed."), code="passed")
    pending = session.scalars(
        select(IdentityCheck).where(
            IdentityCheck.case_id == case.id,
            IdentityCheck.round == case.round,
            IdentityCheck.decision == "pending",
        )
    ).first()
    if pending is not None and clock.now() - pending.issued_at < CHALLENGE_TTL:
        return rearm(pending)  # a reload of the page: the same try, no try lost
    if pending is not None:
        _fail(session, case, pending, "expired", user)
        if case.identity_status == IdentityStatus.ESCALATED:
            raise ConflictError(
                _("After %(n)s failed tries an examiner reviews your identity check.", n=MAX_TRIES),
                code="escalated",
            )
    tries = session.scalar(
        select(func.count()).where(
            IdentityCheck.case_id == case.id, IdentityCheck.round == case.round
        )
    )
    check = IdentityCheck(
        case_id=case.id,
        round=case.round,
        try_number=tries + 1,
        challenge_json=faces.random_challenge().to_json(),
        issued_at=clock.now(),
        tolerance=float(current_app.config["PROCTOR_TOLERANCE"]),
    )
    session.add(check)
    session.flush()
    return check


def get_check(session: Session, public_id: str) -> IdentityCheck:
    check = session.scalars(
        select(IdentityCheck).where(IdentityCheck.public_id == public_id)
    ).first()
    if check is None:
        raise NotFoundError(_("This identity check does not exist."))
    return check


def rearm(check):
    """An unanswered try asked for again (a reload, a lost upload): the same try with a new
    challenge and a new start, so that the time between seeing a challenge and answering it is
    always the schedule's (a challenge cannot be studied, then asked for again to restart its
    clock)."""
    check.challenge_json = faces.random_challenge().to_json()
    check.issued_at = clock.now()
    return check


def challenge_payload(check) -> dict:
    """What the page needs to run ``check``'s challenge: its id, the actions and the schedule."""
    challenge = check.challenge
    return {
        "check": check.public_id,
        "actions": list(challenge.actions),
        "looks": list(challenge.looks),
        "action_ms": challenge.action_ms,
        "nonce": challenge.nonce,
        "interval_ms": FRAME_INTERVAL_MS,
        "frames": BURST_MAX,
    }


def require_nonce(check, nonce: str | None) -> None:
    """Refuse (409, nothing decided) a burst made for an earlier challenge of this try: the try
    was asked for again since (another tab, a reload), which drew a new challenge."""
    if not nonce or nonce != check.challenge.nonce:
        raise ConflictError(
            _("This check was started again in another window. Start it again here."),
            code="restarted",
        )


def elapsed_ms(check) -> int:
    """Milliseconds since ``check``'s challenge was issued."""
    return int((clock.now() - check.issued_at).total_seconds() * 1000)


def expired(check: IdentityCheck) -> bool:
    return clock.now() - check.issued_at >= CHALLENGE_TTL


def check_pending(session: Session, check: IdentityCheck, user) -> bool:
    """Refuse a decided check; an expired one fails (returns False)."""
    if check.decision != "pending":
        raise ConflictError(_("This identity check has already been decided."), code="decided")
    if expired(check):
        _fail(session, session.get(ProctorCase, check.case_id), check, "expired", user)
        return False
    return True


def decide(session: Session, check: IdentityCheck, burst: Burst | None, user) -> IdentityCheck:
    """Record the decision of ``check`` with everything it used (tolerance, distances, detector
    output, liveness). Passed: the case may start (or the paused attempt resumes). Failed:
    another try, or after MAX_TRIES the examiners' queue."""
    case = session.get(ProctorCase, check.case_id)
    if not check_pending(session, check, user) or burst is None:
        return check
    evidence = burst_evidence(burst)
    check.min_share = evidence["min_share"]
    check.matched, check.usable, check.share = (
        evidence["matched"],
        evidence["usable"],
        evidence["share"],
    )
    check.distances_json = json.dumps(evidence["distances"])
    check.detector_json = json.dumps(evidence["detector"])
    check.liveness_json = json.dumps(evidence["liveness"])
    check.file_id = store_frame(session, burst.keep, user).id
    reason = burst_reason(burst)
    if reason == "ok":
        _pass(session, case, check, user)
    else:
        _fail(session, case, check, reason, user)
        _weigh_failure(session, case, check, reason)
    return check


#: why a try can fail, in the order the page lists its advice
FAILURE_REASONS = (
    "no_face",
    "several_faces",
    "different_person",
    "still",
    "missing_action",
    "unrequested_action",
    "not_frontal",
    "action_timing",
    "too_few_frames",
    "timing",
    "duplicate_frames",
    "mirrored_frames",
    "discontinuous",
    "expired",
)
#: reasons of a failed try that are about liveness (a picture or a recording, not a person
#: doing as asked): they weigh more than a face the camera could not match
LIVENESS_REASONS = frozenset(FAILURE_REASONS) - {
    "no_face",
    "several_faces",
    "different_person",
    "expired",
}


def _weigh_failure(session: Session, case: ProctorCase, check: IdentityCheck, reason: str):
    """A failed try counts toward the case's risk (a photo held up twice and then the real
    face passing used to leave the risk at 0): an event ``failed_liveness`` or
    ``failed_identity`` on the timeline with its weight (risk weights, configurable)."""
    kind = "failed_liveness" if reason in LIVENESS_REASONS else "failed_identity"
    observation = Observation(
        case_id=case.id,
        kind="event",
        event_type=kind,
        at=clock.now(),
        status="done",
        detector_json=json.dumps({"reason": reason, "check": check.public_id}),
        weight=risk.weights().get(kind, 0.0),
        flagged=True,
    )
    session.add(observation)
    session.flush()
    risk.add(session, case, observation)


def store_frame(session: Session, image, user) -> storage.StoredFile:
    """One frame of a burst as a JPEG kept for the examiner or officer (purpose PURPOSE)."""
    out = io.BytesIO()
    Image.fromarray(image).save(out, format="JPEG", quality=80)
    return storage.store(
        session, out.getvalue(), content_type="image/jpeg", purpose=PURPOSE, owner=user
    )


def _audit(session: Session, check: IdentityCheck, user) -> None:
    attempt = session.get(Attempt, session.get(ProctorCase, check.case_id).attempt_id)
    audit.record(
        session,
        "proctoring.identity_check",
        actor=user,
        object_type="attempt",
        object_id=attempt.public_id,
        data={
            "check": check.public_id,
            "round": check.round,
            "try": check.try_number,
            "decision": check.decision,
            "reason": check.reason,
            "tolerance": check.tolerance,
        },
    )


def _fail(session: Session, case: ProctorCase, check: IdentityCheck, reason: str, user) -> None:
    check.reason, check.decided_at = reason, clock.now()
    workflow.advance(session, check, Decision.FAILED, user, reason)
    if failed_tries(session, case) >= MAX_TRIES:
        if case.identity_status != IdentityStatus.ESCALATED:
            reason = f"{MAX_TRIES} failed tries"
            workflow.advance(session, case, IdentityStatus.ESCALATED, user, reason)
        open_review(session, case, "identity check escalated", user)
    session.flush()
    _audit(session, check, user)


def _pass(session: Session, case: ProctorCase, check: IdentityCheck, user) -> None:
    check.reason, check.decided_at = "ok", clock.now()
    workflow.advance(session, check, Decision.PASSED, user, "ok")
    if case.identity_status != IdentityStatus.PASSED:
        workflow.advance(session, case, IdentityStatus.PASSED, user, "identity check passed")
    _audit(session, check, user)
    resume_if_paused(session, case, user, "identity re-check passed")


def resume_if_paused(session: Session, case: ProctorCase, actor, reason: str) -> None:
    """paused -> started (the paused time is given back by attempts.advance)."""
    attempt = attempts.lock_attempt(session, case.attempt_id)
    session.refresh(case)
    if attempt.state == AttemptState.PAUSED:
        attempts.advance(session, attempt, AttemptState.STARTED, actor, reason)
