"""The certificate a candidate downloads after a pass, its QR, the public verification page and
``flask certificates verify``: real database, real PDFs read back, no mocks."""

from __future__ import annotations

import dataclasses
import io
import re
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from reportlab.pdfgen.canvas import Canvas

from tests.certificates import pdf_tools
from tests.conftest import DEFAULT_PASSWORD
from tests.exam import conftest as exam_fixtures
from tests.exam.conftest import answer_all
from ujisim.certificates import (
    certificate_data,
    get_pass_record,
    qr_texts,
    signing,
    verification_keys,
)
from ujisim.certificates.render import certificate_pdf
from ujisim.core.secrets import SigningKey, _new_signing_key, signing_key
from ujisim.core.security import Role
from ujisim.exam import grading

# the exam's fixtures, used here too (its bank is the root conftest's)
candidate, started = exam_fixtures.candidate, exam_fixtures.started


@pytest.fixture
def passed(db, started, candidate):
    """``started``, answered all right and submitted: a pass of SIM A."""
    answer_all(db, started, correct=30)
    grading.submit(db, started, candidate)
    db.commit()
    return started


@pytest.fixture
def record(db, passed):
    return get_pass_record(db, passed.id)


@pytest.fixture
def owner(client, candidate):
    """``client`` logged in as the candidate."""
    assert client.login(candidate.email, DEFAULT_PASSWORD).status_code == 302
    return client


@pytest.fixture
def pdf(owner, passed) -> bytes:
    response = owner.get(f"/ujian/{passed.public_id}/sertifikat.pdf")
    assert response.status_code == 200
    return response.data


@pytest.fixture
def token(pdf) -> str:
    return signing.token_from_url(qr_texts(pdf)[0])


@pytest.fixture
def void(db, passed, make_user):
    """Void the passed exam as an examiner would (revokes the pass)."""

    def do():
        examiner = make_user(Role.EXAMINER)
        grading.void(db, passed, actor=examiner, reason="Joki (orang lain mengerjakan)")
        db.commit()

    return do


def tampered(token: str) -> str:
    """``token`` with one character of its payload changed (inside the data hash)."""
    payload, signature = token.split(".")
    i = 12
    swapped = "A" if payload[i] != "A" else "B"
    return f"{payload[:i]}{swapped}{payload[i + 1 :]}.{signature}"


# --- download ------------------------------------------------------------------------------------


def test_owner_downloads_a_certificate_whose_qr_is_the_verify_url(owner, passed, record):
    response = owner.get(f"/ujian/{passed.public_id}/sertifikat.pdf")
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert record.public_id in response.headers["Content-Disposition"]
    text = pdf_tools.text(response.data)
    assert "Pengguna" in text
    assert "************0003" in text
    assert record.public_id in text
    (url,) = qr_texts(response.data)
    assert url.startswith("http://localhost/verify/")
    assert signing.verify(signing.token_from_url(url), verification_keys()).valid


def test_result_page_links_the_certificate_when_passed(owner, passed):
    page = owner.get(f"/ujian/{passed.public_id}/hasil").get_data(as_text=True)
    assert f"/ujian/{passed.public_id}/sertifikat.pdf" in page


def test_another_applicant_gets_404(client, login, passed):
    login(Role.APPLICANT)
    assert client.get(f"/ujian/{passed.public_id}/sertifikat.pdf").status_code == 404


def test_a_failed_attempt_has_no_certificate(db, owner, started, candidate):
    answer_all(db, started, correct=20)
    grading.submit(db, started, candidate)
    db.commit()
    assert owner.get(f"/ujian/{started.public_id}/sertifikat.pdf").status_code == 404
    page = owner.get(f"/ujian/{started.public_id}/hasil").get_data(as_text=True)
    assert "sertifikat.pdf" not in page


def test_a_voided_exam_has_no_certificate_to_download(owner, passed, void):
    void()
    assert owner.get(f"/ujian/{passed.public_id}/sertifikat.pdf").status_code == 404


# --- verification page ---------------------------------------------------------------------------


def _status(response) -> tuple[str, str | None]:
    page = response.get_data(as_text=True)
    status = re.search(r'data-status="(\w+)"', page).group(1)
    reason = re.search(r'data-reason="(\w+)"', page)
    return status, reason and reason.group(1)


def test_verify_page_shows_a_valid_certificate_without_login(app, token, record):
    client = app.test_client()  # nobody logged in
    response = client.get(f"/verify/{token}")
    assert response.status_code == 200
    assert _status(response) == ("valid", None)
    page = response.get_data(as_text=True)
    assert '<html lang="id">' in page
    assert "************0003" in page
    assert "3174050507990003" not in page
    assert record.public_id in page
    assert "Pengguna" in page


