"""Pieces of the OpenAPI 3.1 documents of the browser's JSON APIs (exam, proctoring): the login
session and CSRF header as security schemes, error responses in the one error shape. Every
schema in them is generated from pydantic models (core/schemas.py); only paths, operations and
descriptions are written by hand."""

from __future__ import annotations

from pydantic import BaseModel

from ujisim.core.schemas import Error, components

JSON = "application/json"
#: the browser's login session cookie; every POST also sends the page's CSRF token
SECURITY_SCHEMES = {
    "session": {"type": "apiKey", "in": "cookie", "name": "session"},
    "csrf": {"type": "apiKey", "in": "header", "name": "X-CSRFToken"},
}
READ = [{"session": []}]
WRITE = [{"session": [], "csrf": []}]
ERRORS = {
    "400": "No valid CSRF token in X-CSRFToken (code csrf_failed).",
    "401": "Not logged in (code unauthorized).",
    "403": "Logged in without the applicant role, or a proctoring step is missing "
    "(code forbidden or proctoring_required).",
    "404": "No such attempt of this user (code not_found).",
    "409": "The attempt does not take this now (for example attempt_closed, paused, time_up).",
    "422": "Invalid body (code invalid; invalid_json beyond the JSON limits).",
    "429": "Too many requests (code rate_limited).",
}


def json_content(schema: dict, description: str) -> dict:
    return {"description": description, "content": {JSON: {"schema": schema}}}


class Document:
    """A document under construction: ``ref(model)`` for a schema (its components collected
    from all models at once), ``operation(...)`` for an operation, ``build(...)`` at the end."""

    def __init__(self, responses: list[type[BaseModel]], requests: list[type[BaseModel]]):
        models = [(m, "serialization") for m in [Error, *responses]]
        models += [(m, "validation") for m in requests]
        self.schemas, self.ref = components(*models)

    def operation(
        self,
        op_id: str,
        summary: str,
        ok: type[BaseModel],
        errors: tuple[str, ...],
        *,
        body: type[BaseModel] | None = None,
        parameters: list[dict] | None = None,
    ) -> dict:
        """A JSON operation answering ``ok`` (200), or the error shape with a status of
        ``errors``; a POST (one with ``body`` or not) needs the CSRF header."""
        responses = {"200": json_content(self.ref(ok), ok.__doc__ or ok.__name__)}
        for status in errors:
            responses[status] = json_content(self.ref(Error), ERRORS[status])
        operation = {"operationId": op_id, "summary": summary, "responses": responses}
        if parameters:
            operation["parameters"] = parameters
        if body is not None:
            operation["requestBody"] = {
                "required": True,
                "content": {JSON: {"schema": self.ref(body)}},
            }
        return operation

    def build(self, title: str, description: str, paths: dict) -> dict:
        return {
            "openapi": "3.1.0",
            "info": {"title": title, "version": "1.0.0", "description": description},
            "security": READ,
            "paths": paths,
            "components": {"securitySchemes": SECURITY_SCHEMES, "schemas": self.schemas},
        }


def path_id(name: str, description: str) -> dict:
    """A path parameter: an object's public id."""
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,40}$"},
    }
