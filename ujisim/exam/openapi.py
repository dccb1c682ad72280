"""The OpenAPI 3.1 document of the exam page's JSON API (``api.py``), served at
``/api/v1/exam/openapi.json``. Its paths and operations come from the routes and their
``@operation`` (core/openapi.py); every body schema is generated from the pydantic models in
``schemas.py``, which also validate the requests. Here: the title, the path parameter and the
error answers."""

from __future__ import annotations

from ujisim.core.openapi import ERRORS, WRITE, Api, path_id

API = Api(
    blueprint="exam_api",
    title="ujisim exam API",
    description="JSON for the exam page of a logged-in applicant: the paper by position (no keys, "
    "no item ids), answer steps, AVIS question windows, submit. Authenticated by the login "
    "session; every POST sends the page's CSRF token in `X-CSRFToken`. Errors have one "
    'shape: `{"error": {"code", "message", "fields"}}`.',
    path_parameters={
        "public_id": path_id("public_id", "the attempt's public id (the candidate's own)")
    },
    errors=ERRORS,
    write_security=WRITE,
)
