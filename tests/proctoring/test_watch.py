"""During the exam: snapshots analysed by the job (real photos, real face library), browser
events, the risk score, the pause after K mismatches and the re-check that resumes the exam."""

from __future__ import annotations

import io
import json
from datetime import date, timedelta

import numpy as np
import pytest
from PIL import Image
from sqlalchemy import select

from tests.conftest import _test_config
from tests.exam.conftest import make_items
from tests.proctoring.conftest import analysed, fix_challenge, send_burst, set_up_challenge
from tests.webcam import jpeg_bytes
from ujisim.core import storage
from ujisim.core.security import Role
from ujisim.core.storage import StoredFile
from ujisim.exam import attempts, grading, policy
from ujisim.exam.models import Attempt
from ujisim.proctoring import checks, consent, reference
from ujisim.proctoring.models import IdentityCheck, Observation, ProctorCase
from ujisim.question_bank import services

K = 2


@pytest.fixture
def app_config(tmp_path, database_url):
    return _test_config(tmp_path, database_url, PROCTOR_REQUIRED=True, PROCTOR_PAUSE_AFTER=K)


@pytest.fixture
def sitting(client, db, login, face_photos, burst, frozen_clock, face_work_once):
    """A logged-in candidate (English pages) in a started proctored SIM A exam: consent, photo
    and a passed identity check through the services, with the real face library (the photo's
    encoding and the check's analysis done once per worker: ``face_work_once``)."""
    services.import_contents(db, make_items())
    user = login(Role.APPLICANT, nik="3174050507990003", date_of_birth=date(1999, 7, 5))
    client.submit("/lang", {"lang": "en"})
    consent.record_consent(db, user, locale="en", ip="127.0.0.1", user_agent="test")
    reference.set_reference_photo(db, user, face_photos["obama.jpg"].read_bytes())
    attempt = attempts.create_attempt(db, user, policy.check_eligibility(db, user, "A"))
    check = checks.issue_challenge(db, attempt, user)
    set_up_challenge(check)  # the way in, not the subject: its analysis is done once per worker
    result = analysed(burst(check.challenge), check, reference.get_reference(db, user).encoding)
    checks.decide(db, check, result, user)
    assert check.decision == "passed"
    attempts.advance(db, attempt, attempts.AttemptState.STARTED, user)
    db.commit()
    return attempt


def api_post(client, url, **kwargs):
    return client.post(url, headers={"X-CSRFToken": client.csrf_token()}, **kwargs)


def snap(client, attempt, image, trigger="interval"):
    files = {"frame": (io.BytesIO(jpeg_bytes(image)), "s.jpg"), "trigger": trigger}
    response = api_post(
        client, f"/api/v1/proctoring/attempts/{attempt.public_id}/snapshots", data=files
    )
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def event(client, attempt, kind):
    return api_post(
        client, f"/api/v1/proctoring/attempts/{attempt.public_id}/events", json={"type": kind}
    )


def live(frame: np.ndarray, seed: int = 0) -> np.ndarray:
    """``frame`` as a live camera sends it again: the same scene with sensor noise."""
    noise = np.random.default_rng(seed).normal(0, 1, frame.shape)
    return np.clip(frame.astype(float) + noise, 0, 255).astype(np.uint8)


def observations(db) -> list[Observation]:
    db.expire_all()
    return db.scalars(select(Observation).order_by(Observation.id)).all()


def case_of(db) -> ProctorCase:
    db.expire_all()
    return db.scalars(select(ProctorCase)).one()


