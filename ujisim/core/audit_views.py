"""Audit explorer: search the audit chain by actor, object, action and time, see whether the
chain verifies, export what was found as CSV. For examiners and admins.

The page verifies only the records after the last full walk's checkpoint (core/audit.py) and
says when that walk ran; its button starts a full walk in the job runner."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from ujisim.core import audit, duties, jobs
from ujisim.core.db import get_session
from ujisim.core.errors import ValidationError
from ujisim.core.exports import SafeCsvWriter
from ujisim.core.i18n import user_zone
from ujisim.core.security import Role, role_required

# it shows review comments, verdicts and regrades: closed to staff with an exam of their own open
bp = duties.staff_pages(Blueprint("audit_explorer", __name__, url_prefix="/audit"))
PAGE = 50
#: the most rows one CSV export holds (narrow the search for more)
EXPORT_LIMIT = 100_000


@dataclass(frozen=True)
class AuditQuery:
    """Search terms; empty strings and None mean "any"."""

    actor: str = ""
    action: str = ""
    object_type: str = ""
    object_id: str = ""
    start: date | None = None
    end: date | None = None


def search(session: Session, q: AuditQuery, zone: str) -> Select:
    """Records matching ``q``, newest first. ``actor`` matches the label (e-mail) in part or
    the user id exactly; ``action`` matches a prefix ("exam." finds every exam action); dates
    are local days in ``zone``, both inclusive."""
    query = select(audit.AuditRecord)
    if q.actor:
        term = q.actor.lower()
        actor_match = func.lower(audit.AuditRecord.actor_label).contains(term, autoescape=True)
        if q.actor.isdigit():
            actor_match = or_(actor_match, audit.AuditRecord.actor_id == int(q.actor))
        query = query.where(actor_match)
    if q.action:
        query = query.where(audit.AuditRecord.action.startswith(q.action, autoescape=True))
    if q.object_type:
        query = query.where(audit.AuditRecord.object_type == q.object_type)
    if q.object_id:
        query = query.where(audit.AuditRecord.object_id == q.object_id)
    tz = ZoneInfo(zone)
    if q.start:
        low = datetime.combine(q.start, time.min, tzinfo=tz).astimezone(UTC)
        query = query.where(audit.AuditRecord.at >= low)
    if q.end:
        high = datetime.combine(q.end + timedelta(days=1), time.min, tzinfo=tz).astimezone(UTC)
        query = query.where(audit.AuditRecord.at < high)
    return query.order_by(audit.AuditRecord.seq.desc())


def _parse() -> AuditQuery:
    args = request.args

    def day(name: str) -> date | None:
        value = args.get(name, "").strip()
        if not value:
            return None
        try:
            return date.fromisoformat(value)
        except ValueError as exc:
            raise ValidationError(_("Give the dates as YYYY-MM-DD."), {name: "date"}) from exc

    return AuditQuery(
        actor=args.get("actor", "").strip()[:255],
        action=args.get("action", "").strip()[:64],
        object_type=args.get("object_type", "").strip()[:64],
        object_id=args.get("object_id", "").strip()[:64],
        start=day("from"),
        end=day("to"),
    )


def _args(q: AuditQuery) -> dict[str, str]:
    values = {
        "actor": q.actor,
        "action": q.action,
        "object_type": q.object_type,
        "object_id": q.object_id,
        "from": q.start.isoformat() if q.start else "",
        "to": q.end.isoformat() if q.end else "",
    }
    return {k: v for k, v in values.items() if v}


@bp.get("/")
@role_required(Role.EXAMINER, Role.ADMIN)
def index():
    session = get_session()
    q = _parse()
    page = max(1, min(request.args.get("page", 1, type=int) or 1, 100_000))
    rows = session.scalars(
        search(session, q, user_zone()).limit(PAGE + 1).offset((page - 1) * PAGE)
    ).all()
    object_types = session.scalars(
        select(audit.AuditRecord.object_type)
        .where(audit.AuditRecord.object_type.is_not(None))
        .distinct()
        .order_by(audit.AuditRecord.object_type)
    ).all()
    verification, checkpoint = audit.page_verification(session)
    return render_template(
        "audit/explorer.html",
        rows=rows[:PAGE],
        more=len(rows) > PAGE,
        page=page,
        query=q,
        args=_args(q),
        object_types=object_types,
        verification=verification,
        checkpoint=checkpoint,
        full_check_period_h=audit.FULL_CHECK_PERIOD_S // 3600,
    )


@bp.post("/verify")
@role_required(Role.EXAMINER, Role.ADMIN)
def full_check():
    session = get_session()
    jobs.defer(session, audit.FULL_CHECK_JOB)
    flash(_("The whole chain is being verified; reload this page in a moment."), "success")
    return redirect(url_for(".index"), 303)


@bp.get("/export.csv")
@role_required(Role.EXAMINER, Role.ADMIN)
def export():
    session = get_session()
    q = _parse()
    out = io.StringIO()
    writer = SafeCsvWriter(out)
    writer.writerow(
        [
            "seq",
            "at_utc",
            "actor_id",
            "actor",
            "action",
            "object_type",
            "object_id",
            "ip",
            "data",
            "prev_hash",
            "hash",
        ]
    )
    for r in session.scalars(search(session, q, user_zone()).limit(EXPORT_LIMIT)):
        writer.writerow(
            [
                r.seq,
                r.at.astimezone(UTC).isoformat(timespec="seconds"),
                "" if r.actor_id is None else r.actor_id,
                r.actor_label,
                r.action,
                r.object_type or "",
                r.object_id or "",
                r.ip or "",
                r.data,
                r.prev_hash,
                r.hash,
            ]
        )
    return Response(
        out.getvalue(),
        mimetype="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="ujisim-audit.csv"'},
    )
