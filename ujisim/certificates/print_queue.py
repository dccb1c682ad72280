"""The print queue: claim with a lease, mark printed or failed, reprint (the jobs are put in by
``print_documents.py``, one per document). Services take a ``Session``, flush and never commit.

ready -> claimed (lease) -> printed | failed
claimed -> ready (the lease expired, or the holder gave the job back)
printed | failed -> ready (reprint, with a reason)

A lease is held by a station (API) or a print-shop user (web page). Its expiry is a move of the
table (claimed -> ready, ``expire_lease``, audited as ``print.released`` "lease expired") made by
the claim that takes the job: a claimed job whose lease has passed counts as ready to readers,
and until somebody else claims it, its old holder may still confirm it, so a slow station never
causes a second print. Its old holder may not download it any more (``LeaseExpired``, 409): a
download prints a copy, and a copy printed outside a lease could meet another station's.
Every move goes through core/workflow.py and is told to ``signals.job_moved`` (a card job's
claim issues a new card copy in renewal's registry, superseding the earlier one).
"""

from __future__ import annotations

import re
from datetime import timedelta
from types import SimpleNamespace

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from ujisim.accounts.models import User
from ujisim.certificates import signals
from ujisim.certificates.errors import LeaseExpired, NotLeaseHolder
from ujisim.certificates.models import JobKind, JobState, PrintJob, PrintStation
from ujisim.core import clock, workflow
from ujisim.core.errors import IllegalTransition, NotFoundError, ValidationError

#: (from, to) -> the verb of the move (audit action ``print.<verb>``)
TRANSITIONS: dict[tuple[JobState, JobState], str] = {
    (JobState.READY, JobState.CLAIMED): "claimed",
    (JobState.CLAIMED, JobState.READY): "released",
    (JobState.CLAIMED, JobState.PRINTED): "printed",
    (JobState.CLAIMED, JobState.FAILED): "failed",
    (JobState.PRINTED, JobState.READY): "reprint",
    (JobState.FAILED, JobState.READY): "reprint",
}
#: moves that need a reason from whoever makes them
NEEDS_REASON = {"failed", "reprint"}
DEFAULT_LEASE_SECONDS = 600
MAX_CLAIM = 50
PUBLIC_ID = re.compile(r"[A-Za-z0-9_-]{1,40}")
#: a claim's key (the API's Idempotency-Key, the page's form key): printable ASCII, no spaces
CLAIM_KEY = re.compile(r"[!-~]{1,64}")

Holder = PrintStation | User


def lease_seconds() -> int:
    return int(current_app.config.get("PRINT_LEASE_SECONDS") or DEFAULT_LEASE_SECONDS)


def holds(job: PrintJob, holder: Holder) -> bool:
    """Whether ``holder`` is the job's current (or last) lease holder."""
    if isinstance(holder, PrintStation):
        return job.station_id == holder.id and job.user_id is None
    return job.user_id == holder.id and job.station_id is None


def effective_state(job: PrintJob) -> JobState:
    """The state as the queue sees it now: a claimed job whose lease has passed is ready (the
    claim that takes it moves it there, ``expire_lease``)."""
    return JobState.READY if lease_expired(job) else JobState(job.state)


def _audit_actor(actor, holder):
    if isinstance(actor, User):
        return actor
    if isinstance(holder, PrintStation):
        # a station is no user: no actor id, its public id as the label
        return SimpleNamespace(id=None, email=f"station:{holder.public_id}")
    return actor


def _station(session: Session, move: workflow.Move) -> PrintStation | None:
    """The station of the move: the one taking the lease, or the one that held it."""
    holder = move.context.get("holder")
    if isinstance(holder, PrintStation):
        return holder
    job = move.obj
    return session.get(PrintStation, job.station_id) if job.station_id is not None else None


def _audit_data(move: workflow.Move) -> dict:
    return {
        "from": move.from_state,
        "to": move.to,
        "reason": move.reason,
        "kind": move.obj.kind,
        "station": move.context["station"].public_id if move.context["station"] else None,
    }


WORKFLOW = workflow.register(
    workflow.Workflow(
        model=PrintJob,
        field="state",
        states=JobState,
        transitions=TRANSITIONS,
        object_type="print_job",
        audit_prefix="print",
        refusal=lambda a, b: _("This print job cannot go from %(a)s to %(b)s.", a=a, b=b),
        audit_data=_audit_data,
        audit_actor=lambda move: _audit_actor(move.actor, move.context.get("holder")),
    )
)


@WORKFLOW.on()
def _check_reason(session: Session, move: workflow.Move) -> None:
    reason = move.reason = move.reason.strip()
    if move.verb in NEEDS_REASON and not reason:
        raise ValidationError(_("Give a reason."), {"reason": "required"})
    if "\x00" in reason or len(reason) > 500:
        raise ValidationError(
            _("The reason is too long or holds invalid characters."), {"reason": "invalid"}
        )
    if move.to == JobState.CLAIMED and move.context.get("holder") is None:
        raise ValueError("a claim needs a holder")
    move.context["station"] = _station(session, move)


