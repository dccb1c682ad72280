"""Request and response schemas of the JSON APIs: pydantic models validate what a request sends
(``parse_body``, ``parse_query``) and generate the OpenAPI documents (``components``,
``query_parameters``), so the document and the validation are one source.

Why pydantic (v2): a maintained library whose models are typed Python classes; its JSON Schema
output is draft 2020-12, the dialect OpenAPI 3.1 uses as is (no translation layer to drift);
strict mode refuses what a lax parser would coerce (``"3"`` or ``true`` for a number). Its
errors are mapped here to our one 422 shape, ``fields`` = {field: code}, with messages in the
user's language.

Numbers: JSON does not tell ``28`` from ``28.0`` and JSON Schema's ``integer`` accepts both, so
an integer field takes a number with no fractional part (``WHOLE``) and refuses ``28.5``,
``"28"`` and ``true`` -- exactly what the generated ``type: integer`` promises.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any, ClassVar, TypeVar, get_args, get_origin

import pydantic
from flask import current_app, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from pydantic import BaseModel, BeforeValidator, ConfigDict
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaMode, models_json_schema

from ujisim.core.errors import SchemaMismatch, ValidationError

#: where the generated schemas put references: the document's components
REF = "#/components/schemas/{model}"
M = TypeVar("M", bound=BaseModel)
#: the attribute ``core.openapi.operation`` sets on an API view: its documented models
OPERATION_ATTR = "openapi_operation"


def _check_documented(kind: str, model: type[BaseModel]) -> None:
    # the view's @operation (core/openapi.py), when it has one, must name this very model
    view = current_app.view_functions.get(request.endpoint or "")
    meta = getattr(view, OPERATION_ATTR, None)
    if meta is None or not hasattr(meta, kind):
        return
    if getattr(meta, kind) is not model:
        raise SchemaMismatch(
            f"{request.endpoint} validates its {kind} with {model.__name__}; its @operation "
            f"documents {getattr(getattr(meta, kind), '__name__', None)}"
        )


def _whole_number(value: Any) -> Any:
    # 28.0 is the integer 28 in JSON (and in JSON Schema); 28.5 stays a float and is refused
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _number_text(value: Any) -> Any:
    # a query string's "50": digits only (no "5_0", " 50", "5e1"); Python's limit on digits
    if isinstance(value, str) and re.fullmatch(r"-?[0-9]{1,30}", value):
        return int(value)
    return value


#: on an ``int`` field, AFTER its ``Field(ge=..., le=...)`` (before it, pydantic would write
#: ``ge``/``le`` into the JSON Schema instead of ``minimum``/``maximum``)
WHOLE = BeforeValidator(_whole_number)
#: the same for a query parameter (its value arrives as text)
QUERY_INT = BeforeValidator(_number_text)


class Problem:
    """Field metadata: the 422 ``code`` and ``message`` when validating the field fails with
    one of the pydantic error types ``on`` (none given: any). ``message`` is text (lazy) or a
    function of the pydantic error. The first matching Problem of a field wins."""

    __slots__ = ("code", "message", "on")

    def __init__(self, code: str, message: Any, *on: str):
        self.code, self.message, self.on = code, message, frozenset(on)


#: pydantic's error types of a value that is not an integer at all
INTEGER_ERRORS = ("int_type", "int_parsing", "int_from_float")


class RequestModel(BaseModel):
    """A request body or query: strict types; unknown keys are ignored (clients may send more
    than we read)."""

    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)
    #: the 422 message for a body that is not a JSON object
    not_an_object: ClassVar = _l("Send a JSON object.")


class ResponseModel(BaseModel):
    """A response body as the API promises it: no keys beyond the ones listed."""

    model_config = ConfigDict(extra="forbid")


class ErrorDetail(ResponseModel):
    code: str = pydantic.Field(description="machine-readable, stable")
    message: str = pydantic.Field(description="for people, in Indonesian")
    fields: dict[str, str] = pydantic.Field(description="field name -> problem")


class Error(ResponseModel):
    """Every refusal: ``{"error": {"code", "message", "fields"}}`` (core/errors.py)."""

    error: ErrorDetail


def _generic(name: str, error: dict) -> tuple[str, str]:
    kind = error["type"]
    if kind == "missing":
        return "required", _("%(name)s is required.", name=name)
    if kind.startswith("int_"):
        return "integer", _("%(name)s must be a whole number.", name=name)
    if kind == "string_type":
        return "string", _("%(name)s must be text.", name=name)
    if kind == "literal_error":
        return "choice", _(
            "%(name)s must be one of: %(choices)s.", name=name, choices=error["ctx"]["expected"]
        )
    return "invalid", _("%(name)s is not valid.", name=name)


def _problem(model: type[BaseModel], name: str, error: dict) -> tuple[str, str]:
    info = model.model_fields.get(name)
    for meta in info.metadata if info is not None else ():
        if isinstance(meta, Problem) and (not meta.on or error["type"] in meta.on):
            message = meta.message(error) if callable(meta.message) else meta.message
            return meta.code, str(message)
    return _generic(name, error)


def refusal(model: type[BaseModel], exc: pydantic.ValidationError) -> ValidationError:
    """The 422 for pydantic's errors: one code per field (its first problem), the messages."""
    fields: dict[str, str] = {}
    messages: list[str] = []
    for error in exc.errors(include_url=False, include_input=True):
        name = str(error["loc"][0]) if error["loc"] else "body"
        if name in fields:
            continue
        fields[name], message = _problem(model, name, error)
        messages.append(message)
    return ValidationError(" ".join(messages), fields)


