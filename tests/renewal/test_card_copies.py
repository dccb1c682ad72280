"""No two valid cards (issue 19, point 7): every claim of a licence card's print job prints a new
copy with its own serial (renewal/card_copies.py, issued by certificates/renewal_cards.py); a
later copy supersedes the earlier one, a failed print, a copy given back or a reprint voids it;
a station whose lease expired can no longer download the job. The attack runs through the print
API with the real PDF, its QR read back from the rendered page."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from tests.certificates import pdf_tools
from tests.certificates.print_support import ApiClient, SpecChecker
from ujisim.certificates import print_queue, qr_texts, signing, stations
from ujisim.certificates.models import PrintJob
from ujisim.core import workflow
from ujisim.core.audit import AuditRecord
from ujisim.core.security import Role
from ujisim.renewal import card_copies, delivery
from ujisim.renewal.models import AppState, CardCopy, CopyStatus, Licence, LicenceStatus

pytestmark = pytest.mark.both_backends  # the print queue and the registry are database subjects

JOBS = "/api/v1/print/jobs"
SUPERSEDED_ID = "Digantikan oleh kartu yang dicetak kemudian"


@pytest.fixture
def approved(walk):
    return walk(AppState.APPROVED)


@pytest.fixture
def card_job(db, approved) -> PrintJob:
    return db.get(PrintJob, delivery.get_order(db, approved).print_job_id)


@pytest.fixture
def new_licence(db, approved) -> Licence:
    return db.get(Licence, approved.new_licence_id)


@pytest.fixture
def make_station(db, make_user):
    """``make_station(name)`` -> (station, token), committed."""
    admin = make_user(Role.ADMIN)

    def make(name: str):
        station, token = stations.create_station(db, name, admin)
        db.commit()
        return station, token

    return make


@pytest.fixture(scope="module")
def checker():
    return SpecChecker()


@pytest.fixture
def station_api(client, make_station, checker):
    """``station_api(name)``: an API client of a new station (responses checked against the
    OpenAPI document)."""

    def make(name: str) -> ApiClient:
        station, token = make_station(name)
        api = ApiClient(client, token, checker)
        api.station = station
        return api

    return make


def copies(db, licence) -> list[tuple[int, str]]:
    db.expire_all()
    return [(c.claim_no, c.status) for c in card_copies.query_copies(db, licence)]


def qr_token(pdf: bytes) -> str:
    """The token in the card's QR, as a phone reads it from the printed back (page 2)."""
    (url,) = qr_texts(pdf, page=None, dpi=600)
    return signing.token_from_url(url)


def verdict(client, token: str) -> dict:
    return client.get(f"/verify/{token}", headers={"Accept": "application/json"}).get_json()


# --- the registry's table and services -----------------------------------------------------------


def test_superseded_and_void_are_final():
    assert not [pair for pair in card_copies.TRANSITIONS if pair[0] != CopyStatus.VALID]


def test_the_database_refuses_a_second_valid_copy(db, card_job, new_licence, clock):
    card_copies.issue_copy(db, new_licence, print_job_id=card_job.id, claim_no=1)
    db.commit()
    rogue = CardCopy(
        serial=card_copies.new_serial(),
        licence_id=new_licence.id,
        print_job_id=card_job.id,
        claim_no=2,
        status=CopyStatus.VALID,
        created_at=clock(),
    )
    nested = db.begin_nested()
    db.add(rogue)
    with pytest.raises(IntegrityError):
        db.flush()
    nested.rollback()


def test_each_claim_issues_a_copy_and_supersedes_the_earlier(
    db, card_job, new_licence, make_station, clock
):
    first, _token = make_station("Percetakan A")
    second, _token = make_station("Percetakan B")
    assert print_queue.claim(db, first, 1) == [card_job]
    one = card_copies.get_claim_copy(db, card_job.id, 1)
    assert (one.status, one.holder) == (CopyStatus.VALID, f"station:{first.public_id}")
    assert re.fullmatch(r"[0-9A-HJKMNP-TV-Z]{5}-[0-9A-HJKMNP-TV-Z]{5}", one.serial)
    clock.advance(seconds=print_queue.lease_seconds())  # A's lease ends
    assert print_queue.claim(db, second, 1) == [card_job]
    assert copies(db, new_licence) == [(1, "superseded"), (2, "valid")]
    two = card_copies.get_claim_copy(db, card_job.id, 2)
    assert two.serial != one.serial
    assert card_copies.get_valid_copy(db, new_licence.id) == two
    actions = [
        (r.action, r.object_id)
        for r in db.scalars(
            select(AuditRecord)
            .where(AuditRecord.object_type == "card_copy")
            .order_by(AuditRecord.seq)
        )
    ]
    assert actions == [
        ("renewal.card_copy_issued", one.serial),
        ("renewal.card_copy_superseded", one.serial),
        ("renewal.card_copy_issued", two.serial),
    ]
    superseded = db.scalars(
        select(AuditRecord).where(AuditRecord.action == "renewal.card_copy_superseded")
    ).one()
    assert superseded.actor_label == f"station:{second.public_id}"