@WORKFLOW.on(JobState.CLAIMED)
def _take_lease(session: Session, move: workflow.Move) -> None:
    job, holder = move.obj, move.context["holder"]
    is_station = isinstance(holder, PrintStation)
    job.station_id = holder.id if is_station else None
    job.user_id = None if is_station else holder.id
    job.claimed_at = move.at
    job.lease_expires_at = move.at + timedelta(seconds=lease_seconds())
    job.claims += 1


@WORKFLOW.on(JobState.READY)
def _back_in_queue(session: Session, move: workflow.Move) -> None:
    job = move.obj
    job.station_id = job.user_id = job.claimed_at = job.lease_expires_at = None
    job.fail_reason = job.claim_key = None


@WORKFLOW.on(JobState.PRINTED)
def _printed(session: Session, move: workflow.Move) -> None:
    move.obj.printed_at, move.obj.lease_expires_at = move.at, None
    move.obj.prints += 1


@WORKFLOW.on(JobState.FAILED)
def _failed(session: Session, move: workflow.Move) -> None:
    job = move.obj
    job.failed_at, job.lease_expires_at, job.fail_reason = move.at, None, move.reason


def _told(session: Session, move: workflow.Move) -> None:
    signals.job_moved.send(move.obj, session=session, move=move)


WORKFLOW.after.append(_told)


def advance(
    session: Session,
    job: PrintJob,
    to: JobState,
    actor=None,
    reason: str = "",
    *,
    holder: Holder | None = None,
) -> PrintJob:
    """Move ``job`` to ``to`` through the workflow engine (table, lease, audit record).

    ``holder`` (station or user) takes the lease on a claim; ``actor`` is the user acting (None
    for a station or the system)."""
    return workflow.advance(session, job, to, actor, reason, holder=holder)


def lease_expired(job: PrintJob) -> bool:
    """Whether ``job`` is claimed under a lease that has passed."""
    return (
        job.state == JobState.CLAIMED
        and job.lease_expires_at is not None
        and job.lease_expires_at <= clock.now()
    )


def expire_lease(session: Session, job: PrintJob) -> PrintJob:
    """The lease of ``job`` has passed: the job goes back to ready (``print.released``, reason
    "lease expired"). The claim that takes such a job makes this move first; until then the old
    holder may still confirm it, so a slow station never causes a second print."""
    if not lease_expired(job):
        raise WORKFLOW.refuse(job.state, JobState.READY)
    return advance(session, job, JobState.READY, reason="lease expired")


# --- reading and claiming --------------------------------------------------------------------


def _claimable(now):
    expired = and_(PrintJob.state == JobState.CLAIMED, PrintJob.lease_expires_at <= now)
    return or_(PrintJob.state == JobState.READY, expired)


def query_ready(
    session: Session,
    *,
    kind: JobKind | None = None,
    limit: int = 50,
    after_id: int = 0,
    now=None,
) -> list[PrintJob]:
    """Jobs a claim could take at ``now`` (default: now): ready, or claimed with an expired
    lease; oldest first."""
    now = now or clock.now()
    query = select(PrintJob).where(_claimable(now), PrintJob.id > after_id)
    if kind is not None:
        query = query.where(PrintJob.kind == kind)
    return list(session.scalars(query.order_by(PrintJob.id).limit(limit)))


def _holder_column(holder: Holder):
    """The job column naming a lease holder of ``holder``'s kind."""
    return PrintJob.station_id if isinstance(holder, PrintStation) else PrintJob.user_id


def query_held(session: Session, holder: Holder, *, limit: int = 200, now=None) -> list[PrintJob]:
    """The jobs ``holder`` has claimed and not finished whose lease still runs at ``now``
    (default: now). A job whose lease has passed is ready (``query_ready``), never both: the
    print page lists each job under one heading."""
    now = now or clock.now()
    column = _holder_column(holder)
    return list(
        session.scalars(
            select(PrintJob)
            .where(
                PrintJob.state == JobState.CLAIMED,
                column == holder.id,
                PrintJob.lease_expires_at > now,
            )
            .order_by(PrintJob.id)
            .limit(limit)
        )
    )


def _check_claim_key(key: str | None) -> str | None:
    if key is not None and not CLAIM_KEY.fullmatch(key):
        raise ValidationError(
            _("The claim key must be 1 to 64 printable characters without spaces."),
            {"key": "invalid"},
        )
    return key


