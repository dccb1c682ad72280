"""The request's unit of work (core/requests.py) and a refused form post (core/errors.py):
what a request wrote is kept exactly when it succeeded, and a domain error refusing a form is
flashed on the form's page."""

from datetime import date

import pytest
from flask import get_flashed_messages
from sqlalchemy import func, select

from ujisim.core.db import get_db, get_session
from ujisim.core.errors import ConflictError, DutyRefused, refusal_page
from ujisim.core.requests import commit_despite_error_status
from ujisim.core.security import csrf
from ujisim.exam.models import Holiday

NAME = "unit-of-work test"


# the tests add routes to their app
pytestmark = [pytest.mark.fresh_app, pytest.mark.both_backends]


def _add(day: int = 1) -> None:
    get_session().add(Holiday(day=date(2031, 1, day), name=NAME))


@pytest.fixture
def routes(app):
    """Views that write a holiday, then answer or fail in each way a view can."""

    @refusal_page("uow_page")
    def refused():
        _add()
        raise ConflictError("Already decided.")

    def raised_without_page():
        _add()
        raise ConflictError("Already decided.")

    @refusal_page("uow_page")
    def duty():
        _add()
        raise DutyRefused("Not your own.")

    def status(code: int):
        _add()
        return "answer", code

    def kept():
        _add()
        commit_despite_error_status()
        return "refused, on record", 401

    def duplicate():
        _add(2)
        _add(2)  # both flushed only by the commit, where the unique day refuses the second
        return "ok"

    def page():
        return {"flashes": get_flashed_messages(with_categories=True)}

    rules = {
        "/_uow/refused": refused,
        "/_uow/raised": raised_without_page,
        "/_uow/duty": duty,
        "/_uow/status/<int:code>": status,
        "/_uow/kept": kept,
        "/_uow/duplicate": duplicate,
    }
    for rule, view in rules.items():
        app.add_url_rule(rule, view.__name__, csrf.exempt(view), methods=["POST"])
    app.add_url_rule("/_uow/page", "uow_page", page)
    return app


def kept_rows() -> int:
    """Holidays of this test that the requests left (read on a session of the test's own)."""
    with get_db().session(write=False) as session:
        return session.scalar(select(func.count()).where(Holiday.name == NAME))


@pytest.mark.parametrize("code", [200, 201, 302])
def test_a_view_that_succeeds_is_committed_once_it_returns(routes, client, code):
    assert client.post(f"/_uow/status/{code}").status_code == code
    assert kept_rows() == 1


@pytest.mark.parametrize("code", [400, 409, 422, 500])
def test_a_view_answering_an_error_status_changes_nothing(routes, client, code):
    assert client.post(f"/_uow/status/{code}").status_code == code
    assert kept_rows() == 0


def test_a_refusal_that_must_leave_a_trace_is_kept_with_its_error_status(routes, client):
    assert client.post("/_uow/kept").status_code == 401
    assert kept_rows() == 1


def test_a_domain_error_rolls_back_and_is_flashed_on_the_forms_page(routes, client):
    response = client.post("/_uow/refused")
    assert response.status_code == 303
    assert response.headers["Location"] == "/_uow/page"
    assert kept_rows() == 0
    assert client.get("/_uow/page").json == {"flashes": [["error", "Already decided."]]}


def test_a_json_request_gets_the_error_shape_instead(routes, client):
    response = client.post("/_uow/refused", json={})
    assert response.status_code == 409
    assert response.json["error"]["message"] == "Already decided."
    assert kept_rows() == 0


def test_an_access_refusal_keeps_its_error_page_after_a_form_post(routes, client):
    response = client.post("/_uow/duty")
    assert response.status_code == 403
    assert "Not your own." in response.get_data(as_text=True)
    assert kept_rows() == 0


def test_a_view_without_a_page_goes_back_to_the_forms_back_field(routes, client):
    response = client.post("/_uow/raised", data={"back": "/_uow/page?tab=2"})
    assert response.status_code == 303
    assert response.headers["Location"] == "/_uow/page?tab=2"


@pytest.mark.parametrize("back", ["", "//evil.example/", "https://evil.example/", "/\\evil"])
def test_without_a_safe_back_field_the_error_page_answers(routes, client, back):
    response = client.post("/_uow/raised", data={"back": back})
    assert response.status_code == 409
    assert "Already decided." in response.get_data(as_text=True)
    assert kept_rows() == 0


def test_a_conflict_found_only_at_the_commit_is_a_409_not_a_lost_write(routes, client):
    response = client.post("/_uow/duplicate", json={})
    assert response.status_code == 409
    assert response.json["error"]["code"] == "conflict"
    assert kept_rows() == 0
