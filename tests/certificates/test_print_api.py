"""The print-shop API over HTTP (Flask test client): bearer tokens, list, claim, download, confirm.
Every response is checked against the OpenAPI document (``ApiClient``)."""

from __future__ import annotations

import jsonschema
import pytest
import schemathesis
from sqlalchemy import select

from tests.certificates import pdf_tools
from tests.certificates.print_support import ApiClient
from ujisim.certificates import qr_texts, signing, stations
from ujisim.certificates.models import JobState, PrintJob
from ujisim.exam.models import PassRecord

JOBS = "/api/v1/print/jobs"


def claim(api, **body):
    response = api.post(f"{JOBS}/claim", json=body)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["jobs"]


def error_code(response) -> str:
    return response.get_json()["error"]["code"]


def test_without_a_token_every_route_is_401(api, card_jobs):
    job = card_jobs(1)[0].public_id
    anonymous = api.with_token(None)
    for method, path in [
        ("GET", "/api/v1/print/station"),
        ("GET", JOBS),
        ("GET", f"{JOBS}/claimed"),
        ("POST", f"{JOBS}/claim"),
        ("GET", f"{JOBS}/{job}"),
        ("GET", f"{JOBS}/{job}/document.pdf"),
        ("GET", f"/api/v1/print/batch.pdf?jobs={job}"),
        ("POST", f"{JOBS}/{job}/printed"),
        ("POST", f"{JOBS}/{job}/failed"),
        ("POST", f"{JOBS}/{job}/release"),
    ]:
        response = anonymous.get(path) if method == "GET" else anonymous.post(path)
        assert response.status_code == 401, path
        assert error_code(response) == "unauthorized"
        assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_unknown_revoked_and_malformed_tokens_are_refused(api, db, admin):
    assert api.get(JOBS).status_code == 200
    for token in ["ujp_wrong", "not-a-token", "ujp_" + "a" * 300]:
        response = api.get(JOBS, token=token)
        assert (response.status_code, error_code(response)) == (401, "invalid_token")
    response = api.client.get(JOBS, headers={"Authorization": "Basic dXNlcjpwdw=="})
    assert (response.status_code, error_code(response)) == (401, "unauthorized")
    stations.revoke_station(db, db.merge(api.station), admin)
    db.commit()
    response = api.get(JOBS)
    assert (response.status_code, error_code(response)) == (401, "invalid_token")


def test_station_and_last_used_time(api, db, frozen_clock):
    assert db.get(type(api.station), api.station.id).last_used_at is None
    body = api.get("/api/v1/print/station").get_json()
    assert (body["id"], body["name"]) == (api.station.public_id, "Percetakan Sudirman")
    assert body["last_used_at"] == frozen_clock().isoformat()
    frozen_clock.advance(seconds=30)  # within a minute: not written again
    assert api.get("/api/v1/print/station").get_json()["last_used_at"] == body["last_used_at"]
    frozen_clock.advance(minutes=2)
    later = api.get("/api/v1/print/station").get_json()["last_used_at"]
    assert later == frozen_clock().isoformat()


def test_list_claim_download_and_confirm_a_card(api, card_jobs, frozen_clock):
    jobs = card_jobs(3)
    listed = api.get(JOBS).get_json()["jobs"]
    assert [j["id"] for j in listed] == [j.public_id for j in jobs]
    assert {j["state"] for j in listed} == {"ready"}
    assert api.get(f"{JOBS}?limit=2").get_json()["jobs"] == listed[:2]
    assert api.get(f"{JOBS}?kind=certificate").get_json()["jobs"] == []

    claimed = claim(api, limit=2)
    assert [j["id"] for j in claimed] == [j.public_id for j in jobs[:2]]
    first = claimed[0]
    assert (first["state"], first["yours"], first["claims"]) == ("claimed", True, 1)
    lease = frozen_clock().replace(minute=10).isoformat()
    assert first["lease_expires_at"] == lease
    assert [j["id"] for j in api.get(f"{JOBS}/claimed").get_json()["jobs"]] == [
        j["id"] for j in claimed
    ]
    assert [j["id"] for j in api.get(JOBS).get_json()["jobs"]] == [jobs[2].public_id]

    response = api.get(first["document_url"])
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    pdf_tools.assert_size(response.data, pdf_tools.ID1, pages=2)
    assert "DEWI LESTARI 1" in pdf_tools.text(response.data)
    token = signing.token_from_url(qr_texts(response.data, page=1, dpi=600)[0])
    assert signing.verify(token, signing.public_keys(_signing_key())).valid

    done = api.post(f"{JOBS}/{first['id']}/printed")
    assert done.status_code == 200
    assert done.get_json()["state"] == "printed"
    again = api.post(f"{JOBS}/{first['id']}/printed")
    assert (again.status_code, again.get_json()) == (200, done.get_json())
    # a printed job is no longer downloadable: it was claimed, printed, done
    assert error_code(api.get(first["document_url"])) == "not_lease_holder"


