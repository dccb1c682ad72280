"""Append-only audit chain.

Each record stores ``hash = sha256(prev_hash + canonical_json(record))`` where the canonical JSON
covers the sequence number, previous hash, time, actor, action, object and data. A one-row head
holds the last sequence number and hash, signed with the deployment's Ed25519 key, so that
deleting the newest records is detected too. ``flask audit verify`` names the first broken link.

Walking the whole chain grows with it, so the audit explorer does not do it on every view. A
full walk (``flask audit verify``, the hourly ``audit.verify`` job, or the explorer's button)
leaves a signed *checkpoint*: up to which record it verified, that record's hash, when, and
what it found. The explorer then verifies only the records after the checkpoint (and the
checkpoint record itself). An edit of an older record is caught by the next full walk, and
the explorer says when that last ran.
"""

from __future__ import annotations

import functools
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import click
from flask import Flask, has_request_context, request
from flask.cli import AppGroup
from sqlalchemy import String, Text, bindparam, insert, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from ujisim.core import clock, jobs
from ujisim.core.db import UPSERT_INSERTS, Base, get_session
from ujisim.core.secrets import signing_key

GENESIS = "0" * 64
#: how often the job runner walks the whole chain (seconds)
FULL_CHECK_PERIOD_S = 3600
FULL_CHECK_JOB = "audit.verify"


class AuditRecord(Base):
    __tablename__ = "audit_record"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: 1, 2, 3 ... with no gaps
    seq: Mapped[int] = mapped_column(unique=True)
    #: hash of the record before this one (GENESIS for the first)
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: sha256 over prev_hash and this record's canonical JSON
    hash: Mapped[str] = mapped_column(String(64), unique=True)
    at: Mapped[datetime]
    #: the acting user's id (None for the system or an anonymous visitor); no foreign key, since
    #: history must not change when an account is deleted
    actor_id: Mapped[int | None]
    #: what the actor was called when it happened (e-mail or "system")
    actor_label: Mapped[str] = mapped_column(String(255))
    #: dotted verb, e.g. "accounts.login", "accounts.roles_changed"
    action: Mapped[str] = mapped_column(String(64), index=True)
    object_type: Mapped[str | None] = mapped_column(String(64))
    object_id: Mapped[str | None] = mapped_column(String(64))
    ip: Mapped[str | None] = mapped_column(String(64))
    #: canonical JSON of the details
    data: Mapped[str] = mapped_column(Text, default="{}")

    def canonical(self) -> str:
        return canonical_json(
            {
                "seq": self.seq,
                "prev": self.prev_hash,
                "at": self.at.isoformat(),
                "actor_id": self.actor_id,
                "actor": self.actor_label,
                "action": self.action,
                "object_type": self.object_type,
                "object_id": self.object_id,
                "ip": self.ip,
                "data": json.loads(self.data),
            }
        )

    def compute_hash(self) -> str:
        return hashlib.sha256((self.prev_hash + self.canonical()).encode()).hexdigest()


class AuditHead(Base):
    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(primary_key=True)
    seq: Mapped[int]
    hash: Mapped[str] = mapped_column(String(64))
    key_id: Mapped[str] = mapped_column(String(16))
    #: Ed25519 signature (hex) over "seq:hash"
    signature: Mapped[str] = mapped_column(String(128))


class AuditCheckpoint(Base):
    """The last full walk of the chain (one row): records 1..seq verified, and what it found."""

    __tablename__ = "audit_checkpoint"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: the walk verified records 1..seq (on a broken chain: the records before the break)
    seq: Mapped[int]
    #: hash of record ``seq`` (GENESIS when seq is 0)
    hash: Mapped[str] = mapped_column(String(64))
    #: when the walk started
    checked_at: Mapped[datetime]
    ok: Mapped[bool]
    #: the first broken record the walk found (None when ok)
    broken_at: Mapped[int | None]
    reason: Mapped[str] = mapped_column(String(255), default="")
    key_id: Mapped[str] = mapped_column(String(16))
    #: Ed25519 signature (hex) over all of the above, so that moving the checkpoint forward by
    #: hand (to hide an edit behind it) does not verify
    signature: Mapped[str] = mapped_column(String(128))

    def message(self) -> bytes:
        return canonical_json(
            {
                "seq": self.seq,
                "hash": self.hash,
                "checked_at": self.checked_at.isoformat(),
                "ok": self.ok,
                "broken_at": self.broken_at,
                "reason": self.reason,
            }
        ).encode()


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _head_message(seq: int, digest: str) -> bytes:
    return f"ujisim-audit:{seq}:{digest}".encode()


