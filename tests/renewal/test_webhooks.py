"""Both provider webhooks on bad input and on record (issue 17, points 6 and 8).

A signature header that is not ASCII, a signed event with an absurd amount or a status of the
wrong type get a 4xx in the JSON error shape and move nothing. Every event whose signature
verifies is on record with its outcome: accepted, or refused and why; a bad signature leaves
no trace."""

import json

import pytest
from sqlalchemy import select

from tests.renewal.conftest import WEBHOOK_URLS, post_webhook
from ujisim.renewal import delivery, providers
from ujisim.renewal.models import AppState, OrderState, PaymentStatus, ProviderEvent

S, OS = AppState, OrderState


@pytest.fixture
def shipped(db, walk):
    """The delivery order of an approved application, on its way with the sandbox courier."""
    order = delivery.get_order(db, walk(S.APPROVED))
    order.state, order.tracking_number, order.courier = OS.IN_TRANSIT, "SBX0000000042", "sandbox"
    db.commit()
    return order


def sign(kind: str, body: bytes, **kwargs) -> dict:
    return {
        providers.SIGNATURE_HEADER: providers.sign(providers.webhook_secret(kind), body, **kwargs)
    }


def signed_post(client, kind: str, **fields):
    body = providers.event_body(**fields)
    return post_webhook(client, kind, body, sign(kind, body))


def assert_error(response, status: int, code: str) -> dict:
    """``response`` is ``status`` in the app's JSON error shape with ``code``; its fields."""
    assert response.status_code == status, response.get_data(as_text=True)
    error = response.get_json()["error"]
    assert (set(error), error["code"]) == ({"code", "message", "fields"}, code)
    assert error["message"]
    return error["fields"]


def current(db, obj):
    db.expire_all()
    return db.get(type(obj), obj.id)


# --- point 6: bad input is a 4xx and moves nothing ------------------------------------------


#: (each test below sends every one of its inputs to one shipped order, checking each answer)
BAD_HEADERS = [
    "t=1,v1=\xc3\xa9",  # the bytes of "é" in UTF-8, as the server reads them (latin-1)
    "t=1,v1=\xe9" + "0" * 63,
    "t=\xc3\xa9,v1=00",
    "t=1,v1=" + "\x00" * 64,
    "t=99999999999999999999999999999999,v1=00",
]


@pytest.mark.parametrize("kind", list(WEBHOOK_URLS))
def test_a_signature_header_that_is_not_ascii_hex_is_refused(client, db, kind, shipped):
    body = providers.event_body(type="va.paid", reference="8808900000000000", amount=1)
    for header in BAD_HEADERS:
        response = post_webhook(client, kind, body, {providers.SIGNATURE_HEADER: header})
        assert_error(response, 401, "bad_signature")
        assert current(db, shipped).state == OS.IN_TRANSIT, header


@pytest.mark.parametrize("kind", list(WEBHOOK_URLS))
@pytest.mark.parametrize(
    ("timestamp", "code"),
    [(10**11, "stale"), (10**400, "bad_signature")],  # no float holds the second one
)
def test_a_signed_time_far_in_the_future(client, kind, timestamp, code):
    body = providers.event_body(type="va.paid", reference="8808900000000000", amount=1)
    assert_error(post_webhook(client, kind, body, sign(kind, body, timestamp=timestamp)), 401, code)


@pytest.mark.parametrize("amount", [10**30, -(10**30), 2**31, -1])
def test_a_signed_payment_with_an_impossible_amount_is_refused(client, db, unpaid, account, amount):
    response = signed_post(
        client, "payment", type="va.paid", reference=account.va_number, amount=amount
    )
    assert assert_error(response, 400, "malformed") == {"amount": "range"}
    assert current(db, account).status == PaymentStatus.PENDING
    assert current(db, unpaid).state == S.PAYMENT


def test_a_signed_courier_status_of_the_wrong_type_is_refused(client, db, shipped):
    for status in (["delivered"], {"delivered": True}, 3, True):
        response = signed_post(
            client,
            "courier",
            type="shipment.status",
            reference=shipped.tracking_number,
            status=status,
        )
        assert assert_error(response, 400, "malformed") == {"status": "string"}, status
        assert current(db, shipped).state == OS.IN_TRANSIT, status


@pytest.mark.parametrize("kind", list(WEBHOOK_URLS))
def test_a_signed_body_too_deep_or_with_nul_is_malformed(client, db, kind, shipped):
    for body in (
        b"[" * 1000 + b"]" * 1000,
        b'{"event_id":"e1","reference":"x","deep":' + b"[" * 800 + b"]" * 800 + b"}",
        b'{"event_id":"e\\u0000","reference":"x"}',
        b'{"event_id":"e1","reference":"x","amount":NaN}',
    ):
        assert_error(post_webhook(client, kind, body, sign(kind, body)), 400, "malformed")
        assert current(db, shipped).state == OS.IN_TRANSIT, body[:60]


# --- point 8: every verified event is on record, with its outcome -----------------------------


def record(db, kind=None, after=0) -> list[ProviderEvent]:
    """The provider events on record, oldest first: of ``kind``, with ids above ``after``."""
    db.expire_all()
    query = select(ProviderEvent).where(ProviderEvent.id > after).order_by(ProviderEvent.id)
    if kind:
        query = query.where(ProviderEvent.kind == kind)
    return list(db.scalars(query))


def outcomes(db, kind=None) -> list[tuple]:
    return [(e.event_id, e.accepted, e.outcome) for e in record(db, kind)]


def last_id(db) -> int:
    events = record(db)
    return events[-1].id if events else 0


def send_status(client, order, status, event_id, reference=None):
    sandbox = providers.courier("sandbox")
    body, headers = sandbox.status_event(reference or order.tracking_number, status, event_id)
    return post_webhook(client, "courier", body, headers)


