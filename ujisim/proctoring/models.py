"""Proctoring records: consent, the reference face, one case per proctored attempt with its
identity checks, observations (snapshots and browser events) and the examiners' verdicts.

Every face decision keeps the tolerance, distance and detector output it was made with.
"""

from __future__ import annotations

import enum
import json
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ujisim.core.db import Base, new_public_id
from ujisim.proctoring.face_liveness import Challenge


class Consent(Base):
    """The candidate agreed to webcam proctoring under one version of the consent text."""

    __tablename__ = "proctor_consent"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    #: version of the consent text shown (consent.CONSENT_VERSION)
    text_version: Mapped[str] = mapped_column(String(32))
    #: language the text was shown in
    locale: Mapped[str] = mapped_column(String(5))
    given_at: Mapped[datetime]
    ip: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(255))


class ReferenceFace(Base):
    """The photo a candidate's face is compared with, and its encoding (computed once per photo)."""

    __tablename__ = "proctor_reference"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), unique=True)
    #: the photo, re-encoded without metadata (private storage, purpose "proctor_reference")
    file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_file.id", ondelete="SET NULL"))
    #: "registration" (uploaded here) or "licence" (the licence record, renewal)
    source: Mapped[str] = mapped_column(String(16))
    #: sha256 of the stored photo; the encoding is recomputed only when this changes
    photo_sha256: Mapped[str] = mapped_column(String(64))
    #: JSON list of 128 floats
    encoding_json: Mapped[str] = mapped_column(Text)
    #: JSON [top, right, bottom, left] of the face in the photo
    box_json: Mapped[str] = mapped_column(String(64))
    #: the model that made the encoding (faces.ENCODER)
    encoder: Mapped[str] = mapped_column(String(64))
    computed_at: Mapped[datetime]

    @property
    def encoding(self) -> list[float]:
        return json.loads(self.encoding_json)


class IdentityStatus(enum.StrEnum):
    PENDING = "pending"  # no passed check in this round yet
    PASSED = "passed"
    ESCALATED = "escalated"  # the tries of this round are used up: an examiner decides
    CLEARED = "cleared"  # an examiner let the candidate go on


class ReviewStatus(enum.StrEnum):
    NONE = "none"  # nothing for an examiner (yet)
    OPEN = "open"
    SECOND_REVIEW = "second_review"
    CLEARED = "cleared"
    VOIDED = "voided"


class Decision(enum.StrEnum):
    """The decision of one identity check try (proctoring's and renewal's)."""

    PENDING = "pending"
    PASSED = "passed"
    FAILED = "failed"


class ObservationStatus(enum.StrEnum):
    """A snapshot's analysis (pending -> done | failed); a browser event is recorded."""

    RECORDED = "recorded"
    PENDING = "pending"
    DONE = "done"
    FAILED = "failed"


class ProctorCase(Base):
    """Proctoring of one attempt: identity status, risk score and review state."""

    __tablename__ = "proctor_case"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: unguessable id used in URLs
    public_id: Mapped[str] = mapped_column(String(26), unique=True, default=new_public_id)
    attempt_id: Mapped[int] = mapped_column(
        ForeignKey("exam_attempt.id", ondelete="CASCADE"), unique=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime]
    identity_status: Mapped[str] = mapped_column(String(16), default=IdentityStatus.PENDING)
    #: 0 for the check before the start; each pause for a re-check adds one
    round: Mapped[int] = mapped_column(default=0)
    #: sum of the weights of every observation (risk.DEFAULT_WEIGHTS)
    risk: Mapped[float] = mapped_column(default=0.0)
    #: the newest finding the candidate was warned about, and when
    warning: Mapped[str | None] = mapped_column(String(32))
    warned_at: Mapped[datetime | None]
    review_status: Mapped[str] = mapped_column(String(16), default=ReviewStatus.NONE, index=True)
    #: when the case first entered the review queue
    flagged_at: Mapped[datetime | None]
    #: when the final verdict (clear or void) was given; flagged snapshots are kept from here
    verdict_at: Mapped[datetime | None]


