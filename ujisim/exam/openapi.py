"""The OpenAPI 3.1 document of the exam page's JSON API (``api.py``), served at
``/api/v1/exam/openapi.json``. Paths and operations are written here; every body schema is
generated from the pydantic models in ``schemas.py``, which also validate the requests."""

from __future__ import annotations

import copy
import functools

from ujisim.core.openapi import WRITE, Document, path_id
from ujisim.exam import schemas

ATTEMPT = path_id("public_id", "the attempt's public id (the candidate's own)")


@functools.cache
def _spec() -> dict:
    doc = Document(
        responses=[schemas.Paper, schemas.Saved, schemas.Opened, schemas.Status],
        requests=[schemas.AnswerStep, schemas.OpenQuestion],
    )
    base = "/api/v1/exam/attempts/{public_id}"
    paths = {
        base: {
            "get": doc.operation(
                "getPaper",
                "The questions as the candidate sees them, the answers held and the clock.",
                schemas.Paper,
                ("401", "403", "404"),
                parameters=[ATTEMPT],
            )
        },
        f"{base}/answers": {
            "post": doc.operation(
                "saveAnswer",
                "Append one answer step. A repeated or stale `seq` is not stored "
                "(`stored: false`, with `repeat` and `last_seq`); a click another browser's "
                "later answer overtook answers `superseded` with `held_choice`.",
                schemas.Saved,
                ("400", "401", "403", "404", "409", "422"),
                body=schemas.AnswerStep,
                parameters=[ATTEMPT],
            )
        },
        f"{base}/open": {
            "post": doc.operation(
                "openQuestion",
                "AVIS mode: the candidate sees this question; its countdown starts (idempotent).",
                schemas.Opened,
                ("400", "401", "403", "404", "409", "422"),
                body=schemas.OpenQuestion,
                parameters=[ATTEMPT],
            )
        },
        f"{base}/submit": {
            "post": doc.operation(
                "submit",
                "Close and grade the attempt (idempotent: a second submit answers the same).",
                schemas.Status,
                ("400", "401", "403", "404", "409"),
                parameters=[ATTEMPT],
            )
        },
    }
    for item in paths.values():
        if "post" in item:
            item["post"]["security"] = WRITE
    return doc.build(
        "ujisim exam API",
        "JSON for the exam page of a logged-in applicant: the paper by position (no keys, no "
        "item ids), answer steps, AVIS question windows, submit. Authenticated by the login "
        "session; every POST sends the page's CSRF token in `X-CSRFToken`. Errors have one "
        'shape: `{"error": {"code", "message", "fields"}}`.',
        paths,
    )


def spec() -> dict:
    """The document (a copy: callers may change it)."""
    return copy.deepcopy(_spec())
