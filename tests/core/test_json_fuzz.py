"""Every JSON POST endpoint of the app against bodies no client of ours sends: values of the wrong
type, huge numbers, deep nesting, NUL characters, what is not JSON at all, and (where CSRF
applies) no CSRF token. None may answer 5xx; every refusal of the JSON API is a 4xx in the JSON
error shape (issue 17, point 6).

The endpoints come from ``app.url_map``: every POST under ``/api/`` and the provider webhooks.
Each needs an entry in ENDPOINTS (its URL with real objects, the fields it reads), so a new one
cannot go unfuzzed. Webhook bodies are signed, so that they get past the signature to the
parser. Rate limits are off: every body should reach the view.
"""

from __future__ import annotations

import json
from datetime import date

import pytest

from tests.conftest import _test_config
from ujisim.core.json_input import MAX_DEPTH
from ujisim.core.security import Role

#: the blueprints CSRF does not apply to: a bearer token or an HMAC signature instead of a cookie
CSRF_EXEMPT = {"print_api", "renewal_webhooks"}
WEBHOOKS = {
    "renewal_webhooks.payment_webhook": "payment",
    "renewal_webhooks.courier_webhook": "courier",
}
#: endpoint -> (URL with "{attempt}" and "{job}" filled from ``objects``, the fields it reads)
EXAM = ("position", "choice", "seq", "device", "age_ms")
ENDPOINTS = {
    "exam_api.save_answer": ("/api/v1/exam/attempts/{attempt}/answers", EXAM),
    "exam_api.open_question": ("/api/v1/exam/attempts/{attempt}/open", ("position",)),
    "exam_api.submit": ("/api/v1/exam/attempts/{attempt}/submit", ()),
    "exam_api.start_clip": ("/api/v1/exam/attempts/{attempt}/clips/start", ("number",)),
    "exam_api.save_clip_clicks": (
        "/api/v1/exam/attempts/{attempt}/clips/clicks",
        ("number", "clicks"),
    ),
    "print_api.claim": ("/api/v1/print/jobs/claim", ("limit", "kind")),
    "print_api.printed": ("/api/v1/print/jobs/{job}/printed", ()),
    "print_api.failed": ("/api/v1/print/jobs/{job}/failed", ("reason",)),
    "print_api.release": ("/api/v1/print/jobs/{job}/release", ()),
    "proctoring_api.event": ("/api/v1/proctoring/attempts/{attempt}/events", ("type", "client_at")),
    # these take multipart frames or nothing; a JSON body must still not break them
    "proctoring_api.camera_check": ("/api/v1/proctoring/attempts/{attempt}/camera-check", ()),
    "proctoring_api.new_check": ("/api/v1/proctoring/attempts/{attempt}/checks", ()),
    "proctoring_api.snapshot": ("/api/v1/proctoring/attempts/{attempt}/snapshots", ()),
    "proctoring_api.check_frames": ("/api/v1/proctoring/checks/unknown/frames", ()),
    "renewal_api.camera_check": ("/api/v1/renewal/applications/unknown/camera-check", ()),
    "renewal_api.new_check": ("/api/v1/renewal/applications/unknown/identity-checks", ()),
    "renewal_api.check_frames": ("/api/v1/renewal/identity-checks/unknown/frames", ()),
    "renewal_webhooks.payment_webhook": (
        "/payments/webhook",
        ("event_id", "reference", "amount", "type", "status"),
    ),
    "renewal_webhooks.courier_webhook": (
        "/courier/webhook",
        ("event_id", "reference", "amount", "type", "status"),
    ),
}
#: a plausible body, one value per field any endpoint reads
BASE = {
    "position": 0,
    "choice": 1,
    "seq": 1,
    "device": "k3x9",
    "age_ms": 40,
    "limit": 1,
    "kind": "card",
    "reason": "paper jam",
    "type": "tab_hidden",
    "client_at": "2026-11-22T03:00:00Z",
    "event_id": "evt_fuzz",
    "reference": "SBX0000000001",
    "amount": 100_000,
    "status": "in_transit",
}
WRONG = [None, True, -1, 1.5, "x", "", [], {"a": 1}, 10**30, -(10**30), 2**63, 1e308, "\x00"]


