"""The identity check's request steps, one for the exam (proctoring/api.py) and the renewal
(renewal/api.py): the camera preview check, a new try, and the burst of frames decided against
the reference face.

What differs between the two is their ``Subject``: where a try lives (a proctoring case of an
exam attempt, a renewal application), whose it is, which face it is compared with and how a
decision is recorded. The steps are the same: nothing is looked at without consent; the burst is
read and analysed without a write transaction (SQLite's one writer is not held while the face
library works) and decided on the request's session, which its unit of work commits
(core/requests.py). The JSON of each API stays its own (their OpenAPI documents).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import abort, request
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from ujisim.core.db import get_db, get_session
from ujisim.core.errors import ConflictError, ValidationError
from ujisim.proctoring import bursts, checks, faces
from ujisim.proctoring.consent import require_consent
from ujisim.proctoring.quality import frame_quality


@dataclass(frozen=True)
class Subject:
    """What identity checks are of, for the shared steps."""

    #: the try by its public id (NotFoundError when unknown)
    get_check: Callable[[Session, str], Any]
    #: (the id of the user whose try it is, the object it belongs to: case or application)
    owner: Callable[[Session, Any], tuple[int, Any]]
    #: the face encoding a try is compared with; raises a UjisimError when there is none
    reference: Callable[[Session, Any, Any, Any], list[float]]
    #: record the decision of a try (``burst`` None: expired) -> what the API reports on
    decide: Callable[[Session, Any, Any, Any], Any]


def read_frame(name: str = "frame", limit: int = bursts.FRAME_MAX_BYTES) -> bytes:
    """One uploaded JPEG of the request (``name``), at most ``limit`` bytes."""
    upload = request.files.get(name)
    data = upload.read(limit + 1) if upload else b""
    if not data:
        raise ValidationError(_("No camera frame was sent."), {name: "required"})
    if len(data) > limit:
        raise ValidationError(_("A camera frame is too large."), {name: "too_large"})
    return data


def preview(session: Session, user) -> dict:
    """The camera check: one preview frame -> the first problem the person can fix, or "ok".
    Without consent (UU 27/2022: biometric data) no frame is looked at."""
    require_consent(session, user)
    session.rollback()  # no transaction open while the face library works
    quality = frame_quality(faces.load_image(read_frame(), max_side=bursts.FRAME_SIDE))
    return {
        "problem": quality.problem,
        "brightness": round(quality.brightness, 1),
        "faces": quality.faces,
        "face_share": quality.face_share,
    }


def challenge_json(check, *, max_tries: int, frames_url: str) -> dict:
    """A new try as both APIs answer it: its id, actions and schedule, and where to send it."""
    return {
        **checks.challenge_payload(check),
        "try": check.try_number,
        "max_tries": max_tries,
        "frames_url": frames_url,
    }


def own_check(session: Session, subject: Subject, check_id: str, user):
    """(the try, its case or application); 404 when it is somebody else's."""
    check = subject.get_check(session, check_id)
    owner_id, parent = subject.owner(session, check)
    if owner_id != user.id:
        abort(404)
    return check, parent


def decide_burst(subject: Subject, check_id: str, user):
    """Analyse the request's burst (multipart ``frames``, ``times``: each frame's ms since the
    first prompt) for the try ``check_id`` and record the decision. Returns (try, what
    ``subject.decide`` returned). An expired try fails unanalysed; a decided one is 409."""
    frames = [f.read(bursts.FRAME_MAX_BYTES + 1) for f in request.files.getlist("frames")]
    times = bursts.parse_times(request.form.get("times"), len(frames))
    reader = get_db().session(write=False)
    try:
        check, parent = own_check(reader, subject, check_id, user)
        require_consent(reader, user)  # withdrawn since the try began: nothing analysed
        if check.decision != "pending":
            raise ConflictError(_("This identity check has already been decided."), code="decided")
        encoding = subject.reference(reader, check, parent, user)
        checks.require_nonce(check, request.form.get("nonce"))
        inputs = (times, encoding, check.challenge, check.tolerance)
        elapsed, expired = checks.elapsed_ms(check), checks.expired(check)
    finally:
        reader.close()
    burst = None if expired else bursts.analyse_burst(frames, *inputs, elapsed)
    session = get_session()
    check, _parent = own_check(session, subject, check_id, user)
    return check, subject.decide(session, check, burst, user)
