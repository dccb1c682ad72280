"""Helpers for the print-queue tests (not fixtures): cards from plain data, and an API client that
checks every response against the OpenAPI document."""

from __future__ import annotations

import functools
import io
import re
from datetime import date, datetime

import jsonschema
from PIL import Image, ImageDraw
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from ujisim.certificates.openapi import spec
from ujisim.core.documents import CardData


@functools.cache
def small_photo() -> bytes:
    """A 120 x 160 JPEG: a drawn face on blue (enough for a card, cheap to store 1,000 times)."""
    image = Image.new("RGB", (120, 160), (40, 90, 200))
    ImageDraw.Draw(image).ellipse((34, 30, 86, 94), fill=(230, 190, 160))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=80)
    return out.getvalue()


def plain_card(number: int = 1, **changes) -> CardData:
    """A licence card built from plain values, as renewal will hand it over (unsigned)."""
    fields = dict(
        licence_number=f"9876-5432-{number:06d}",
        licence_class="C",
        name=f"Dewi Lestari {number}",
        place_of_birth="Bandung",
        date_of_birth=date(1992, 3, 14),
        address="Jl. Dago No. 5, Kel. Lebak Siliwangi, Kec. Coblong, Kota Bandung 40132",
        sex="P",
        issued_on=date(2026, 11, 22),
        expires_on=date(2031, 3, 14),
        issuing_office="Satpas Polrestabes Bandung",
        photo=small_photo(),
        blood_type="A",
    )
    fields.update(changes)
    return CardData(**fields)


# --- checking responses against the OpenAPI document --------------------------------------------


FORMATS = jsonschema.FormatChecker()


@FORMATS.checks("date-time", raises=ValueError)
def _date_time(value) -> bool:
    # RFC 3339 with an offset: what the API promises for every time
    return not isinstance(value, str) or datetime.fromisoformat(value).tzinfo is not None


def _path_regex(template: str) -> re.Pattern:
    return re.compile("^" + re.sub(r"\{[^}]+\}", "[^/]+", template) + "$")


class SpecChecker:
    """Finds the operation of a request in the document and validates the response: status
    documented, content type as documented, JSON body valid against the schema.
    ``document_of(app)``: the document (by default the print API's)."""

    def __init__(self, document_of=spec):
        self.document: dict | None = None
        self.document_of = document_of
        self.checked = 0
        self.operations: set[str] = set()

    def load(self, app) -> None:
        """The document of ``app``'s routes (the first app's: every app has the same routes)."""
        if self.document is not None:
            return
        self.document = self.document_of(app)
        resource = DRAFT202012.create_resource(self.document)
        self.registry = Registry().with_resource("urn:ujisim-print", resource)
        self.paths = [(_path_regex(p), p) for p in self.document["paths"]]

    def operation(self, method: str, path: str) -> dict:
        for regex, template in self.paths:
            if regex.match(path):
                return self.document["paths"][template][method.lower()]
        raise AssertionError(f"{method} {path} is not in the OpenAPI document")

    def _resolve(self, node: dict) -> dict:
        while "$ref" in node:
            parts = node["$ref"].removeprefix("#/").split("/")
            node = functools.reduce(lambda d, k: d[k], parts, self.document)
        return node

    def check(self, method: str, path: str, response) -> None:
        operation = self.operation(method, path)
        status = str(response.status_code)
        assert status in operation["responses"], (method, path, status, response.get_data())
        self.operations.add(operation["operationId"])
        documented = self._resolve(operation["responses"][status])
        content = documented.get("content", {})
        media = response.mimetype
        assert media in content, (method, path, status, media)
        if media == "application/json":
            schema = content[media]["schema"]
            validator = jsonschema.Draft202012Validator(
                {"$ref": "urn:ujisim-print" + schema["$ref"]} if "$ref" in schema else schema,
                registry=self.registry,
                format_checker=FORMATS,
            )
            validator.validate(response.get_json())
        else:
            assert response.data.startswith(b"%PDF-"), (method, path)
        self.checked += 1


class ApiClient:
    """The Flask test client with a station's bearer token; every answer is validated."""

    def __init__(self, client, token: str | None, checker: SpecChecker):
        self.client, self.token, self.checker = client, token, checker
        checker.load(client.application)

    def _headers(self, token):
        token = self.token if token is ... else token
        return {"Authorization": f"Bearer {token}"} if token else {}

    def get(self, path: str, *, token=..., **kwargs):
        response = self.client.get(path, headers=self._headers(token), **kwargs)
        self.checker.check("GET", path.split("?", 1)[0], response)
        return response

    def post(self, path: str, json=None, *, token=..., headers=None, **kwargs):
        headers = {**self._headers(token), **(headers or {})}
        response = self.client.post(path, json=json, headers=headers, **kwargs)
        self.checker.check("POST", path, response)
        return response

    def with_token(self, token: str | None) -> ApiClient:
        return ApiClient(self.client, token, self.checker)
