"""The exam's clip part (issue 21, point 6): clips drawn from the reserved clips, watched before
the questions through the API, a reload restarting a clip once and then scoring it 0, clicks
checked against the time the server started the clip, and a pass needing both parts."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import select

from tests.conftest import DEFAULT_PASSWORD
from tests.exam.conftest import make_items
from tests.question_bank.test_clip_practice import CLIP_FILE
from ujisim.core.security import Role
from ujisim.exam import attempts, clips, grading, policy
from ujisim.exam.models import AttemptState, ClipResponse, ExamBlueprint, Grade
from ujisim.question_bank import services
from ujisim.question_bank.content import load_file

API = "/api/v1/exam/attempts"


def test_a_new_blueprint_takes_the_deployment_default(app, db):
    """Four clips before the questions unless the deployment says otherwise (the production
    default; the test suite's own config says 0)."""
    app.config["EXAM_CLIPS"] = 4
    blueprint = policy.current_blueprint(db, "A")
    assert (blueprint.clip_count, blueprint.clip_pass_percent) == (4, 59)
    assert blueprint.clip_pass_points(20) == 12  # 59 % of 20 is 11.8: rounded up


@pytest.fixture
def clip_bank(db):
    """The exam tests' questions and six clips reserved for SIM A (copies of the test clip:
    window 7..10 s, 20 s long) and one practice clip, published."""
    clip = load_file(CLIP_FILE)[0][0][0]
    reserved = [
        replace(clip, code=f"KA-{900 + n}", practice=False, stem=f"Jalan nomor {n}")
        for n in range(6)
    ]
    result = services.import_contents(db, [*make_items(), clip, *reserved])
    db.commit()
    return result.bank_version


@pytest.fixture
def clip_blueprint(db, clip_bank):
    """SIM A papers with 2 clips before the questions."""
    blueprint = policy.current_blueprint(db, "A")
    blueprint.clip_count = 2
    db.commit()
    return blueprint


@pytest.fixture
def sitting(client, db, login, clip_blueprint, frozen_clock):
    """A logged-in candidate with a started SIM A attempt holding 2 clips."""
    user = login(Role.APPLICANT)
    attempt = attempts.create_attempt(db, user, clip_blueprint)
    attempts.advance(db, attempt, AttemptState.STARTED, user)
    db.commit()
    return attempt


def post(client, url, body):
    return client.post(url, json=body, headers={"X-CSRFToken": client.csrf_token()})


def test_clips_come_from_the_reserved_clips_least_exposed_first(db, clip_blueprint, make_user):
    seen = []
    for _ in range(3):
        user = make_user(Role.APPLICANT)
        attempt = attempts.create_attempt(db, user, clip_blueprint)
        db.commit()
        assert len(attempt.clips) == 2
        seen += [c["v"] for c in attempt.clips]
    # six reserved clips, three papers of two: each drawn once (least exposed first)
    assert len(set(seen)) == 6
    practice = services.get_item(db, "KA-090").active_version.id
    assert practice not in seen


def test_the_clip_part_adds_its_time_to_the_deadline(db, sitting):
    # two clips of 20 s, and time to start each, on top of the questions' time
    expected = sitting.blueprint.time_limit_s + 2 * (20 + clips.OVERHEAD_S)
    assert (sitting.deadline_at - sitting.started_at).total_seconds() == expected


def test_the_exam_page_shows_the_clip_part_first(client, sitting):
    page = client.get(f"/ujian/{sitting.public_id}").get_data(as_text=True)
    assert 'id="clip-start"' in page
    assert 'id="q-options"' not in page


def test_watching_the_clips_then_the_questions(client, db, sitting, frozen_clock):
    url = f"{API}/{sitting.public_id}/clips"
    part = client.get(url).get_json()
    assert (part["total"], part["next"]) == (2, 0)
    started = post(client, f"{url}/start", {"number": 0}).get_json()
    assert started["clip"]["duration"] == 20
    assert "windows" not in str(started)  # the package never holds the windows
    assert started["clip"]["title"] == ""  # nor a description that could name the hazard
    frozen_clock.advance(seconds=25)
    saved = post(client, f"{url}/clicks", {"number": 0, "clicks": [7100]}).get_json()
    assert (saved["stored"], saved["next"]) == (True, 1)
    # a retried request changes nothing; other clicks for an ended clip are refused
    assert (
        post(client, f"{url}/clicks", {"number": 0, "clicks": [7100]}).get_json()["stored"] is False
    )
    assert post(client, f"{url}/clicks", {"number": 0, "clicks": [7200]}).status_code == 409
    # clip 1 cannot be skipped to, nor clip 0 started again
    assert post(client, f"{url}/start", {"number": 0}).status_code == 409
    post(client, f"{url}/start", {"number": 1})
    frozen_clock.advance(seconds=25)
    assert post(client, f"{url}/clicks", {"number": 1, "clicks": [9700]}).get_json()["next"] is None
    page = client.get(f"/ujian/{sitting.public_id}").get_data(as_text=True)
    assert 'id="q-options"' in page  # on to the questions


def test_a_reload_restarts_a_clip_once_then_it_scores_zero(client, db, sitting, frozen_clock):
    url = f"{API}/{sitting.public_id}/clips"
    post(client, f"{url}/start", {"number": 0})
    frozen_clock.advance(seconds=10)  # the page reloads during the clip
    part = client.get(url).get_json()
    assert part["clips"][0] == {"number": 0, "started": True, "finished": False, "restarts": 0,
                                "zeroed": False}  # fmt: skip
    again = post(client, f"{url}/start", {"number": 0}).get_json()
    assert (again["restarts"], again["zeroed"]) == (1, False)
    frozen_clock.advance(seconds=10)  # and again
    third = post(client, f"{url}/start", {"number": 0}).get_json()
    assert (third["zeroed"], third["clip"]) == (True, None)
    assert client.get(url).get_json()["next"] == 1
    frozen_clock.advance(seconds=25)
    assert post(client, f"{url}/clicks", {"number": 0, "clicks": [7100]}).status_code == 409


def test_a_start_sent_again_after_its_answer_was_lost_is_no_restart(client, db, sitting):
    """The page's id of one press of Start: the same press resent (no answer came back) is the
    same start; a new press (after a reload) is a restart."""
    url = f"{API}/{sitting.public_id}/clips/start"
    for _ in range(3):
        again = post(client, url, {"number": 0, "key": "press-one-abc"}).get_json()
        assert (again["restarts"], again["zeroed"]) == (0, False)
    assert post(client, url, {"number": 0, "key": "press-two-abc"}).get_json()["restarts"] == 1
    assert post(client, url, {"number": 0, "key": "bad key!"}).status_code == 422


def test_clicks_later_than_the_clip_could_have_played_are_refused(
    client, db, sitting, frozen_clock
):
    url = f"{API}/{sitting.public_id}/clips"
    post(client, f"{url}/start", {"number": 0})
    frozen_clock.advance(seconds=2)  # 2 s after the start (+3 s slack) a click at 7.1 s is not real
    response = post(client, f"{url}/clicks", {"number": 0, "clicks": [7100]})
    assert response.status_code == 422
    assert db.scalar(select(ClipResponse.clicks_json)) is None


@pytest.mark.parametrize(
    "body",
    [{"number": 0, "clicks": [9000, 8000]}, {"number": 0, "clicks": [20001]},
     {"number": 0, "clicks": "7000"}, {"number": -1, "clicks": []}, {"number": 0},
     {"number": 0, "clicks": [1.5]}],
)  # fmt: skip
def test_clicks_no_player_sends_are_refused(client, db, sitting, frozen_clock, body):
    url = f"{API}/{sitting.public_id}/clips"
    post(client, f"{url}/start", {"number": 0})
    frozen_clock.advance(seconds=25)
    assert post(client, f"{url}/clicks", body).status_code == 422
    assert db.scalar(select(ClipResponse.finished_at)) is None


def test_a_paused_exam_takes_no_clip(client, db, sitting):
    attempts.advance(db, sitting, AttemptState.PAUSED)
    db.commit()
    response = post(client, f"{API}/{sitting.public_id}/clips/start", {"number": 0})
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "paused"


def answer_questions(db, attempt, correct):
    from tests.exam.conftest import answer_all

    answer_all(db, attempt, correct)


@pytest.mark.parametrize(
    ("clicks", "correct", "points", "passed"),
    [
        ([[7100], [7700]], 30, 9, True),  # 5 + 4 of 10; 9 >= 6 (59 % of 10 rounded up)
        ([[9500], [9500]], 30, 2, False),  # 1 + 1: the clip part fails, all questions right
        ([[7100], [7100]], 20, 10, False),  # the clips pass, 20 of 30 questions do not
        ([[1000, 3500, 6000, 8500, 11000], [7100]], 30, 5, False),  # a steady beat scores 0
    ],
)
def test_a_pass_needs_both_parts(
    client, db, sitting, frozen_clock, clicks, correct, points, passed
):
    url = f"{API}/{sitting.public_id}/clips"
    for number, sent in enumerate(clicks):
        post(client, f"{url}/start", {"number": number})
        frozen_clock.advance(seconds=25)
        assert post(client, f"{url}/clicks", {"number": number, "clicks": sent}).status_code == 200
    attempt = attempts.get_attempt(db, sitting.public_id)
    answer_questions(db, attempt, correct)
    grading.submit(db, attempt)
    db.commit()
    grade = db.scalars(select(Grade).where(Grade.attempt_id == attempt.id)).one()
    assert (grade.clip_points, grade.clip_max, grade.score) == (points, 10, correct)
    assert attempt.passed is passed


def test_clips_never_watched_score_zero(db, sitting):
    attempt = attempts.get_attempt(db, sitting.public_id)
    answer_questions(db, attempt, 30)
    grading.submit(db, attempt)
    assert (attempt.passed, db.scalar(select(Grade.clip_points))) == (False, 0)


def test_too_few_reserved_clips_refuse_to_start(db, clip_blueprint, make_user):
    clip_blueprint.clip_count = 7
    db.commit()
    with pytest.raises(Exception, match="klip persepsi bahaya|hazard-perception clips") as refused:
        attempts.create_attempt(db, make_user(Role.APPLICANT), clip_blueprint)
    assert refused.value.code == "bank_too_small"
    assert db.scalar(select(ExamBlueprint.clip_count)) == 7


def test_the_examiners_replay_shows_each_clips_clicks_and_windows(
    client, db, sitting, frozen_clock, make_user
):
    """Issue 21, point 7: the replay of an attempt shows each clip's clicks, its windows and
    points, and why a clip scored 0."""
    url = f"{API}/{sitting.public_id}/clips"
    post(client, f"{url}/start", {"number": 0})
    frozen_clock.advance(seconds=25)
    post(client, f"{url}/clicks", {"number": 0, "clicks": [2500, 7700]})
    for _ in range(3):  # reloaded twice during clip 2: it scores 0
        post(client, f"{url}/start", {"number": 1})
    examiner = make_user(Role.EXAMINER)
    client.post("/logout", headers={"X-CSRFToken": client.csrf_token()})
    client.login(examiner.email, DEFAULT_PASSWORD)
    page = client.get(f"/examiner/exams/{sitting.public_id}").get_data(as_text=True)
    assert page.count('class="card replay-clip"') == 2
    assert 'data-points="4"' in page  # 7.7 s: the second fifth of 7..10
    assert page.count('class="clip-click"') == 2
    assert "2.50, 7.70" in page
    assert "Restarted 1 time(s)" in page or "Dimulai ulang 1 kali" in page


def test_item_analysis_gives_each_clip_its_mean_score_reaction_and_discrimination(
    app, db, clip_blueprint, make_user, frozen_clock
):
    """Six candidates watch the same two clips (the draw's least exposed: a fresh bank each
    attempt would differ, so the clips are set); the stronger their questions, the earlier their
    clicks: discrimination near 1, mean reaction time as clicked."""
    from ujisim.exam import clip_analysis

    first = None
    for n in range(6):
        user = make_user(Role.APPLICANT)
        attempt = attempts.create_attempt(db, user, clip_blueprint)
        first = first or attempt.clips_json
        attempt.clips_json = first
        attempts.advance(db, attempt, AttemptState.STARTED, user)
        for number in (0, 1):
            clips.start_clip(db, attempt, number)
            frozen_clock.advance(seconds=25)
            clips.save_clicks(db, attempt, number, [7000 + 600 * (5 - n)] if n else [])
        answer_questions(db, attempt, 15 + 3 * n)
        grading.submit(db, attempt)
        db.commit()
    stats = clip_analysis.query_clip_stats(db)
    assert len(stats) == 2
    for stat in stats:
        assert stat.n == 6
        # points 0, 1, 2, 3, 4, 5 of 5: mean 2.5 of 5
        assert stat.mean_score == pytest.approx(0.5)
        # clicks at 2400, 1800, 1200, 600, 0 ms into the window (the first candidate none)
        assert stat.mean_reaction_ms == pytest.approx(1200)
        assert stat.discrimination == pytest.approx(1.0)
    page_user = make_user(Role.EXAMINER)
    client = app.test_client()
    client.login(page_user.email, DEFAULT_PASSWORD)
    page = client.get("/examiner/analysis/").get_data(as_text=True)
    assert page.count("<tr data-code=") == 2
