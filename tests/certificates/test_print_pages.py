"""The print-shop page and the station admin page, through the browser-like test client."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests.certificates import pdf_tools
from ujisim.certificates.models import JobState, PrintJob, PrintStation
from ujisim.core.audit import AuditRecord
from ujisim.core.security import Role

TOKEN_RE = re.compile(r'id="station-token">(ujp_[A-Za-z0-9_-]+)<')


@pytest.fixture
def shop(login):
    return login(Role.PRINT_SHOP, full_name="Budi Percetakan")


def states(db) -> list[str]:
    db.expire_all()
    return [j.state for j in db.scalars(select(PrintJob).order_by(PrintJob.id))]


def test_claim_download_and_mark_printed(client, shop, card_jobs, db):
    jobs = card_jobs(3)
    page = client.get("/cetak/").get_data(as_text=True)
    assert all(f'data-job="{j.public_id}"' in page for j in jobs)
    response = client.submit("/cetak/claim", {"count": "2", "kind": ""})
    assert (response.status_code, response.headers["Location"]) == (303, "/cetak/")
    assert states(db) == ["claimed", "claimed", "ready"]
    page = client.get("/cetak/").get_data(as_text=True)
    assert "flash-success" in page
    assert 'id="held-jobs"' in page
    assert "WIB" in page

    response = client.get(f"/cetak/jobs/{jobs[0].public_id}/document.pdf")
    assert response.status_code == 200
    pdf_tools.assert_size(response.data, pdf_tools.ID1, pages=2)
    response = client.get("/cetak/cards.pdf")
    pdf_tools.assert_size(response.data, pdf_tools.A4, pages=2)
    assert "DEWI LESTARI 2" in pdf_tools.text(response.data)

    assert client.submit(f"/cetak/jobs/{jobs[0].public_id}/printed").status_code == 303
    assert client.submit(f"/cetak/jobs/{jobs[0].public_id}/printed").status_code == 303
    assert client.submit(f"/cetak/jobs/{jobs[1].public_id}/failed", {"reason": ""}).status_code
    assert states(db) == ["printed", "claimed", "ready"]
    client.submit(f"/cetak/jobs/{jobs[1].public_id}/failed", {"reason": "tinta pudar"})
    assert states(db) == ["printed", "failed", "ready"]
    # an unclaimed job cannot be confirmed from the page either: refused, shown, nothing changes
    response = client.submit(f"/cetak/jobs/{jobs[2].public_id}/printed", follow_redirects=True)
    assert "flash-error" in response.get_data(as_text=True)
    assert client.get(f"/cetak/jobs/{jobs[2].public_id}/document.pdf").status_code == 303
    assert states(db) == ["printed", "failed", "ready"]

    client.submit(f"/cetak/jobs/{jobs[1].public_id}/reprint", {"reason": "cetak ulang"})
    assert states(db) == ["printed", "ready", "ready"]
    printed = db.scalars(select(AuditRecord).where(AuditRecord.action == "print.printed")).one()
    assert printed.actor_id == shop.id


def test_more_held_cards_than_one_file_takes_come_in_parts(client, shop, card_jobs, db):
    card_jobs(53)
    client.submit("/cetak/claim", {"count": "50", "kind": ""})
    client.submit("/cetak/claim", {"count": "3", "kind": ""})
    page = client.get("/cetak/").get_data(as_text=True)
    assert 'href="/cetak/cards.pdf?part=1"' in page
    assert 'href="/cetak/cards.pdf?part=2"' in page
    assert "51–53" in page
    second = client.get("/cetak/cards.pdf?part=2")
    assert second.headers["Content-Disposition"] == 'attachment; filename="cards-51-53-of-53.pdf"'
    pdf_tools.assert_size(second.data, pdf_tools.A4, pages=2)  # one sheet: fronts and backs
    names = pdf_tools.text(second.data)
    assert all(f"DEWI LESTARI {n}" in names for n in (51, 52, 53))
    assert "DEWI LESTARI 50" not in names
    first = client.get("/cetak/cards.pdf?part=1")
    assert first.headers["Content-Disposition"].endswith('"cards-1-50-of-53.pdf"')
    for bad in ("3", "0", "x"):
        response = client.get(f"/cetak/cards.pdf?part={bad}", follow_redirects=True)
        assert "flash-error" in response.get_data(as_text=True)


KEY_RE = re.compile(r'name="key" type="hidden" value="([^"]+)"')


def test_the_same_claim_page_submitted_twice_claims_once(client, shop, card_jobs, db):
    card_jobs(6)
    key = KEY_RE.search(client.get("/cetak/").get_data(as_text=True)).group(1)
    for _click in range(2):  # a double click: the same page's form twice
        response = client.submit("/cetak/claim", {"count": "2", "kind": "", "key": key})
        assert response.status_code == 303
    assert states(db) == ["claimed", "claimed", "ready", "ready", "ready", "ready"]
    page = client.get("/cetak/").get_data(as_text=True)
    assert "Anda mengambil 2 pekerjaan." in page  # what the second answer says too
    new_key = KEY_RE.search(page).group(1)
    assert new_key != key  # the next page is a new claim
    client.submit("/cetak/claim", {"count": "2", "kind": "", "key": new_key})
    assert states(db).count("claimed") == 4
    response = client.submit("/cetak/claim", {"count": "1", "key": "a b"})
    assert response.status_code == 422
    assert states(db).count("claimed") == 4


def test_claim_form_is_validated(client, shop, card_jobs, db):
    card_jobs(1)
    for count in ["0", "51", "x", ""]:
        response = client.submit("/cetak/claim", {"count": count})
        assert response.status_code == 422, count
    assert states(db) == ["ready"]
    assert client.get("/cetak/jobs/unknown/document.pdf").status_code == 404


def test_admin_creates_a_station_sees_the_token_once_and_revokes_it(client, login, db):
    login(Role.ADMIN)
    response = client.submit("/admin/print/stations", {"name": "Percetakan Braga, printer 2"})
    assert response.status_code == 201
    assert response.headers["Cache-Control"] == "no-store"
    token = TOKEN_RE.search(response.get_data(as_text=True)).group(1)
    station = db.scalars(select(PrintStation)).one()
    assert token not in client.get("/admin/print/stations").get_data(as_text=True)
    api = client.get("/api/v1/print/station", headers={"Authorization": f"Bearer {token}"})
    assert api.get_json()["id"] == station.public_id
    listing = client.get("/admin/print/stations").get_data(as_text=True)
    assert station.token_hint in listing
    assert "Percetakan Braga, printer 2" in listing
    response = client.submit(f"/admin/print/stations/{station.public_id}/revoke")
    assert response.status_code == 303
    api = client.get("/api/v1/print/station", headers={"Authorization": f"Bearer {token}"})
    assert api.status_code == 401
    assert client.submit("/admin/print/stations", {"name": ""}).status_code == 422
    assert client.submit("/admin/print/stations/nope/revoke").status_code == 404


def test_pages_are_in_indonesian_by_default_with_english_available(client, shop, card_jobs):
    card_jobs(1)
    page = client.get("/cetak/").get_data(as_text=True)
    assert '<html lang="id">' in page
    client.submit("/lang", {"lang": "en", "next": "/cetak/"})
    page = client.get("/cetak/").get_data(as_text=True)
    assert '<html lang="en">' in page
    assert "Waiting to be printed" in page


def test_a_reprint_is_refused_for_a_ready_job(client, shop, card_jobs, db):
    job = card_jobs(1)[0]
    response = client.submit(f"/cetak/jobs/{job.public_id}/reprint", {"reason": "lagi"})
    assert response.status_code == 303
    assert states(db) == [JobState.READY]