def _signing_key():
    from ujisim.core.secrets import signing_key

    return signing_key()


def test_imposed_batch_of_claimed_cards(api, card_jobs):
    card_jobs(12)
    ids = [j["id"] for j in claim(api, limit=12)]
    response = api.get(f"/api/v1/print/batch.pdf?jobs={','.join(ids)}")
    assert response.status_code == 200
    # 12 cards: two sheets of fronts and backs
    pdf_tools.assert_size(response.data, pdf_tools.A4, pages=4)
    fronts = pdf_tools.text(response.data, 0) + pdf_tools.text(response.data, 2)
    assert all(f"DEWI LESTARI {n}" in fronts for n in range(1, 13))
    for bad in ["", ",", f"{ids[0]},{ids[0]}", ",".join(["x"] * 51)]:
        response = api.get(f"/api/v1/print/batch.pdf?jobs={bad}")
        assert (response.status_code, error_code(response)) == (422, "invalid"), bad
    assert api.get("/api/v1/print/batch.pdf?jobs=nope").status_code == 404


def test_a_certificate_job_prints_the_pass(api, passed_attempt, db):
    record = db.scalars(select(PassRecord)).one()
    job = claim(api, kind="certificate")[0]
    assert job["kind"] == "certificate"
    response = api.get(job["document_url"])
    pdf_tools.assert_size(response.data, pdf_tools.A4, pages=1)
    text = pdf_tools.text(response.data)
    assert "Rina Wulandari" in text
    assert record.public_id in text
    assert "3174050507990003" not in text  # only the masked NIK reaches paper
    # a certificate cannot be imposed with cards
    response = api.get(f"/api/v1/print/batch.pdf?jobs={job['id']}")
    assert (response.status_code, error_code(response)) == (422, "invalid")


def test_a_revoked_pass_is_not_printed(api, passed_attempt, db, make_user):
    from ujisim.exam import grading

    job = claim(api)[0]
    grading.void(db, passed_attempt, actor=make_user(), reason="joki terbukti")
    db.commit()
    response = api.get(job["document_url"])
    assert (response.status_code, error_code(response)) == (409, "document_unavailable")
    failed = api.post(f"{JOBS}/{job['id']}/failed", json={"reason": "kelulusan dicabut"})
    assert failed.get_json()["state"] == "failed"


def test_only_the_holder_confirms(api, card_jobs, make_station, spec_checker):
    job = card_jobs(1)[0].public_id
    _station, token = make_station("Stasiun Lain")
    other = ApiClient(api.client, token, spec_checker)
    response = other.post(f"{JOBS}/{job}/printed")
    assert (response.status_code, error_code(response)) == (409, "not_lease_holder")
    claim(api)
    for path in ["printed", "release"]:
        response = other.post(f"{JOBS}/{job}/{path}")
        assert (response.status_code, error_code(response)) == (409, "not_lease_holder")
    response = other.get(f"{JOBS}/{job}/document.pdf")
    assert (response.status_code, error_code(response)) == (409, "not_lease_holder")
    seen = other.get(f"{JOBS}/{job}").get_json()
    assert (seen["state"], seen["yours"]) == ("claimed", False)
    assert api.post(f"{JOBS}/{job}/printed").status_code == 200
    response = other.post(f"{JOBS}/{job}/printed")
    assert (response.status_code, error_code(response)) == (409, "not_lease_holder")


