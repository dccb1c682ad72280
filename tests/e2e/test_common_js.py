"""static/js/common.js in Chromium: the helpers exam.js and proctor.js share (message formatting,
JSON requests with the CSRF header, a timeout and our error shape, the ended-session test).

The answers come from Playwright routes, so each case (a refusal, a hanging server, a lost
network) is exact; the pages' own flows are in test_exam_*.py and test_proctoring.py."""

from __future__ import annotations

import json

import pytest

PROBE = "/probe"


@pytest.fixture
def common(page, live_server):
    """The home page (it has the CSRF meta tag) with common.js loaded as the pages load it."""
    page.goto(f"{live_server}/")
    page.add_script_tag(url=f"{live_server}/static/js/common.js")
    return page


def answer(status: int, body: dict):
    return lambda route: route.fulfill(
        status=status, content_type="application/json", body=json.dumps(body)
    )


def test_fmt_fills_placeholders(common):
    assert common.evaluate("ujisim.fmt('Soal {n} dari {total}', {n: 2, total: 30})") == (
        "Soal 2 dari 30"
    )
    # a placeholder without a value stays readable; no text gives an empty string
    assert common.evaluate("ujisim.fmt('Sisa {s} detik', {})") == "Sisa {s} detik"
    assert common.evaluate("ujisim.fmt(undefined, {n: 1})") == ""


def test_posts_carry_the_csrf_token_and_take_a_fresh_one(common, live_server):
    sent: list[dict] = []

    def handle(route):
        sent.append({**route.request.headers, "body": route.request.post_data})
        body = {"csrf_token": "fresh-token"} if route.request.method == "GET" else {"ok": True}
        route.fulfill(status=200, content_type="application/json", body=json.dumps(body))

    common.route(f"{live_server}{PROBE}", handle)
    page_token = common.locator('meta[name="csrf-token"]').get_attribute("content")
    result = common.evaluate(f"ujisim.post('{PROBE}', {{position: 3}})")
    assert result == {"ok": True, "status": 200, "data": {"ok": True}}
    assert sent[0]["x-csrftoken"] == page_token
    assert sent[0]["content-type"] == "application/json"
    assert json.loads(sent[0]["body"]) == {"position": 3}
    # a JSON answer carrying the session's token (a new login in another tab) replaces it
    common.evaluate(f"ujisim.get('{PROBE}')")
    assert "x-csrftoken" not in sent[1]
    common.evaluate(f"ujisim.post('{PROBE}')")
    assert sent[2]["x-csrftoken"] == "fresh-token"
    assert json.loads(sent[2]["body"]) == {}


def test_form_data_is_sent_as_it_is(common, live_server):
    sent: list[dict] = []
    common.route(
        f"{live_server}{PROBE}",
        lambda route: (sent.append(route.request.headers), answer(200, {})(route)),
    )
    common.evaluate(
        f"""() => {{
        const form = new FormData();
        form.append("trigger", "interval");
        return ujisim.post('{PROBE}', form);
    }}"""
    )
    assert sent[0]["content-type"].startswith("multipart/form-data; boundary=")


@pytest.mark.parametrize(
    ("status", "body", "ended", "code", "message"),
    [
        (
            401,
            {"error": {"code": "unauthorized", "message": "Masuk"}},
            True,
            "unauthorized",
            "Masuk",
        ),
        (400, {"error": {"code": "csrf_failed", "message": "Sesi"}}, True, "csrf_failed", "Sesi"),
        (409, {"error": {"code": "paused", "message": "Jeda"}}, False, "paused", "Jeda"),
        (502, {}, False, None, "fallback"),
    ],
    ids=["401", "csrf", "paused", "no-shape"],
)
def test_refusals_in_our_error_shape(common, live_server, status, body, ended, code, message):
    common.route(f"{live_server}{PROBE}", answer(status, body))
    found = common.evaluate(
        f"""async () => {{
        const result = await ujisim.post('{PROBE}', {{}});
        return [result.ok, result.status, ujisim.sessionEnded(result), ujisim.errorCode(result),
                ujisim.errorMessage(result, "fallback")];
    }}"""
    )
    assert found == [False, status, ended, code, message]


def test_a_request_gives_up_after_its_timeout(common, live_server):
    held = []

    def hold(route):  # the server never answers
        held.append(route)

    common.route(f"{live_server}{PROBE}", hold)
    name = common.evaluate(
        f"ujisim.get('{PROBE}', 0.3).then(() => 'answered', (error) => error.name)"
    )
    assert name == "TimeoutError"
    assert len(held) == 1


def test_a_lost_network_rejects_for_the_caller_to_retry(common, live_server):
    common.route(f"{live_server}{PROBE}", lambda route: route.abort("internetdisconnected"))
    name = common.evaluate(
        f"ujisim.post('{PROBE}', {{}}).then(() => 'answered', (error) => error.name)"
    )
    assert name == "TypeError"  # fetch's network failure, not a timeout
