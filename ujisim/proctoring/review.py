"""The examiners' review: the queue ordered by risk, and verdicts (append-only rows, audited).

- clear: the case is closed without consequence; an escalated identity check counts as cleared
  (the candidate may start, or the paused attempt resumes);
- void: the attempt is voided through exam.grading.void with the reason;
- second_review: another examiner must give the final verdict.

The verdict form carries the number of verdicts the examiner saw (``expected``). A form sent
again after the case changed (a double click, a second tab, a colleague's verdict in between) is
refused, unless it repeats the newest verdict by the same examiner: that one is already recorded
and nothing is written twice.
"""

from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from ujisim.accounts.models import User
from ujisim.core import audit, clock, workflow
from ujisim.core.errors import ConflictError, ForbiddenError, ValidationError
from ujisim.exam import grading
from ujisim.exam.models import Attempt, AttemptState
from ujisim.proctoring.checks import resume_if_paused
from ujisim.proctoring.models import IdentityStatus, ProctorCase, ReviewStatus, Verdict

VERDICTS = ("clear", "void", "second_review")
VOID_REASONS = ("impersonation", "second_person", "materials", "left_frame", "technical")
QUEUE_STATES = {
    "open": (ReviewStatus.OPEN, ReviewStatus.SECOND_REVIEW),
    "done": (ReviewStatus.CLEARED, ReviewStatus.VOIDED),
    "all": tuple(ReviewStatus),
}


def review_queue(session: Session, which: str = "open", limit: int = 100):
    """(case, attempt, user) rows, highest risk first."""

    states = QUEUE_STATES.get(which, QUEUE_STATES["open"])
    return session.execute(
        select(ProctorCase, Attempt, User)
        .join(Attempt, Attempt.id == ProctorCase.attempt_id)
        .join(User, User.id == ProctorCase.user_id)
        .where(ProctorCase.review_status.in_([str(s) for s in states]))
        .order_by(ProctorCase.risk.desc(), ProctorCase.flagged_at, ProctorCase.id)
        .limit(limit)
    ).all()


def deletion_guard(session: Session, user) -> str | None:
    """Why ``user``'s account cannot be deleted yet: a proctoring review without a verdict
    (its evidence must stay until an examiner decides)."""
    waiting = session.scalars(
        select(ProctorCase.id).where(
            ProctorCase.user_id == user.id,
            ProctorCase.review_status.in_([str(s) for s in QUEUE_STATES["open"]]),
        )
    ).first()
    if waiting is not None:
        return _("A proctoring review of this account has no verdict yet.")
    return None


def get_case_for_attempt(session: Session, public_id: str) -> tuple[ProctorCase, Attempt] | None:
    row = session.execute(
        select(ProctorCase, Attempt)
        .join(Attempt, Attempt.id == ProctorCase.attempt_id)
        .where(Attempt.public_id == public_id)
    ).first()
    return None if row is None else (row[0], row[1])


def verdicts(session: Session, case: ProctorCase) -> list[Verdict]:
    return list(
        session.scalars(select(Verdict).where(Verdict.case_id == case.id).order_by(Verdict.id))
    )


def _lock_case(session: Session, case: ProctorCase) -> ProctorCase:
    """The case reloaded under its row lock (PostgreSQL): verdicts on one case run one at a time."""
    return session.scalars(
        select(ProctorCase)
        .where(ProctorCase.id == case.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()


def record_verdict(
    session: Session,
    case: ProctorCase,
    examiner,
    verdict: str,
    reason: str = "",
    note: str = "",
    *,
    expected: int | None = None,
) -> Verdict:
    """Record an examiner's verdict and apply it to the attempt. ``expected``: the number of
    verdicts the examiner's form was made with (None: not checked); if the case has more now,
    the same verdict again by the same examiner returns the recorded one and changes nothing,
    anything else is refused (ConflictError)."""
    if verdict not in VERDICTS:
        raise ValidationError(_("Choose a verdict."), {"verdict": "choice"})
    reason = (reason or "").strip()
    note = (note or "").strip()[:2000]
    if verdict == "void" and reason not in VOID_REASONS:
        raise ValidationError(_("Choose the reason for voiding."), {"reason": "choice"})
    case = _lock_case(session, case)
    history = verdicts(session, case)
    if expected is not None and expected != len(history):
        last = history[-1] if history else None
        same = (examiner.id, verdict, reason if verdict == "void" else None, note)
        if last is not None and (last.examiner_id, last.verdict, last.reason, last.note) == same:
            return last  # the same form sent twice: already recorded
        raise ConflictError(
            _("This case has changed since you opened it. Check the newest verdict, then decide."),
            code="stale_verdict",
        )
    if case.review_status == ReviewStatus.VOIDED:
        raise ValidationError(_("This exam has already been voided."), {"verdict": "final"})
    if case.review_status == ReviewStatus.SECOND_REVIEW:
        asked_by = next(v.examiner_id for v in reversed(history) if v.verdict == "second_review")
        if examiner.id == asked_by:
            raise ForbiddenError(
                _("A second review must be given by a different examiner."),
                code="second_examiner",
            )
        if verdict == "second_review":
            raise ValidationError(_("A second review is already requested."), {"verdict": "dup"})
    row = Verdict(
        case_id=case.id,
        examiner_id=examiner.id,
        verdict=verdict,
        reason=reason if verdict == "void" else None,
        note=note,
        at=clock.now(),
    )
    session.add(row)
    attempt = session.get(Attempt, case.attempt_id)
    if verdict == "second_review":
        workflow.advance(session, case, ReviewStatus.SECOND_REVIEW, examiner, note)
    elif verdict == "void":
        if attempt.state != AttemptState.VOIDED:
            text = f"proctoring: {reason}" + (f" - {note}" if note else "")
            grading.void(session, attempt, actor=examiner, reason=text)
        case.verdict_at = row.at
        workflow.advance(session, case, ReviewStatus.VOIDED, examiner, reason)
    else:
        case.verdict_at = row.at
        if case.review_status != ReviewStatus.CLEARED:
            workflow.advance(session, case, ReviewStatus.CLEARED, examiner, note)
        if case.identity_status == IdentityStatus.ESCALATED:
            workflow.advance(session, case, IdentityStatus.CLEARED, examiner, "cleared")
        session.flush()  # resume_if_paused reloads the attempt (expire_all) under its row lock
        resume_if_paused(session, case, examiner, "proctoring: cleared by an examiner")
    session.flush()
    audit.record(
        session,
        "proctoring.verdict",
        actor=examiner,
        object_type="attempt",
        object_id=attempt.public_id,
        data={"verdict": verdict, "reason": row.reason, "note": note},
    )
    return row