def test_failed_needs_a_reason_and_release_returns_the_job(api, card_jobs, db):
    jobs = card_jobs(2)
    claim(api, limit=2)
    path = f"{JOBS}/{jobs[0].public_id}/failed"
    for body in [
        None,
        {},
        {"reason": ""},
        {"reason": "   "},
        {"reason": 5},
        ["x"],
        {"reason": "x" * 501},
    ]:
        response = api.post(path, json=body)
        assert (response.status_code, error_code(response)) == (422, "invalid"), body
    response = api.post(path, json={"reason": "pita printer habis"})
    assert response.get_json()["fail_reason"] == "pita printer habis"
    assert api.post(path, json={"reason": "pita printer habis"}).get_json() == response.get_json()
    released = api.post(f"{JOBS}/{jobs[1].public_id}/release").get_json()
    assert (released["state"], released["yours"]) == ("ready", False)
    db.expire_all()
    states = {j.public_id: j.state for j in db.scalars(select(PrintJob))}
    assert states == {jobs[0].public_id: JobState.FAILED, jobs[1].public_id: JobState.READY}


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"limit": 0}, "limit"),
        ({"limit": 51}, "limit"),
        ({"limit": "3"}, "limit"),
        ({"limit": True}, "limit"),
        ({"kind": "label"}, "kind"),
        ([1], "body"),
    ],
)
def test_bad_claims_are_422_and_change_nothing(api, card_jobs, db, body, field):
    card_jobs(1)
    response = api.post(f"{JOBS}/claim", json=body)
    assert (response.status_code, error_code(response)) == (422, "invalid")
    assert field in response.get_json()["error"]["fields"]
    db.expire_all()
    assert db.scalars(select(PrintJob.state)).all() == [JobState.READY]


def test_a_claim_resent_with_its_idempotency_key_takes_nothing_more(api, card_jobs, db):
    card_jobs(5)
    once = {"Idempotency-Key": "3f9c2b1e-claim"}
    first = api.post(f"{JOBS}/claim", json={"limit": 2}, headers=once).get_json()["jobs"]
    again = api.post(f"{JOBS}/claim", json={"limit": 2}, headers=once).get_json()["jobs"]
    assert [j["id"] for j in again] == [j["id"] for j in first]
    assert [j["claims"] for j in again] == [1, 1]
    fresh = api.post(f"{JOBS}/claim", json={"limit": 2}, headers={"Idempotency-Key": "other"})
    assert len({j["id"] for j in fresh.get_json()["jobs"]} | {j["id"] for j in first}) == 4
    db.expire_all()
    assert db.scalars(select(PrintJob.state).order_by(PrintJob.id)).all() == [
        *[JobState.CLAIMED] * 4,
        JobState.READY,
    ]


@pytest.mark.parametrize("key", ["", "dua kata", "k" * 65])
def test_a_bad_idempotency_key_is_422_and_claims_nothing(api, card_jobs, db, key):
    card_jobs(1)
    response = api.post(f"{JOBS}/claim", json={"limit": 1}, headers={"Idempotency-Key": key})
    assert (response.status_code, error_code(response)) == (422, "invalid")
    assert "key" in response.get_json()["error"]["fields"]
    db.expire_all()
    assert db.scalars(select(PrintJob.state)).all() == [JobState.READY]


def test_claim_without_a_body_takes_ten(api, card_jobs):
    card_jobs(12)
    response = api.client.post(f"{JOBS}/claim", headers={"Authorization": f"Bearer {api.token}"})
    api.checker.check("POST", f"{JOBS}/claim", response)
    assert len(response.get_json()["jobs"]) == 10
    assert response.get_json()["lease_seconds"] == 600