def test_every_courier_event_is_on_record_accepted_or_refused(client, db, shipped):
    assert send_status(client, shipped, "teleported", "c1").status_code == 400
    assert send_status(client, shipped, "delivered", "c2").get_json() == {"status": "delivered"}
    assert send_status(client, shipped, "delivered", "c3").get_json() == {"status": "unchanged"}
    illegal = send_status(client, shipped, "in_transit", "c4")
    assert (illegal.status_code, illegal.get_json()) == (409, {"status": "illegal_transition"})
    unknown = send_status(client, shipped, "delivered", "c5", reference="SBX9999999999")
    assert (unknown.status_code, unknown.get_json()) == (404, {"status": "unknown_shipment"})
    assert outcomes(db, "courier") == [
        ("c1", False, "unknown_status"),
        ("c2", True, "delivered"),
        ("c3", True, "unchanged"),
        ("c4", False, "illegal_transition"),
        ("c5", False, "unknown_shipment"),
    ]
    events = record(db, "courier")
    assert [e.order_id for e in events] == [shipped.id] * 4 + [None]
    assert "'teleported'" in events[0].reason
    assert "Dalam perjalanan" in events[3].reason  # the refused state, named (in_transit)
    assert "SBX9999999999" in events[4].reason
    assert json.loads(events[1].payload)["status"] == "delivered"
    assert current(db, shipped).state == OS.DELIVERED


def test_a_replay_of_an_accepted_event_is_not_recorded_twice(client, db, shipped):
    assert send_status(client, shipped, "delivered", "c1").get_json() == {"status": "delivered"}
    again = send_status(client, shipped, "delivered", "c1")
    assert (again.status_code, again.get_json()) == (200, {"status": "duplicate"})
    assert outcomes(db, "courier") == [("c1", True, "delivered")]


def test_a_refused_event_is_judged_again_when_it_comes_again(client, db, shipped):
    """The courier's "delivered" overtook its "in_transit". Each try of the refused event is on
    record; once the move is legal the retry is accepted, once."""
    shipped.state = OS.HANDED_TO_COURIER
    db.commit()
    assert send_status(client, shipped, "delivered", "late").status_code == 409
    assert send_status(client, shipped, "delivered", "late").status_code == 409
    assert send_status(client, shipped, "in_transit", "early").status_code == 200
    assert send_status(client, shipped, "delivered", "late").get_json() == {"status": "delivered"}
    assert send_status(client, shipped, "delivered", "late").get_json() == {"status": "duplicate"}
    assert outcomes(db, "courier") == [
        ("late", False, "illegal_transition"),
        ("late", False, "illegal_transition"),
        ("early", True, "in_transit"),
        ("late", True, "delivered"),
    ]
    assert current(db, shipped).state == OS.DELIVERED


def test_every_payment_event_is_on_record(client, db, clock, unpaid, account):
    sandbox = providers.payment_provider("sandbox")

    def pay(amount, event_id, reference=None):
        body, headers = sandbox.paid_event(reference or account.va_number, amount, event_id)
        return post_webhook(client, "payment", body, headers)

    assert pay(100_000, "p1", reference="8808900000000000").status_code == 404
    assert pay(1, "p2").status_code == 422
    assert pay(100_000, "p3").get_json() == {"status": "paid"}
    assert pay(100_000, "p4").get_json() == {"status": "already_paid"}
    assert outcomes(db, "payment") == [
        ("p1", False, "unknown_account"),
        ("p2", False, "amount_mismatch"),
        ("p3", True, "paid"),
        ("p4", True, "already_paid"),
    ]
    events = record(db, "payment")
    assert [e.payment_id for e in events] == [None] + [account.id] * 3
    assert [e.amount for e in events] == [100_000, 1, 100_000, 100_000]


@pytest.mark.parametrize("kind", list(WEBHOOK_URLS))
def test_a_malformed_verified_event_is_on_record(client, db, kind, shipped):
    fields = {"type": "x", "reference": "SBX0000000042", "status": ["delivered"], "amount": 10**30}
    body = providers.event_body(**fields)
    before = last_id(db)
    assert_error(post_webhook(client, kind, body, sign(kind, body)), 400, "malformed")
    [event] = record(db, after=before)
    assert (event.kind, event.accepted, event.outcome) == (kind, False, "malformed")
    assert event.reason == "amount: range, status: string"
    assert event.payload == body.decode()  # kept as sent
    nul = b'{"event_id": "e\\u0000"}'
    assert_error(post_webhook(client, kind, nul, sign(kind, nul)), 400, "malformed")
    assert record(db, after=before)[-1].payload == nul.decode()


@pytest.mark.parametrize("kind", list(WEBHOOK_URLS))
def test_an_unverified_event_leaves_no_trace(client, db, kind, shipped):
    body = providers.event_body(type="shipment.status", reference="SBX0000000042", status="x")
    before = last_id(db)
    for headers in (
        {},
        {providers.SIGNATURE_HEADER: "t=1,v1=\xc3\xa9"},
        sign(kind, body + b" "),
        sign("courier" if kind == "payment" else "payment", body),
    ):
        assert post_webhook(client, kind, body, headers).status_code == 401
    assert record(db, after=before) == []
    assert current(db, shipped).state == OS.IN_TRANSIT


def test_the_sandbox_pages_go_on_record_too(db, shipped):
    """The walk to approval paid through the sandbox page; the officer's courier page too."""
    assert delivery.sandbox_courier_status(db, shipped, "returned").outcome == "returned"
    db.commit()
    assert [(e.kind, e.accepted, e.outcome) for e in record(db)] == [
        ("payment", True, "paid"),
        ("courier", True, "returned"),
    ]
