"""The print-shop API (``/api/v1/print/...``): JSON, a station's bearer token, no cookies and so
no CSRF. Each view's ``@operation`` names the pydantic models of ``schemas.py`` it answers and reads
(``read_body()``, ``read_query()`` validate with them); the OpenAPI 3.1 document at
``/api/v1/openapi.json`` (``openapi.py``) is generated from these routes and models; the tests
check each response against it.
"""

from __future__ import annotations

from flask import Blueprint, Response, g, request, url_for
from flask_babel import gettext as _

from ujisim.certificates import print_queue, printing, renewal_cards, schemas, stations
from ujisim.certificates.errors import InvalidToken
from ujisim.certificates.models import JobKind, PrintJob, PrintStation
from ujisim.certificates.openapi import API, IDEMPOTENCY_KEY, PDF
from ujisim.core import clock
from ujisim.core.db import get_db, get_session
from ujisim.core.errors import error_response
from ujisim.core.openapi import operation, read_body, read_query, undocumented

bp = Blueprint("print_api", __name__, url_prefix="/api/v1")
PUBLIC_ENDPOINTS = {"print_api.openapi"}


def _iso(value):
    return value.isoformat() if value is not None else None


def job_json(job: PrintJob, station: PrintStation) -> dict:
    """A job as the API shows it (its state as the queue sees it: expired leases are ready)."""
    yours = print_queue.holds(job, station)
    return {
        "id": job.public_id,
        "kind": job.kind,
        "state": print_queue.effective_state(job).value,
        "title": job.title,
        "created_at": _iso(job.created_at),
        "claimed_at": _iso(job.claimed_at),
        "lease_expires_at": _iso(job.lease_expires_at),
        "printed_at": _iso(job.printed_at),
        "failed_at": _iso(job.failed_at),
        "fail_reason": job.fail_reason,
        "claims": job.claims,
        "yours": yours,
        "document_url": url_for("print_api.document", public_id=job.public_id),
        "serial": renewal_cards.claim_serial(get_session(), job) if yours else None,
    }


def station_json(station: PrintStation) -> dict:
    return {
        "id": station.public_id,
        "name": station.name,
        "created_at": _iso(station.created_at),
        "last_used_at": _iso(station.last_used_at),
    }


def _unauthorized(code: str, message: str):
    body, status = error_response(401, code, message)
    return body, status, {"WWW-Authenticate": f'Bearer realm="ujisim", error="{code}"'}


@bp.before_request
def authenticate():
    """Every route but the OpenAPI document needs ``Authorization: Bearer <station token>``."""
    if request.endpoint in PUBLIC_ENDPOINTS:
        return None
    scheme, _sep, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return _unauthorized("unauthorized", _("Send the station's token as a Bearer token."))
    database = get_db()
    with database.session(write=False) as session:
        station = stations.find_station(session, token.strip())
        if station is None:
            return _unauthorized(InvalidToken.code, _("The token is unknown or has been revoked."))
        station_id, last_used = station.id, station.last_used_at
    if last_used is None or last_used < clock.now() - stations.LAST_USED_EVERY:
        with database.session() as session:
            stations.touch(session, station_id)
            session.commit()
    g.print_station_id = station_id
    return None


def current_station() -> PrintStation:
    return get_session().get(PrintStation, g.print_station_id)


def _kind(name: str | None) -> JobKind | None:
    return JobKind(name) if name is not None else None


def _load(public_id: str) -> PrintJob:
    return print_queue.get_job(get_session(), public_id)


def _pdf(data: bytes, name: str) -> Response:
    response = Response(data, mimetype="application/pdf")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/print/station")
@operation(
    op_id="getStation",
    summary="The station the token belongs to.",
    ok=schemas.Station,
    ok_description="The station.",
)
def station_info():
    """Who the token belongs to (a station checks its configuration with this)."""
    return station_json(current_station())


@bp.get("/print/jobs")
@operation(
    op_id="listReadyJobs",
    summary="Jobs a claim could take now, oldest first.",
    ok=schemas.JobList,
    ok_description="Ready jobs.",
    errors=("422",),
    query=schemas.JobListQuery,
)
def list_jobs():
    """Jobs a claim could take now, oldest first."""
    wanted = read_query()
    station = current_station()
    jobs = print_queue.query_ready(get_session(), kind=_kind(wanted.kind), limit=wanted.limit)
    return {"jobs": [job_json(j, station) for j in jobs], "server_now": clock.now().isoformat()}


@bp.get("/print/jobs/claimed")
@operation(
    op_id="listClaimedJobs",
    summary="Jobs this station holds under a running lease and has not confirmed (a job whose "
    "lease has passed is listed as ready instead).",
    ok=schemas.JobList,
    ok_description="Claimed jobs.",
)
def claimed_jobs():
    """The jobs this station holds under a running lease and has not yet confirmed."""
    station = current_station()
    jobs = print_queue.query_held(get_session(), station)
    return {"jobs": [job_json(j, station) for j in jobs], "server_now": clock.now().isoformat()}


