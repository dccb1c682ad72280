"""Item analysis results: per item version and scope, per form, and which grades are counted.

The rows keep the additive sums next to the statistics, so that a newly graded attempt is
folded in without reading the older attempts again (see exam/stats.py).
"""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ujisim.core.db import Base


class ItemStat(Base):
    """Classical statistics of one item version, over all classes ("all") or one class."""

    __tablename__ = "exam_item_stat"
    __table_args__ = (UniqueConstraint("item_version_id", "scope"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: copied from the version, for listing and joining without the version table
    item_id: Mapped[int] = mapped_column(ForeignKey("qb_item.id", ondelete="CASCADE"), index=True)
    #: statistics belong to one version: an edited item is a different item psychometrically
    item_version_id: Mapped[int] = mapped_column(
        ForeignKey("qb_item_version.id", ondelete="CASCADE")
    )
    #: "all", "A" or "C"
    scope: Mapped[str] = mapped_column(String(8))
    #: candidates the version was presented to in graded attempts
    n: Mapped[int] = mapped_column(default=0)
    #: sufficient sums (x = item score, y = rest score)
    sum_x: Mapped[int] = mapped_column(BigInteger, default=0)
    sum_y: Mapped[int] = mapped_column(BigInteger, default=0)
    sum_xy: Mapped[int] = mapped_column(BigInteger, default=0)
    sum_yy: Mapped[int] = mapped_column(BigInteger, default=0)
    #: JSON list: how often each option (authoring order) was the final answer
    choices_json: Mapped[str] = mapped_column(Text, default="[]")
    omitted: Mapped[int] = mapped_column(default=0)
    facility: Mapped[float | None]
    discrimination: Mapped[float | None]
    efficiency: Mapped[float | None]
    #: papers the item has been drawn into (all versions; exam_item_exposure at compute time)
    exposure: Mapped[int] = mapped_column(default=0)
    #: JSON list of flag codes (exam/stats.py flags())
    flags_json: Mapped[str] = mapped_column(Text, default="[]")
    computed_at: Mapped[datetime]

    @property
    def choices(self) -> list[int]:
        return json.loads(self.choices_json)

    @property
    def flags(self) -> list[str]:
        return json.loads(self.flags_json)


class FormStat(Base):
    """Statistics of the papers of one blueprint (class and version)."""

    __tablename__ = "exam_form_stat"

    id: Mapped[int] = mapped_column(primary_key=True)
    blueprint_id: Mapped[int] = mapped_column(
        ForeignKey("exam_blueprint.id", ondelete="CASCADE"), unique=True
    )
    vehicle_class: Mapped[str] = mapped_column(String(2))
    #: questions per paper
    k: Mapped[int]
    n: Mapped[int] = mapped_column(default=0)
    sum_t: Mapped[int] = mapped_column(BigInteger, default=0)
    sum_tt: Mapped[int] = mapped_column(BigInteger, default=0)
    #: JSON object: item version id -> [papers of this form that held it, correct answers];
    #: per item, not per position, because every paper is drawn and shuffled (exam/stats.py)
    item_sums_json: Mapped[str] = mapped_column(Text, default="{}")
    #: JSON list: candidates per total score 0..k
    histogram_json: Mapped[str] = mapped_column(Text, default="[]")
    mean: Mapped[float | None]
    sd: Mapped[float | None]
    alpha: Mapped[float | None]
    sem: Mapped[float | None]
    computed_at: Mapped[datetime]

    @property
    def histogram(self) -> list[int]:
        return json.loads(self.histogram_json)

    @property
    def item_sums(self) -> dict[int, tuple[int, int]]:
        return {int(k): (n, x) for k, (n, x) in json.loads(self.item_sums_json).items()}


class StatsInclusion(Base):
    """An attempt whose grade is counted in the statistics (which grade: a regrade or a void
    afterwards makes the next run recompute from scratch)."""

    __tablename__ = "exam_stats_inclusion"

    attempt_id: Mapped[int] = mapped_column(
        ForeignKey("exam_attempt.id", ondelete="CASCADE"), primary_key=True
    )
    grade_number: Mapped[int]
