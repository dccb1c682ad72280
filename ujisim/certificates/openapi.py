"""The OpenAPI 3.1 document of the print-shop API (``api.py``), served at
``/api/v1/openapi.json``. Its paths and operations come from the routes and their
``@operation`` (core/openapi.py); every body and query schema is generated from the pydantic
models in ``schemas.py`` -- the ones the views validate requests with -- so the document and the
validation cannot disagree. Tests validate every API response against it and run schemathesis
over it. Here: the document's title, authentication, path parameter and error answers."""

from __future__ import annotations

from flask import Flask

from ujisim.certificates import schemas
from ujisim.core.openapi import Api, json_content, path_id
from ujisim.core.schemas import Error

PDF = {
    "description": "The print file.",
    "content": {"application/pdf": {"schema": {"type": "string", "format": "binary"}}},
}
IDEMPOTENCY_KEY = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "The client's key of this claim, new for every new claim.",
    "schema": {"type": "string", "pattern": "^[!-~]{1,64}$"},
}


def _error(name: str) -> dict:
    return {"$ref": f"#/components/responses/{name}"}


def _responses(ref) -> dict:
    return {
        "Unauthorized": {
            **json_content(
                ref(Error),
                "No bearer token (code unauthorized), or an unknown or revoked "
                "one (code invalid_token).",
            ),
            "headers": {"WWW-Authenticate": {"schema": {"type": "string"}}},
        },
        "NotFound": json_content(ref(Error), "No such job (code not_found)."),
        "Conflict": json_content(
            ref(Error),
            "The job is not claimed by this station (not_lease_holder), its state does not "
            "allow the move (illegal_transition) or its document may not be printed "
            "(document_unavailable).",
        ),
        "Invalid": json_content(ref(Error), "Invalid parameters or body (code invalid)."),
    }


API = Api(
    blueprint="print_api",
    title="ujisim print-shop API",
    description="Print stations pull certificate and licence-card jobs: list, claim "
    "(with a lease), download, mark printed or failed. Authenticate with the station's "
    "token: `Authorization: Bearer ujp_...` (created by an administrator). Errors have "
    'one shape: `{"error": {"code", "message", "fields"}}`.',
    path_parameters={"public_id": path_id("public_id", "", schemas.JOB_ID_PATTERN)},
    errors={
        "401": _error("Unauthorized"),
        "404": _error("NotFound"),
        "409": _error("Conflict"),
        "422": _error("Invalid"),
    },
    security=[{"bearerAuth": []}],
    security_schemes={"bearerAuth": {"type": "http", "scheme": "bearer"}},
    always=("401",),
    responses=_responses,
)


def spec(app: Flask) -> dict:
    """The document of ``app``'s print API routes (a copy: callers may change it)."""
    return API.document(app)
