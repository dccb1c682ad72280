"""Exam blueprints, holidays, attempts with their paper, the answer step log, grades and passes."""

from __future__ import annotations

import enum
import json
from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ujisim.core.db import Base, new_public_id
from ujisim.core.workflow import EventMixin

DEFAULT_COUNTS = {"persepsi_bahaya": 12, "wawasan": 9, "pengetahuan": 9}


class ExamBlueprint(Base):
    """What an official paper of one class looks like. Edits make a new version."""

    __tablename__ = "exam_blueprint"
    __table_args__ = (UniqueConstraint("vehicle_class", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: "A" or "C"
    vehicle_class: Mapped[str] = mapped_column(String(2))
    #: 1, 2, 3 ... per class; the newest is in force
    version: Mapped[int]
    #: JSON {"persepsi_bahaya": 12, "wawasan": 9, "pengetahuan": 9}
    counts_json: Mapped[str] = mapped_column(Text, default=lambda: json.dumps(DEFAULT_COUNTS))
    time_limit_s: Mapped[int] = mapped_column(default=30 * 60)
    #: correct answers needed to pass (21 of 30 = score 70)
    pass_mark: Mapped[int] = mapped_column(default=21)
    #: AVIS-style limit per question, or None
    item_time_limit_s: Mapped[int | None]
    #: retests allowed after a fail ...
    retake_max: Mapped[int] = mapped_column(default=2)
    #: ... within this many working days, counted from the day after the fail
    retake_window_days: Mapped[int] = mapped_column(default=14)
    same_day_retest: Mapped[bool] = mapped_column(default=True)
    min_age: Mapped[int] = mapped_column(default=17)
    #: seconds after the deadline in which a save still counts (network latency)
    grace_s: Mapped[int] = mapped_column(default=10)
    #: hazard-perception clips before the questions (the persepsi bahaya part's moving cases)
    clip_count: Mapped[int] = mapped_column(default=0, server_default="0")
    #: the clip part passes with at least this share of its points (DVSA: 44 of 75 = 59 %)
    clip_pass_percent: Mapped[int] = mapped_column(default=59, server_default="59")
    created_at: Mapped[datetime]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))

    @property
    def counts(self) -> dict[str, int]:
        return json.loads(self.counts_json)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def clip_pass_points(self, maximum: int) -> int:
        """Points the clip part needs to pass, of ``maximum`` (rounded up)."""
        return -(-maximum * self.clip_pass_percent // 100)


class Holiday(Base):
    """A public holiday: not a working day for the retake window."""

    __tablename__ = "exam_holiday"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(unique=True)
    name: Mapped[str] = mapped_column(String(120))


class AttemptState(enum.StrEnum):
    CREATED = "created"
    STARTED = "started"
    PAUSED = "paused"
    SUBMITTED = "submitted"
    TIMED_OUT = "timed_out"
    GRADED = "graded"
    VOIDED = "voided"


class Attempt(Base):
    __tablename__ = "exam_attempt"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: unguessable id used in URLs
    public_id: Mapped[str] = mapped_column(String(26), unique=True, default=new_public_id)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    vehicle_class: Mapped[str] = mapped_column(String(2))
    #: the Satpas office the exam is registered with (core.offices); None before it was asked
    satpas: Mapped[str | None] = mapped_column(String(120))
    blueprint_id: Mapped[int] = mapped_column(ForeignKey("exam_blueprint.id"))
    bank_version_id: Mapped[int] = mapped_column(ForeignKey("qb_bank_version.id"))
    #: seed of the draw and the option shuffles
    seed: Mapped[str] = mapped_column(String(32))
    #: the language the candidate chose at the start for the questions ("id" or "en"); the
    #: paper stays in it whatever language the pages are switched to later
    language: Mapped[str] = mapped_column(String(2), default="id", server_default="id")
    #: JSON list, one per position: {"v": item version id, "o": option order}
    paper_json: Mapped[str] = mapped_column(Text)
    #: JSON list of the hazard-perception clips watched before the questions, in order:
    #: {"v": item version id}; None or [] for a paper without clips
    clips_json: Mapped[str | None] = mapped_column(Text)
    state: Mapped[AttemptState] = mapped_column(
        String(16), default=AttemptState.CREATED, index=True
    )
    created_at: Mapped[datetime]
    started_at: Mapped[datetime | None]
    deadline_at: Mapped[datetime | None] = mapped_column(index=True)
    paused_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    #: correct answers of the current grade (None until graded)
    score: Mapped[int | None]
    passed: Mapped[bool | None]
    void_reason: Mapped[str | None] = mapped_column(Text)

    #: loaded with the attempt: every save reads its deadline grace and limits
    blueprint: Mapped[ExamBlueprint] = relationship(lazy="joined")

    @property
    def paper(self) -> list[dict]:
        return json.loads(self.paper_json)

    @property
    def clips(self) -> list[dict]:
        return json.loads(self.clips_json) if self.clips_json else []

    @property
    def open(self) -> bool:
        return self.state in (AttemptState.CREATED, AttemptState.STARTED, AttemptState.PAUSED)


class AnswerStep(Base):
    """One answer change. The current answer of a position is its step with the highest seq."""

    __tablename__ = "exam_answer_step"
    __table_args__ = (
        UniqueConstraint("attempt_id", "client_seq"),
        # the newest step of a position, for saves and for deriving the current answers
        Index("ix_exam_answer_step_position", "attempt_id", "position", "client_seq"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("exam_attempt.id", ondelete="CASCADE"))
    #: 0-based position in the attempt's paper
    position: Mapped[int]
    #: index into the options as shown (the shuffled order), or None to clear
    choice: Mapped[int | None]
    #: the browser's counter, increasing per attempt; a repeat or an older one changes nothing
    client_seq: Mapped[int]
    server_at: Mapped[datetime]
    #: the browser that sent it (a random id kept in its storage, shared by its tabs)
    device: Mapped[str | None] = mapped_column(String(32))
    #: when it was clicked: server time less the age the browser measured on its own clock
    clicked_at: Mapped[datetime | None]


class ClipResponse(Base):
    """One clip of an attempt's clip part: when it was started (and restarted: a reload during a
    clip restarts it once, a second restart scores it 0), and the clicks sent when it ended."""

    __tablename__ = "exam_clip_response"
    __table_args__ = (UniqueConstraint("attempt_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("exam_attempt.id", ondelete="CASCADE"))
    #: 0-based place in the attempt's clips
    number: Mapped[int]
    #: when it was (last) started, by the server's clock: clicks later than the clip could
    #: have played since are refused
    started_at: Mapped[datetime]
    restarts: Mapped[int] = mapped_column(default=0)
    #: the page's id of the press of Start that began it (a retried request is no restart)
    start_key: Mapped[str | None] = mapped_column(String(32))
    #: JSON list of the clicks (ms of the clip's time); None until the clip ended
    clicks_json: Mapped[str | None] = mapped_column(Text)
    finished_at: Mapped[datetime | None]
    #: why it scores 0 whatever the clicks ("restarted": started a third time), or None
    zeroed: Mapped[str | None] = mapped_column(String(16))

    @property
    def clicks(self) -> list[int]:
        return json.loads(self.clicks_json) if self.clicks_json else []


class PositionOpen(Base):
    """When a question was first shown (AVIS-style per-question limits count from here)."""

    __tablename__ = "exam_position_open"
    __table_args__ = (UniqueConstraint("attempt_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("exam_attempt.id", ondelete="CASCADE"))
    position: Mapped[int]
    opened_at: Mapped[datetime]


class AttemptEvent(EventMixin, Base):
    """A state change of an attempt (the transition log; also in the audit chain)."""

    __tablename__ = "exam_attempt_event"
    state_length, from_nullable, owner_key = 16, False, "attempt_id"

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(
        ForeignKey("exam_attempt.id", ondelete="CASCADE"), index=True
    )


class Grade(Base):
    """A grading of an attempt; regrades add rows, the newest is the attempt's result."""

    __tablename__ = "exam_grade"
    __table_args__ = (UniqueConstraint("attempt_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(
        ForeignKey("exam_attempt.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int]
    score: Mapped[int]
    total: Mapped[int]
    passed: Mapped[bool]
    #: JSON {category: [correct, total]}
    by_category_json: Mapped[str] = mapped_column(Text)
    #: JSON list of the item version ids whose keys were used, per position
    key_versions_json: Mapped[str] = mapped_column(Text)
    #: the clip part: points scored and the most there were (None: a paper without clips)
    clip_points: Mapped[int | None]
    clip_max: Mapped[int | None]
    reason: Mapped[str] = mapped_column(String(255))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    at: Mapped[datetime]

    @property
    def by_category(self) -> dict[str, list[int]]:
        return json.loads(self.by_category_json)


class ItemExposure(Base):
    """How many papers an item has been drawn into (the draw prefers the least exposed)."""

    __tablename__ = "exam_item_exposure"

    item_id: Mapped[int] = mapped_column(
        ForeignKey("qb_item.id", ondelete="CASCADE"), primary_key=True
    )
    count: Mapped[int] = mapped_column(default=0)


class PassRecord(Base):
    """A passed theory exam, for the certificate and the licence issue."""

    __tablename__ = "exam_pass"

    id: Mapped[int] = mapped_column(primary_key=True)
    public_id: Mapped[str] = mapped_column(String(26), unique=True, default=new_public_id)
    attempt_id: Mapped[int] = mapped_column(
        ForeignKey("exam_attempt.id", ondelete="CASCADE"), unique=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    vehicle_class: Mapped[str] = mapped_column(String(2))
    score: Mapped[int]
    total: Mapped[int]
    passed_at: Mapped[datetime]
    #: set when the attempt is voided (the certificate then verifies as revoked)
    revoked_at: Mapped[datetime | None]
