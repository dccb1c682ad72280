"""Items with immutable versions, review events, and published bank versions (snapshots)."""

from __future__ import annotations

import enum
import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint, false, text, true
from sqlalchemy.orm import Mapped, mapped_column, relationship, synonym

from ujisim.core.db import Base
from ujisim.core.workflow import EventMixin

CLASSES = ("A", "C")


class Category(enum.StrEnum):
    PERSEPSI_BAHAYA = "persepsi_bahaya"
    WAWASAN = "wawasan"
    PENGETAHUAN = "pengetahuan"


TOPICS = (
    "rambu",
    "marka",
    "apill",
    "kecepatan",
    "hak_utama",
    "kelengkapan_keselamatan",
    "perilaku_etika",
    "keadaan_darurat",
    "surat_sanksi",
    "kendaraan",
    "muatan_penumpang",
)


class ItemStatus(enum.StrEnum):
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    ACTIVE = "active"
    RETIRED = "retired"


class VersionState(enum.StrEnum):
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    #: sent back by a reviewer; kept as it was reviewed, the author revises it as a new version
    RETURNED = "returned"
    ACTIVE = "active"  # the version exams may use (at most one per item)
    SUPERSEDED = "superseded"  # was active, replaced by a newer approved version


class Item(Base):
    __tablename__ = "qb_item"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: public code, e.g. "RB-001"
    code: Mapped[str] = mapped_column(String(16), unique=True)
    #: draft -> in_review -> active -> retired; an approved item stays active while a revision
    #: of it is drafted or reviewed (see the versions' states)
    status: Mapped[ItemStatus] = mapped_column(String(16), default=ItemStatus.DRAFT, index=True)
    created_at: Mapped[datetime]
    updated_at: Mapped[datetime]

    versions: Mapped[list[ItemVersion]] = relationship(
        back_populates="item", order_by="ItemVersion.number", cascade="all, delete-orphan"
    )

    @property
    def head(self) -> ItemVersion:
        """The newest version (a draft under work, or the active one)."""
        return self.versions[-1]

    @property
    def active_version(self) -> ItemVersion | None:
        return next((v for v in self.versions if v.state == VersionState.ACTIVE), None)


class ItemKind(enum.StrEnum):
    #: a question with options, one of them the key
    CHOICE = "choice"
    #: a moving hazard-perception clip scored by clicks (media: {clip: ...}, no options)
    CLIP = "clip"