class IdentityCheck(Base):
    """One try of the identity and liveness check (a burst of frames against a challenge)."""

    __tablename__ = "proctor_identity_check"
    __table_args__ = (UniqueConstraint("case_id", "round", "try_number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(26), unique=True, default=new_public_id)
    case_id: Mapped[int] = mapped_column(ForeignKey("proctor_case.id", ondelete="CASCADE"))
    round: Mapped[int]
    #: 1, 2, 3 within the round
    try_number: Mapped[int]
    #: JSON of the faces.Challenge drawn by the server (actions and schedule); rows from before
    #: the action challenge hold ["left", "right"] or ["right", "left"]
    challenge_json: Mapped[str] = mapped_column(String(255))
    issued_at: Mapped[datetime]
    decided_at: Mapped[datetime | None]
    #: pending | passed | failed
    decision: Mapped[str] = mapped_column(String(16), default="pending")
    #: "ok" or what failed: timing, duplicate_frames, different_person, missing_action, ...
    reason: Mapped[str | None] = mapped_column(String(32))
    tolerance: Mapped[float]
    min_share: Mapped[float | None]
    matched: Mapped[int | None]
    usable: Mapped[int | None]
    share: Mapped[float | None]
    #: JSON list, per frame: distance to the reference (None without a face)
    distances_json: Mapped[str | None] = mapped_column(Text)
    #: JSON list, per frame: finding, faces, yaw, box and the detector output
    detector_json: Mapped[str | None] = mapped_column(Text)
    #: JSON of faces.LivenessResult (challenge, baseline, yaws, turns, reason)
    liveness_json: Mapped[str | None] = mapped_column(Text)
    #: one frame of the burst kept for the examiner (purpose "proctor_identity")
    file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_file.id", ondelete="SET NULL"))

    @property
    def challenge(self) -> Challenge:
        return Challenge.from_json(self.challenge_json)

    @property
    def distances(self) -> list[float | None]:
        return json.loads(self.distances_json or "[]")

    @property
    def liveness(self) -> dict:
        return json.loads(self.liveness_json or "{}")


class Observation(Base):
    """A snapshot (analysed off the request path) or a browser event during the exam."""

    __tablename__ = "proctor_observation"
    __table_args__ = (Index("ix_proctor_observation_case_at", "case_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(26), unique=True, default=new_public_id)
    case_id: Mapped[int] = mapped_column(ForeignKey("proctor_case.id", ondelete="CASCADE"))
    #: "snapshot" or "event"
    kind: Mapped[str] = mapped_column(String(16))
    #: the event (tab_hidden, window_blur, ...); for a snapshot what triggered it ("interval" or
    #: the event's type)
    event_type: Mapped[str] = mapped_column(String(32))
    #: server time of arrival
    at: Mapped[datetime]
    #: the browser's time, as reported (never trusted, shown beside the server time)
    client_at: Mapped[str | None] = mapped_column(String(40))
    file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_file.id", ondelete="SET NULL"))
    #: snapshots: pending | done | failed; events: recorded
    status: Mapped[str] = mapped_column(String(16), index=True)
    #: faces.Finding of a snapshot
    finding: Mapped[str | None] = mapped_column(String(32))
    distance: Mapped[float | None]
    tolerance: Mapped[float | None]
    #: JSON of the analysis: faces, yaw, box and the detector output
    detector_json: Mapped[str | None] = mapped_column(Text)
    #: counts against the candidate (a finding other than ok, or a suspicious event)
    flagged: Mapped[bool] = mapped_column(default=False)
    #: this observation's share of the risk score
    weight: Mapped[float] = mapped_column(default=0.0)
    analysed_at: Mapped[datetime | None]
    #: set when retention removed the image (the row and its numbers stay)
    file_deleted_at: Mapped[datetime | None]


class Verdict(Base):
    """An examiner's decision on a case (append-only; the newest final one counts)."""

    __tablename__ = "proctor_verdict"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(
        ForeignKey("proctor_case.id", ondelete="CASCADE"), index=True
    )
    examiner_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    #: clear | void | second_review
    verdict: Mapped[str] = mapped_column(String(16))
    #: for void: impersonation | second_person | materials | left_frame | technical
    reason: Mapped[str | None] = mapped_column(String(32))
    note: Mapped[str] = mapped_column(Text, default="")
    at: Mapped[datetime]
