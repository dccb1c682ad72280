"""The API documents come from the routes (core/openapi.py): every route of a documented
blueprint is described by its view's ``@operation`` or left out by ``@undocumented``; a route
with neither, a path argument without a schema, or a view validating another model than the one
it documents is an error, not a document that silently says less than the API does."""

from __future__ import annotations

import pytest
from flask import Blueprint, Flask

from ujisim.certificates.openapi import API as PRINT_API
from ujisim.core.errors import DocumentError, SchemaMismatch
from ujisim.core.openapi import (
    Api,
    Undocumented,
    operation,
    read_body,
    read_query,
    undocumented,
)
from ujisim.core.schemas import OPERATION_ATTR, RequestModel, ResponseModel
from ujisim.exam.openapi import API as EXAM_API
from ujisim.proctoring.openapi import API as PROCTORING_API
from ujisim.renewal.openapi import API as RENEWAL_API

#: each API and where it serves its document
SERVED = {
    PRINT_API: "/api/v1/openapi.json",
    EXAM_API: "/api/v1/exam/openapi.json",
    PROCTORING_API: "/api/v1/proctoring/openapi.json",
    RENEWAL_API: "/api/v1/renewal/openapi.json",
}


class Thing(RequestModel):
    name: str


class Other(RequestModel):
    size: int


class Answer(ResponseModel):
    """An answer."""

    ok: bool


def _app(*views) -> Flask:
    """A bare app with the blueprint ``toy`` holding ``views`` ((rule, methods, view))."""
    bp = Blueprint("toy", __name__, url_prefix="/toy")
    for rule, methods, view in views:
        bp.add_url_rule(rule, view_func=view, methods=methods)
    app = Flask(__name__)
    app.config["TESTING"] = True
    app.register_blueprint(bp)
    return app


TOY = Api(blueprint="toy", title="toy", description="", path_parameters={}, errors={})


@operation(summary="Make a thing.", ok=Answer, body=Thing)
def make():
    return {"ok": read_body().name == "x"}


@pytest.mark.parametrize("api", list(SERVED), ids=lambda api: api.blueprint)
def test_every_route_of_an_api_is_documented_or_left_out_on_purpose(app, client, api):
    document = client.get(SERVED[api]).get_json()
    documented = {(m.upper(), p) for p, item in document["paths"].items() for m in item}
    routed = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.partition(".")[0] != api.blueprint:
            continue
        meta = getattr(app.view_functions[rule.endpoint], OPERATION_ATTR, None)
        assert meta is not None, f"{rule.rule} has neither @operation nor @undocumented"
        if isinstance(meta, Undocumented):
            continue
        path = rule.rule.replace("<", "{").replace(">", "}")
        routed |= {(m, path) for m in rule.methods - {"HEAD", "OPTIONS"}}
    assert documented == routed
    assert documented


def test_a_route_without_the_decorator_stops_the_document():
    def forgotten():
        return {"ok": True}

    app = _app(("/things", ["POST"], make), ("/forgotten", ["GET"], forgotten))
    with pytest.raises(DocumentError, match="/toy/forgotten"):
        TOY.build(app)
    forgotten = undocumented("a test")(forgotten)
    app = _app(("/things", ["POST"], make), ("/forgotten", ["GET"], forgotten))
    assert list(TOY.build(app)["paths"]) == ["/toy/things"]


@pytest.mark.fresh_app
def test_a_new_route_of_a_real_api_without_the_decorator_stops_its_document(app, client):
    app.add_url_rule("/api/v1/exam/planted", endpoint="exam_api.planted", view_func=lambda: {})
    with pytest.raises(DocumentError, match="planted"):
        EXAM_API.build(app)


def test_a_path_argument_needs_a_schema():
    @operation(summary="One thing.", ok=Answer)
    def one(thing_id):
        return {"ok": True}

    with pytest.raises(DocumentError, match="thing_id"):
        TOY.build(_app(("/things/<thing_id>", ["GET"], one)))
    api = Api(
        blueprint="toy",
        title="toy",
        description="",
        path_parameters={"thing_id": {"name": "thing_id", "in": "path", "required": True}},
        errors={},
    )
    (item,) = api.build(_app(("/things/<thing_id>", ["GET"], one)))["paths"].values()
    assert item["get"]["parameters"] == [api.path_parameters["thing_id"]]


def test_the_document_describes_the_body_the_view_validates():
    app = _app(("/things", ["POST"], make))
    operation_ = TOY.build(app)["paths"]["/toy/things"]["post"]
    schema = operation_["requestBody"]["content"]["application/json"]["schema"]
    assert schema == {"$ref": "#/components/schemas/Thing"}
    assert app.test_client().post("/toy/things", json={"name": "x"}).get_json() == {"ok": True}


def test_a_view_validating_another_body_than_it_documents_fails():
    from ujisim.core.schemas import parse_body, parse_query

    @operation(summary="Make a thing.", ok=Answer, body=Thing)
    def mismatched_body():
        return {"ok": parse_body(Other).size > 0}

    @operation(summary="List things.", ok=Answer, query=Thing)
    def mismatched_query():
        return {"ok": parse_query(Other).size > 0}

    @operation(summary="List things.", ok=Answer)
    def undeclared_query():
        return {"ok": read_query() is not None}

    app = _app(
        ("/things", ["POST"], mismatched_body),
        ("/list", ["GET"], mismatched_query),
        ("/undeclared", ["GET"], undeclared_query),
    )
    client = app.test_client()
    with pytest.raises(SchemaMismatch, match="Other"):
        client.post("/toy/things", json={"size": 3})
    with pytest.raises(SchemaMismatch, match="Other"):
        client.get("/toy/list?size=3")
    with pytest.raises(LookupError, match="names no query"):
        client.get("/toy/undeclared")