def test_a_snapshot_is_stored_privately_and_analysed(
    client, db, sitting, webcam_frame, login, make_user
):
    status = snap(client, sitting, webcam_frame)
    assert (status["state"], status["warning"], status["risk"]) == ("started", None, 0.0)
    [obs] = observations(db)
    assert (obs.kind, obs.event_type, obs.status, obs.finding) == (
        "snapshot",
        "interval",
        "done",
        "ok",
    )
    assert obs.tolerance == 0.6
    assert obs.distance < 0.6
    detector = json.loads(obs.detector_json)
    assert detector["faces"] == 1
    assert detector["detector"]["model"] == "hog"
    stored = db.get(StoredFile, obs.file_id)
    assert stored.purpose == "proctor_snapshot"
    # never a public URL: only through /files with the access rule, and not for the candidate
    assert client.get(f"/files/{stored.public_id}").status_code == 404
    client.logout()
    login(Role.EXAMINER)
    response = client.get(f"/files/{stored.public_id}")
    assert (response.status_code, response.mimetype) == (200, "image/jpeg")
    assert "no-store" in response.headers["Cache-Control"]


def test_a_second_face_is_flagged_and_the_candidate_warned(client, db, sitting, photo):
    status = snap(client, sitting, photo("t1.jpg"), trigger="window_blur")
    assert status["warning"] == "several_faces"
    [obs] = observations(db)
    assert (obs.finding, obs.flagged, obs.weight, obs.event_type) == (
        "several_faces",
        True,
        3.0,
        "window_blur",
    )
    assert json.loads(obs.detector_json)["faces"] > 1


def test_browser_events_are_recorded_with_their_weights(client, db, sitting, app):
    for kind in ("tab_hidden", "window_blur", "fullscreen_exit", "copy", "paste"):
        assert event(client, sitting, kind).status_code == 200
    response = event(client, sitting, "camera_ended")
    body = response.get_json()
    assert (body["warning"], body["risk"]) == ("camera_ended", 1 + 0.5 + 1 + 1 + 2 + 2)
    assert [o.event_type for o in observations(db)] == [
        "tab_hidden",
        "window_blur",
        "fullscreen_exit",
        "copy",
        "paste",
        "camera_ended",
    ]
    assert event(client, sitting, "screenshot").status_code == 422
    no_csrf = client.post(
        f"/api/v1/proctoring/attempts/{sitting.public_id}/events", json={"type": "copy"}
    )
    assert no_csrf.status_code == 400
    # weights are configuration: a new table weighs the same observations again
    app.config["PROCTOR_RISK_WEIGHTS"] = json.dumps({"paste": 10})
    from ujisim.proctoring.risk import recompute

    assert recompute(db, case_of(db)) == 1 + 0.5 + 1 + 1 + 10 + 2
    # the candidate reached the review threshold (3 by default): the case is in the queue
    assert case_of(db).review_status == "open"


def test_a_reload_counts_and_the_status_tells_the_page(client, db, sitting):
    assert event(client, sitting, "reload").status_code == 200
    status = client.get(f"/api/v1/proctoring/attempts/{sitting.public_id}/status").get_json()
    assert (status["warning"], status["risk"], status["interval_s"]) == ("reload", 0.5, 20)