class ItemVersion(Base):
    """One immutable state of an item's content. Editing makes a new version."""

    __tablename__ = "qb_item_version"
    __table_args__ = (
        UniqueConstraint("item_id", "number"),
        # At most one active version per item, enforced by the database.
        Index(
            "uq_qb_item_version_one_active",
            "item_id",
            unique=True,
            sqlite_where=text("state = 'active'"),
            postgresql_where=text("state = 'active'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("qb_item.id", ondelete="CASCADE"), index=True)
    #: 1, 2, 3 ... per item
    number: Mapped[int]
    state: Mapped[VersionState] = mapped_column(String(16), default=VersionState.DRAFT)
    #: a question with options, or a clip (papers and practice pages of questions read only
    #: ``choice`` versions; clip pages only ``clip`` ones)
    kind: Mapped[ItemKind] = mapped_column(
        String(8), default=ItemKind.CHOICE, server_default=ItemKind.CHOICE.value
    )
    #: "A", "C" or "A,C"
    classes: Mapped[str] = mapped_column(String(8))
    category: Mapped[Category] = mapped_column(String(20))
    topic: Mapped[str] = mapped_column(String(32))
    stem: Mapped[str] = mapped_column(Text)
    #: JSON list of {"text": ..., "key": bool}, in authoring order
    options_json: Mapped[str] = mapped_column(Text)
    explanation: Mapped[str] = mapped_column(Text)
    legal_basis: Mapped[str] = mapped_column(String(255))
    #: JSON {"sign": id} or {"scene": {...}}, or None
    media_json: Mapped[str | None] = mapped_column(Text)
    difficulty: Mapped[int]
    #: False: reserved for official exams; no practice page ever shows it
    practice: Mapped[bool] = mapped_column(default=True, server_default=true())
    #: enemy group ("" for none): items that test the same rule; no paper holds two of one group
    enemy_group: Mapped[str] = mapped_column(String(40), default="", server_default="")
    #: shipped with the repository (public): production never publishes or draws it reserved
    demo: Mapped[bool] = mapped_column(default=False, server_default=false())
    #: JSON {"en": {"stem": ..., "options": [texts in authoring order], "explanation": ...}},
    #: or None for a version written before items had their English (translation.py)
    translations_json: Mapped[str | None] = mapped_column(Text)
    #: None for content loaded by `flask bank import`
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]
    #: sha256 of the canonical content (see content.content_hash)
    content_hash: Mapped[str] = mapped_column(String(64))

    item: Mapped[Item] = relationship(back_populates="versions")

    @property
    def options(self) -> list[dict]:
        return json.loads(self.options_json)

    @property
    def media(self) -> dict | None:
        return json.loads(self.media_json) if self.media_json else None

    @property
    def class_list(self) -> list[str]:
        return self.classes.split(",")

    @property
    def key_index(self) -> int:
        return next(i for i, o in enumerate(self.options) if o.get("key"))

    @property
    def translations(self) -> dict[str, dict]:
        return json.loads(self.translations_json) if self.translations_json else {}

    def text(self, lang: str) -> ItemText:
        """The stem, options (authoring order, with their keys) and explanation in ``lang``
        ("id" or "en"); the Indonesian when the version has no English (or English with another
        number of options), which ``ItemText.lang`` then says."""
        english = self.translations.get("en") if lang == "en" else None
        options = self.options
        if english is None or len(english["options"]) != len(options):
            return ItemText("id", self.stem, options, self.explanation)
        texts = english["options"]
        shown = [{**o, "text": t} for o, t in zip(options, texts, strict=True)]
        return ItemText("en", english["stem"], shown, english["explanation"])


@dataclass(frozen=True)
class ItemText:
    """An item version's words in one language, as pages and the exam API show them."""

    #: the language the words are in ("id" or "en")
    lang: str
    stem: str
    #: {"text": ..., "key": bool} in authoring order, as ``ItemVersion.options``
    options: list[dict]
    explanation: str

    def shown(self, order) -> list[dict]:
        """The options in a paper's shown ``order`` (indices in authoring order)."""
        return [self.options[i] for i in order]


class ReviewEvent(EventMixin, Base):
    """An authoring step: submitted, approved, returned (with a comment), superseded (a version),
    retired (the item). ``from_state`` and ``to_state`` are the version's (the item's for a
    retirement); rows older than them have none."""

    __tablename__ = "qb_review_event"
    #: the reason is the ``comment`` column (a reviewer's comment)
    state_length, to_nullable, owner_key, reason_column = 16, True, "version_id", "comment"

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("qb_item.id", ondelete="CASCADE"), index=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("qb_item_version.id", ondelete="CASCADE"))
    action: Mapped[str] = mapped_column(String(16))
    comment = synonym("reason")


class BankVersion(Base):
    """A published, immutable snapshot of the active item versions."""

    __tablename__ = "qb_bank_version"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: 1, 2, 3 ...
    number: Mapped[int] = mapped_column(unique=True)
    #: sha256 over the sorted content hashes of its item versions
    content_hash: Mapped[str] = mapped_column(String(64))
    item_count: Mapped[int]
    created_at: Mapped[datetime]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    note: Mapped[str] = mapped_column(String(255), default="")

    entries: Mapped[list[BankVersionItem]] = relationship(
        back_populates="bank_version", cascade="all, delete-orphan"
    )


class BankVersionItem(Base):
    __tablename__ = "qb_bank_version_item"

    bank_version_id: Mapped[int] = mapped_column(
        ForeignKey("qb_bank_version.id", ondelete="CASCADE"), primary_key=True
    )
    item_version_id: Mapped[int] = mapped_column(
        ForeignKey("qb_item_version.id", ondelete="RESTRICT"), primary_key=True
    )

    bank_version: Mapped[BankVersion] = relationship(back_populates="entries")
    item_version: Mapped[ItemVersion] = relationship()


class PracticeMode(enum.StrEnum):
    QUICK = "quick"  # one random question at a time, with feedback
    MOCK = "mock"  # a practice paper on the official blueprint


class PracticeAnswer(Base):
    """One answer given in practice mode by a logged-in applicant (history; never updated)."""

    __tablename__ = "qb_practice_answer"
    __table_args__ = (
        # A resubmitted form (reload, back button) must not count the same answer twice.
        UniqueConstraint("user_id", "paper_ref", "item_version_id"),
        Index("ix_qb_practice_answer_user_topic", "user_id", "topic"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    item_version_id: Mapped[int] = mapped_column(
        ForeignKey("qb_item_version.id", ondelete="RESTRICT"), index=True
    )
    #: random id of the quick-practice question or mock paper the answer belongs to
    paper_ref: Mapped[str] = mapped_column(String(26))
    #: "A" or "C": the class the applicant practised for
    vehicle_class: Mapped[str] = mapped_column(String(1))
    #: index of the chosen option in authoring order (not the shuffled order shown)
    chosen_option: Mapped[int]
    correct: Mapped[bool]
    mode: Mapped[PracticeMode] = mapped_column(String(8))
    #: copied from the item version so that statistics need no join
    topic: Mapped[str] = mapped_column(String(32))
    category: Mapped[Category] = mapped_column(String(20))
    answered_at: Mapped[datetime]


class PracticeClip(Base):
    """One clip watched in practice by a logged-in applicant, with the clicks and the score
    (history; never updated)."""

    __tablename__ = "qb_practice_clip"
    __table_args__ = (
        # a resent result (a retried request, a second tab) must not count the viewing twice
        UniqueConstraint("user_id", "viewing"),
        Index("ix_qb_practice_clip_user_topic", "user_id", "topic"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    item_version_id: Mapped[int] = mapped_column(
        ForeignKey("qb_item_version.id", ondelete="RESTRICT"), index=True
    )
    #: random id of the viewing (the signed token the page was given with the clip)
    viewing: Mapped[str] = mapped_column(String(26))
    #: "A" or "C"
    vehicle_class: Mapped[str] = mapped_column(String(1))
    #: JSON list of the clicks (ms of the clip's time)
    clicks_json: Mapped[str] = mapped_column(Text)
    #: points scored (0..5 per window) and the most there were
    score: Mapped[int]
    max_score: Mapped[int]
    #: the pattern rule the clicks broke (scored 0), or None
    pattern: Mapped[str | None] = mapped_column(String(16))
    #: copied from the item version so that statistics need no join
    topic: Mapped[str] = mapped_column(String(32))
    answered_at: Mapped[datetime]
