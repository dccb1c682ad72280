"""What happens during a proctored exam: snapshots (stored privately, analysed by a job off the
request path) and browser events (tab hidden, window blur, ...).

A snapshot's analysis job can be lost (the in-process worker's queue dies with its process) or
fail (the analysis raised). ``requeue_stale`` is the safety net, run every minute: a snapshot still
pending ``STALE_AFTER`` after it arrived (or after its last re-queue) is queued again, at most
``MAX_REQUEUES`` times; then it ends as a failed analysis with the error recorded, so it neither
loops nor keeps the examiners' queue age growing."""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta

import numpy as np
from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ujisim.accounts.models import User
from ujisim.core import clock, images, jobs, storage, workflow
from ujisim.core.errors import ConflictError, ValidationError
from ujisim.exam.models import Attempt, AttemptState
from ujisim.proctoring import faces, risk
from ujisim.proctoring.errors import FaceError
from ujisim.proctoring.models import IdentityCheck, Observation, ObservationStatus, ProctorCase
from ujisim.proctoring.reference import get_reference

EVENT_TYPES = (
    "tab_hidden",
    "window_blur",
    "fullscreen_exit",
    "copy",
    "paste",
    "camera_ended",
    "reload",
)
TRIGGERS = ("interval", *EVENT_TYPES)
SNAPSHOT_MAX_BYTES = images.PROFILES["snapshot"].max_bytes
PURPOSE = "proctor_snapshot"
#: a snapshot's analysis (a job's bookkeeping: the snapshot row keeps what it found, so the move
#: writes no audit record); a browser event is recorded and stays so
WORKFLOW = workflow.register(
    workflow.Workflow(
        model=Observation,
        field="status",
        states=ObservationStatus,
        transitions={
            (ObservationStatus.PENDING, ObservationStatus.DONE): "analysed",
            (ObservationStatus.PENDING, ObservationStatus.FAILED): "analysis_failed",
        },
        object_type="proctor_observation",
    )
)
#: a pending snapshot is queued again this long after it arrived or was last queued again
STALE_AFTER = timedelta(minutes=2)
#: re-queues before the analysis is recorded as failed
MAX_REQUEUES = 3
#: snapshots looked at per run of the safety net
REQUEUE_BATCH = 50
#: a face whose 68 landmarks moved less than this (mean, in pixels) since the previous snapshot,
#: with a distance to the reference within FROZEN_DISTANCE of it, is a frozen picture: a live
#: camera's noise and a sitting person's small movements move them more between snapshots
FROZEN_PX = 0.5
FROZEN_DISTANCE = 0.002
log = logging.getLogger(__name__)


def _check_open(session: Session, case: ProctorCase) -> Attempt:
    attempt = session.get(Attempt, case.attempt_id)
    if attempt.state not in (AttemptState.STARTED, AttemptState.PAUSED):
        raise ConflictError(_("This exam is not in progress."), code="not_in_progress")
    return attempt


def _client_at(value) -> str | None:
    return value[:40] if isinstance(value, str) and value else None


def record_event(session: Session, case: ProctorCase, event_type: str, client_at=None):
    """Record a browser event with its risk weight; suspicious ones warn the candidate."""
    if event_type not in EVENT_TYPES:
        raise ValidationError(_("Unknown event type."), {"type": "choice"})
    _check_open(session, case)
    weight = risk.weights().get(event_type, 0.0)
    observation = Observation(
        case_id=case.id,
        kind="event",
        event_type=event_type,
        at=clock.now(),
        client_at=_client_at(client_at),
        status=ObservationStatus.RECORDED,
        flagged=weight > 0,
        weight=weight,
    )
    session.add(observation)
    session.flush()
    risk.add(session, case, observation)
    return observation


def record_snapshot(
    session: Session, case: ProctorCase, data: bytes, *, trigger: str, owner, client_at=None
) -> Observation:
    """Store a camera snapshot privately and queue its analysis (after the commit)."""
    if trigger not in TRIGGERS:
        raise ValidationError(_("Unknown snapshot trigger."), {"trigger": "choice"})
    # the site's image intake: a complete JPEG, re-encoded (no metadata, no smuggled bytes)
    clean = images.clean_image(data, "snapshot", field="frame")
    _check_open(session, case)
    stored = storage.store(
        session, clean.data, content_type="image/jpeg", purpose=PURPOSE, owner=owner
    )
    observation = Observation(
        case_id=case.id,
        kind="snapshot",
        event_type=trigger,
        at=clock.now(),
        client_at=_client_at(client_at),
        file_id=stored.id,
        status=ObservationStatus.PENDING,
    )
    session.add(observation)
    session.flush()
    jobs.defer(session, "proctoring.analyse", observation_id=observation.id)
    return observation