def test_a_failed_print_and_a_copy_given_back_are_void(
    app, db, card_job, new_licence, make_station
):
    station, _token = make_station("Percetakan A")
    print_queue.claim(db, station, 1)
    print_queue.release(db, card_job, station)
    print_queue.claim(db, station, 1)
    print_queue.mark_failed(db, card_job, station, "kartu macet di printer")
    assert copies(db, new_licence) == [(1, "void"), (2, "void")]
    ends = [c.end_reason for c in card_copies.query_copies(db, new_licence)]
    assert ends == ["given back unprinted", "print failed: kartu macet di printer"]
    assert card_copies.get_valid_copy(db, new_licence.id) is None

    db.commit()
    result = app.test_cli_runner().invoke(args=["licences", "copies", new_licence.number])
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert sum(line.startswith("SIM ") for line in lines) == 2  # the old card and the renewed one
    for copy in card_copies.query_copies(db, new_licence):
        (line,) = [line for line in lines if copy.serial in line]
        assert f"claim {copy.claim_no}  void" in line
        assert copy.end_reason in line
    missing = app.test_cli_runner().invoke(args=["licences", "copies", "999999999999"])
    assert missing.exit_code == 1


# --- the attack: a lease expires, another station prints -----------------------------------------


def test_an_expired_lease_cannot_download_and_its_copy_is_superseded(
    app, client, db, card_job, new_licence, station_api, clock, tmp_path
):
    """Station A claims and downloads the card, its lease expires; A's late download is refused
    (409 lease_expired, then not_lease_holder once B holds the job); B claims, prints and
    confirms; A's printed copy verifies as superseded (page, JSON and CLI), B's as valid, and
    A can no longer confirm its copy."""
    a, b = station_api("Percetakan A"), station_api("Percetakan B")
    (claimed,) = a.post(f"{JOBS}/claim", {"limit": 1}).get_json()["jobs"]
    assert claimed["id"] == card_job.public_id
    first = a.get(claimed["document_url"])
    assert first.status_code == 200
    assert a.get(claimed["document_url"]).data == first.data  # same claim, same copy
    a_token = qr_token(first.data)
    a_serial = card_copies.get_claim_copy(db, card_job.id, 1).serial
    assert claimed["serial"] == a_serial  # the station can log which copy it prints
    assert f"No. seri · Serial\n{a_serial}" in pdf_tools.text(first.data, 0)  # on its face
    assert (verdict(client, a_token)["status"], verdict(client, a_token)["card"]["serial"]) == (
        "valid",
        a_serial,
    )

    clock.advance(seconds=print_queue.lease_seconds())
    late = a.get(claimed["document_url"])
    assert late.status_code == 409
    error = late.get_json()["error"]
    assert error["code"] == "lease_expired"
    assert "Ambil kembali pekerjaan ini" in error["message"]  # claim it again
    assert set(error) == {"code", "message", "fields"}

    (taken,) = b.post(f"{JOBS}/claim", {"limit": 1}).get_json()["jobs"]
    assert taken["id"] == card_job.public_id
    second = b.get(taken["document_url"])
    assert second.status_code == 200
    b_token = qr_token(second.data)
    assert b_token != a_token
    refused = a.get(claimed["document_url"])
    assert (refused.status_code, refused.get_json()["error"]["code"]) == (409, "not_lease_holder")
    assert b.post(f"{JOBS}/{card_job.public_id}/printed").status_code == 200
    refused = a.post(f"{JOBS}/{card_job.public_id}/printed")
    assert (refused.status_code, refused.get_json()["error"]["code"]) == (409, "not_lease_holder")

    body = verdict(client, a_token)
    assert (body["status"], body["reason"]) == ("revoked", "superseded")
    assert body["card"]["serial"] == a_serial
    assert body["message"].startswith(SUPERSEDED_ID)
    page = client.get(f"/verify/{a_token}").get_data(as_text=True)
    assert 'data-reason="superseded"' in page
    assert SUPERSEDED_ID in page
    assert "Sah:" not in page
    assert verdict(client, b_token)["status"] == "valid"

    path = tmp_path / "a-card.pdf"
    path.write_bytes(first.data)
    result = app.test_cli_runner().invoke(args=["certificates", "verify", str(path)])
    assert (result.exit_code, result.output.split(" (")[0]) == (2, "SUPERSEDED"), result.output
    assert a_serial in result.output
    assert copies(db, new_licence) == [(1, "superseded"), (2, "valid")]