def test_another_person_pauses_the_exam_until_a_new_check_passes(
    client, db, sitting, webcam_frame, impostor_frame, burst, frozen_clock
):
    deadline = sitting.deadline_at
    assert snap(client, sitting, webcam_frame)["state"] == "started"
    first = snap(client, sitting, impostor_frame)
    assert (first["state"], first["warning"]) == ("started", "different_person")
    assert snap(client, sitting, webcam_frame)["state"] == "started"  # the streak restarts
    assert snap(client, sitting, impostor_frame)["state"] == "started"
    paused = snap(client, sitting, impostor_frame)  # K = 2 in a row
    assert (paused["state"], paused["warning"]) == ("paused", "paused")
    assert paused["recheck_url"] == f"/pengawasan/ujian/{sitting.public_id}/cek"
    findings = [o.finding for o in observations(db)]
    assert findings == ["ok", "different_person", "ok", "different_person", "different_person"]
    assert all(o.distance > 0.6 for o in observations(db) if o.finding == "different_person")
    case = case_of(db)
    assert (case.round, case.identity_status, case.review_status) == (1, "pending", "open")

    # while paused no answer is taken, and no snapshot analysis starts another pause
    save = api_post(
        client,
        f"/api/v1/exam/attempts/{sitting.public_id}/answers",
        json={"position": 0, "choice": 1, "seq": 1},
    )
    assert (save.status_code, save.get_json()["error"]["code"]) == (409, "paused")
    sit = client.get(f"/ujian/{sitting.public_id}").get_data(as_text=True)
    assert 'id="proctor-paused"' in sit
    assert 'data-state="paused"' in sit

    frozen_clock.advance(minutes=7)
    issued = api_post(client, f"/api/v1/proctoring/attempts/{sitting.public_id}/checks")
    body = fix_challenge(db, IdentityCheck, issued.get_json())  # the re-check, not its order
    frames = burst(body)
    result = send_burst(client, body, frames).get_json()
    assert result["decision"] == "passed", result
    db.expire_all()
    attempt = db.get(Attempt, sitting.id)
    assert attempt.state == "started"
    # the paused time given back: 7 minutes, and the check's own time
    paused = timedelta(minutes=7, milliseconds=frames.times[-1] + 400)
    assert attempt.deadline_at == deadline + paused
    assert case_of(db).identity_status == "passed"
    # mismatches before the re-check no longer count toward the next pause
    assert snap(client, sitting, impostor_frame)["state"] == "started"
    save = api_post(
        client,
        f"/api/v1/exam/attempts/{sitting.public_id}/answers",
        json={"position": 0, "choice": 1, "seq": 1},
    )
    assert save.status_code == 200


def test_snapshots_of_a_finished_exam_are_refused(client, db, sitting, webcam_frame):
    grading.submit(db, sitting)
    db.commit()
    files = {"frame": (io.BytesIO(jpeg_bytes(webcam_frame)), "s.jpg")}
    response = api_post(
        client, f"/api/v1/proctoring/attempts/{sitting.public_id}/snapshots", data=files
    )
    assert response.status_code == 409
    assert observations(db) == []


def test_a_snapshot_must_be_a_jpeg(client, db, sitting):
    files = {"frame": (io.BytesIO(b"\x89PNG\r\n\x1a\n..."), "s.png")}
    response = api_post(
        client, f"/api/v1/proctoring/attempts/{sitting.public_id}/snapshots", data=files
    )
    assert response.status_code == 422
    assert observations(db) == []


def jpeg_with_comment(image: np.ndarray, comment: bytes) -> bytes:
    out = io.BytesIO()
    Image.fromarray(image).save(out, format="JPEG", quality=90, comment=comment)
    return out.getvalue()


@pytest.mark.parametrize(
    "body",
    [
        b"\xff\xd8<html><script>alert(1)</script></html>",  # a page with a JPEG's first bytes
        "comment",  # a real JPEG whose comment is a page
        "appended",  # a real JPEG with a page after its end
    ],
)
def test_a_snapshot_that_is_not_only_a_picture_is_refused(client, db, sitting, webcam_frame, body):
    """Snapshots are served to examiners as image/jpeg: each goes through the site's image
    intake (issue 17: a \\xff\\xd8<html> body used to be stored byte for byte)."""
    page = b"<html><script>alert(1)</script></html>"
    if body == "comment":
        body = jpeg_with_comment(webcam_frame, page)
    elif body == "appended":
        body = jpeg_bytes(webcam_frame) + page
    files = {"frame": (io.BytesIO(body), "s.jpg"), "trigger": "interval"}
    response = api_post(
        client, f"/api/v1/proctoring/attempts/{sitting.public_id}/snapshots", data=files
    )
    assert response.status_code == 422
    assert response.get_json()["error"]["fields"]["frame"] in ("format", "corrupt", "polyglot")
    assert observations(db) == []