def analysis_inputs(session: Session, observation_id: int) -> tuple[bytes, list[float]] | None:
    """(image bytes, reference encoding) of a pending snapshot; None when there is nothing to do
    or it cannot be analysed (recorded by :func:`record_analysis` with ``result=None``)."""
    observation = session.get(Observation, observation_id)
    if observation is None or observation.status != "pending":
        return None

    case = session.get(ProctorCase, observation.case_id)
    reference = get_reference(session, session.get(User, case.user_id))
    stored = session.get(storage.StoredFile, observation.file_id) if observation.file_id else None
    if reference is None or stored is None:
        return b"", []
    return storage.read(stored), reference.encoding


def run_analysis(data: bytes, encoding: list[float], tolerance: float):
    """The face analysis of one snapshot (no database): a FrameResult, or the error code."""
    if not data or not encoding:
        return "no_reference_or_image"
    try:
        return faces.analyse_frame(
            faces.load_image(data, max_side=640), encoding, tolerance=tolerance
        )
    except FaceError as exc:
        return exc.code


def _landmarks(detail: dict) -> np.ndarray | None:
    points = (detail.get("detector") or {}).get("landmarks")
    if not points:
        return None
    return np.array([p for name in sorted(points) for p in points[name]], dtype=float)


def is_frozen(session: Session, observation: Observation, result: faces.FrameResult) -> bool:
    """Whether ``result`` repeats the case's previous analysed snapshot with a face: the same
    landmarks (to FROZEN_PX) and the same distance (to FROZEN_DISTANCE). A still picture fed to
    the camera (a photo on a virtual camera, a frozen stream) matches the candidate every time
    and would otherwise look like a candidate sitting well."""
    previous = session.scalars(
        select(Observation)
        .where(
            Observation.case_id == observation.case_id,
            Observation.kind == "snapshot",
            Observation.status == "done",
            Observation.distance.is_not(None),
            Observation.id != observation.id,
            Observation.at <= observation.at,
        )
        .order_by(Observation.at.desc(), Observation.id.desc())
        .limit(1)
    ).first()
    if previous is None or result.distance is None:
        return False
    before = _landmarks(json.loads(previous.detector_json or "{}"))
    now = _landmarks(result.to_dict())
    if before is None or now is None or before.shape != now.shape:
        return False
    moved = float(np.linalg.norm(now - before, axis=1).mean())
    return moved < FROZEN_PX and abs(result.distance - previous.distance) < FROZEN_DISTANCE


def record_analysis(session: Session, observation_id: int, result, tolerance: float):
    """Store a snapshot's finding with distance, tolerance and detector output, add its weight
    to the risk and pause the attempt when due. A repeat (job delivered twice) changes nothing."""
    observation = session.get(Observation, observation_id)
    if observation is None or observation.status != "pending":
        return observation
    observation.tolerance = tolerance
    observation.analysed_at = clock.now()
    if not isinstance(result, faces.FrameResult):
        observation.detector_json = json.dumps({"error": str(result)})
        workflow.advance(session, observation, ObservationStatus.FAILED, reason="analysis error")
        return observation
    observation.finding = str(result.finding)
    if result.finding == faces.Finding.OK and is_frozen(session, observation, result):
        observation.finding = "frozen"
    observation.distance = result.distance
    detail = result.to_dict()
    detail.pop("tolerance", None)
    observation.detector_json = json.dumps(detail)
    observation.weight = risk.weights().get(observation.finding, 0.0)
    observation.flagged = observation.finding != faces.Finding.OK
    workflow.advance(session, observation, ObservationStatus.DONE)
    case = session.get(ProctorCase, observation.case_id)
    risk.add(session, case, observation)
    risk.maybe_pause(session, case)
    return observation


def analyse(session: Session, observation_id: int, *, read_session: Session | None = None):
    """Analyse one pending snapshot: read with ``read_session`` (closed after reading, so no
    lock is held while the face library works), then record with ``session``."""
    inputs = analysis_inputs(read_session or session, observation_id)
    if read_session is not None:
        read_session.close()  # before the write session begins (a savepoint in tests)
    if inputs is None:
        return session.get(Observation, observation_id)
    tolerance = float(current_app.config["PROCTOR_TOLERANCE"])
    return record_analysis(session, observation_id, run_analysis(*inputs, tolerance), tolerance)


def _pending_detail(observation: Observation) -> dict:
    """What the safety net noted on a pending snapshot (re-queues, the last error); the analysis
    replaces it with its own output."""
    try:
        detail = json.loads(observation.detector_json or "{}")
    except ValueError:
        detail = {}
    return detail if isinstance(detail, dict) else {}


def note_failure(session: Session, observation_id: int, error: BaseException) -> None:
    """Keep the error of an analysis that raised on its still pending snapshot (for the
    examiner, and for the final record if the re-queues do not help)."""
    observation = session.get(Observation, observation_id)
    if observation is None or observation.status != "pending":
        return
    detail = _pending_detail(observation)
    detail["last_error"] = f"{type(error).__name__}: {error}"[:300]
    observation.detector_json = json.dumps(detail)
    session.flush()