def test_unknown_jobs_are_404(api):
    for path in [f"{JOBS}/nope", f"{JOBS}/nope/document.pdf"]:
        response = api.get(path)
        assert (response.status_code, error_code(response)) == (404, "not_found")
    response = api.post(f"{JOBS}/nope/printed")
    assert (response.status_code, error_code(response)) == (404, "not_found")
    assert api.get(f"{JOBS}?limit=0").status_code == 422
    assert api.get(f"{JOBS}?kind=label").status_code == 422


def test_openapi_document_matches_the_routes(client, app):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.get_json()
    assert document["openapi"] == "3.1.0"
    documented = {
        (method.upper(), path) for path, item in document["paths"].items() for method in item
    }
    routed = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("print_api.") and rule.endpoint != "print_api.openapi":
            path = rule.rule.replace("<public_id>", "{public_id}")
            routed |= {(m, path) for m in rule.methods - {"HEAD", "OPTIONS"}}
    assert documented == routed
    # a valid OpenAPI 3.1 document (schemathesis checks it against the 3.1 meta-schema) whose
    # every schema is valid JSON Schema 2020-12
    schemathesis.openapi.from_dict(document).validate()
    for schema in document["components"]["schemas"].values():
        jsonschema.Draft202012Validator.check_schema(schema)


def test_every_api_response_was_checked(spec_checker):
    # the ApiClient validates as it goes; this guards against it silently checking nothing
    assert spec_checker.checked > 0


def _document_accepts(checker, schema: dict, value) -> bool:
    validator = jsonschema.Draft202012Validator(
        {"$ref": "urn:ujisim-print" + schema["$ref"]} if "$ref" in schema else schema,
        registry=checker.registry,
    )
    return validator.is_valid(value)


def test_a_claim_limit_of_28_0_is_the_whole_number_28(api, card_jobs, spec_checker):
    # issue 17, point 7: the document's "integer" takes 28.0 (JSON does not tell it from 28),
    # and the API answered 422; now both take it as 28 and both refuse 28.5, "28" and true
    operation = spec_checker.operation("POST", f"{JOBS}/claim")
    schema = operation["requestBody"]["content"]["application/json"]["schema"]
    for limit, valid in [(28, True), (28.0, True), (28.5, False), ("28", False), (True, False)]:
        assert _document_accepts(spec_checker, schema, {"limit": limit}) is valid, limit
    card_jobs(3)
    refused = api.post(f"{JOBS}/claim", json={"limit": 28.5})
    assert (refused.status_code, refused.get_json()["error"]["fields"]) == (422, {"limit": "range"})
    response = api.post(f"{JOBS}/claim", json={"limit": 28.0})
    assert response.status_code == 200, response.get_json()
    assert len(response.get_json()["jobs"]) == 3  # all there are, of up to 28


def test_an_empty_batch_is_outside_the_document_and_refused(api, spec_checker):
    # issue 17, point 7: the document allowed ``?jobs=`` (any string) and the API answered 422;
    # now the document says what is taken -- 1 to 50 different ids, comma-separated -- so
    # schemathesis generates ``jobs=`` only as an invalid request
    operation = spec_checker.operation("GET", "/api/v1/print/batch.pdf")
    (parameter,) = operation["parameters"]
    assert (parameter["name"], parameter["style"], parameter["explode"]) == ("jobs", "form", False)
    schema = parameter["schema"]
    assert not _document_accepts(spec_checker, schema, [])  # "jobs=": no id at all
    assert not _document_accepts(spec_checker, schema, ["", ""])  # "jobs=,"
    assert not _document_accepts(spec_checker, schema, ["a", "a"])
    assert not _document_accepts(spec_checker, schema, ["x"] * 51)
    assert _document_accepts(spec_checker, schema, ["a", "b"])
    for query in ["jobs=", "jobs=,", "jobs=a,a", "jobs=a%20b", "", "jobs=" + ",".join("x" * 51)]:
        response = api.get(f"/api/v1/print/batch.pdf?{query}")
        assert response.status_code == 422, query
        assert response.get_json()["error"]["fields"] == {"jobs": "count"}, query
