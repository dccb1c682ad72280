"""The OpenAPI 3.1 documents of our JSON APIs, generated from the routes themselves: each API view
carries ``@operation(...)`` (its summary, the pydantic models of its answer, body and query, the
error statuses it may answer), and ``build`` walks the app's URL map for the blueprint's rules --
path converters become path parameters, methods become operations, the models' JSON Schemas
(core/schemas.py) become the components. The view reads its body and query with ``read_body()`` and
``read_query()``, which take the models from the same decorator: what is documented is what is
validated.

What fails, and where: a rule of a documented blueprint with neither ``@operation`` nor
``@undocumented`` makes ``build`` raise (the served document is a 500, and the document tests
fail: ``DocumentError``, in core/errors.py); a path argument the document has no schema for,
likewise; a view that validates another model than its decorator names (``parse_body(Other)``)
raises ``SchemaMismatch`` in the request (core/schemas.py), caught by the API tests and
schemathesis.

Why not a library: spectree, flask-openapi3 and APIFlask were weighed. Each brings its own
request pipeline: flask-openapi3 wants its ``APIBlueprint`` and views taking the models as
arguments, APIFlask its own app class (marshmallow first), spectree its own 422 body (our shape
only through hooks), its own reading of the query (repeated keys, where ours are comma
separated) and its own component names. Keeping our validation -- strict pydantic models, the
app's JSON limits, per-field ``Problem`` messages in the user's language, the one error shape --
would mean re-plugging each into their hooks, for a new dependency. The decorator below is the
part we lacked (paths from the routes) on the pydantic models we already have.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, current_app, request
from pydantic import BaseModel

from ujisim.core.errors import DocumentError
from ujisim.core.schemas import OPERATION_ATTR, Error, components, parse_body, parse_query
from ujisim.core.schemas import query_parameters as _query_parameters

JSON = "application/json"
#: the browser's login session cookie; every POST also sends the page's CSRF token
SECURITY_SCHEMES = {
    "session": {"type": "apiKey", "in": "cookie", "name": "session"},
    "csrf": {"type": "apiKey", "in": "header", "name": "X-CSRFToken"},
}
READ = [{"session": []}]
WRITE = [{"session": [], "csrf": []}]
#: the browser APIs' error answers, by status
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
#: a path converter of the URL rules: ``<name>``, ``<int:name>``, ``<string(length=2):name>``
_ARGUMENT = re.compile(r"<(?:(?P<converter>[a-zA-Z_][a-zA-Z0-9_]*)(?:\([^)]*\))?:)?(?P<name>\w+)>")
_IGNORED_METHODS = {"HEAD", "OPTIONS"}


def json_content(schema: dict, description: str) -> dict:
    return {"description": description, "content": {JSON: {"schema": schema}}}


@dataclass(frozen=True)
class Operation:
    """What ``@operation`` records on a view."""

    summary: str
    #: the 200 answer: a response model, or an OpenAPI response object (a PDF, say)
    ok: type[BaseModel] | dict
    errors: tuple[str, ...] = ()
    body: type[BaseModel] | None = None
    #: an empty body stands for ``{}`` (every field defaulted)
    body_optional: bool = False
    query: type[BaseModel] | None = None
    op_id: str | None = None
    ok_description: str | None = None
    #: more parameters (headers) as OpenAPI parameter objects
    parameters: tuple[dict, ...] = ()
    #: a multipart upload: its OpenAPI request body, read by the view itself
    multipart: dict | None = None


@dataclass(frozen=True)
class Undocumented:
    """What ``@undocumented`` records: why a route of a documented blueprint is left out."""

    reason: str


def operation(
    *,
    summary: str,
    ok: type[BaseModel] | dict,
    errors: Iterable[str] = (),
    body: type[BaseModel] | None = None,
    body_optional: bool = False,
    query: type[BaseModel] | None = None,
    op_id: str | None = None,
    ok_description: str | None = None,
    parameters: Iterable[dict] = (),
    multipart: dict | None = None,
) -> Callable:
    """Record the view's operation for its API's document; put it right under the route
    decorator. The view reads its body and query with ``read_body()`` and ``read_query()``."""
    meta = Operation(
        summary=summary,
        ok=ok,
        errors=tuple(errors),
        body=body,
        body_optional=body_optional,
        query=query,
        op_id=op_id,
        ok_description=ok_description,
        parameters=tuple(parameters),
        multipart=multipart,
    )

    def decorate(view: Callable) -> Callable:
        setattr(view, OPERATION_ATTR, meta)
        return view

    return decorate


def undocumented(reason: str) -> Callable:
    """Leave a route of a documented blueprint out of its document, saying why (the document
    itself; uploads no generated client should send)."""

    def decorate(view: Callable) -> Callable:
        setattr(view, OPERATION_ATTR, Undocumented(reason))
        return view

    return decorate


def _current() -> Operation:
    meta = getattr(current_app.view_functions.get(request.endpoint), OPERATION_ATTR, None)
    if not isinstance(meta, Operation):
        raise LookupError(f"{request.endpoint} has no @operation")
    return meta


def read_body() -> Any:
    """The request's JSON body as the model its ``@operation`` names (422 when invalid)."""
    meta = _current()
    if meta.body is None:
        raise LookupError(f"the @operation of {request.endpoint} names no body")
    return parse_body(meta.body, optional=meta.body_optional)


