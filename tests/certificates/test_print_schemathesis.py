"""Schemathesis over the print-shop API, in-process (WSGI): requests generated from the served
OpenAPI document, valid and invalid, with a real station token and real jobs in the database.
No answer may be a 5xx, and each must match the document (status, content type, body)."""

from __future__ import annotations

import pytest
from schemathesis import GenerationMode

from tests.fuzzing import CHECKS, fuzz, operations


@pytest.fixture
def station_token(app, make_station, card_jobs, db):
    """A station holding two card jobs, with more waiting; the generated requests run against
    this data (their ids are random, so mostly 404 or 409, and claims take real jobs)."""
    from ujisim.certificates import print_queue

    station, token = make_station("Stasiun Schemathesis")
    card_jobs(6)
    print_queue.claim(db, db.merge(station), 2)
    db.commit()
    return token


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_print_api_never_fails_and_keeps_its_promises(app, station_token, mode):
    # identity: schemathesis asks for compressed bodies but reads a WSGI answer as it is
    headers = {"Authorization": f"Bearer {station_token}", "Accept-Encoding": "identity"}
    calls = []

    def run(case):
        calls.append(case.call_and_validate(headers=headers, checks=CHECKS).status_code)

    for operation in operations(app, "/api/v1/openapi.json", 10):
        fuzz(operation, mode, run, examples=15)
    assert calls
    assert max(calls) < 500
    assert 200 in calls  # the valid requests did get through the token check


def test_print_api_without_a_real_token_is_401(app):
    def run(case):
        response = case.call()
        # no header, or one schemathesis made up: never a station's token
        assert response.status_code == 401
        assert response.json()["error"]["code"] in {"unauthorized", "invalid_token"}

    for operation in operations(app, "/api/v1/openapi.json", 10):
        fuzz(operation, GenerationMode.POSITIVE, run, examples=3)