def record(
    session: Session,
    action: str,
    *,
    actor=None,
    object_type: str | None = None,
    object_id: str | int | None = None,
    data: dict | None = None,
    head: tuple[int | None, str | None] | None = None,
) -> AuditRecord:
    """Append one record to the chain (in the caller's transaction; the boundary commits).
    Returns the record written (not attached to the session).

    Every audited request runs this, so it goes past the ORM: lock and read the head, then move
    the head and insert the record -- in one statement on PostgreSQL (the head's upsert as a CTE
    of the record's insert), two on SQLite. ``head``: the (seq, hash) the caller's own
    statement has already locked and read (locked_head); (None, None) before the first record.
    """
    session.flush()  # what the caller added gets its id first (the actor of a new account)
    connection = session.connection()
    if head is None:
        head = connection.execute(_LOCK_HEAD).first()
    prev_seq, prev_hash = (head[0], head[1]) if head and head[0] is not None else (0, GENESIS)
    entry = AuditRecord(
        seq=prev_seq + 1,
        prev_hash=prev_hash,
        at=clock.now(),
        actor_id=getattr(actor, "id", None),
        actor_label=getattr(actor, "email", None) or "system",
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        ip=request.remote_addr if has_request_context() else None,
        data=canonical_json(data or {}),
    )
    entry.hash = entry.compute_hash()
    key = signing_key()
    moved = {
        "seq": entry.seq,
        "hash": entry.hash,
        "key_id": key.key_id,
        "signature": key.sign(_head_message(entry.seq, entry.hash)).hex(),
    }
    params = {c: getattr(entry, c) for c in _RECORD_COLUMNS} | {
        f"head_{k}": v for k, v in moved.items()
    }
    for statement in _append_statements(connection.dialect.name):
        connection.execute(statement, params)
    return entry


def locked_head():
    """PostgreSQL: the head's seq and hash, locked as record() locks them, as two scalar
    subqueries for a caller's own statement to return (then record(head=...) saves a round
    trip). The lock lasts to the commit, as record's own does."""
    locked = _LOCK_HEAD.cte("audit_head_locked")
    return select(locked.c.seq).scalar_subquery(), select(locked.c.hash).scalar_subquery()


_LOCK_HEAD = select(AuditHead.seq, AuditHead.hash).where(AuditHead.id == 1).with_for_update()
_RECORD_COLUMNS = [c.key for c in AuditRecord.__table__.columns if c.key != "id"]
_HEAD_COLUMNS = ("seq", "hash", "key_id", "signature")


@functools.cache
def _append_statements(dialect: str) -> tuple:
    """The statements that move the head and insert the record, built once (bound parameters:
    the record's columns and head_*), so each call only binds values."""
    moved = {c: bindparam(f"head_{c}") for c in _HEAD_COLUMNS}
    upsert = (
        UPSERT_INSERTS[dialect](AuditHead.__table__)
        .values(id=1, **moved)
        .on_conflict_do_update(index_elements=["id"], set_=moved)
    )
    written = insert(AuditRecord.__table__).values({c: bindparam(c) for c in _RECORD_COLUMNS})
    if dialect == "postgresql":
        return (written.add_cte(upsert.cte("moved_head")),)
    return (upsert, written)


@dataclass
class Verification:
    ok: bool
    #: records 1..checked are verified (by this walk, or before ``since`` by the checkpoint)
    checked: int
    #: sequence number of the first broken record (or of the head), None when ok
    broken_at: int | None = None
    reason: str = ""
    #: the walk started after this record (0: from the first record, a full walk)
    since: int = 0
    #: records read by this walk
    walked: int = 0
    #: hash of record ``checked`` (GENESIS when none)
    last_hash: str = GENESIS


def _walk(session: Session, since: int, prev_hash: str, batch: int) -> Verification:
    """Verify the records after ``since`` (whose hash is ``prev_hash``) up to the signed head."""
    expected_prev, expected_seq, walked = prev_hash, since + 1, 0

    def broken(at: int, reason: str) -> Verification:
        return Verification(False, expected_seq - 1, at, reason, since, walked, expected_prev)

    while True:
        rows = session.scalars(
            select(AuditRecord)
            .where(AuditRecord.seq >= expected_seq)
            .order_by(AuditRecord.seq)
            .limit(batch)
        ).all()
        if not rows:
            break
        for row in rows:
            if row.seq != expected_seq:
                return broken(expected_seq, f"record {expected_seq} missing")
            if row.prev_hash != expected_prev:
                return broken(row.seq, "previous-hash link broken")
            if row.compute_hash() != row.hash:
                return broken(row.seq, "record content changed")
            expected_prev, expected_seq, walked = row.hash, row.seq + 1, walked + 1
    last = expected_seq - 1
    # populate_existing: record() moves the head past the ORM, so a loaded copy may be old
    head = session.get(AuditHead, 1, populate_existing=True)
    if head is None:
        return broken(last, "head missing") if last else Verification(True, 0, since=since)
    if head.seq != last or head.hash != expected_prev:
        return broken(min(head.seq, last + 1), "records after the last missing")
    key = signing_key()
    if head.key_id != key.key_id or not key.verify(
        bytes.fromhex(head.signature), _head_message(head.seq, head.hash)
    ):
        return broken(head.seq, "head signature invalid")
    return Verification(True, last, None, "", since, walked, expected_prev)


