"""The OpenAPI 3.1 document of the renewal identity check API (``api.py``), served at
``/api/v1/renewal/openapi.json``. Its paths and operations come from the routes and their
``@operation`` (core/openapi.py); the answers' schemas are generated from the pydantic models of
``schemas.py`` (and proctoring's, for the parts the exam shares). Its requests are multipart
camera frames: described here, read by the identity check."""

from __future__ import annotations

from ujisim.core.openapi import ERRORS, WRITE, Api, path_id


def _multipart(properties: dict, required: list[str]) -> dict:
    schema = {"type": "object", "properties": properties, "required": required}
    return {"required": True, "content": {"multipart/form-data": {"schema": schema}}}


JPEG = {"type": "string", "format": "binary", "contentMediaType": "image/jpeg"}
#: the camera check's upload: one preview frame
FRAME = _multipart({"frame": JPEG}, ["frame"])
#: a try's burst: the frames, each one's ms since the first prompt, the challenge's nonce
BURST = _multipart(
    {
        "frames": {"type": "array", "items": JPEG},
        "times": {"type": "string", "description": "comma-separated ms, one per frame"},
        "nonce": {"type": "string", "description": "the nonce of the try's challenge"},
    },
    ["frames", "times", "nonce"],
)

API = Api(
    blueprint="renewal_api",
    title="ujisim renewal identity check API",
    description="The camera identity check of a logged-in holder's renewal: the camera preview "
    "check, a new try with its head-turn challenge, and the burst of frames, decided by the "
    "server against the licence photo or the population register's. Authenticated by the "
    "login session; every POST sends the page's CSRF token in `X-CSRFToken`; no frame is "
    'looked at without the holder\'s consent. Errors have one shape: `{"error": {"code", '
    '"message", "fields"}}`.',
    path_parameters={
        "public_id": path_id("public_id", "the application's public id (the holder's own)"),
        "check_id": path_id("check_id", "the try's public id (the holder's own)"),
    },
    errors={
        **ERRORS,
        "403": "Logged in without the applicant role, or without consent to the camera check "
        "(code forbidden or proctoring_required).",
        "404": "No such application or try of this user (code not_found).",
        "409": "The application or the try does not take this now (for example escalated, "
        "decided, restarted, passed, illegal_transition).",
        "422": "No camera frame, one too large, or not one time per frame (code invalid).",
        "503": "Online renewal is paused by a published service closure (code renewal_paused; "
        "fields.reopens_on: the day it opens again, YYYY-MM-DD).",
    },
    write_security=WRITE,
)
