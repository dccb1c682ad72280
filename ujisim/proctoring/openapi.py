"""The OpenAPI 3.1 document of the proctoring API's JSON parts (``api.py``), served at
``/api/v1/proctoring/openapi.json``: browser events and the status the exam page polls. Their
schemas are generated from the pydantic models in ``schemas.py``, which also validate the
requests. The multipart frame uploads are left out."""

from __future__ import annotations

import copy
import functools

from ujisim.core.openapi import WRITE, Document, path_id
from ujisim.proctoring import schemas

ATTEMPT = path_id("public_id", "the attempt's public id (the candidate's own)")


@functools.cache
def _spec() -> dict:
    doc = Document(responses=[schemas.ProctorStatus], requests=[schemas.BrowserEvent])
    base = "/api/v1/proctoring/attempts/{public_id}"
    event = doc.operation(
        "recordEvent",
        "Record a browser event with its risk weight; suspicious ones warn the candidate.",
        schemas.ProctorStatus,
        ("400", "401", "403", "404", "409", "422", "429"),
        body=schemas.BrowserEvent,
        parameters=[ATTEMPT],
    )
    event["security"] = WRITE
    paths = {
        f"{base}/events": {"post": event},
        f"{base}/status": {
            "get": doc.operation(
                "getStatus",
                "The attempt's state, risk and newest warning (the exam page polls this).",
                schemas.ProctorStatus,
                ("401", "403", "404"),
                parameters=[ATTEMPT],
            )
        },
    }
    return doc.build(
        "ujisim proctoring API (JSON parts)",
        "Browser events and the proctoring status of a logged-in applicant's exam. "
        "Authenticated by the login session; every POST sends the page's CSRF token in "
        "`X-CSRFToken`. The camera frame uploads (multipart) are not described here. Errors "
        'have one shape: `{"error": {"code", "message", "fields"}}`.',
        paths,
    )


def spec() -> dict:
    """The document (a copy: callers may change it)."""
    return copy.deepcopy(_spec())