def validate(model: type[M], data: Any) -> M:
    """``model`` from plain data, or the 422 ``ValidationError``."""
    try:
        return model.model_validate(data)
    except pydantic.ValidationError as exc:
        raise refusal(model, exc) from None


def parse_body(model: type[M], *, optional: bool = False) -> M:
    """The request's JSON body as ``model``. The JSON itself is read by the app's one parser
    (core/json_input: 422 ``invalid_json`` beyond its limits); what is not a JSON object is
    422 ``{"body": "json"}``. ``optional``: an empty body is ``{}`` (every field defaulted).
    In a view with ``@operation``, ``model`` must be the body it documents (``SchemaMismatch``)."""
    _check_documented("body", model)
    if optional and not request.get_data():
        return validate(model, {})
    body = request.get_json(force=True, silent=True)
    if not isinstance(body, dict):
        raise ValidationError(str(model.not_an_object), {"body": "json"})
    return validate(model, body)


def _is_list(annotation) -> bool:
    return get_origin(annotation) is list or any(_is_list(a) for a in get_args(annotation))


def parse_query(model: type[M]) -> M:
    """The query string as ``model``: each field from the parameter of its name (the first one
    when repeated); a list field from comma-separated values (OpenAPI ``style: form``,
    ``explode: false``). In a view with ``@operation``, ``model`` must be the query it
    documents (``SchemaMismatch``)."""
    _check_documented("query", model)
    values: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        if name not in request.args:
            continue
        raw = request.args[name]
        values[name] = (raw.split(",") if raw else []) if _is_list(info.annotation) else raw
    return validate(model, values)


class _Generator(GenerateJsonSchema):
    # "title": "Limit" on every property says nothing the key does not
    def field_title_should_be_set(self, schema) -> bool:
        return False


def components(
    *models: tuple[type[BaseModel], JsonSchemaMode],
) -> tuple[dict[str, dict], Callable[[type[BaseModel]], dict]]:
    """The JSON Schemas of ``models`` ((model, "validation" | "serialization")) and everything
    they refer to, by name, for ``components.schemas``; and ``ref(model)``, the reference to
    one of them."""
    refs, top = models_json_schema(list(models), ref_template=REF, schema_generator=_Generator)
    by_model = {model: refs[(model, mode)] for model, mode in models}

    def ref(model: type[BaseModel]) -> dict:
        return dict(by_model[model])

    return top.get("$defs", {}), ref


def query_parameters(model: type[BaseModel]) -> list[dict]:
    """OpenAPI query parameters from a query model: one per field, its schema inline."""
    schema = model.model_json_schema(ref_template=REF, schema_generator=_Generator)
    assert "$defs" not in schema, "query parameters are inline: no nested models"  # noqa: S101
    required = set(schema.get("required", ()))
    parameters = []
    for name, prop in schema["properties"].items():
        parameter = {"name": name, "in": "query", "required": name in required}
        # a query value cannot be null: an optional parameter is left out instead
        others = [s for s in prop.pop("anyOf", ()) if s != {"type": "null"}]
        if others:
            prop.update(others[0] if len(others) == 1 else {"anyOf": others})
        if prop.get("default", ...) is None:
            del prop["default"]
        if "description" in prop:
            parameter["description"] = prop.pop("description")
        if prop.get("type") == "array":
            parameter.update(style="form", explode=False)
        parameters.append({**parameter, "schema": prop})
    return parameters
