"""The print-shop page after a lease has passed (issue 19, point 7): the job is listed once, under
"waiting", never also under "your claimed jobs"; downloading it (one card or the sheets) is
refused with 409 and a message to claim it again; claiming it again gives it back."""

from __future__ import annotations

import re

import pytest

from tests.certificates import pdf_tools
from ujisim.certificates import print_queue
from ujisim.core.security import Role

pytestmark = pytest.mark.both_backends  # the print queue is a database subject

CLAIM_AGAIN = "Ambil kembali"


@pytest.fixture
def shop(login):
    return login(Role.PRINT_SHOP, full_name="Budi Percetakan")


def section(page: str, heading_id: str) -> str:
    """The HTML of the page's section whose heading has ``heading_id``."""
    match = re.search(rf'<section aria-labelledby="{heading_id}">(.*?)</section>', page, re.S)
    assert match, heading_id
    return match.group(1)


def test_a_job_whose_lease_passed_is_listed_once(client, shop, card_jobs, frozen_clock):
    (job,) = card_jobs(1)
    client.submit("/cetak/claim", {"count": "1", "kind": ""})
    page = client.get("/cetak/").get_data(as_text=True)
    assert f'data-job="{job.public_id}"' in section(page, "held-title")
    assert f'data-job="{job.public_id}"' not in section(page, "ready-title")

    frozen_clock.advance(seconds=print_queue.lease_seconds())
    page = client.get("/cetak/").get_data(as_text=True)
    assert page.count(f'data-job="{job.public_id}"') == 1
    assert f'data-job="{job.public_id}"' in section(page, "ready-title")
    assert f'data-job="{job.public_id}"' not in section(page, "held-title")
    assert "(0)" in section(page, "held-title")


def test_downloading_after_the_lease_is_refused_with_409(client, shop, card_jobs, frozen_clock):
    (job,) = card_jobs(1)
    client.submit("/cetak/claim", {"count": "1", "kind": ""})
    assert client.get(f"/cetak/jobs/{job.public_id}/document.pdf").status_code == 200
    frozen_clock.advance(seconds=print_queue.lease_seconds())

    for url in (f"/cetak/jobs/{job.public_id}/document.pdf", "/cetak/cards.pdf"):
        response = client.get(url)
        assert response.status_code == 409, url
        page = response.get_data(as_text=True)
        assert response.mimetype == "text/html"
        assert "flash-error" in page
        assert CLAIM_AGAIN in page
        assert f'data-job="{job.public_id}"' in section(page, "ready-title")

    # claiming it again (a new lease, a new copy) lets the same user download it
    client.submit("/cetak/claim", {"count": "1", "kind": ""})
    response = client.get(f"/cetak/jobs/{job.public_id}/document.pdf")
    assert response.status_code == 200
    pdf_tools.assert_size(response.data, pdf_tools.ID1, pages=2)


def test_the_api_refuses_a_download_after_the_lease(api, card_jobs, frozen_clock):
    card_jobs(2)
    jobs = api.post("/api/v1/print/jobs/claim", {"limit": 2}).get_json()["jobs"]
    frozen_clock.advance(seconds=print_queue.lease_seconds())
    response = api.get(jobs[0]["document_url"])
    assert (response.status_code, response.get_json()["error"]["code"]) == (409, "lease_expired")
    response = api.get(f"/api/v1/print/batch.pdf?jobs={jobs[0]['id']},{jobs[1]['id']}")
    assert (response.status_code, response.get_json()["error"]["code"]) == (409, "lease_expired")
    # nobody took it: the station's list of held jobs no longer has it, the queue has
    assert api.get("/api/v1/print/jobs/claimed").get_json()["jobs"] == []
    ready = api.get("/api/v1/print/jobs").get_json()["jobs"]
    assert [j["id"] for j in ready] == [jobs[0]["id"], jobs[1]["id"]]
