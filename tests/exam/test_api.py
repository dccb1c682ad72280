"""The candidate's flow over HTTP: start, the paper (no keys, no item ids), saves, submit."""

import json
import re
from datetime import date

import pytest
from sqlalchemy import select

from tests.conftest import DEFAULT_PASSWORD
from ujisim.core.security import Role
from ujisim.exam.models import Attempt
from ujisim.question_bank.models import Item, ItemVersion


@pytest.fixture
def applicant(client, make_user, bank, frozen_clock):
    user = make_user(Role.APPLICANT, nik="3174050507990003", date_of_birth=date(1999, 7, 5))
    client.login(user.email, DEFAULT_PASSWORD)
    return user


def start_exam(client, db, cls="A") -> Attempt:
    response = client.submit("/ujian/mulai", {"vehicle_class": cls})
    assert response.status_code == 302
    attempt = db.scalars(select(Attempt).order_by(Attempt.id.desc())).first()
    assert response.headers["Location"] == f"/ujian/{attempt.public_id}"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Mulai ujian" in page  # the instructions come first
    assert client.submit(f"/ujian/{attempt.public_id}/begin").status_code == 302
    assert client.submit(f"/ujian/{attempt.public_id}/begin").status_code == 302  # double click
    return attempt


def post_json(client, url, body):
    return client.post(url, json=body, headers={"X-CSRFToken": client.csrf_token()})


def test_paper_has_no_keys_explanations_or_item_ids(client, db, applicant):
    attempt = start_exam(client, db)
    assert 'id="exam"' in client.get(f"/ujian/{attempt.public_id}").get_data(as_text=True)
    response = client.get(f"/api/v1/exam/attempts/{attempt.public_id}")
    assert response.status_code == 200
    body = response.get_json()
    assert len(body["questions"]) == 30
    assert body["remaining_s"] == 1800
    text = json.dumps(body)
    for forbidden in ('"key"', "explanation", "legal", "Penjelasan", "UU 22/2009", '"v"', '"o"'):
        assert forbidden not in text
    codes = db.scalars(select(Item.code)).all()
    assert not [c for c in codes if c in text]
    version_ids = db.scalars(select(ItemVersion.id)).all()
    media = [q["media"] for q in body["questions"] if q["media"]]
    assert media
    assert all(re.fullmatch(rf"/ujian/{attempt.public_id}/media/\d+\.svg", m) for m in media)
    assert set(body["questions"][0]) == {"position", "stem", "options", "media"}
    assert max(version_ids) > 0
    svg = client.get(media[0])
    assert svg.status_code == 200
    assert svg.mimetype == "image/svg+xml"


def test_saves_are_idempotent_and_late_ones_get_409(client, db, applicant, frozen_clock):
    attempt = start_exam(client, db)
    url = f"/api/v1/exam/attempts/{attempt.public_id}/answers"
    first = post_json(client, url, {"position": 0, "choice": 2, "seq": 1})
    assert first.status_code == 200
    assert first.get_json()["stored"] is True
    again = post_json(client, url, {"position": 0, "choice": 3, "seq": 1})
    assert again.get_json()["stored"] is False
    paper = client.get(f"/api/v1/exam/attempts/{attempt.public_id}").get_json()
    assert paper["answers"] == {"0": 2}
    assert paper["last_seq"] == 1
    bad = post_json(client, url, {"position": 0, "choice": "B", "seq": 2})
    assert bad.status_code == 422
    assert bad.get_json()["error"]["fields"] == {"choice": "integer"}
    no_csrf = client.post(url, json={"position": 0, "choice": 1, "seq": 3})
    assert no_csrf.status_code == 400
    frozen_clock.advance(minutes=30, seconds=11)
    late = post_json(client, url, {"position": 1, "choice": 0, "seq": 4})
    assert late.status_code == 409
    assert late.get_json()["error"]["code"] == "time_up"


def test_submit_then_result(client, db, applicant):
    attempt = start_exam(client, db)
    url = f"/api/v1/exam/attempts/{attempt.public_id}"
    post_json(client, f"{url}/answers", {"position": 0, "choice": 0, "seq": 1})
    done = post_json(client, f"{url}/submit", {})
    assert done.status_code == 200
    assert done.get_json()["state"] == "graded"
    again = post_json(client, f"{url}/submit", {})
    assert again.get_json()["result_url"] == done.get_json()["result_url"]
    page = client.get(done.get_json()["result_url"]).get_data(as_text=True)
    assert "Tidak lulus" in page
    assert "Persepsi bahaya" in page or "persepsi" in page.lower()
    assert "Anda masih dapat mengulang" in page
    # a finished attempt sends the browser to the result
    assert client.get(f"/ujian/{attempt.public_id}").status_code == 302


def test_a_second_start_goes_on_with_the_open_exam(client, db, applicant):
    attempt = start_exam(client, db)
    again = client.submit("/ujian/mulai", {"vehicle_class": "A"})  # double click or lost response
    assert again.status_code == 302
    assert again.headers["Location"] == f"/ujian/{attempt.public_id}"
    other = client.submit("/ujian/mulai", {"vehicle_class": "C"}, follow_redirects=True)
    assert "Anda masih memiliki ujian yang sedang berlangsung" in other.get_data(as_text=True)
    assert len(db.scalars(select(Attempt)).all()) == 1


def test_refusal_is_explained_on_the_page(client, db, make_user, bank, frozen_clock):
    young = make_user(Role.APPLICANT, date_of_birth=date(2012, 3, 1))
    client.login(young.email, DEFAULT_PASSWORD)
    response = client.submit("/ujian/mulai", {"vehicle_class": "C"}, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert "Usia minimal untuk SIM C adalah 17" in page
    assert db.scalars(select(Attempt)).all() == []


def test_avis_mode_over_http(client, db, applicant, frozen_clock):
    from ujisim.exam import policy

    policy.current_blueprint(db, "A").item_time_limit_s = 15
    db.commit()
    attempt = start_exam(client, db)
    url = f"/api/v1/exam/attempts/{attempt.public_id}"
    opened = post_json(client, f"{url}/open", {"position": 0})
    assert opened.status_code == 200
    assert opened.get_json()["item_remaining_s"] == 15
    paper = client.get(url).get_json()
    assert paper["item_time_limit_s"] == 15
    assert paper["item_remaining_s"] == {"0": 15}
    frozen_clock.advance(seconds=30)
    late = post_json(client, f"{url}/answers", {"position": 0, "choice": 1, "seq": 1})
    assert late.status_code == 409
    assert late.get_json()["error"]["code"] == "item_time_up"
