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

#: the start form: the Satpas office, and the applicant confirms the identity data shown
CONFIRM = {"satpas": "Satpas Polres Tegal", "confirm_identity": "yes"}


@pytest.fixture
def applicant(client, make_user, bank, frozen_clock):
    user = make_user(Role.APPLICANT, nik="3174050507990003", date_of_birth=date(1999, 7, 5))
    client.login(user.email, DEFAULT_PASSWORD)
    return user


def start_exam(client, db, cls="A", language="id") -> Attempt:
    form = {"vehicle_class": cls, "language": language, **CONFIRM}
    response = client.submit("/ujian/mulai", form)
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
    for forbidden in ('"key"', "xplanation", "legal", "Penjelasan", "UU 22/2009", '"v"', '"o"'):
        assert forbidden not in text
    codes = db.scalars(select(Item.code)).all()
    assert not [c for c in codes if c in text]
    version_ids = db.scalars(select(ItemVersion.id)).all()
    media = [q["media"] for q in body["questions"] if q["media"]]
    assert media
    assert all(re.fullmatch(rf"/ujian/{attempt.public_id}/media/\d+\.svg", m) for m in media)
    assert set(body["questions"][0]) == {"position", "lang", "stem", "options", "media", "speech"}
    # read aloud by position, like the pictures (core/speech.py; tests/exam/test_speech.py)
    speech = [q["speech"] for q in body["questions"]]
    assert speech == [f"/ujian/{attempt.public_id}/suara/{n}" for n in range(30)]
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
    again = client.submit(
        "/ujian/mulai", {"vehicle_class": "A", **CONFIRM}
    )  # double click or lost response
    assert again.status_code == 302
    assert again.headers["Location"] == f"/ujian/{attempt.public_id}"
    other = client.submit("/ujian/mulai", {"vehicle_class": "C", **CONFIRM}, follow_redirects=True)
    assert "Anda masih memiliki ujian yang sedang berlangsung" in other.get_data(as_text=True)
    assert len(db.scalars(select(Attempt)).all()) == 1


def test_refusal_is_explained_on_the_page(client, db, make_user, bank, frozen_clock):
    young = make_user(Role.APPLICANT, date_of_birth=date(2012, 3, 1))
    client.login(young.email, DEFAULT_PASSWORD)
    response = client.submit(
        "/ujian/mulai", {"vehicle_class": "C", **CONFIRM}, follow_redirects=True
    )
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


def test_start_shows_the_identity_data_and_needs_its_confirmation(client, db, applicant):
    page = client.get("/ujian/").get_data(as_text=True)
    assert applicant.full_name in page
    assert "3174050507990003" in page
    assert "5 Juli 1999" in page
    assert 'name="confirm_identity"' in page
    client.submit("/lang", {"lang": "en"})
    refused = client.submit("/ujian/mulai", {"vehicle_class": "A"})
    assert refused.status_code == 303
    shown = client.get("/ujian/").get_data(as_text=True)
    assert "Confirm that the name, NIK and date of birth shown are yours" in shown
    assert db.scalars(select(Attempt)).all() == []
    unticked = client.submit(
        "/ujian/mulai", {**CONFIRM, "vehicle_class": "A", "confirm_identity": ""}
    )
    assert unticked.status_code == 303
    assert db.scalars(select(Attempt)).all() == []


@pytest.mark.parametrize("satpas", ["", "Satpas Entah Di Mana"])
def test_start_needs_a_satpas_office_this_deployment_serves(client, db, applicant, satpas):
    client.submit("/lang", {"lang": "en"})
    refused = client.submit("/ujian/mulai", {**CONFIRM, "vehicle_class": "A", "satpas": satpas})
    assert refused.status_code == 303
    assert "Choose the Satpas office" in client.get("/ujian/").get_data(as_text=True)
    assert db.scalars(select(Attempt)).all() == []


def test_the_exam_is_registered_with_the_chosen_office_preset_next_time(client, db, applicant):
    page = client.get("/ujian/").get_data(as_text=True)
    assert '<option value="Satpas Polres Tegal" selected>' not in page  # nothing preset yet
    started = client.submit("/ujian/mulai", {**CONFIRM, "vehicle_class": "A"})
    assert started.status_code == 302
    attempt = db.scalars(select(Attempt)).one()
    assert attempt.satpas == "Satpas Polres Tegal"
    from ujisim.exam import attempts, grading

    attempts.advance(db, attempt, attempts.AttemptState.STARTED, applicant)
    grading.submit(db, attempt, applicant)  # finished: the start form shows again
    db.commit()
    page = client.get("/ujian/").get_data(as_text=True)
    assert '<option value="Satpas Polres Tegal" selected>' in page