def verify(session: Session, batch: int = 1000) -> Verification:
    """Walk the whole chain in order and report the first broken link."""
    return _walk(session, 0, GENESIS, batch)


def get_checkpoint(session: Session) -> AuditCheckpoint | None:
    """The last full walk's checkpoint, or None if there is none or its signature fails."""
    checkpoint = session.get(AuditCheckpoint, 1)
    if checkpoint is None:
        return None
    key = signing_key()
    try:
        signature = bytes.fromhex(checkpoint.signature)
    except ValueError:
        return None
    if checkpoint.key_id != key.key_id or not key.verify(signature, checkpoint.message()):
        return None
    return checkpoint


def verify_since(
    session: Session, checkpoint: AuditCheckpoint | None, batch: int = 1000
) -> Verification:
    """Verify only what the checkpoint does not cover: the checkpoint's own record (still there,
    unchanged), then every record after it up to the signed head. Without a checkpoint (or with
    one whose signature fails) this is the full walk."""
    if checkpoint is None or checkpoint.seq == 0:
        return verify(session, batch)
    anchor = session.scalars(select(AuditRecord).where(AuditRecord.seq == checkpoint.seq)).first()
    if anchor is None:
        return Verification(
            False, checkpoint.seq - 1, checkpoint.seq, f"record {checkpoint.seq} missing"
        )
    if anchor.hash != checkpoint.hash or anchor.compute_hash() != anchor.hash:
        return Verification(False, checkpoint.seq - 1, checkpoint.seq, "record content changed")
    result = _walk(session, checkpoint.seq, checkpoint.hash, batch)
    result.walked += 1  # the anchor
    return result


def page_verification(session: Session) -> tuple[Verification, AuditCheckpoint | None]:
    """What the audit explorer shows: the records after the last full walk verified now, and
    that walk's checkpoint. A failure the full walk found stays shown until the chain is
    repaired; the incremental check alone would miss a break before the checkpoint."""
    checkpoint = get_checkpoint(session)
    result = verify_since(session, checkpoint)
    if result.ok and checkpoint is not None and not checkpoint.ok:
        return (
            Verification(
                False,
                checkpoint.seq,
                checkpoint.broken_at,
                checkpoint.reason,
                result.since,
                result.walked,
                checkpoint.hash,
            ),
            checkpoint,
        )
    return result, checkpoint


def check_chain(session: Session, batch: int = 1000) -> Verification:
    """Walk the whole chain and record the result as the checkpoint (flushes, never commits).

    Several processes may run this at once (each runs the periodic jobs): a walk never
    replaces the record of a walk that started later."""
    started = clock.now()
    result = verify(session, batch)
    row = session.get(AuditCheckpoint, 1, with_for_update=True)
    if row is None:
        row = AuditCheckpoint(id=1)
        session.add(row)
    elif row.checked_at > started:
        return result
    row.seq, row.hash, row.checked_at = result.checked, result.last_hash, started
    row.ok, row.broken_at, row.reason = result.ok, result.broken_at, result.reason[:255]
    key = signing_key()
    row.key_id, row.signature = key.key_id, key.sign(row.message()).hex()
    session.flush()
    return result


@jobs.task(FULL_CHECK_JOB)
def full_check_job() -> bool:
    """Walk the whole chain and leave a checkpoint (hourly, and from the explorer's button)."""
    session = get_session()
    result = check_chain(session)
    session.commit()
    return result.ok


audit_cli = AppGroup("audit", help="The append-only audit chain.")


@audit_cli.command("verify")
def verify_command() -> None:
    """Check every link of the chain; exit 1 and name the first broken record if any.

    Leaves the result as the checkpoint the audit explorer starts from."""
    session = get_session()
    result = check_chain(session)
    session.commit()
    if result.ok:
        click.echo(f"audit chain OK: {result.checked} records")
        return
    click.echo(f"audit chain BROKEN at record {result.broken_at}: {result.reason}", err=True)
    raise SystemExit(1)


def init_app(app: Flask) -> None:
    app.cli.add_command(audit_cli)
    jobs.every(FULL_CHECK_PERIOD_S, FULL_CHECK_JOB)