def read_query() -> Any:
    """The query string as the model its ``@operation`` names (422 when invalid)."""
    meta = _current()
    if meta.query is None:
        raise LookupError(f"the @operation of {request.endpoint} names no query")
    return parse_query(meta.query)


def path_id(name: str, description: str, pattern: str = r"^[A-Za-z0-9_-]{1,40}$") -> dict:
    """A path parameter: an object's public id."""
    parameter = {"name": name, "in": "path", "required": True}
    if description:
        parameter["description"] = description
    return {**parameter, "schema": {"type": "string", "pattern": pattern}}


@dataclass(eq=False)
class Api:
    """One API's document: its blueprint, title and description, how it authenticates, its
    path parameters by name and its error answers by status (descriptions or response
    objects); ``always``: statuses every operation may answer; ``write_security``: the security
    of the operations that change something (not GET)."""

    blueprint: str
    title: str
    description: str
    path_parameters: dict[str, dict]
    errors: dict[str, str | dict]
    security: list[dict] = field(default_factory=lambda: READ)
    security_schemes: dict = field(default_factory=lambda: SECURITY_SCHEMES)
    write_security: list[dict] | None = None
    always: tuple[str, ...] = ()
    #: the document's shared responses (``components.responses``), given the reference maker
    responses: Callable[[Callable[[type[BaseModel]], dict]], dict] | None = None

    def operations(self, app: Flask) -> list[tuple[str, str, Operation]]:
        """(path template, method, operation) of every documented rule of the blueprint, in
        the URL map's order."""
        found = []
        for rule in app.url_map.iter_rules():
            if rule.endpoint.partition(".")[0] != self.blueprint:
                continue
            meta = getattr(app.view_functions[rule.endpoint], OPERATION_ATTR, None)
            if isinstance(meta, Undocumented):
                continue
            if not isinstance(meta, Operation):
                raise DocumentError(
                    f"{rule.rule} ({rule.endpoint}) has neither @operation nor @undocumented"
                )
            for match in _ARGUMENT.finditer(rule.rule):
                if match["name"] not in self.path_parameters:
                    raise DocumentError(f"{rule.rule}: no schema for {match['name']!r}")
            path = _ARGUMENT.sub(lambda m: "{" + m["name"] + "}", rule.rule)
            for method in sorted(rule.methods - _IGNORED_METHODS):
                found.append((path, method.lower(), meta))
        return found

    def _path_parameters(self, path: str) -> list[dict]:
        return [self.path_parameters[name] for name in re.findall(r"\{(\w+)\}", path)]

    def build(self, app: Flask) -> dict:
        """The document of the routes ``app`` has for the blueprint."""
        found = self.operations(app)
        responses = [m.ok for _p, _m, m in found if isinstance(m.ok, type)]
        requests = [m.body for _p, _m, m in found if m.body is not None]
        models = [(m, "serialization") for m in dict.fromkeys([Error, *responses])]
        models += [(m, "validation") for m in dict.fromkeys(requests)]
        schemas, ref = components(*models)
        paths: dict[str, dict] = {}
        for path, method, meta in found:
            paths.setdefault(path, {})[method] = self._operation(path, method, meta, ref)
        parts: dict[str, Any] = {"securitySchemes": self.security_schemes, "schemas": schemas}
        if self.responses is not None:
            parts["responses"] = self.responses(ref)
        return {
            "openapi": "3.1.0",
            "info": {"title": self.title, "version": "1.0.0", "description": self.description},
            "security": self.security,
            "paths": paths,
            "components": parts,
        }

    def _operation(self, path: str, method: str, meta: Operation, ref) -> dict:
        if isinstance(meta.ok, dict):
            ok = meta.ok
        else:
            description = meta.ok_description or meta.ok.__doc__ or meta.ok.__name__
            ok = json_content(ref(meta.ok), description)
        responses = {"200": ok}
        for status in sorted({*self.always, *meta.errors}):
            error = self.errors[status]
            responses[status] = json_content(ref(Error), error) if isinstance(error, str) else error
        op_id = meta.op_id or current_name(path, method)
        result: dict[str, Any] = {"operationId": op_id, "summary": meta.summary}
        result["responses"] = responses
        parameters = self._path_parameters(path)
        if meta.query is not None:
            parameters += _query_parameters(meta.query)
        parameters += list(meta.parameters)
        if parameters:
            result["parameters"] = parameters
        if meta.body is not None:
            result["requestBody"] = {
                "required": not meta.body_optional,
                "content": {JSON: {"schema": ref(meta.body)}},
            }
        elif meta.multipart is not None:
            result["requestBody"] = meta.multipart
        if method != "get" and self.write_security is not None:
            result["security"] = self.write_security
        return result

    def document(self, app: Flask) -> dict:
        """The document of ``app``'s routes, built once per app (a copy: callers may change
        it)."""
        cache = app.extensions.setdefault("ujisim.openapi", {})
        if self.blueprint not in cache:
            cache[self.blueprint] = self.build(app)
        return copy.deepcopy(cache[self.blueprint])

    def serve(self) -> dict:
        """The document of the current app, for its ``openapi.json`` view."""
        return self.document(current_app)


def current_name(path: str, method: str) -> str:
    """An operation id from the path, for operations that name none."""
    words = re.findall(r"[A-Za-z0-9]+", path)
    return method + "".join(w.capitalize() for w in words)