def test_a_reprint_voids_the_earlier_copy(client, db, card_job, new_licence, station_api, clock):
    station = station_api("Percetakan A")
    (job,) = station.post(f"{JOBS}/claim", {"limit": 1}).get_json()["jobs"]
    printed = station.get(job["document_url"]).data
    station.post(f"{JOBS}/{job['id']}/printed")
    token = qr_token(printed)
    assert verdict(client, token)["status"] == "valid"

    print_queue.reprint(db, db.get(PrintJob, card_job.id), None, "kartu tergores")
    db.commit()
    body = verdict(client, token)
    assert (body["status"], body["reason"]) == ("revoked", "void")
    assert body["message"].startswith("Batal: salinan kartu SIM ini telah ditarik")
    assert "Batal: salinan kartu SIM ini telah ditarik" in client.get(f"/verify/{token}").text

    (again,) = station.post(f"{JOBS}/claim", {"limit": 1}).get_json()["jobs"]
    reprinted = station.get(again["document_url"]).data
    assert verdict(client, qr_token(reprinted))["status"] == "valid"
    assert copies(db, new_licence) == [(1, "void"), (2, "valid")]
    voided = db.scalars(
        select(AuditRecord).where(AuditRecord.action == "renewal.card_copy_voided")
    ).one()
    assert json.loads(voided.data)["reason"] == "reprint: kartu tergores"


def test_a_renewed_licence_keeps_answering_replaced(
    client, db, card_job, new_licence, licence, station_api
):
    """A copy of a licence that a later renewal replaced answers "replaced", as before."""
    station = station_api("Percetakan A")
    (job,) = station.post(f"{JOBS}/claim", {"limit": 1}).get_json()["jobs"]
    token = qr_token(station.get(job["document_url"]).data)
    new_licence.replaced_by_id = licence.id
    workflow.advance(db, new_licence, LicenceStatus.REPLACED, None, "renewed")
    db.commit()
    assert (verdict(client, token)["status"], verdict(client, token)["reason"]) == (
        "revoked",
        "replaced",
    )


def test_a_serial_of_another_licence_is_unknown(client, db, card_job, new_licence, licence):
    """A token naming a copy of another licence (or no copy at all) proves nothing."""
    from ujisim.core.secrets import signing_key
    from ujisim.renewal import verification

    copy = card_copies.issue_copy(db, licence, print_job_id=card_job.id, claim_no=1)
    db.commit()
    photo = b"\xff\xd8\xff" + b"0" * 10
    with client.application.test_request_context():
        card = verification._card_data(db, new_licence, photo, None, serial=copy.serial)
        token = signing.sign(card, signing_key())
    assert verdict(client, token)["reason"] == "unknown_document"


def test_a_card_printed_before_serials_is_superseded_by_the_first_copy(
    app, client, db, card_job, new_licence, make_station
):
    """A card rendered with no serial (printed before the registry of copies) verifies by its
    licence until a copy is printed; from then on the copy is the card."""
    from ujisim.certificates import printing

    with app.test_request_context():
        legacy = qr_token(printing.document_pdf(db, card_job))  # a ready job: no claim, no serial
    assert verdict(client, legacy)["status"] == "valid"
    assert verdict(client, legacy)["card"]["serial"] is None
    station, _token = make_station("Percetakan A")
    print_queue.claim(db, station, 1)
    db.commit()
    body = verdict(client, legacy)
    assert (body["status"], body["reason"]) == ("revoked", "superseded")
