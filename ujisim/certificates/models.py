"""The print queue: a job per printed document, and the print-shop stations that pull them."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ujisim.core.db import Base, new_public_id


class JobState(enum.StrEnum):
    READY = "ready"
    CLAIMED = "claimed"
    PRINTED = "printed"
    FAILED = "failed"


class JobKind(enum.StrEnum):
    #: the theory-exam pass certificate (A4), rendered from the pass record
    CERTIFICATE = "certificate"
    #: the licence card (ID-1), rendered from the card data stored with the job
    CARD = "card"


class PrintStation(Base):
    """A print shop's machine that pulls jobs over the API with its own bearer token."""

    __tablename__ = "print_station"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: unguessable id used in URLs and in the audit chain
    public_id: Mapped[str] = mapped_column(String(26), unique=True, default=new_public_id)
    name: Mapped[str] = mapped_column(String(120))
    #: sha256 (hex) of the token; the token itself is shown once and never stored
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: the token's first characters, so an admin can tell tokens apart
    token_hint: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime]
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    #: set when an admin revokes the token; the station is refused from then on
    revoked_at: Mapped[datetime | None]
    #: last authenticated request (updated at most once a minute)
    last_used_at: Mapped[datetime | None]

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class PrintJob(Base):
    """One document to print. ready -> claimed (a lease) -> printed | failed -> ready (reprint).

    The lease is held by a station (API) or by a print-shop user (web page), never both."""

    __tablename__ = "print_job"
    __table_args__ = (
        Index("ix_print_job_state_id", "state", "id"),
        CheckConstraint("kind in ('certificate', 'card')", name="kind"),
        CheckConstraint(
            "(kind = 'certificate') = (pass_record_id is not null)", name="certificate_pass"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: unguessable id used in URLs and by the print-shop API
    public_id: Mapped[str] = mapped_column(String(26), unique=True, default=new_public_id)
    kind: Mapped[JobKind] = mapped_column(String(16))
    state: Mapped[JobState] = mapped_column(String(16), default=JobState.READY)
    #: one job per document: "certificate:<pass id>" or "card:<licence number>.<issue date>"
    document_key: Mapped[str] = mapped_column(String(100), unique=True)
    #: what the printout shows in lists (holder's name, class)
    title: Mapped[str] = mapped_column(String(200))
    #: certificate jobs: the pass they certify
    pass_record_id: Mapped[int | None] = mapped_column(
        ForeignKey("exam_pass.id", ondelete="CASCADE"), unique=True
    )
    #: card jobs: the card's fields as JSON (images are stored files, below)
    card_json: Mapped[str | None] = mapped_column(Text)
    photo_file_id: Mapped[int | None] = mapped_column(
        ForeignKey("stored_file.id", ondelete="SET NULL")
    )
    signature_file_id: Mapped[int | None] = mapped_column(
        ForeignKey("stored_file.id", ondelete="SET NULL")
    )
    #: the lease holder (or who printed / failed it): a station ...
    station_id: Mapped[int | None] = mapped_column(
        ForeignKey("print_station.id", ondelete="SET NULL"), index=True
    )
    #: ... or a print-shop user working on the web page
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    created_at: Mapped[datetime]
    claimed_at: Mapped[datetime | None]
    lease_expires_at: Mapped[datetime | None]
    printed_at: Mapped[datetime | None]
    failed_at: Mapped[datetime | None]
    fail_reason: Mapped[str | None] = mapped_column(Text)
    #: how many times the job was claimed (a reprint or an expired lease claims it again)
    claims: Mapped[int] = mapped_column(default=0)
    #: the client's key of the claim that took it (a repeated claim with that key takes nothing
    #: more: a double click or a retry after a lost response)
    claim_key: Mapped[str | None] = mapped_column(String(64), index=True)
    #: how many times it was marked printed (1 unless reprinted)
    prints: Mapped[int] = mapped_column(default=0)


class VerificationCode(Base):
    """The short code printed beside a document's QR (``codes.py``): typed at ``/verify``, it
    stands for the exact token that QR carries, so it gives the same verdict."""

    __tablename__ = "verification_code"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: 10 characters of Crockford's base32 (no I, L, O, U), upper case, stored without its dash
    code: Mapped[str] = mapped_column(String(10), unique=True)
    #: the signed token of the document's QR (``signing.sign``)
    token: Mapped[str] = mapped_column(String(400), unique=True)
    #: what the token names: "certificate" or "card", and the document's id
    doc_type: Mapped[str] = mapped_column(String(16))
    document_id: Mapped[str] = mapped_column(String(64), index=True)
    created_at: Mapped[datetime]
