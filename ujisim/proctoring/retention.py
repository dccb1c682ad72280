"""Retention of proctoring images (UU 27/2022: keep biometric data no longer than needed).

- snapshots and identity-check frames that raised nothing: deleted ``PROCTOR_RETENTION_DAYS``
  after they were taken;
- flagged ones (and frames of failed checks): the same number of days after the case was
  decided. A case is decided by the examiner's final verdict (clear or void) or, when it never
  went to an examiner (review status "none": the risk stayed below ``PROCTOR_REVIEW_AT``, or a
  failed identity try was followed by a passed one), by the end of its attempt (graded or
  voided, at the attempt's finish time). A case waiting for a verdict keeps them;
- the rows stay (time, distance, tolerance, finding) with the image's deletion time.
Reference photos and encodings live as long as the account: ``accounts.services.delete_account``
removes every file the account owns, and the database cascades take the encoding and the rows.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from flask import current_app
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from ujisim.core import audit, clock, storage
from ujisim.exam.models import Attempt, AttemptState
from ujisim.proctoring.models import IdentityCheck, Observation, ProctorCase, ReviewStatus

log = logging.getLogger(__name__)


def _drop(session: Session, row, now) -> bool:
    stored = session.get(storage.StoredFile, row.file_id) if row.file_id else None
    row.file_id = None
    if isinstance(row, Observation):
        row.file_deleted_at = now
    if stored is not None:
        storage.delete(session, stored)
        return True
    return False


def decided_before(cutoff):
    """SQL condition on ProctorCase (joined with its Attempt): the case was decided before
    ``cutoff``, by a final verdict or, with no review at all, by the end of the attempt."""
    by_verdict = ProctorCase.verdict_at.is_not(None) & (ProctorCase.verdict_at < cutoff)
    unreviewed = (
        (ProctorCase.review_status == str(ReviewStatus.NONE))
        & Attempt.state.in_([str(AttemptState.GRADED), str(AttemptState.VOIDED)])
        & Attempt.finished_at.is_not(None)
        & (Attempt.finished_at < cutoff)
    )
    return or_(by_verdict, unreviewed)


def purge(session: Session, *, days: int | None = None) -> dict[str, int]:
    """Delete the images past their retention; returns counts by kind (logged and audited)."""
    days = current_app.config["PROCTOR_RETENTION_DAYS"] if days is None else days
    now = clock.now()
    cutoff = now - timedelta(days=days)
    decided = decided_before(cutoff)
    counts = {"snapshots": 0, "flagged_snapshots": 0, "identity_frames": 0}
    unflagged = select(Observation).where(
        Observation.file_id.is_not(None), Observation.flagged.is_(False), Observation.at < cutoff
    )
    flagged = (
        select(Observation)
        .join(ProctorCase, ProctorCase.id == Observation.case_id)
        .join(Attempt, Attempt.id == ProctorCase.attempt_id)
        .where(Observation.file_id.is_not(None), Observation.flagged.is_(True), decided)
    )
    frames = (
        select(IdentityCheck)
        .join(ProctorCase, ProctorCase.id == IdentityCheck.case_id)
        .join(Attempt, Attempt.id == ProctorCase.attempt_id)
        .where(
            IdentityCheck.file_id.is_not(None),
            or_(
                (IdentityCheck.decision == "passed") & (IdentityCheck.issued_at < cutoff),
                (IdentityCheck.decision != "passed") & decided,
            ),
        )
    )
    for key, query in (
        ("snapshots", unflagged),
        ("flagged_snapshots", flagged),
        ("identity_frames", frames),
    ):
        for row in session.scalars(query).all():
            counts[key] += _drop(session, row, now)
    session.flush()
    log.info("proctoring retention (%s days): %s", days, counts)
    if any(counts.values()):
        audit.record(session, "proctoring.retention", data={"days": days, **counts})
    return counts
