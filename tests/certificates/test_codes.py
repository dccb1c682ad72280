"""The printed verdict's details (issue 20, point 3): the short code printed beside the QR on the
pass certificate and on the card's print file, typed at /verify for the same verdict; the
certificate number printed is the one the examiners' search finds; the Satpas office is on the
certificate; a refused card token still says "card"; a card holder's photo only for a logged-in
examiner. PDFs are read back (tests/certificates/pdf_tools.py), as a phone or an officer reads
them."""

from __future__ import annotations

import dataclasses
import re

import pytest
from sqlalchemy import select

from tests.certificates import pdf_tools
from tests.conftest import DEFAULT_PASSWORD
from tests.exam import conftest as exam_fixtures
from tests.exam.conftest import answer_all
from ujisim.certificates import codes, get_pass_record, qr_texts, signing, verdicts
from ujisim.certificates.models import VerificationCode
from ujisim.core.secrets import signing_key
from ujisim.core.security import Role
from ujisim.exam import attempts, grading, policy

pytestmark = pytest.mark.both_backends  # codes are unique rows: a database subject

candidate = exam_fixtures.candidate
OFFICE = "Satpas Polrestabes Bandung"
JSON = {"Accept": "application/json"}
#: a printed code: two groups of five from the alphabet, after its label
PRINTED_CODE = re.compile(r"Verification code\s*([0-9A-Z]{5}-[0-9A-Z]{5})")


@pytest.fixture
def passed(db, bank, candidate, frozen_clock):
    """A SIM A exam registered at OFFICE, answered all right and submitted: a pass."""
    blueprint = policy.check_eligibility(db, candidate, "A")
    attempt = attempts.create_attempt(db, candidate, blueprint, satpas=OFFICE)
    attempts.advance(db, attempt, attempts.AttemptState.STARTED, candidate)
    answer_all(db, attempt, correct=30)
    grading.submit(db, attempt, candidate)
    db.commit()
    return attempt


@pytest.fixture
def owner(app, candidate):
    client = app.test_client()
    assert client.login(candidate.email, DEFAULT_PASSWORD).status_code == 302
    return client


@pytest.fixture
def pdf(owner, passed) -> bytes:
    response = owner.get(f"/ujian/{passed.public_id}/sertifikat.pdf")
    assert response.status_code == 200
    return response.data


def printed_code(pdf: bytes, page: int = 0) -> str:
    text = " ".join(pdf_tools.text(pdf, page).split())
    return PRINTED_CODE.search(text).group(1)


def test_the_certificate_prints_its_office_number_and_code(db, pdf, passed):
    record = get_pass_record(db, passed.id)
    text = " ".join(pdf_tools.text(pdf).split())
    assert f"Kantor Satpas Satpas office {OFFICE}" in text
    assert f"Nomor sertifikat Certificate number {record.public_id}" in text
    code = printed_code(pdf)
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}", code)
    assert "localhost/verify" in text  # where to type it
    # the long URL of the QR is no longer printed: nobody could type it
    (url,) = qr_texts(pdf)
    assert signing.token_from_url(url) not in text
    stored = db.scalars(select(VerificationCode)).one()
    assert (stored.code, stored.token) == (code.replace("-", ""), signing.token_from_url(url))


def test_the_same_certificate_keeps_its_code_and_bytes(owner, pdf, passed):
    again = owner.get(f"/ujian/{passed.public_id}/sertifikat.pdf").data
    assert printed_code(again) == printed_code(pdf)
    assert again == pdf


def test_a_typed_code_gives_the_qr_verdict(app, db, pdf, passed, make_user):
    code = printed_code(pdf)
    (url,) = qr_texts(pdf)
    client = app.test_client()
    scanned = client.get(url.removeprefix("http://localhost"), headers=JSON).get_json()
    assert scanned["status"] == "valid"
    # as an officer types it: lower case, spaces, O for 0 and I or L for 1
    sloppy = code.lower().replace("-", " ").replace("0", "o").replace("1", "l")
    for typed in (code, code.replace("-", ""), sloppy):
        body = client.get("/verify", query_string={"code": typed}, headers=JSON).get_json()
        assert (body["status"], body["verdict"]) == ("valid", "valid"), typed
        assert body["certificate"]["office"] == OFFICE
    page = client.get("/verify", query_string={"code": code}).get_data(as_text=True)
    assert 'data-verdict="valid"' in page
    grading.void(db, passed, actor=make_user(Role.EXAMINER), reason="Joki")
    db.commit()
    for target in (url.removeprefix("http://localhost"), f"/verify?code={code}"):
        body = client.get(target, headers=JSON).get_json()
        assert (body["status"], body["verdict"]) == ("revoked", "revoked"), target


def test_an_anonymous_code_lookup_shows_initials_not_the_details(app, pdf, candidate):
    client = app.test_client()
    code = printed_code(pdf)
    body = client.get("/verify", query_string={"code": code}, headers=JSON).get_json()
    shown = body["certificate"]
    assert shown["name"] == verdicts.initials(candidate.full_name) != candidate.full_name
    assert not {"nik", "score", "exam_id"} & set(shown)
    page = client.get("/verify", query_string={"code": code}).get_data(as_text=True)
    assert "************0003" not in page
    assert candidate.full_name not in page
    assert 'id="holder-initials"' in page
    # the QR's page (an unguessable token) shows what it always did
    (url,) = qr_texts(pdf)
    qr_page = client.get(url.removeprefix("http://localhost")).get_data(as_text=True)
    assert "************0003" in qr_page


def test_unknown_and_malformed_codes_say_so(app):
    client = app.test_client()
    unknown = client.get("/verify", query_string={"code": "7KQ3M-XW29D"})
    assert unknown.status_code == 200
    page = unknown.get_data(as_text=True)
    assert 'data-reason="unknown_code"' in page
    assert 'data-verdict="invalid"' in page
    bad = client.get("/verify", query_string={"code": "ABC"})
    assert bad.status_code == 422
    assert 'id="code-error"' in bad.get_data(as_text=True)
    body = client.get("/verify", query_string={"code": "ABC"}, headers=JSON).get_json()
    assert set(body["error"]) == {"code", "message", "fields"}


def test_code_lookups_are_rate_limited_and_the_form_is_not(app):
    client = app.test_client()
    statuses = [
        client.get("/verify", query_string={"code": codes.new_code()}).status_code
        for _ in range(11)
    ]
    assert statuses == [200] * 10 + [429]
    assert client.get("/verify").status_code == 200  # the empty form counts nothing


def test_the_examiners_search_finds_the_printed_number(db, client, login, pdf, passed):
    record = get_pass_record(db, passed.id)
    text = " ".join(pdf_tools.text(pdf).split())
    number = re.search(r"Certificate number (\w+)", text).group(1)
    assert number == record.public_id
    login(Role.EXAMINER)
    page = client.get("/examiner/exams/", query_string={"q": number}).get_data(as_text=True)
    assert f"/examiner/exams/{passed.public_id}" in page
    other = client.get("/examiner/exams/", query_string={"q": "x" + number[1:]})
    assert f"/examiner/exams/{passed.public_id}" not in other.get_data(as_text=True)


def test_a_certificate_signed_before_the_office_was_on_it_still_verifies(app, db, passed):
    from ujisim.certificates import certificate_data

    data = certificate_data(db, get_pass_record(db, passed.id))
    assert data.office == OFFICE
    legacy = signing.sign(dataclasses.replace(data, office=None), signing_key())
    body = app.test_client().get(f"/verify/{legacy}", headers=JSON).get_json()
    assert body["status"] == "valid"