@bp.post("/print/jobs/claim")
@operation(
    op_id="claimJobs",
    summary="Claim up to `limit` jobs atomically; each gets a lease of `lease_seconds`. Jobs "
    "whose lease expires return to the queue. A claim sent again with the same "
    "`Idempotency-Key` takes nothing more: it answers with the jobs the first one took "
    "that the station still holds.",
    ok=schemas.ClaimResult,
    ok_description="The claimed jobs (possibly none).",
    errors=("422",),
    body=schemas.ClaimRequest,
    body_optional=True,
    parameters=[IDEMPOTENCY_KEY],
)
def claim():
    """Claim up to ``limit`` jobs (default 10) for this station, atomically. With an
    ``Idempotency-Key`` header, sending the same claim again (a retry after a lost response)
    takes nothing more and answers with the jobs the first one took."""
    wanted = read_body()
    key = request.headers.get("Idempotency-Key")  # checked by claim: 422 when malformed
    session = get_session()
    station = current_station()
    jobs = print_queue.claim(session, station, wanted.limit, kind=_kind(wanted.kind), key=key)
    return {
        "jobs": [job_json(j, station) for j in jobs],
        "lease_seconds": print_queue.lease_seconds(),
        "server_now": clock.now().isoformat(),
    }


@bp.get("/print/jobs/<public_id>")
@operation(
    op_id="getJob", summary="One job.", ok=schemas.Job, ok_description="The job.", errors=("404",)
)
def job_detail(public_id: str):
    return job_json(_load(public_id), current_station())


@bp.get("/print/jobs/<public_id>/document.pdf")
@operation(
    op_id="downloadJob",
    summary="The job's PDF (station holding the claim under a running lease only; 409 "
    "`lease_expired` after its lease: claim it again). A card's copy carries the serial of "
    "this claim.",
    ok=PDF,
    errors=("404", "409"),
)
def document(public_id: str):
    """The job's print file; only for the station holding its claim while its lease runs."""
    session = get_session()
    job = _load(public_id)
    print_queue.require_live_lease(job, current_station())
    return _pdf(printing.document_pdf(session, job), printing.filename(job))


@bp.get("/print/batch.pdf")
@operation(
    op_id="downloadBatch",
    summary=f"Up to {printing.MAX_BATCH} claimed card jobs imposed on A4 sheets (10 cards a "
    "sheet, crop marks, backs mirrored for long-edge duplex).",
    ok=PDF,
    errors=("404", "409", "422"),
    query=schemas.BatchQuery,
)
def batch():
    """Several claimed card jobs (``?jobs=id,id,...``) imposed on A4 sheets."""
    session = get_session()
    station = current_station()
    jobs = [_load(i) for i in read_query().jobs]
    for job in jobs:
        print_queue.require_live_lease(job, station)
    return _pdf(printing.batch_pdf(session, jobs), f"cards-{len(jobs)}.pdf")


@bp.post("/print/jobs/<public_id>/printed")
@operation(
    op_id="markPrinted",
    summary="Confirm the job printed. Idempotent for the holder (same answer again); 409 for "
    "anybody else.",
    ok=schemas.Job,
    ok_description="The job.",
    errors=("404", "409"),
)
def printed(public_id: str):
    """Confirm the job printed. A repeat by the holder answers the same; others get 409."""
    session = get_session()
    station = current_station()
    job = print_queue.mark_printed(session, _load(public_id), station)
    return job_json(job, station)


@bp.post("/print/jobs/<public_id>/failed")
@operation(
    op_id="markFailed",
    summary="The job could not be printed, with a reason. Idempotent for the holder.",
    ok=schemas.Job,
    ok_description="The job.",
    errors=("404", "409", "422"),
    body=schemas.FailRequest,
)
def failed(public_id: str):
    """The job could not be printed: ``{"reason": "..."}``."""
    reason = read_body().reason
    session = get_session()
    station = current_station()
    job = print_queue.mark_failed(session, _load(public_id), station, reason)
    return job_json(job, station)


@bp.post("/print/jobs/<public_id>/release")
@operation(
    op_id="releaseJob",
    summary="Give a claimed job back to the queue unprinted.",
    ok=schemas.Job,
    ok_description="The job.",
    errors=("404", "409"),
)
def release(public_id: str):
    """Give a claimed job back to the queue without printing it."""
    session = get_session()
    station = current_station()
    job = print_queue.release(session, _load(public_id), station)
    return job_json(job, station)


@bp.get("/openapi.json")
@undocumented("the document itself")
def openapi():
    """The OpenAPI 3.1 description of this API (public), generated from the routes above."""
    return API.serve()
