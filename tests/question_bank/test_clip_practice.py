"""Clips in practice mode (issue 21, point 5): the page gets the clip without its windows, the
server scores the clicks it sends under a signed viewing token, refuses what no player sends,
keeps an applicant's result once, and the weak-topic page counts clips."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import func, select

from ujisim.core.security import Role
from ujisim.question_bank import clip_services, services
from ujisim.question_bank import practice_services as practice
from ujisim.question_bank.content import load_file
from ujisim.question_bank.models import PracticeClip

#: the test clip: a child runs out after a ball, window 7.0..10.0 s, 20 s long
CLIP_FILE = Path(__file__).parent / "data" / "klip_contoh.yaml"
DATA_RE = re.compile(r'<script type="application/json" id="clip-data">(.*?)</script>', re.S)


@pytest.fixture
def clip_bank(db):
    """The test clip (practice, SIM A and C) and a reserved copy of it, published."""
    clip = load_file(CLIP_FILE)[0][0][0]
    reserved = replace(clip, code="KA-091", practice=False, stem="Jalan permukiman, sore hari")
    result = services.import_contents(db, [clip, reserved])
    db.commit()
    return result.bank_version


def watch(client, url="/latihan/A/klip") -> dict:
    """GET the clip page; the data it gives its player."""
    response = client.get(url)
    assert response.status_code == 200
    return json.loads(DATA_RE.search(response.get_data(as_text=True)).group(1))


def send(client, token, clicks):
    return client.post("/latihan/klip/hasil", json={"token": token, "clicks": clicks},
                       headers={"X-CSRFToken": client.csrf_token()})  # fmt: skip


def kept(db) -> int:
    return db.scalar(select(func.count()).select_from(PracticeClip))


def test_the_page_plays_a_practice_clip_without_its_windows(client, clip_bank):
    data = watch(client)
    assert data["clip"]["duration"] == 20
    assert "windows" not in json.dumps(data)
    assert data["token"]
    # the reserved clip is never shown, asked for by its code or not
    for _ in range(5):
        assert "KA-091" not in client.get("/latihan/A/klip").get_data(as_text=True)
    assert client.get("/latihan/A/klip?kode=KA-091").status_code == 404


def test_clicks_are_scored_on_the_server_with_the_windows_and_explanation(
    client, clip_bank, frozen_clock
):
    data = watch(client)
    frozen_clock.advance(seconds=25)  # the clip played
    response = send(client, data["token"], [2100, 7650, 9500])
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    # 7.65 s is in the second fifth of 7.0..10.0: 4 points
    assert (body["score"], body["max"], body["pattern"]) == (4, 5, None)
    assert body["windows"] == [{"start": 7.0, "end": 10.0, "score": 4, "click": 7650}]
    assert body["explanation"].startswith("Bola yang menggelinding")
    assert body["legal_basis"] == "UU 22/2009 Pasal 106 ayat (2)"


def test_a_rhythmic_clicker_scores_zero_and_is_told_why(client, clip_bank, frozen_clock):
    data = watch(client)
    frozen_clock.advance(seconds=25)
    body = send(client, data["token"], [1000, 3500, 6000, 8500, 11000, 13500]).get_json()
    assert (body["score"], body["pattern"]) == (0, "rhythm")
    assert "steady beat" in body["message"] or "berirama" in body["message"]


def test_clicks_before_the_clip_could_have_played_are_refused(client, clip_bank, frozen_clock):
    """A page handed the clip 3 s ago cannot send a click at 7.65 s of it."""
    data = watch(client)
    frozen_clock.advance(seconds=3)
    response = send(client, data["token"], [7650])
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == "clicks"


@pytest.mark.parametrize(
    "clicks",
    [[9000, 8000], [20001], [-5], [1.5], ["7000"], list(range(1, 300)), "7000", None],
)
def test_clicks_no_player_sends_are_refused_and_nothing_is_kept(
    client, db, clip_bank, frozen_clock, login, clicks
):
    login(Role.APPLICANT)
    data = watch(client)
    frozen_clock.advance(seconds=25)
    response = send(client, data["token"], clicks)
    assert response.status_code == 422
    assert kept(db) == 0


@pytest.mark.parametrize("token", ["", "forged", "x" * 2000])
def test_a_forged_token_is_refused(client, clip_bank, frozen_clock, token):
    response = send(client, token, [7500])
    assert response.status_code in (400, 422)


def test_a_token_for_a_reserved_clip_or_an_old_one_is_refused(
    app, client, db, clip_bank, frozen_clock
):
    secret = app.config["SECRET_KEY"]
    reserved = services.get_item(db, "KA-091").active_version
    token = clip_services.sign_viewing(reserved, "A", secret)
    frozen_clock.advance(seconds=30)
    assert send(client, token, [7500]).status_code == 400
    data = watch(client)
    frozen_clock.advance(hours=4)
    assert send(client, data["token"], [7500]).status_code == 400


def test_an_applicants_result_is_kept_once_and_counts_on_the_weak_topic_page(
    client, db, clip_bank, frozen_clock, login
):
    user = login(Role.APPLICANT)
    data = watch(client, "/latihan/C/klip")
    frozen_clock.advance(seconds=25)
    for _ in range(2):  # a retried request, a second tab
        assert send(client, data["token"], [9500]).status_code == 200
    rows = db.scalars(select(PracticeClip)).all()
    assert [(r.user_id, r.vehicle_class, r.score, r.max_score) for r in rows] == [
        (user.id, "C", 1, 5)
    ]
    data = watch(client, "/latihan/C/klip")
    frozen_clock.advance(seconds=25)
    assert send(client, data["token"], [7100]).get_json()["score"] == 5
    stats = practice.query_weak_topics(db, user)
    assert [(s.vehicle_class, s.topic, s.attempts, s.correct) for s in stats] == [
        ("C", "perilaku_etika", 2, 1)  # 1 of 5 points is not right; 5 of 5 is
    ]
    page = client.get("/latihan/topik-lemah").get_data(as_text=True)
    assert "50%" in page


def test_anonymous_and_staff_results_are_not_kept(client, db, clip_bank, frozen_clock, login):
    data = watch(client)
    frozen_clock.advance(seconds=25)
    assert send(client, data["token"], [7500]).status_code == 200
    login(Role.EXAMINER)
    data = watch(client)
    frozen_clock.advance(seconds=25)
    assert send(client, data["token"], [7500]).status_code == 200
    assert kept(db) == 0


def test_no_clip_published_says_so(client, db):
    response = client.get("/latihan/A/klip")
    assert response.status_code == 404
