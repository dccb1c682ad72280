"""The OpenAPI 3.1 document of the proctoring API's JSON parts (``api.py``), served at
``/api/v1/proctoring/openapi.json``: browser events and the status the exam page polls. Its
paths and operations come from the routes and their ``@operation`` (core/openapi.py); the
schemas are generated from the pydantic models in ``schemas.py``, which also validate the
requests. The multipart frame uploads are marked ``@undocumented`` there."""

from __future__ import annotations

from ujisim.core.openapi import ERRORS, WRITE, Api, path_id

API = Api(
    blueprint="proctoring_api",
    title="ujisim proctoring API (JSON parts)",
    description="Browser events and the proctoring status of a logged-in applicant's exam. "
    "Authenticated by the login session; every POST sends the page's CSRF token in "
    "`X-CSRFToken`. The camera frame uploads (multipart) are not described here. Errors "
    'have one shape: `{"error": {"code", "message", "fields"}}`.',
    path_parameters={
        "public_id": path_id("public_id", "the attempt's public id (the candidate's own)")
    },
    errors=ERRORS,
    write_security=WRITE,
)
