"""The proctoring case of an attempt, the gate before the start, and the identity check: a burst
of frames against the reference face plus a head-turn challenge issued by the server.

Tries are counted per round (round 0 before the start, one more round after each pause). After
``MAX_TRIES`` failed tries in a round the case goes to an examiner instead of looping.

The face work does not depend on the subject: ``analyse_burst`` (frames -> identity and
liveness against any reference encoding), ``burst_reason``, ``burst_evidence`` and ``store_frame``
serve the exam attempt here and the renewal application (``renewal.identity``: the licence photo
as the reference, the result recorded through ``record_identity_result``). Both pages include
``proctoring/_identity_widget.html`` and run ``proctor.js`` against their own URLs.
"""

from __future__ import annotations

import io
import json
import statistics
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from PIL import Image
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ujisim.core import audit, clock, storage
from ujisim.core.errors import ConflictError, NotFoundError, ValidationError
from ujisim.exam import attempts
from ujisim.exam.models import Attempt, AttemptState
from ujisim.proctoring import faces, risk
from ujisim.proctoring.consent import current_consent
from ujisim.proctoring.errors import ProctoringRequired
from ujisim.proctoring.models import IdentityCheck, IdentityStatus, Observation, ProctorCase
from ujisim.proctoring.reference import get_reference
from ujisim.proctoring.risk import open_review

MAX_TRIES = 3
#: frames in one burst, and their limits
BURST_MIN, BURST_MAX = 6, 12
FRAME_MAX_BYTES = 512 * 1024
FRAME_SIDE = 640
#: a challenge must be answered this soon after it was issued
CHALLENGE_TTL = timedelta(minutes=3)
PURPOSE = "proctor_identity"
S = AttemptState


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


def require_gate(session: Session, attempt: Attempt) -> None:
    """The exam's begin guard: refuses to start a proctored exam before the checks pass."""
    from ujisim.accounts.models import User

    if not current_app.config["PROCTOR_REQUIRED"]:
        return
    user = session.get(User, attempt.user_id)
    if not gate(session, user, attempt).ready:
        raise ProctoringRequired(
            _("Complete the consent, photo and identity check steps before you begin.")
        )


def issue_challenge(session: Session, attempt: Attempt, user) -> IdentityCheck:
    """A new try of the identity check with a random head-turn order (or the unanswered one)."""
    if attempt.state not in (S.CREATED, S.PAUSED):
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
        return pending  # a reload of the page: the same challenge, no try lost
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
        challenge_json=json.dumps(list(faces.random_challenge())),
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


def _frame_bytes(frame: bytes) -> bytes:
    if len(frame) > FRAME_MAX_BYTES:
        raise ValidationError(_("A camera frame is too large."), {"frames": "too_large"})
    return frame


def liveness_of(results, challenge) -> faces.LivenessResult:
    """The head-turn challenge over the burst's frames of the reference person only: a turn
    shown by someone else (an accomplice's frames mixed into a burst of the candidate's photo)
    does not count. The baseline is the median yaw of those frames (the candidate faces the
    screen for most of the burst), so neither a camera placed to one side nor a first frame
    caught mid-turn reads as a turn."""
    yaws = [r.yaw for r in results if r.yaw is not None and r.matches]
    baseline = [statistics.median(yaws)] if yaws else []
    return faces.check_liveness([*baseline, *yaws], challenge)


def _frame_record(result: faces.FrameResult) -> dict:
    data = result.to_dict()
    data.pop("tolerance", None)
    return data


@dataclass(frozen=True)
class Burst:
    """A burst analysed against the reference: identity, liveness and the frame kept for review."""

    identity: faces.IdentityResult
    liveness: faces.LivenessResult
    keep: Any
    #: frames (i, j) where j is i's mirror image (a prepared burst), or None
    mirrored: tuple[int, int] | None = None


def analyse_burst(frames: list[bytes], encoding, challenge, tolerance: float) -> Burst:
    """The face work of an identity check, without the database (so that a request does not hold
    a write transaction for the seconds it takes)."""
    if not BURST_MIN <= len(frames) <= BURST_MAX:
        raise ValidationError(
            _("Send between %(a)s and %(b)s camera frames.", a=BURST_MIN, b=BURST_MAX),
            {"frames": "count"},
        )
    images = [faces.load_image(_frame_bytes(f), max_side=FRAME_SIDE) for f in frames]
    identity = faces.check_identity(images, encoding, tolerance=tolerance)
    liveness = liveness_of(identity.frames, challenge)
    keep = next((i for i, r in enumerate(identity.frames) if r.faces), 0)
    return Burst(identity, liveness, images[keep], faces.mirrored_pair(images))


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


def burst_reason(burst: Burst) -> str:
    """ "ok", or what failed first: frames that mirror each other (a prepared burst), the
    identity (face against the reference), then liveness."""
    if burst.mirrored is not None:
        return "mirrored_frames"
    if not burst.identity.passed:
        return burst.identity.reason
    if not burst.liveness.passed:
        return burst.liveness.reason
    return "ok"


def burst_evidence(burst: Burst) -> dict:
    """Everything a decision on ``burst`` used, JSON-ready: match counts, per-frame distances and
    detector output, and the liveness result. Shared by every subject of an identity check."""
    identity, liveness = burst.identity, burst.liveness
    return {
        "min_share": identity.min_share,
        "matched": identity.matched,
        "usable": identity.usable,
        "share": identity.share,
        "distances": [r.distance for r in identity.frames],
        "detector": [_frame_record(r) for r in identity.frames],
        "liveness": {
            "passed": liveness.passed,
            "reason": liveness.reason,
            "challenge": list(liveness.challenge),
            "threshold": liveness.threshold,
            "baseline": liveness.baseline,
            "yaws": list(liveness.yaws),
            "turns": list(liveness.turns),
            "missing": liveness.missing,
            "mirrored": list(burst.mirrored) if burst.mirrored else None,
        },
    }


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


#: reasons of a failed try that are about liveness (a picture or a recording, not a person
#: turning as asked): they weigh more than a face the camera could not match
LIVENESS_REASONS = frozenset(
    {"still", "incomplete", "wrong_order", "too_few_frames", "mirrored_frames"}
)


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
    check.decision, check.reason, check.decided_at = "failed", reason, clock.now()
    session.flush()
    if failed_tries(session, case) >= MAX_TRIES:
        case.identity_status = IdentityStatus.ESCALATED
        open_review(case)
    session.flush()
    _audit(session, check, user)


def _pass(session: Session, case: ProctorCase, check: IdentityCheck, user) -> None:
    check.decision, check.reason, check.decided_at = "passed", "ok", clock.now()
    case.identity_status = IdentityStatus.PASSED
    session.flush()
    _audit(session, check, user)
    resume_if_paused(session, case, user, "identity re-check passed")


def resume_if_paused(session: Session, case: ProctorCase, actor, reason: str) -> None:
    """paused -> started (the paused time is given back by attempts.advance)."""
    attempt = attempts.lock_attempt(session, case.attempt_id)
    session.refresh(case)
    if attempt.state == S.PAUSED:
        attempts.advance(session, attempt, S.STARTED, actor, reason)