def test_a_snapshot_is_stored_re_encoded_without_metadata(client, db, sitting, webcam_frame):
    sent = jpeg_with_comment(webcam_frame, b"Kamera ponsel 12MP")
    files = {"frame": (io.BytesIO(sent), "s.jpg"), "trigger": "interval"}
    url = f"/api/v1/proctoring/attempts/{sitting.public_id}/snapshots"
    assert api_post(client, url, data=files).status_code == 200
    [obs] = observations(db)
    kept = storage.read(db.get(storage.StoredFile, obs.file_id))
    assert kept != sent
    assert b"Kamera ponsel" not in kept
    with Image.open(io.BytesIO(kept)) as im:
        assert (im.format, im.size, "comment" in im.info) == ("JPEG", (640, 480), False)


def test_snapshots_are_refused_without_consent(client, db, sitting, webcam_frame):
    from sqlalchemy import delete

    from ujisim.proctoring.models import Consent

    db.execute(delete(Consent))  # e.g. the consent text changed since the exam began
    db.commit()
    files = {"frame": (io.BytesIO(jpeg_bytes(webcam_frame)), "s.jpg")}
    response = api_post(
        client, f"/api/v1/proctoring/attempts/{sitting.public_id}/snapshots", data=files
    )
    assert (response.status_code, response.get_json()["error"]["code"]) == (
        403,
        "proctoring_required",
    )
    assert observations(db) == []
    assert (
        db.scalars(select(StoredFile).where(StoredFile.purpose == "proctor_snapshot")).all() == []
    )


@pytest.fixture
def lost_snapshot(db, sitting):
    """``lost_snapshot(image)``: a snapshot stored and pending whose analysis job never ran (the
    in-process worker that held it was restarted)."""
    from ujisim.core import clock, storage

    def make(image) -> Observation:
        stored = storage.store(
            db, jpeg_bytes(image), content_type="image/jpeg", purpose="proctor_snapshot"
        )
        case = db.scalars(select(ProctorCase)).one()
        row = Observation(
            case_id=case.id,
            kind="snapshot",
            event_type="interval",
            at=clock.now(),
            file_id=stored.id,
            status="pending",
        )
        db.add(row)
        db.commit()
        return row

    return make


def run_requeue(app):
    from ujisim.core.jobs import REGISTRY

    with app.app_context():
        return REGISTRY["proctoring.requeue"]()


def test_a_lost_analysis_is_queued_again(app, db, lost_snapshot, webcam_frame, frozen_clock):
    from ujisim.core.jobs import PERIODIC
    from ujisim.proctoring.observations import queue_stats, requeue_stale

    assert 0 < PERIODIC["proctoring.requeue"] <= 120  # scheduled by the job runner
    # two snapshots of a live camera (the same picture twice would be a frozen feed)
    first, second = lost_snapshot(webcam_frame), lost_snapshot(live(webcam_frame))
    assert run_requeue(app) == {"requeued": 0, "failed": 0}  # young: its job may be on its way
    frozen_clock.advance(minutes=2, seconds=30)
    assert queue_stats(db)[0] == 2
    assert requeue_stale(db, limit=1) == {"requeued": 1, "failed": 0}  # a bounded batch
    db.commit()  # the analysis runs after the commit (eager in tests)
    assert [(o.status, o.finding) for o in observations(db)] == [("done", "ok"), ("pending", None)]
    assert run_requeue(app) == {"requeued": 1, "failed": 0}
    assert [(o.id, o.status, o.finding) for o in observations(db)] == [
        (first.id, "done", "ok"),
        (second.id, "done", "ok"),
    ]
    assert observations(db)[1].distance < 0.6
    assert queue_stats(db) == (0, None)
    frozen_clock.advance(minutes=5)
    assert run_requeue(app) == {"requeued": 0, "failed": 0}  # nothing left to do


