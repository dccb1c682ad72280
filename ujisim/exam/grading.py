"""How an attempt ends and is scored: submitting, the sweeper that closes overdue attempts,
grading and regrading (a new ``Grade`` each time, the old ones kept) and voiding; a pass makes
or revokes its ``PassRecord`` (``signals.passed`` tells certificates to print).
"""

from __future__ import annotations

import json

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ujisim.core import audit, clock
from ujisim.core.errors import IllegalTransition, ValidationError
from ujisim.exam import attempts, clips, signals
from ujisim.exam.analysis import stats_changed
from ujisim.exam.errors import AttemptClosed, StaleForm
from ujisim.exam.models import Attempt, AttemptState, Grade, PassRecord
from ujisim.question_bank.models import ItemVersion, VersionState


def submit(session: Session, attempt: Attempt, actor=None) -> Attempt:
    """Close and grade. A second, concurrent submit finds it graded and changes nothing."""
    attempt = attempts.lock_attempt(session, attempt.id)
    if attempt.state in (AttemptState.GRADED, AttemptState.VOIDED):
        return attempt
    if attempt.state == AttemptState.STARTED and attempts.past_grace(attempt):
        attempts.advance(session, attempt, AttemptState.TIMED_OUT, actor)
    elif attempt.state == AttemptState.STARTED:
        attempts.advance(session, attempt, AttemptState.SUBMITTED, actor)
    elif attempt.state == AttemptState.PAUSED:  # the page keeps its unsent answers and waits
        raise AttemptClosed(_("The exam is paused. Complete the identity check to continue."),
                            code="paused")  # fmt: skip
    elif attempt.state not in (AttemptState.SUBMITTED, AttemptState.TIMED_OUT):
        raise AttemptClosed(_("This exam cannot be submitted now."))
    grade(session, attempt, actor=actor, reason="initial")
    attempts.advance(session, attempt, AttemptState.GRADED, actor)
    return attempt


def _key_version(session: Session, version: ItemVersion, use_current: bool) -> ItemVersion:
    """The version whose key counts: the paper's own, or (regrade) the item's active version."""
    if not use_current:
        return version
    active = session.scalars(
        select(ItemVersion).where(
            ItemVersion.item_id == version.item_id, ItemVersion.state == VersionState.ACTIVE
        )
    ).first()
    return active or version


def grade(session: Session, attempt: Attempt, *, actor=None, reason: str) -> Grade:
    """Score the current answers; a regrade uses each item's active (corrected) key."""
    regrade = reason != "initial"
    answers = attempts.current_answers(session, attempt)
    versions = attempts.paper_versions(session, attempt)
    by_category: dict[str, list[int]] = {}
    keys_used, score = [], 0
    for position, (entry, version) in enumerate(zip(attempt.paper, versions, strict=True)):
        key_version = _key_version(session, version, regrade)
        keys_used.append(key_version.id)
        tally = by_category.setdefault(version.category, [0, 0])
        tally[1] += 1
        choice = answers.get(position)
        if choice is None:
            continue
        chosen = version.options[entry["o"][choice]]["text"]
        if any(o["text"] == chosen and o.get("key") for o in key_version.options):
            tally[0] += 1
            score += 1
    number = 1 + (session.scalar(select(func.count()).where(Grade.attempt_id == attempt.id)) or 0)
    passed = score >= attempt.blueprint.pass_mark
    clip_points = clip_max = None
    if attempt.clips:  # the clip part passes on its own rule too
        part = clips.grade_clips(session, attempt)
        clip_points, clip_max = part.points, part.maximum
        passed = passed and clip_points >= attempt.blueprint.clip_pass_points(clip_max)
    row = Grade(
        attempt_id=attempt.id,
        number=number,
        score=score,
        total=len(versions),
        passed=passed,
        by_category_json=json.dumps(by_category, sort_keys=True),
        key_versions_json=json.dumps(keys_used),
        clip_points=clip_points,
        clip_max=clip_max,
        reason=reason,
        actor_id=getattr(actor, "id", None),
        at=clock.now(),
    )
    session.add(row)
    attempt.score, attempt.passed = score, passed
    _update_pass_record(session, attempt, row)
    session.flush()
    stats_changed(session)  # item analysis folds this grade in after the commit
    if regrade:
        audit.record(session, "exam.regraded", actor=actor, object_type="attempt",
                     object_id=attempt.public_id, data={"score": score, "passed": passed,
                                                        "reason": reason})  # fmt: skip
    return row


def _update_pass_record(session: Session, attempt: Attempt, row: Grade) -> None:
    record = session.scalars(select(PassRecord).where(PassRecord.attempt_id == attempt.id)).first()
    if row.passed and record is None:
        record = PassRecord(
            attempt_id=attempt.id,
            user_id=attempt.user_id,
            vehicle_class=attempt.vehicle_class,
            score=row.score,
            total=row.total,
            passed_at=row.at,
        )  # fmt: skip
        session.add(record)
        signals.passed.send(attempt, session=session, record=record)  # certificates: print job
    elif row.passed and record is not None:
        record.score, record.revoked_at = row.score, None
    elif record is not None and record.revoked_at is None:
        record.revoked_at = row.at


def latest_grade_number(session: Session, attempt: Attempt) -> int:
    """The number of the attempt's newest grade (0: not graded yet)."""
    value = session.scalar(select(func.max(Grade.number)).where(Grade.attempt_id == attempt.id))
    return value or 0


def regrade(
    session: Session, attempt: Attempt, *, actor, reason: str, expected: int | None = None
) -> Grade:
    """Grade a graded attempt again with the items' current keys; the old grade stays.

    ``expected`` is the newest grade number the examiner saw: a repeat of the same form (a
    double click, a second examiner) finds a newer grade and changes nothing."""
    if not reason.strip():
        raise ValidationError(_("Give a reason for the regrade."), {"reason": "required"})
    attempt = attempts.lock_attempt(session, attempt.id)
    if attempt.state != AttemptState.GRADED:
        raise IllegalTransition(_("Only a graded exam can be regraded."))
    if expected is not None and latest_grade_number(session, attempt) != expected:
        raise StaleForm(
            _(
                "This exam was regraded in the meantime (perhaps by a second click). "
                "Nothing was changed: check the grades below before regrading again."
            )
        )
    return grade(session, attempt, actor=actor, reason=reason.strip())


def void(session: Session, attempt: Attempt, *, actor, reason: str) -> None:
    """An examiner voids an attempt (any state); its pass, if any, is revoked."""
    if not reason.strip():
        raise ValidationError(_("Give the reason for voiding this exam."), {"reason": "required"})
    attempt = attempts.lock_attempt(session, attempt.id)
    attempts.advance(session, attempt, AttemptState.VOIDED, actor, reason.strip())
    record = session.scalars(select(PassRecord).where(PassRecord.attempt_id == attempt.id)).first()
    if record is not None and record.revoked_at is None:
        record.revoked_at = clock.now()


def sweep(session: Session) -> int:
    """Close every started attempt whose deadline (plus grace) has passed; grade it."""
    overdue = session.scalars(
        select(Attempt.id).where(
            Attempt.state == AttemptState.STARTED, Attempt.deadline_at < clock.now()
        )
    ).all()
    closed = 0
    for attempt_id in overdue:
        attempt = attempts.lock_attempt(session, attempt_id)
        if attempt.state == AttemptState.STARTED and attempts.past_grace(attempt):
            attempts.advance(session, attempt, AttemptState.TIMED_OUT)
            grade(session, attempt, reason="initial")
            attempts.advance(session, attempt, AttemptState.GRADED)
            closed += 1
    return closed