def nested(depth: int, leaf: str = "1") -> str:
    return "[" * depth + leaf + "]" * depth


#: bodies that are not what any endpoint expects, whatever its fields
STRUCTURAL = [
    b"",
    b"not json",
    b"\xff\xfe\x00\x01",
    b"[",
    b"null",
    b"5",
    b'"text"',
    b"[]",
    b"[1, 2, 3]",
    b"{}",
    nested(1000).encode(),
    ('{"a":' * 1000 + "1" + "}" * 1000).encode(),
    nested(MAX_DEPTH + 1).encode(),
    f'{{"position": {nested(100, "0")}}}'.encode(),
    b'{"position": 1' + b"0" * 5000 + b"}",  # past Python's limit for an int's digits
    b'{"limit": 1e999, "position": -1e999}',
    b'{"limit": NaN, "position": Infinity}',
    b'{"\\u0000": 1}',
    b'{"device": "a\\u0000b", "reason": "\\u0000", "type": "\\u0000", "status": "\\u0000"}',
    b'{"position": 0, "position": "again"}',
]


def bodies(fields) -> list[bytes]:
    """The structural bodies, then BASE with each field of ``fields`` replaced by a wrong
    value or left out."""
    out = list(STRUCTURAL)
    for field in fields:
        out.append(json.dumps({k: v for k, v in BASE.items() if k != field}).encode())
        out.extend(json.dumps({**BASE, field: value}).encode() for value in WRONG)
    return out


@pytest.fixture
def app_config(tmp_path, database_url):
    return _test_config(tmp_path, database_url, RATELIMIT_ENABLED=False, PROCTOR_REQUIRED=False)


@pytest.fixture
def objects(db, client, login, frozen_clock):
    """A logged-in applicant who consented to proctoring, with a started, proctored exam; a print
    station holding a card job. Returns the URL values and the station's token."""
    from tests.certificates.print_support import plain_card
    from tests.exam.conftest import make_items
    from ujisim.certificates import print_documents, print_queue, stations
    from ujisim.exam import attempts, policy
    from ujisim.proctoring import checks, consent
    from ujisim.question_bank import services

    services.import_contents(db, make_items(per_category=12))  # a SIM A paper's counts
    candidate = login(Role.APPLICANT, nik="3174050507990003", date_of_birth=date(1999, 7, 5))
    attempt = attempts.create_attempt(db, candidate, policy.check_eligibility(db, candidate, "A"))
    attempts.advance(db, attempt, attempts.AttemptState.STARTED, candidate)
    checks.ensure_case(db, attempt)
    consent.record_consent(db, candidate, locale="id", ip=None, user_agent=None)
    station, token = stations.create_station(db, "Percetakan Fuzz", candidate)
    job = print_documents.enqueue_card(db, plain_card(1))
    print_queue.claim(db, station, 1)
    db.commit()
    return {
        "values": {"attempt": attempt.public_id, "job": job.public_id},
        "token": token,
    }


@pytest.fixture
def send(app, client, objects):
    """``send(endpoint, body, csrf=True, content_type=...)``: POST ``body`` as the endpoint's
    client would (CSRF token, bearer token or signature), returning the response."""
    from ujisim.renewal import providers

    token = client.csrf_token()

    def do(endpoint: str, body: bytes, *, csrf: bool = True, content_type="application/json"):
        url = ENDPOINTS[endpoint][0].format(**objects["values"])
        headers = {"Content-Type": content_type} if content_type else {}
        if endpoint.startswith("print_api."):
            headers["Authorization"] = f"Bearer {objects['token']}"
        elif endpoint in WEBHOOKS:
            secret = providers.webhook_secret(WEBHOOKS[endpoint])
            headers[providers.SIGNATURE_HEADER] = providers.sign(secret, body)
        elif csrf:
            headers["X-CSRFToken"] = token
        return client.post(url, data=body, headers=headers)

    return do