def requeue_stale(session: Session, *, limit: int = REQUEUE_BATCH) -> dict[str, int]:
    """Queue again the analysis of snapshots left pending (a lost or failed job), oldest first,
    at most ``limit`` per run; a snapshot re-queued ``MAX_REQUEUES`` times without a result is
    recorded as a failed analysis. Idempotent: a snapshot re-queued less than ``STALE_AFTER`` ago
    is left to its job. The jobs are dispatched when the caller commits."""
    now = clock.now()
    cutoff = now - STALE_AFTER
    rows = session.scalars(
        select(Observation)
        .where(
            Observation.kind == "snapshot",
            Observation.status == "pending",
            Observation.at <= cutoff,
        )
        .order_by(Observation.at, Observation.id)
        .limit(limit)
        .with_for_update(skip_locked=True)  # another process's run takes other rows
    ).all()
    counts = {"requeued": 0, "failed": 0}
    for observation in rows:
        detail = _pending_detail(observation)
        last = detail.get("requeued_at")
        if last and _aware(datetime.fromisoformat(last)) > cutoff:
            continue  # its job may still be waiting in a queue
        if detail.get("requeued", 0) >= MAX_REQUEUES:
            workflow.advance(session, observation, ObservationStatus.FAILED, reason="requeued")
            observation.analysed_at = now
            observation.tolerance = float(current_app.config["PROCTOR_TOLERANCE"])
            observation.detector_json = json.dumps({"error": "analysis_failed", **detail})
            counts["failed"] += 1
            continue
        detail.update(requeued=detail.get("requeued", 0) + 1, requeued_at=now.isoformat())
        observation.detector_json = json.dumps(detail)
        jobs.defer(session, "proctoring.analyse", observation_id=observation.id)
        counts["requeued"] += 1
    session.flush()
    if any(counts.values()):
        log.warning("proctoring: stale snapshot analyses %s", counts)
    return counts


#: snapshot intervals without a snapshot after which a running exam's camera counts as stopped
SILENT_INTERVALS = 3


def flag_silent_cameras(session: Session) -> int:
    """Flag running proctored exams whose snapshots stopped: nothing for ``SILENT_INTERVALS``
    snapshot intervals since the last snapshot, the start or the last passed identity check
    (a paused exam sends none and is left alone). One ``snapshots_stopped`` event per silence,
    weighed into the risk: a candidate who blocks the uploads (or whose page was left) is not
    watched. Returns the number of exams flagged."""
    now = clock.now()
    silent_after = timedelta(
        seconds=SILENT_INTERVALS * current_app.config["PROCTOR_SNAPSHOT_INTERVAL_S"]
    )

    def latest(*where):
        return (
            select(func.max(Observation.at))
            .where(Observation.case_id == ProctorCase.id, *where)
            .scalar_subquery()
        )

    passed = (
        select(func.max(IdentityCheck.decided_at))
        .where(IdentityCheck.case_id == ProctorCase.id, IdentityCheck.decision == "passed")
        .scalar_subquery()
    )
    rows = session.execute(
        select(
            ProctorCase,
            Attempt.started_at,
            latest(Observation.kind == "snapshot"),
            passed,
            latest(Observation.event_type == "snapshots_stopped"),
        )
        .join(Attempt, Attempt.id == ProctorCase.attempt_id)
        .where(Attempt.state == AttemptState.STARTED)
    ).all()
    flagged = 0
    for case, *active, last_flag in rows:
        last = max(_aware(at) for at in active if at is not None)
        if now - last < silent_after or (last_flag is not None and _aware(last_flag) > last):
            continue
        observation = Observation(
            case_id=case.id, kind="event", event_type="snapshots_stopped", at=now,
            status=ObservationStatus.DONE,
            detector_json=json.dumps({"last_seen": last.isoformat()}),
            weight=risk.weights().get("snapshots_stopped", 0.0), flagged=True,
        )  # fmt: skip
        session.add(observation)
        session.flush()
        risk.add(session, case, observation)
        flagged += 1
    if flagged:
        log.warning("proctoring: %s exams stopped sending snapshots", flagged)
    return flagged


def queue_stats(session: Session) -> tuple[int, float | None]:
    """(snapshots waiting for analysis, age in seconds of the oldest) for the examiners."""
    count, oldest = session.execute(
        select(func.count(), func.min(Observation.at)).where(Observation.status == "pending")
    ).one()
    if not count or oldest is None:
        return 0, None
    return count, max(0.0, (clock.now() - _aware(oldest)).total_seconds())


def _aware(value):
    from datetime import UTC

    return value if value.tzinfo else value.replace(tzinfo=UTC)


def timeline(session: Session, case: ProctorCase) -> list[Observation]:
    return list(
        session.scalars(
            select(Observation)
            .where(Observation.case_id == case.id)
            .order_by(Observation.at, Observation.id)
        )
    )
