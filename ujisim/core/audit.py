"""Append-only audit chain.

Each record stores ``hash = sha256(prev_hash + canonical_json(record))`` where the canonical JSON
covers the sequence number, previous hash, time, actor, action, object and data. A one-row head
holds the last sequence number and hash, signed with the deployment's Ed25519 key, so that
deleting the newest records is detected too. ``flask audit verify`` names the first broken link.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import click
from flask import Flask, has_request_context, request
from flask.cli import AppGroup
from sqlalchemy import String, Text, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from ujisim.core import clock
from ujisim.core.db import Base, get_session
from ujisim.core.secrets import signing_key

GENESIS = "0" * 64


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
) -> AuditRecord:
    """Append one record to the chain (in the caller's transaction; the boundary commits)."""
    head = session.scalars(select(AuditHead).where(AuditHead.id == 1).with_for_update()).first()
    prev_seq, prev_hash = (head.seq, head.hash) if head else (0, GENESIS)
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
    signature = key.sign(_head_message(entry.seq, entry.hash)).hex()
    if head is None:
        head = AuditHead(id=1)
        session.add(head)
    head.seq, head.hash, head.key_id, head.signature = entry.seq, entry.hash, key.key_id, signature
    session.add(entry)
    session.flush()
    return entry


@dataclass
class Verification:
    ok: bool
    checked: int
    #: sequence number of the first broken record (or of the head), None when ok
    broken_at: int | None = None
    reason: str = ""


def verify(session: Session, batch: int = 1000) -> Verification:
    """Walk the chain in order and report the first broken link."""
    expected_prev, expected_seq, checked, last_id = GENESIS, 1, 0, 0
    while True:
        rows = session.scalars(
            select(AuditRecord)
            .where(AuditRecord.id > last_id)
            .order_by(AuditRecord.id)
            .limit(batch)
        ).all()
        if not rows:
            break
        for row in rows:
            if row.seq != expected_seq:
                return Verification(False, checked, expected_seq, f"record {expected_seq} missing")
            if row.prev_hash != expected_prev:
                return Verification(False, checked, row.seq, "previous-hash link broken")
            if row.compute_hash() != row.hash:
                return Verification(False, checked, row.seq, "record content changed")
            expected_prev, expected_seq, checked, last_id = (
                row.hash,
                row.seq + 1,
                checked + 1,
                row.id,
            )
    head = session.get(AuditHead, 1)
    if head is None:
        if checked:
            return Verification(False, checked, checked, "head missing")
        return Verification(True, 0)
    if head.seq != checked or head.hash != expected_prev:
        return Verification(
            False, checked, min(head.seq, checked + 1), "records after the last missing"
        )
    key = signing_key()
    if head.key_id != key.key_id or not key.verify(
        bytes.fromhex(head.signature), _head_message(head.seq, head.hash)
    ):
        return Verification(False, checked, head.seq, "head signature invalid")
    return Verification(True, checked)


audit_cli = AppGroup("audit", help="The append-only audit chain.")


@audit_cli.command("verify")
def verify_command() -> None:
    """Check every link of the chain; exit 1 and name the first broken record if any."""
    result = verify(get_session())
    if result.ok:
        click.echo(f"audit chain OK: {result.checked} records")
        return
    click.echo(f"audit chain BROKEN at record {result.broken_at}: {result.reason}", err=True)
    raise SystemExit(1)


def init_app(app: Flask) -> None:
    app.cli.add_command(audit_cli)