def test_verify_page_in_english(app, token):
    client = app.test_client()
    client.submit("/lang", {"lang": "en"})
    page = client.get(f"/verify/{token}").get_data(as_text=True)
    assert "This certificate was issued by ujisim and has not been revoked." in page
    assert 'data-verdict="valid"' in page


@pytest.mark.parametrize(
    ("make_token", "reason"),
    [
        (tampered, "tampered"),
        (lambda t: t[: len(t) // 2], "malformed"),
        (lambda t: "bm90LWEtdG9rZW4", "malformed"),
    ],
)
def test_altered_tokens_are_invalid(client, token, make_token, reason):
    response = client.get(f"/verify/{make_token(token)}")
    assert response.status_code == 200
    assert _status(response) == ("invalid", reason)
    assert "************0003" not in response.get_data(as_text=True)


def test_a_token_of_an_unknown_key_is_invalid(db, client, record):
    stranger = SigningKey(_new_signing_key())
    token = signing.sign(certificate_data(db, record), stranger)
    assert _status(client.get(f"/verify/{token}")) == ("invalid", "unknown_key")


def test_a_retired_key_still_verifies_until_its_pem_is_removed(app, db, client, record):
    retired = SigningKey(_new_signing_key())
    folder = Path(app.instance_path) / "retired_keys"
    folder.mkdir()
    pem = folder / "2025.pem"
    pem.write_bytes(
        retired.public_key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    token = signing.sign(certificate_data(db, record), retired)
    assert retired.key_id in verification_keys()
    assert _status(client.get(f"/verify/{token}")) == ("valid", None)
    pem.unlink()
    assert _status(client.get(f"/verify/{token}")) == ("invalid", "unknown_key")


def test_retired_keys_from_the_environment(app, monkeypatch):
    a, b = SigningKey(_new_signing_key()), SigningKey(_new_signing_key())
    pems = b"".join(
        k.public_key.public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        for k in (a, b)
    )
    monkeypatch.setenv("UJISIM_RETIRED_PUBLIC_KEYS", pems.decode())
    assert {a.key_id, b.key_id, signing_key().key_id} == set(verification_keys())


def test_a_voided_exam_shows_revoked_with_its_data(client, token, void, record):
    void()
    response = client.get(f"/verify/{token}")
    assert _status(response) == ("revoked", None)
    assert record.public_id in response.get_data(as_text=True)


def test_json_variant(client, token, record, void, candidate):
    json = {"Accept": "application/json"}
    body = client.get(f"/verify/{token}", headers=json).get_json()
    assert body["status"] == "valid"
    assert body["certificate"] == {
        "name": candidate.full_name,
        "nik": "************0003",
        "class": "A",
        "score": 30,
        "total": 30,
        "passed_on": "2026-11-22",
        "exam_id": record.public_id,
        "office": None,  # the exam was registered before offices were asked
    }
    body = client.get(f"/verify/{tampered(token)}", headers=json).get_json()
    assert (body["status"], body["reason"]) == ("invalid", "tampered")
    assert body["message"]
    assert "certificate" not in body
    void()
    body = client.get(f"/verify/{token}", headers=json).get_json()
    assert body["status"] == "revoked"
    assert body["revoked_at"]


def test_verify_is_rate_limited(client):
    codes = [client.get("/verify/x.y").status_code for _ in range(61)]
    assert codes[:60] == [200] * 60
    assert codes[60] == 429


# --- CLI -----------------------------------------------------------------------------------------


def _cli(runner, tmp_path, pdf: bytes):
    path = tmp_path / "sertifikat.pdf"
    path.write_bytes(pdf)
    result = runner.invoke(args=["certificates", "verify", str(path)])
    return result.exit_code, result.output


def test_cli_valid(runner, tmp_path, pdf, record):
    code, output = _cli(runner, tmp_path, pdf)
    assert (code, output.split(" ")[0]) == (0, "VALID"), output
    assert record.public_id in output


def test_cli_invalid_when_the_qr_was_replaced(db, runner, tmp_path, token, record):
    forged = dataclasses.replace(
        certificate_data(db, record),
        verification_url=f"http://localhost/verify/{tampered(token)}",
    )
    code, output = _cli(runner, tmp_path, certificate_pdf(forged))
    assert (code, output.strip()) == (1, "INVALID (tampered)")


def test_cli_invalid_without_a_qr(runner, tmp_path):
    code, output = _cli(runner, tmp_path, blank_pdf())
    assert (code, output.strip()) == (1, "INVALID (no QR code in the file)")


def test_cli_revoked(runner, tmp_path, pdf, void):
    void()
    code, output = _cli(runner, tmp_path, pdf)
    assert (code, output.split(" ")[0]) == (2, "REVOKED"), output


def blank_pdf() -> bytes:
    out = io.BytesIO()
    canvas = Canvas(out)
    canvas.drawString(100, 700, "bukan sertifikat")
    canvas.showPage()
    canvas.save()
    return out.getvalue()