def json_post_endpoints(app) -> set[str]:
    return {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if "POST" in rule.methods and (rule.rule.startswith("/api/") or rule.endpoint in WEBHOOKS)
    }


def problem(endpoint: str, body: bytes, response) -> str | None:
    """What is wrong with ``response`` to ``body`` (None: a fine answer)."""
    where = f"{endpoint} {body[:80]!r} -> {response.status_code}"
    if response.status_code >= 500:
        return where
    if response.status_code < 400:
        return None
    data = response.get_json(silent=True)
    if endpoint in WEBHOOKS and isinstance(data, dict) and set(data) == {"status"}:
        return None  # a verified event refused: the outcome, on record
    error = data.get("error") if isinstance(data, dict) else None
    if not isinstance(error, dict) or set(error) != {"code", "message", "fields"}:
        return f"{where}: not the JSON error shape: {response.get_data()[:200]!r}"
    return None


def test_every_json_endpoint_is_fuzzed(app):
    found = json_post_endpoints(app)
    assert found == set(ENDPOINTS)
    # the ones the issue names, so that a change in discovery cannot quietly drop them
    assert {
        "exam_api.save_answer",
        "exam_api.submit",
        "print_api.claim",
        "proctoring_api.event",
        *WEBHOOKS,
    } <= found


@pytest.mark.parametrize("endpoint", sorted(ENDPOINTS))
def test_no_body_gets_a_server_error(send, endpoint):
    problems = []
    for body in bodies(ENDPOINTS[endpoint][1]):
        for content_type in ("application/json", None):
            response = send(endpoint, body, content_type=content_type)
            problems.append(problem(endpoint, body, response))
    assert [p for p in problems if p] == []


@pytest.mark.parametrize(
    "endpoint",
    sorted(e for e in ENDPOINTS if e.split(".")[0] not in CSRF_EXEMPT),
)
def test_without_csrf_every_body_is_refused_before_it_is_read(send, endpoint):
    for body in [*STRUCTURAL, json.dumps(BASE).encode()]:
        response = send(endpoint, body, csrf=False)
        assert response.status_code == 400, (endpoint, body[:80], response.status_code)
        assert response.get_json()["error"]["code"] == "csrf_failed"


#: bodies past a limit of the JSON reader, and the limit each one names
OUTSIDE_THE_LIMITS = [
    (nested(1000), "depth"),
    (f'{{"position": {nested(MAX_DEPTH)}}}', "depth"),
    ('{"limit": NaN}', "constant"),
    ('{"limit": 1e999}', "constant"),
    ('{"device": "\\u0000"}', "nul"),
]


@pytest.mark.parametrize(
    "endpoint",
    [
        "exam_api.save_answer",
        "exam_api.open_question",
        "print_api.claim",
        "print_api.failed",
        "proctoring_api.event",
    ],
)
def test_json_outside_the_limits_is_a_422_that_changes_nothing(db, send, endpoint):
    from sqlalchemy import func, select

    from ujisim.exam.models import AnswerStep

    steps = db.scalar(select(func.count()).select_from(AnswerStep))
    for body, reason in OUTSIDE_THE_LIMITS:
        response = send(endpoint, body.encode())
        assert response.status_code == 422, (body[:80], response.get_data(as_text=True))
        error = response.get_json()["error"]
        assert (error["code"], error["fields"]) == ("invalid_json", {"body": reason}), body[:80]
        db.expire_all()
        assert db.scalar(select(func.count()).select_from(AnswerStep)) == steps, body[:80]


def test_json_at_the_depth_limit_is_read(send):
    body = {"position": 0, "choice": 1, "seq": 1, "device": "k3x9"}
    inner = json.loads(nested(MAX_DEPTH - 1))  # with the body object: MAX_DEPTH levels
    response = send("exam_api.save_answer", json.dumps({**body, "extra": inner}).encode())
    assert (response.status_code, response.get_json()["stored"]) == (200, True)