def test_a_bank_too_small_for_the_blueprint_is_a_clear_refusal(client, db, make_user, caplog):
    from tests.exam.conftest import make_items
    from ujisim.question_bank import services

    services.import_contents(db, make_items(per_category=5))  # the blueprint needs 12, 9, 9
    db.commit()
    user = make_user(Role.APPLICANT, date_of_birth=date(1999, 7, 5))
    client.login(user.email, DEFAULT_PASSWORD)
    client.submit("/lang", {"lang": "en"})
    with caplog.at_level("ERROR", logger="ujisim.exam.draw"):
        response = client.submit("/ujian/mulai", {"vehicle_class": "A", **CONFIRM})
    assert response.status_code == 303
    page = client.get("/ujian/").get_data(as_text=True)
    assert "The SIM A exam cannot start right now" in page
    assert "the blueprint needs" not in page
    assert "has 5 reserved persepsi_bahaya items" in caplog.text
    assert "needs 12" in caplog.text
    assert db.scalars(select(Attempt)).all() == []


def test_a_save_not_stored_says_whether_it_is_a_repeat(client, db, applicant):
    attempt = start_exam(client, db)
    url = f"/api/v1/exam/attempts/{attempt.public_id}/answers"
    assert post_json(client, url, {"position": 0, "choice": 2, "seq": 1}).get_json()["stored"]
    assert post_json(client, url, {"position": 1, "choice": 0, "seq": 4}).get_json()["stored"]
    # a retry whose first response was lost: the same answer is held under this number
    retry = post_json(client, url, {"position": 0, "choice": 2, "seq": 1}).get_json()
    assert (retry["stored"], retry["repeat"], retry["last_seq"]) == (False, True, 4)
    # another tab used the number for another answer: not held, resend above last_seq
    twin = post_json(client, url, {"position": 5, "choice": 1, "seq": 1}).get_json()
    assert (twin["stored"], twin["repeat"], twin["last_seq"]) == (False, False, 4)
    again = post_json(client, url, {"position": 5, "choice": 1, "seq": 5}).get_json()
    assert again["stored"] is True
    assert "repeat" not in again
    paper = client.get(f"/api/v1/exam/attempts/{attempt.public_id}").get_json()
    assert paper["answers"] == {"0": 2, "1": 0, "5": 1}


def test_a_save_clicked_before_another_browsers_answer_is_superseded(
    client, db, applicant, frozen_clock
):
    attempt = start_exam(client, db)
    url = f"/api/v1/exam/attempts/{attempt.public_id}/answers"
    other = {"position": 3, "choice": 1, "seq": 1, "device": "ponsel", "age_ms": 0}
    assert post_json(client, url, other).get_json()["stored"]  # the other browser, just now
    frozen_clock.advance(seconds=10)
    queued = {"position": 3, "choice": 2, "seq": 2, "device": "laptop", "age_ms": 25_000}
    late = post_json(client, url, queued).get_json()
    assert (late["stored"], late["superseded"], late["held_choice"]) == (False, True, 1)
    assert late["last_seq"] == 1
    huge = post_json(client, url, {**queued, "choice": 0, "seq": 3, "age_ms": 10**30})
    assert huge.get_json()["superseded"] is True  # older than any exam: counted as a day old
    too_far = post_json(client, url, {**queued, "seq": 2**31})
    assert too_far.status_code == 422
    assert too_far.get_json()["error"]["fields"] == {"seq": "range"}
    for field, value, error in (
        ("age_ms", 1.5, "integer"),
        ("age_ms", "9", "integer"),
        ("device", 7, "string"),
        ("device", "dua kata", "invalid"),
        ("device", "x" * 33, "invalid"),
    ):
        bad = post_json(client, url, {**queued, "seq": 3, field: value})
        assert bad.status_code == 422
        assert bad.get_json()["error"]["fields"] == {field: error}
    paper = client.get(f"/api/v1/exam/attempts/{attempt.public_id}").get_json()
    assert (paper["answers"], paper["last_seq"]) == ({"3": 1}, 1)


def test_a_submit_while_paused_is_refused_as_paused(client, db, applicant):
    from ujisim.exam import attempts

    attempt = start_exam(client, db)
    db.expire_all()
    attempts.advance(db, db.get(Attempt, attempt.id), attempts.AttemptState.PAUSED)
    db.commit()
    refused = post_json(client, f"/api/v1/exam/attempts/{attempt.public_id}/submit", {})
    assert refused.status_code == 409
    assert refused.get_json()["error"]["code"] == "paused"
    db.expire_all()
    assert db.get(Attempt, attempt.id).state == "paused"
