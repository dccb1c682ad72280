"""The OpenAPI 3.1 document of the print-shop API (``api.py``). Paths, operations and their
descriptions are written here; every body and query schema is generated from the pydantic
models in ``schemas.py`` -- the ones ``api.py`` validates requests with -- so the document and
the validation cannot disagree. Tests validate every API response against it and run
schemathesis over it."""

from __future__ import annotations

import copy
import functools

from ujisim.certificates import schemas
from ujisim.certificates.printing import MAX_BATCH
from ujisim.core.schemas import Error, components, query_parameters

JSON = "application/json"

SCHEMAS, _ref = components(
    (Error, "serialization"),
    (schemas.Job, "serialization"),
    (schemas.JobList, "serialization"),
    (schemas.ClaimResult, "serialization"),
    (schemas.Station, "serialization"),
    (schemas.ClaimRequest, "validation"),
    (schemas.FailRequest, "validation"),
)


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {JSON: {"schema": schema}}}


def _error(description: str) -> dict:
    return {"$ref": f"#/components/responses/{description}"}


RESPONSES = {
    "Unauthorized": {
        **_json(
            _ref(Error),
            "No bearer token (code unauthorized), or an unknown or revoked "
            "one (code invalid_token).",
        ),
        "headers": {"WWW-Authenticate": {"schema": {"type": "string"}}},
    },
    "NotFound": _json(_ref(Error), "No such job (code not_found)."),
    "Conflict": _json(
        _ref(Error),
        "The job is not claimed by this station (not_lease_holder), its state does not allow "
        "the move (illegal_transition) or its document may not be printed "
        "(document_unavailable).",
    ),
    "Invalid": _json(_ref(Error), "Invalid parameters or body (code invalid)."),
}

JOB_ID = {
    "name": "public_id",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "pattern": schemas.JOB_ID_PATTERN},
}
PDF = {
    "description": "The print file.",
    "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
}


def _op(op_id: str, summary: str, ok: dict, *errors: str, **extra) -> dict:
    responses = {"200": ok, "401": _error("Unauthorized")}
    for name, status in (("NotFound", "404"), ("Conflict", "409"), ("Invalid", "422")):
        if name in errors:
            responses[status] = _error(name)
    return {"operationId": op_id, "summary": summary, "responses": responses, **extra}


def _job_action(op_id: str, summary: str, *, body: dict | None = None) -> dict:
    extra = {"parameters": [JOB_ID]}
    if body is not None:
        extra["requestBody"] = body
    errors = ("NotFound", "Conflict") + (("Invalid",) if body is not None else ())
    return {"post": _op(op_id, summary, _json(_ref(schemas.Job), "The job."), *errors, **extra)}


PATHS = {
    "/api/v1/print/station": {
        "get": _op(
            "getStation",
            "The station the token belongs to.",
            _json(_ref(schemas.Station), "The station."),
        )
    },
    "/api/v1/print/jobs": {
        "get": _op(
            "listReadyJobs",
            "Jobs a claim could take now, oldest first.",
            _json(_ref(schemas.JobList), "Ready jobs."),
            "Invalid",
            parameters=query_parameters(schemas.JobListQuery),
        )
    },
    "/api/v1/print/jobs/claimed": {
        "get": _op(
            "listClaimedJobs",
            "Jobs this station holds and has not confirmed.",
            _json(_ref(schemas.JobList), "Claimed jobs."),
        )
    },
    "/api/v1/print/jobs/claim": {
        "post": _op(
            "claimJobs",
            "Claim up to `limit` jobs atomically; each gets a lease of `lease_seconds`. Jobs "
            "whose lease expires return to the queue. A claim sent again with the same "
            "`Idempotency-Key` takes nothing more: it answers with the jobs the first one took "
            "that the station still holds.",
            _json(_ref(schemas.ClaimResult), "The claimed jobs (possibly none)."),
            "Invalid",
            parameters=[
                {
                    "name": "Idempotency-Key",
                    "in": "header",
                    "required": False,
                    "description": "The client's key of this claim, new for every new claim.",
                    "schema": {"type": "string", "pattern": "^[!-~]{1,64}$"},
                }
            ],
            requestBody={
                "required": False,
                "content": {JSON: {"schema": _ref(schemas.ClaimRequest)}},
            },
        )
    },
    "/api/v1/print/jobs/{public_id}": {
        "get": _op(
            "getJob",
            "One job.",
            _json(_ref(schemas.Job), "The job."),
            "NotFound",
            parameters=[JOB_ID],
        )
    },
    "/api/v1/print/jobs/{public_id}/document.pdf": {
        "get": _op(
            "downloadJob",
            "The job's PDF (station holding the claim only).",
            PDF,
            "NotFound",
            "Conflict",
            parameters=[JOB_ID],
        )
    },
    "/api/v1/print/batch.pdf": {
        "get": _op(
            "downloadBatch",
            f"Up to {MAX_BATCH} claimed card jobs imposed on A4 sheets (10 cards a sheet, "
            "crop marks, backs mirrored for long-edge duplex).",
            PDF,
            "NotFound",
            "Conflict",
            "Invalid",
            parameters=query_parameters(schemas.BatchQuery),
        )
    },
    "/api/v1/print/jobs/{public_id}/printed": _job_action(
        "markPrinted",
        "Confirm the job printed. Idempotent for the holder (same answer again); 409 for "
        "anybody else.",
    ),
    "/api/v1/print/jobs/{public_id}/failed": _job_action(
        "markFailed",
        "The job could not be printed, with a reason. Idempotent for the holder.",
        body={"required": True, "content": {JSON: {"schema": _ref(schemas.FailRequest)}}},
    ),
    "/api/v1/print/jobs/{public_id}/release": _job_action(
        "releaseJob", "Give a claimed job back to the queue unprinted."
    ),
}


@functools.cache
def _spec() -> dict:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "ujisim print-shop API",
            "version": "1.0.0",
            "description": "Print stations pull certificate and licence-card jobs: list, claim "
            "(with a lease), download, mark printed or failed. Authenticate with the station's "
            "token: `Authorization: Bearer ujp_...` (created by an administrator). Errors have "
            'one shape: `{"error": {"code", "message", "fields"}}`.',
        },
        "security": [{"bearerAuth": []}],
        "paths": PATHS,
        "components": {
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
            "schemas": SCHEMAS,
            "responses": RESPONSES,
        },
    }


def spec() -> dict:
    """The document (a copy: callers may change it)."""
    return copy.deepcopy(_spec())
