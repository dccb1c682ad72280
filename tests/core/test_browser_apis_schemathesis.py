"""Schemathesis over the browser's JSON APIs -- the exam page's (``/api/v1/exam/...``) and the
JSON parts of proctoring (events, status) -- in-process, from the documents they serve. Like the
print API's run (tests/certificates/test_print_schemathesis.py): requests generated from the
document, valid and invalid, as a logged-in applicant (session cookie and CSRF header) on a
real started, proctored exam. No answer may be a 5xx, and each must match the document."""

from __future__ import annotations

from datetime import date

import pytest
from schemathesis import GenerationMode

from tests.conftest import _test_config
from tests.fuzzing import CHECKS, fuzz, operations
from ujisim.core.security import Role

#: document -> how many operations it has
DOCUMENTS = {"/api/v1/exam/openapi.json": 7, "/api/v1/proctoring/openapi.json": 2}


@pytest.fixture
def app_config(tmp_path, database_url):
    # every generated request should reach its view (the limits have tests of their own)
    return _test_config(tmp_path, database_url, RATELIMIT_ENABLED=False, PROCTOR_REQUIRED=False)


@pytest.fixture
def candidate(db, client, login):
    """A logged-in applicant who consented to proctoring, with a started, proctored exam: the
    attempt's id, the logged-in test client, its session cookie and the CSRF header."""
    from tests.exam.conftest import make_items
    from ujisim.exam import attempts, policy
    from ujisim.proctoring import checks, consent
    from ujisim.question_bank import services

    services.import_contents(db, make_items(per_category=12))  # a SIM A paper's counts
    user = login(Role.APPLICANT, nik="3174050507990003", date_of_birth=date(1999, 7, 5))
    attempt = attempts.create_attempt(db, user, policy.check_eligibility(db, user, "A"))
    attempts.advance(db, attempt, attempts.AttemptState.STARTED, user)
    checks.ensure_case(db, attempt)
    consent.record_consent(db, user, locale="id", ip=None, user_agent=None)
    db.commit()
    token = client.csrf_token()  # first: it is kept in the session, which changes the cookie
    return {
        "attempt": attempt.public_id,
        # the login session is bound to the browser (Flask-Login's strong session protection:
        # address and User-Agent), so the requests go through the test client that logged in;
        # the cookie is given each time (schemathesis would send a made-up one for the
        # document's cookie scheme, and removes the cookies it sets after each call)
        "client": client,
        "cookies": {"session": client.get_cookie("session").value},
        # identity: schemathesis asks for compressed bodies but reads a WSGI answer as it is
        "headers": {
            "X-CSRFToken": token,
            "User-Agent": client.environ_base["HTTP_USER_AGENT"],
            "Accept-Encoding": "identity",
        },
    }


@pytest.mark.parametrize("document", sorted(DOCUMENTS))
@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_browser_api_never_fails_and_keeps_its_promises(app, candidate, document, mode):
    calls = []

    def run(case):
        # the candidate's own attempt: random ids would only ever meet a 404
        case.path_parameters["public_id"] = candidate["attempt"]
        response = case.call_and_validate(
            session=candidate["client"],
            headers=candidate["headers"],
            cookies=candidate["cookies"],
            checks=CHECKS,
        )
        calls.append(response.status_code)

    for operation in operations(app, document, DOCUMENTS[document]):
        fuzz(operation, mode, run, examples=15)
    assert calls
    assert max(calls) < 500
    assert 200 in calls  # valid requests got through the login and the CSRF check


@pytest.mark.parametrize("document", sorted(DOCUMENTS))
def test_browser_api_without_a_login_is_401_or_a_csrf_refusal(app, client, document):
    def run(case):
        response = case.call(session=client)
        assert (response.status_code, response.json()["error"]["code"]) in {
            (401, "unauthorized"),
            (400, "csrf_failed"),  # a POST is checked for its token before the login
        }

    for operation in operations(app, document, DOCUMENTS[document]):
        fuzz(operation, GenerationMode.POSITIVE, run, examples=3)