def test_an_analysis_that_keeps_failing_ends_as_a_recorded_error(
    app, db, lost_snapshot, webcam_frame, frozen_clock
):
    from ujisim.core import storage
    from ujisim.proctoring.observations import MAX_REQUEUES, queue_stats

    row = lost_snapshot(webcam_frame)
    storage.path_of(db.get(StoredFile, row.file_id)).unlink()  # every analysis now raises
    for n in range(1, MAX_REQUEUES + 1):
        frozen_clock.advance(minutes=2, seconds=30)
        assert run_requeue(app) == {"requeued": 1, "failed": 0}
        [obs] = observations(db)
        detail = json.loads(obs.detector_json)
        assert (obs.status, detail["requeued"]) == ("pending", n)
        assert detail["last_error"].startswith("FileNotFoundError")
        assert run_requeue(app) == {"requeued": 0, "failed": 0}  # re-queued just now: waits
    frozen_clock.advance(minutes=2, seconds=30)
    assert run_requeue(app) == {"requeued": 0, "failed": 1}
    [obs] = observations(db)
    detail = json.loads(obs.detector_json)
    assert (obs.status, obs.finding, obs.flagged) == ("failed", None, False)
    assert (detail["error"], detail["requeued"]) == ("analysis_failed", MAX_REQUEUES)
    assert obs.analysed_at == frozen_clock.current
    assert queue_stats(db) == (0, None)  # the examiners' queue age stops growing
    frozen_clock.advance(minutes=10)
    assert run_requeue(app) == {"requeued": 0, "failed": 0}


def test_a_frozen_picture_reaches_the_review_queue(client, db, sitting, webcam_frame):
    """A still picture on the camera (a photo on a virtual camera, a frozen stream) matches the
    candidate every time; repeating itself face for face is what gives it away."""
    statuses = [snap(client, sitting, webcam_frame) for _ in range(3)]
    assert [o.finding for o in observations(db)] == ["ok", "frozen", "frozen"]
    assert statuses[-1]["warning"] == "frozen"
    case = case_of(db)
    assert case.risk == 4.0
    assert case.review_status == "open"


def test_a_live_camera_of_a_person_sitting_still_is_not_frozen(client, db, sitting, webcam_frame):
    # the same picture with a camera's sensor noise (sigma 1 grey level): landmarks move about
    # 0.7 px and the distance about 0.02 between snapshots, far from a repeated picture
    for seed in range(3):
        snap(client, sitting, live(webcam_frame, seed))
    assert [o.finding for o in observations(db)] == ["ok", "ok", "ok"]
    assert case_of(db).risk == 0.0


def test_a_camera_that_stops_sending_is_flagged_once_per_silence(
    client, db, sitting, webcam_frame, frozen_clock
):
    from ujisim.proctoring.observations import flag_silent_cameras

    snap(client, sitting, webcam_frame)
    frozen_clock.advance(seconds=59)  # under three 20-second intervals: still watched
    assert flag_silent_cameras(db) == 0
    frozen_clock.advance(seconds=2)
    assert flag_silent_cameras(db) == 1
    assert flag_silent_cameras(db) == 0  # the same silence is flagged once
    stopped = [o for o in observations(db) if o.event_type == "snapshots_stopped"]
    assert [(o.kind, o.weight, o.flagged) for o in stopped] == [("event", 2.0, True)]
    case = case_of(db)
    assert (case.risk, case.warning) == (2.0, "snapshots_stopped")
    snap(client, sitting, live(webcam_frame))  # pictures again, then a second silence
    frozen_clock.advance(minutes=2)
    assert flag_silent_cameras(db) == 1
    assert case_of(db).review_status == "open"  # 4.0 >= the review mark of 3


def test_a_paused_exam_is_not_flagged_for_silence(db, sitting, frozen_clock):
    from ujisim.proctoring.observations import flag_silent_cameras

    attempts.advance(db, attempts.lock_attempt(db, sitting.id), attempts.AttemptState.PAUSED, None)
    frozen_clock.advance(minutes=10)
    assert flag_silent_cameras(db) == 0
