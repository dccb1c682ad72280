"""The OpenAPI 3.1 document of the print-shop API, written by hand next to the code it describes
(``api.py``). Tests validate every API response against it and run schemathesis over it."""

from __future__ import annotations

import copy
import functools

from ujisim.certificates.print_queue import MAX_CLAIM
from ujisim.certificates.printing import MAX_BATCH

JSON = "application/json"
NULLABLE_TIME = {"type": ["string", "null"], "format": "date-time"}
TIME = {"type": "string", "format": "date-time"}


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {JSON: {"schema": schema}}}


def _error(description: str) -> dict:
    return {"$ref": f"#/components/responses/{description}"}


SCHEMAS = {
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["code", "message", "fields"],
                "properties": {
                    "code": {"type": "string", "description": "machine-readable, stable"},
                    "message": {"type": "string", "description": "for people, in Indonesian"},
                    "fields": {
                        "type": "object",
                        "additionalProperties": {"type": "string"},
                        "description": "field name -> problem",
                    },
                },
            }
        },
    },
    "Job": {
        "type": "object",
        "additionalProperties": False,
        "required": [
            "id",
            "kind",
            "state",
            "title",
            "created_at",
            "claimed_at",
            "lease_expires_at",
            "printed_at",
            "failed_at",
            "fail_reason",
            "claims",
            "yours",
            "document_url",
        ],
        "properties": {
            "id": {"type": "string", "description": "unguessable public id"},
            "kind": {"type": "string", "enum": ["certificate", "card"]},
            "state": {
                "type": "string",
                "enum": ["ready", "claimed", "printed", "failed"],
                "description": "a claimed job whose lease has expired is shown as ready",
            },
            "title": {"type": "string"},
            "created_at": TIME,
            "claimed_at": NULLABLE_TIME,
            "lease_expires_at": NULLABLE_TIME,
            "printed_at": NULLABLE_TIME,
            "failed_at": NULLABLE_TIME,
            "fail_reason": {"type": ["string", "null"]},
            "claims": {"type": "integer", "minimum": 0},
            "yours": {"type": "boolean", "description": "this station holds (or held) the job"},
            "document_url": {"type": "string", "description": "path of the job's PDF"},
        },
    },
    "JobList": {
        "type": "object",
        "additionalProperties": False,
        "required": ["jobs", "server_now"],
        "properties": {"jobs": {"type": "array", "items": _ref("Job")}, "server_now": TIME},
    },
    "ClaimResult": {
        "type": "object",
        "additionalProperties": False,
        "required": ["jobs", "lease_seconds", "server_now"],
        "properties": {
            "jobs": {"type": "array", "items": _ref("Job"), "maxItems": MAX_CLAIM},
            "lease_seconds": {"type": "integer", "minimum": 1},
            "server_now": TIME,
        },
    },
    "ClaimRequest": {
        "type": "object",
        "properties": {
            "limit": {"type": "integer", "minimum": 1, "maximum": MAX_CLAIM, "default": 10},
            "kind": {"type": "string", "enum": ["certificate", "card"]},
        },
    },
    "FailRequest": {
        "type": "object",
        "required": ["reason"],
        "properties": {"reason": {"type": "string", "minLength": 1, "maxLength": 500}},
    },
    "Station": {
        "type": "object",
        "additionalProperties": False,
        "required": ["id", "name", "created_at", "last_used_at"],
        "properties": {
            "id": {"type": "string"},
            "name": {"type": "string"},
            "created_at": TIME,
            "last_used_at": NULLABLE_TIME,
        },
    },
}

RESPONSES = {
    "Unauthorized": {
        **_json(
            _ref("Error"),
            "No bearer token (code unauthorized), or an unknown or revoked "
            "one (code invalid_token).",
        ),
        "headers": {"WWW-Authenticate": {"schema": {"type": "string"}}},
    },
    "NotFound": _json(_ref("Error"), "No such job (code not_found)."),
    "Conflict": _json(
        _ref("Error"),
        "The job is not claimed by this station (not_lease_holder), its state does not allow "
        "the move (illegal_transition) or its document may not be printed "
        "(document_unavailable).",
    ),
    "Invalid": _json(_ref("Error"), "Invalid parameters or body (code invalid)."),
}

JOB_ID = {
    "name": "public_id",
    "in": "path",
    "required": True,
    "schema": {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,40}$"},
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
    return {"post": _op(op_id, summary, _json(_ref("Job"), "The job."), *errors, **extra)}


PATHS = {
    "/api/v1/print/station": {
        "get": _op(
            "getStation",
            "The station the token belongs to.",
            _json(_ref("Station"), "The station."),
        )
    },
    "/api/v1/print/jobs": {
        "get": _op(
            "listReadyJobs",
            "Jobs a claim could take now, oldest first.",
            _json(_ref("JobList"), "Ready jobs."),
            "Invalid",
            parameters=[
                {
                    "name": "kind",
                    "in": "query",
                    "schema": {"type": "string", "enum": ["certificate", "card"]},
                },
                {
                    "name": "limit",
                    "in": "query",
                    "schema": {"type": "integer", "minimum": 1, "maximum": 200, "default": 50},
                },
            ],
        )
    },
    "/api/v1/print/jobs/claimed": {
        "get": _op(
            "listClaimedJobs",
            "Jobs this station holds and has not confirmed.",
            _json(_ref("JobList"), "Claimed jobs."),
        )
    },
    "/api/v1/print/jobs/claim": {
        "post": _op(
            "claimJobs",
            "Claim up to `limit` jobs atomically; each gets a lease of `lease_seconds`. Jobs "
            "whose lease expires return to the queue. A claim sent again with the same "
            "`Idempotency-Key` takes nothing more: it answers with the jobs the first one took "
            "that the station still holds.",
            _json(_ref("ClaimResult"), "The claimed jobs (possibly none)."),
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
            requestBody={"required": False, "content": {JSON: {"schema": _ref("ClaimRequest")}}},
        )
    },
    "/api/v1/print/jobs/{public_id}": {
        "get": _op(
            "getJob", "One job.", _json(_ref("Job"), "The job."), "NotFound", parameters=[JOB_ID]
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
            parameters=[
                {
                    "name": "jobs",
                    "in": "query",
                    "required": True,
                    "description": "comma-separated job ids",
                    "schema": {"type": "string", "maxLength": 41 * MAX_BATCH},
                },
            ],
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
        body={"required": True, "content": {JSON: {"schema": _ref("FailRequest")}}},
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