def claim(
    session: Session,
    holder: Holder,
    limit: int,
    *,
    kind: JobKind | None = None,
    actor=None,
    key: str | None = None,
) -> list[PrintJob]:
    """Take up to ``limit`` claimable jobs for ``holder``, oldest first, atomically.

    PostgreSQL locks the rows with ``FOR UPDATE SKIP LOCKED``, so concurrent claims take
    different jobs without waiting; SQLite runs every write request in one ``BEGIN IMMEDIATE``
    transaction, so claims queue on the database lock instead.

    ``key``: the client's key of this claim. A claim whose key the holder already used takes
    nothing more and answers with the jobs that claim took and the holder still holds (a double
    click, two tabs, a retry after a lost response). Claims with a key lock the holder's row
    first, so two at once run one after the other and the second finds the first's jobs."""
    if not 1 <= limit <= MAX_CLAIM:
        raise ValidationError(
            _("Claim between 1 and %(n)s jobs at a time.", n=MAX_CLAIM), {"limit": "range"}
        )
    if _check_claim_key(key) is not None:
        model = type(holder)
        session.execute(select(model.id).where(model.id == holder.id).with_for_update())
        column = _holder_column(holder)
        taken = list(
            session.scalars(
                select(PrintJob)
                .where(
                    PrintJob.claim_key == key,
                    PrintJob.state == JobState.CLAIMED,
                    column == holder.id,
                )
                .order_by(PrintJob.id)
            )
        )
        if taken:
            return taken
    query = select(PrintJob).where(_claimable(clock.now()))
    if kind is not None:
        query = query.where(PrintJob.kind == kind)
    query = query.order_by(PrintJob.id).limit(limit).with_for_update(skip_locked=True)
    jobs = list(session.scalars(query))
    for job in jobs:
        if job.state == JobState.CLAIMED:  # its lease expired: it goes back to ready first
            expire_lease(session, job)
        advance(session, job, JobState.CLAIMED, actor, holder=holder)
        job.claim_key = key
    return jobs


def get_job(session: Session, public_id: str) -> PrintJob:
    """The job with this public id, or ``NotFoundError``."""
    job = None
    if PUBLIC_ID.fullmatch(public_id or ""):
        job = session.scalars(select(PrintJob).where(PrintJob.public_id == public_id)).first()
    if job is None:
        raise NotFoundError(_("This print job does not exist."))
    return job


def lock_job(session: Session, job: PrintJob) -> PrintJob:
    """Reload ``job`` holding its row lock (PostgreSQL) for a state change."""
    session.expire(job)
    return session.scalars(select(PrintJob).where(PrintJob.id == job.id).with_for_update()).one()


def _not_holder() -> NotLeaseHolder:
    return NotLeaseHolder(_("This print job is not claimed by you. Claim it first."))


def require_holder(job: PrintJob, holder: Holder) -> None:
    """Refuse unless ``holder`` holds the job's claim (an expired lease nobody took still
    counts)."""
    if job.state != JobState.CLAIMED or not holds(job, holder):
        raise _not_holder()


def require_live_lease(job: PrintJob, holder: Holder) -> None:
    """Refuse a download unless ``holder`` holds the job under a lease that still runs: a
    download prints a copy, and after the lease another station may take the job and print its
    own (``LeaseExpired``, 409: claim it again)."""
    require_holder(job, holder)
    if lease_expired(job):
        raise LeaseExpired(
            _(
                "Your lease on this job has expired, so it may be printed elsewhere. Claim it "
                "again before you download or print it."
            )
        )


def _finish(session, job, holder, to, actor, reason=""):
    job = lock_job(session, job)
    if job.state == to and holds(job, holder):
        return job  # a retry of the same confirmation: same answer, nothing changes
    require_holder(job, holder)
    return advance(session, job, to, actor, reason, holder=holder)


def mark_printed(session: Session, job: PrintJob, holder: Holder, actor=None) -> PrintJob:
    """The holder printed the job. Idempotent for the holder; anybody else gets a conflict.
    Every receiver of ``signals.job_printed`` runs in the same transaction (idempotent)."""
    job = _finish(session, job, holder, JobState.PRINTED, actor)
    signals.job_printed.send(job, session=session)
    return job


def mark_failed(
    session: Session, job: PrintJob, holder: Holder, reason: str, actor=None
) -> PrintJob:
    """The holder could not print the job (``reason`` required). Idempotent for the holder."""
    if not (reason or "").strip():
        raise ValidationError(_("Give the reason the job failed."), {"reason": "required"})
    return _finish(session, job, holder, JobState.FAILED, actor, reason)


def release(session: Session, job: PrintJob, holder: Holder, actor=None) -> PrintJob:
    """The holder gives a claimed job back to the queue unprinted."""
    job = lock_job(session, job)
    require_holder(job, holder)
    return advance(session, job, JobState.READY, actor, "released by holder", holder=holder)


def reprint(session: Session, job: PrintJob, actor, reason: str) -> PrintJob:
    """A printed or failed job goes back to the queue (a damaged card, a jammed printer)."""
    job = lock_job(session, job)
    if job.state not in (JobState.PRINTED, JobState.FAILED):
        raise IllegalTransition(_("Only a printed or failed job can be printed again."))
    return advance(session, job, JobState.READY, actor, reason)
