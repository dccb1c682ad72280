"""JSON input: one parser for every JSON body the app reads, with the limits the standard one
lacks.

``json.loads`` follows nesting until Python runs out of recursion (JSON 1,000 deep was a
RecursionError, so a 500), takes ``NaN`` and ``Infinity``, which are not JSON, and strings with
NUL characters, which PostgreSQL cannot store. No body of ours needs any of them. ``loads``
refuses them with ``InvalidJSON`` (a ValueError, like a syntax error); the app's JSON provider
reads every ``request.get_json`` through it and answers such a body with a 422 in the JSON
error shape (code ``invalid_json``), even where a view asks for ``silent=True``. The provider
webhooks parse their signed bodies with ``loads`` too.
"""

from __future__ import annotations

import json
import math
from typing import Any

from flask import Flask
from flask.json.provider import DefaultJSONProvider
from flask_babel import gettext as _

from ujisim.core.errors import InvalidJSON, ValidationError

#: deepest nesting of objects and arrays in a body (ours use 2 or 3)
MAX_DEPTH = 32


def _refuse_constant(name: str):
    raise InvalidJSON("constant")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):  # 1e999 reads as infinity
        raise InvalidJSON("constant")
    return value


def loads(data: str | bytes, **kwargs: Any) -> Any:
    """Parse JSON ``data``; ``InvalidJSON`` for nesting deeper than MAX_DEPTH, NaN, Infinity (or
    a number too large for a float) and strings or keys with a NUL character; ``ValueError``
    for what is not JSON at all. ``kwargs`` go to ``json.loads``."""
    kwargs = {"parse_constant": _refuse_constant, "parse_float": _finite, **kwargs}
    try:
        value = json.loads(data, **kwargs)
    except RecursionError as exc:
        raise InvalidJSON("depth") from exc
    _check(value)
    return value


def _check(value: Any) -> None:
    # iterative: checking a deep value must not recurse either
    stack = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, str):
            if "\x00" in item:
                raise InvalidJSON("nul")
            continue
        if not isinstance(item, dict | list):
            continue
        if depth > MAX_DEPTH:
            raise InvalidJSON("depth")
        if isinstance(item, dict):
            stack.extend((key, depth) for key in item)
            item = item.values()
        stack.extend((child, depth + 1) for child in item)


def _refusal(exc: InvalidJSON) -> ValidationError:
    """The 422 answered for a request body outside the limits (like a body that is not JSON)."""
    if exc.reason == "depth":
        message = _("The JSON is nested too deeply: at most %(depth)s levels.", depth=MAX_DEPTH)
    elif exc.reason == "nul":
        message = _("Text in the JSON may not contain NUL characters.")
    else:
        message = _("NaN, Infinity and numbers beyond the range of a float are not allowed.")
    return ValidationError(message, {"body": exc.reason}, code="invalid_json")


class JSONProvider(DefaultJSONProvider):
    """The app's JSON provider (``app.json``): Flask's, but ``loads`` -- which reads every
    ``request.get_json`` -- keeps to the limits above."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            return loads(s, **kwargs)
        except InvalidJSON as exc:
            # no longer a ValueError: get_json(silent=True) would have turned it into None
            raise _refusal(exc) from exc


def init_app(app: Flask) -> None:
    app.json = JSONProvider(app)
