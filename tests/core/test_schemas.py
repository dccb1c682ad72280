"""The request schemas (core/schemas.py): what the generated JSON Schema accepts is what the
validation accepts, field by field, for every JSON body model of the APIs -- the document and
the validation are one source (issue 17, point 7) -- and refusals keep the 422 shape."""

from __future__ import annotations

import jsonschema
import pydantic
import pytest

from ujisim.certificates.schemas import ClaimRequest, FailRequest
from ujisim.core import schemas
from ujisim.core.errors import ValidationError
from ujisim.exam.schemas import AnswerStep, OpenQuestion
from ujisim.proctoring.schemas import BrowserEvent

#: model -> a valid body
MODELS = {
    ClaimRequest: {"limit": 3, "kind": "card"},
    FailRequest: {"reason": "pita habis"},
    AnswerStep: {"position": 0, "choice": 2, "seq": 17, "device": "k3x9", "age_ms": 40},
    OpenQuestion: {"position": 3},
    BrowserEvent: {"type": "tab_hidden", "client_at": "2026-11-22T03:00:00Z"},
}
PROBES = [
    None,
    True,
    False,
    -1,
    0,
    1,
    28,
    28.0,
    28.5,
    -0.0,
    2**31 - 1,
    2**31,
    10**30,
    1e308,
    "",
    " ",
    "28",
    "x",
    "card",
    "certificate",
    "tab_hidden",
    "k3x9",
    "dua kata",
    "x" * 33,
    "x" * 500,
    "x" * 501,
    [],
    [1],
    {},
    {"a": 1},
]


def _pydantic_accepts(model, body) -> bool:
    try:
        model.model_validate(body)
    except pydantic.ValidationError:
        return False
    return True


@pytest.mark.parametrize("model", list(MODELS), ids=lambda m: m.__name__)
def test_the_schema_accepts_exactly_what_the_validation_accepts(model):
    schema = model.model_json_schema()
    validator = jsonschema.Draft202012Validator(schema)
    base = MODELS[model]
    assert validator.is_valid(base)
    assert _pydantic_accepts(model, base)
    bodies = [{k: v for k, v in base.items() if k != field} for field in base]
    bodies += [{**base, field: value} for field in model.model_fields for value in PROBES]
    differ = [b for b in bodies if validator.is_valid(b) != _pydantic_accepts(model, b)]
    assert differ == []


def test_no_constraint_is_written_under_a_name_json_schema_does_not_know():
    # pydantic writes "ge"/"le" when a validator precedes the constraint (core/schemas.WHOLE)
    for model in MODELS:
        text = str(model.model_json_schema())
        assert "'ge'" not in text, model
        assert "'le'" not in text, model


def test_a_refusal_names_each_field_once_with_its_code(app):
    with pytest.raises(ValidationError) as caught:
        schemas.validate(AnswerStep, {"position": -1, "choice": "B", "seq": 0, "device": 7})
    assert caught.value.fields == {
        "position": "range",
        "choice": "integer",
        "seq": "required",
        "device": "string",
    }
    assert caught.value.status == 422
    assert "-1" in caught.value.message  # "There is no question -1." (in the user's language)
    with pytest.raises(ValidationError) as caught:
        schemas.validate(AnswerStep, {"seq": 1})
    assert caught.value.fields == {"position": "required"}
