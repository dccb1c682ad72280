"""The candidate's side over HTTP with real photos through the real face library: consent, the
reference photo, the camera check and the identity check (burst + action challenge) before
the exam can begin."""

from __future__ import annotations

import io
import json
from datetime import date

import numpy as np
import pytest
from PIL import Image
from sqlalchemy import delete, func, select

from tests.conftest import _test_config
from tests.proctoring.conftest import SETUP_CHALLENGE, fix_challenge, send_burst
from tests.webcam import jpeg_bytes
from ujisim.core.audit import AuditRecord
from ujisim.core.db import get_session
from ujisim.core.security import Role
from ujisim.core.storage import StoredFile, read
from ujisim.exam.models import Attempt
from ujisim.proctoring import consent, reference
from ujisim.proctoring.models import (
    Consent,
    IdentityCheck,
    Observation,
    ProctorCase,
    ReferenceFace,
)


@pytest.fixture
def app_config(tmp_path, database_url):
    return _test_config(tmp_path, database_url, PROCTOR_REQUIRED=True, PROCTOR_TOLERANCE=0.6)


@pytest.fixture
def candidate(client, login, bank, frozen_clock):
    """A logged-in applicant using the English pages (assertions independent of the catalogue)."""
    user = login(Role.APPLICANT, nik="3174050507990003", date_of_birth=date(1999, 7, 5))
    client.submit("/lang", {"lang": "en"})
    return user


def api_post(client, url, **kwargs):
    return client.post(url, headers={"X-CSRFToken": client.csrf_token()}, **kwargs)


def new_attempt(client, db) -> Attempt:
    # the start form: the Satpas office, and the candidate confirms the identity shown
    start = {"vehicle_class": "A", "satpas": "Satpas Polda Metro Jaya", "confirm_identity": "yes"}
    response = client.submit("/ujian/mulai", start)
    assert response.status_code == 302
    return db.scalars(select(Attempt).order_by(Attempt.id.desc())).first()


def state(db, attempt) -> str:
    """The attempt's state in the database now (requests ran in sessions of their own)."""
    db.expire_all()
    return db.get(Attempt, attempt.id).state


def upload(client, data: bytes, name="photo.jpg"):
    return client.submit("/pengawasan/foto", {"photo": (io.BytesIO(data), name)})


def agree(client, attempt=None):
    data = {"choice": "agree"} | ({"attempt": attempt.public_id} if attempt else {})
    return client.submit("/pengawasan/persetujuan", data)


def run_check(client, attempt, burst, *, fixed=False, **how) -> dict:
    """Ask for a challenge, follow it (or as ``how`` says) and send the burst; the answer.
    ``fixed``: the try is given ``SETUP_CHALLENGE`` (its order and schedule are not the test's
    subject), so its burst is made and analysed once per worker."""
    issued = api_post(client, f"/api/v1/proctoring/attempts/{attempt.public_id}/checks")
    assert issued.status_code == 200, issued.get_json()
    body = issued.get_json()
    if fixed:
        body = fix_challenge(get_session(), IdentityCheck, body)
    frames = burst({**body, "actions": how.pop("actions", body["actions"])}, **how)
    response = send_burst(client, body, frames)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


@pytest.fixture
def consenting(client, candidate):
    """The candidate, having agreed to the consent text."""
    assert agree(client).status_code == 302
    return candidate


@pytest.fixture
def ready(client, db, candidate, face_photos, face_work_once):
    """A created attempt of a candidate who consented and has the reference photo on file. The
    face work of the tests from here on is memoised by its inputs (``face_work_once``): the
    reference photo is encoded once per worker, and so is a burst sent again."""
    attempt = new_attempt(client, db)
    assert agree(client, attempt).status_code == 302
    assert upload(client, face_photos["obama.jpg"].read_bytes()).status_code == 302
    return attempt


def test_without_consent_the_exam_cannot_begin(client, db, candidate):
    attempt = new_attempt(client, db)
    page = client.get(f"/ujian/{attempt.public_id}").get_data(as_text=True)
    assert 'id="proctor-gate"' in page
    assert 'id="begin" disabled' in page
    refused = client.submit(f"/ujian/{attempt.public_id}/begin")
    assert refused.status_code == 303
    assert state(db, attempt) == "created"
    # the check page sends the candidate to the consent first
    check = client.get(f"/pengawasan/ujian/{attempt.public_id}/cek")
    assert check.headers["Location"] == f"/pengawasan/persetujuan?attempt={attempt.public_id}"
    declined = client.submit("/pengawasan/persetujuan", {"choice": "decline"})
    assert declined.headers["Location"] == "/pengawasan/di-satpas"
    satpas = client.get("/pengawasan/di-satpas").get_data(as_text=True)
    assert "Satpas" in satpas
    assert db.scalars(select(Consent)).all() == []


@pytest.mark.parametrize("evil", ["/%09/evil.example", "/%0A/x", "//evil.example", "/%5Cevil"])
@pytest.mark.parametrize("choice", ["agree", "refuse"])
def test_the_consent_page_returns_only_to_a_local_path(client, candidate, evil, choice):
    """Either button with a ``next`` that a browser would read as another host (a tab or a
    newline it drops, a backslash) goes to the site's own next page; none is a server error."""
    assert client.get(f"/pengawasan/persetujuan?next={evil}").status_code == 200
    response = client.submit(f"/pengawasan/persetujuan?next={evil}", {"choice": choice})
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/pengawasan/"), response.headers["Location"]
    ok = client.submit("/pengawasan/persetujuan?next=/perpanjangan/", {"choice": choice})
    assert ok.headers["Location"] == "/perpanjangan/"


def test_consent_is_recorded_with_time_and_text_version(client, db, candidate, frozen_clock):
    attempt = new_attempt(client, db)
    text = client.get(f"/pengawasan/persetujuan?attempt={attempt.public_id}").get_data(as_text=True)
    assert consent.CONSENT_VERSION in text
    assert "30" in text  # how long snapshots are kept
    response = agree(client, attempt)
    assert response.headers["Location"] == f"/pengawasan/foto?attempt={attempt.public_id}"
    row = db.scalars(select(Consent)).one()
    assert (row.user_id, row.text_version, row.given_at) == (
        candidate.id,
        consent.CONSENT_VERSION,
        frozen_clock.current,
    )
    assert row.user_agent.startswith("Werkzeug/")  # the test client's
    assert row.ip == "127.0.0.1"
    actions = db.scalars(select(AuditRecord.action)).all()
    assert "proctoring.consent" in actions


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("mask_white.jpg", "No face was found"),
        ("t1.jpg", "faces"),
    ],
)
def test_a_reference_photo_without_exactly_one_face_is_refused(
    client, db, consenting, face_photos, name, message
):
    response = upload(client, face_photos[name].read_bytes())
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert message in page
    assert db.scalars(select(ReferenceFace)).all() == []
    assert db.scalars(select(StoredFile)).all() == []


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"GIF89a not a photo", "Only JPEG and PNG images are accepted."),
        (b"", "Choose an image file."),
    ],
)
def test_a_reference_upload_that_is_not_a_photo_is_refused(client, db, consenting, data, message):
    response = upload(client, data)
    assert response.status_code == 303
    assert message in client.get("/pengawasan/foto").get_data(as_text=True)


def test_a_reference_photo_carrying_a_page_is_refused_and_a_clean_one_loses_its_metadata(
    client, db, consenting, face_photos
):
    """The reference photo goes through the site's image intake (issue 17: a JPEG comment with
    <html><script> used to survive the re-encoding)."""
    photo = Image.open(face_photos["obama.jpg"])
    for smuggled in (b"<html><script>alert(1)</script></html>", b"<?php system($_GET[0]); ?>"):
        out = io.BytesIO()
        photo.save(out, format="JPEG", quality=90, comment=smuggled)
        response = upload(client, out.getvalue())
        assert response.status_code == 303
        assert "web page code" in client.get("/pengawasan/foto").get_data(as_text=True)
        assert db.scalars(select(ReferenceFace)).all() == []
    out = io.BytesIO()
    photo.save(out, format="JPEG", quality=90, comment=b"Diambil dengan kamera depan")
    assert upload(client, out.getvalue()).status_code == 302
    kept = read(db.get(StoredFile, db.scalars(select(ReferenceFace)).one().file_id))
    assert b"kamera depan" not in kept
    with Image.open(io.BytesIO(kept)) as im:
        assert "comment" not in im.info


def test_without_consent_no_reference_photo_is_read(client, db, candidate, face_photos):
    """Its face encoding is biometric data: the upload waits for the consent."""
    response = upload(client, face_photos["obama.jpg"].read_bytes())
    assert (response.status_code, response.headers["Location"]) == (303, "/pengawasan/persetujuan")
    assert (
        "Give your consent to webcam proctoring first."
        in client.get("/pengawasan/persetujuan").text
    )
    assert db.scalars(select(ReferenceFace)).all() == []
    assert db.scalars(select(StoredFile)).all() == []


def test_the_reference_is_cleaned_and_encoded_once_per_photo(
    client, db, consenting, face_photos, frozen_clock
):
    original = Image.open(face_photos["obama.jpg"])
    exif = Image.Exif()
    exif[0x010F] = "Kamera Rahasia"  # Make
    tagged = io.BytesIO()
    original.save(tagged, format="JPEG", exif=exif)
    assert upload(client, tagged.getvalue()).status_code == 302
    reference = db.scalars(select(ReferenceFace)).one()
    first = (reference.computed_at, reference.photo_sha256, reference.file_id)
    assert len(reference.encoding) == 128
    assert reference.source == "registration"
    stored = db.get(StoredFile, reference.file_id)
    assert stored.purpose == "proctor_reference"
    assert not Image.open(io.BytesIO(read(stored))).getexif()  # metadata dropped

    frozen_clock.advance(minutes=5)
    assert upload(client, tagged.getvalue()).status_code == 302  # the same photo again
    db.expire_all()
    reference = db.scalars(select(ReferenceFace)).one()
    assert (reference.computed_at, reference.photo_sha256, reference.file_id) == first

    assert upload(client, face_photos["obama2.jpg"].read_bytes()).status_code == 302
    db.expire_all()
    reference = db.scalars(select(ReferenceFace)).one()
    assert reference.computed_at == frozen_clock.current
    assert reference.photo_sha256 != first[1]
    assert db.get(StoredFile, first[2]) is None  # the old photo is gone
    assert len(db.scalars(select(StoredFile)).all()) == 1


def test_camera_check_names_the_problem(client, ready, webcam_frame, photo):
    url = f"/api/v1/proctoring/attempts/{ready.public_id}/camera-check"

    def problem(image):
        files = {"frame": (io.BytesIO(jpeg_bytes(image)), "f.jpg")}
        response = api_post(client, url, data=files)
        assert response.status_code == 200
        return response.get_json()["problem"]

    assert problem(webcam_frame) == "ok"
    assert problem((webcam_frame * 0.1).astype("uint8")) == "too_dark"
    assert problem(photo("mask_white.jpg")) == "no_face"
    assert problem(photo("t1.jpg")) == "several_faces"
    # the candidate far from the camera: the face about a tenth of the frame's width
    far = Image.new("RGB", (640, 480), (128, 128, 128))
    far.paste(Image.fromarray(webcam_frame).resize((200, 150)), (220, 165))
    assert problem(np.asarray(far)) == "face_too_small"


NO_CONSENT_ID = "Berikan persetujuan Anda untuk pengawasan kamera terlebih dahulu."


def test_without_consent_the_camera_check_analyses_nothing(
    client, db, candidate, face_photos, webcam_frame
):
    """Only the HTML page asked for consent: the JSON API took and analysed frames without it."""
    attempt = new_attempt(client, db)
    reference.set_reference_photo(db, candidate, face_photos["obama.jpg"].read_bytes())
    db.commit()
    files_before = db.scalar(select(func.count()).select_from(StoredFile))
    client.submit("/lang", {"lang": "id"})  # the refusal is in the candidate's language
    url = f"/api/v1/proctoring/attempts/{attempt.public_id}/camera-check"
    files = {"frame": (io.BytesIO(jpeg_bytes(webcam_frame)), "f.jpg")}
    response = api_post(client, url, data=files)
    assert response.status_code == 403
    error = response.get_json()["error"]
    assert (error["code"], error["message"]) == ("proctoring_required", NO_CONSENT_ID)
    assert "problem" not in response.get_json()  # no analysis result
    assert db.scalar(select(func.count()).select_from(StoredFile)) == files_before
    assert db.scalars(select(ProctorCase)).all() == []


def test_frames_of_a_check_are_refused_once_the_consent_is_gone(client, db, ready, burst):
    """A challenge issued under a consent that no longer holds (the text changed, or the consent
    was removed): its burst is neither analysed nor stored."""
    issued = api_post(client, f"/api/v1/proctoring/attempts/{ready.public_id}/checks").get_json()
    issued = fix_challenge(db, IdentityCheck, issued)
    db.execute(delete(Consent))
    db.commit()
    files_before = db.scalar(select(func.count()).select_from(StoredFile))
    response = send_burst(client, issued, burst(issued))
    assert response.status_code == 403
    assert response.get_json()["error"]["message"] == (
        "Give your consent to webcam proctoring first."
    )
    db.expire_all()
    check = db.scalars(select(IdentityCheck)).one()
    assert (check.decision, check.detector_json, check.file_id) == ("pending", None, None)
    assert db.scalar(select(func.count()).select_from(StoredFile)) == files_before


def test_the_right_person_following_the_challenge_passes_and_may_begin(client, db, ready, burst):
    result = run_check(client, ready, burst)
    assert (result["decision"], result["reason"]) == ("passed", "ok"), result
    check = db.scalars(select(IdentityCheck)).one()
    assert check.tolerance == 0.6
    assert check.matched == check.usable
    assert all(d is None or d <= 0.6 for d in check.distances[:1])
    detector = json.loads(check.detector_json)
    assert len(detector) == len(burst(check.challenge).frames)
    assert detector[0]["detector"]["model"] == "hog"
    assert check.liveness["passed"]
    assert check.liveness["challenge"] == check.challenge.to_dict()
    # each action asked for was seen, in its order
    assert [e[0] for e in check.liveness["events"]] == list(check.challenge.actions)
    assert db.get(StoredFile, check.file_id).purpose == "proctor_identity"
    page = client.get(f"/ujian/{ready.public_id}").get_data(as_text=True)
    assert 'id="begin" disabled' not in page
    assert client.submit(f"/ujian/{ready.public_id}/begin").status_code == 302
    assert state(db, ready) == "started"
    sit = client.get(f"/ujian/{ready.public_id}").get_data(as_text=True)
    # the shared helpers first (exam.js and proctor.js both need them), each script once
    scripts = [s for s in ("js/common.js", "js/exam.js", "js/proctor.js") if sit.count(s) == 1]
    assert sorted(scripts, key=sit.index) == ["js/common.js", "js/exam.js", "js/proctor.js"]


def test_a_still_photo_fails_liveness(client, db, ready, burst):
    result = run_check(client, ready, burst, still=True, fixed=True)
    assert (result["decision"], result["reason"], result["tries_left"]) == ("failed", "still", 2)
    check = db.scalars(select(IdentityCheck)).one()
    assert check.matched == check.usable  # it is the right face ...
    assert check.liveness["reason"] == "still"  # ... but it does not move


def test_failed_tries_weigh_on_the_case_even_when_the_last_one_passes(client, db, ready, burst):
    """Two tries with a photo held up, then the real face: the case reaches the review queue
    (before, the failures added nothing to the risk)."""
    for _ in range(2):
        assert run_check(client, ready, burst, still=True, fixed=True)["reason"] == "still"
    passed = run_check(client, ready, burst, fixed=True)
    assert passed["decision"] == "passed", passed
    db.expire_all()
    case = db.scalars(select(ProctorCase)).one()
    events = db.scalars(
        select(Observation).where(Observation.kind == "event").order_by(Observation.id)
    ).all()
    assert [(e.event_type, e.weight) for e in events] == [("failed_liveness", 1.5)] * 2
    assert json.loads(events[0].detector_json)["reason"] == "still"
    assert case.risk == 3.0
    assert case.review_status == "open"


def test_another_person_fails_identity(client, db, ready, burst):
    result = run_check(client, ready, burst, who="impostor", fixed=True)
    assert (result["decision"], result["reason"]) == ("failed", "different_person")
    check = db.scalars(select(IdentityCheck)).one()
    assert all(d > 0.6 for d in check.distances if d is not None)


def test_actions_in_another_order_fail(client, db, ready, burst):
    issued = api_post(client, f"/api/v1/proctoring/attempts/{ready.public_id}/checks").get_json()
    wrong = {**issued, "actions": issued["actions"][::-1]}
    response = send_burst(client, issued, burst(wrong)).get_json()
    assert (response["decision"], response["reason"]) == ("failed", "unrequested_action")


def test_a_burst_sent_before_the_challenge_could_be_done_fails(client, db, ready, burst):
    """A burst prepared in advance reaches the server sooner than its frames' times allow."""
    issued = api_post(client, f"/api/v1/proctoring/attempts/{ready.public_id}/checks").get_json()
    issued = fix_challenge(db, IdentityCheck, issued)
    frames = burst(issued)
    response = send_burst(client, issued, frames, late_ms=-3000).get_json()
    assert (response["decision"], response["reason"]) == ("failed", "timing")
    check = db.scalars(select(IdentityCheck)).one()
    assert check.liveness["timing"] == "arrived_early"


def test_a_reload_keeps_the_try_with_a_new_challenge_and_a_decided_check_is_final(
    client, db, ready, burst
):
    url = f"/api/v1/proctoring/attempts/{ready.public_id}/checks"
    first = api_post(client, url).get_json()
    client.application.config["CLOCK"].advance(seconds=20)
    second = api_post(client, url).get_json()
    # the same try (no try lost), but a challenge drawn again and timed from now: a challenge
    # cannot be studied and then asked for again to restart its clock
    assert (second["check"], second["try"]) == (first["check"], 1)
    check = db.scalars(select(IdentityCheck)).one()
    db.refresh(check)
    assert list(check.challenge.actions) == second["actions"]
    second = fix_challenge(db, IdentityCheck, second)  # its order is not the subject here
    frames = burst(second)
    assert send_burst(client, second, frames).status_code == 200
    response = send_burst(client, second, frames)
    assert response.status_code == 409


def test_a_burst_from_a_second_tab_is_refused_without_costing_a_try(client, db, ready, burst):
    """The check started in one tab, then again in another: the first tab's burst was made for
    a challenge that is no longer the try's. It is refused (409) and decides nothing; the
    second tab's burst passes."""
    url = f"/api/v1/proctoring/attempts/{ready.public_id}/checks"
    first = api_post(client, url).get_json()
    second = api_post(client, url).get_json()
    assert first["nonce"] != second["nonce"]
    stale = send_burst(client, first, burst(first))
    assert (stale.status_code, stale.get_json()["error"]["code"]) == (409, "restarted")
    check = db.scalars(select(IdentityCheck)).one()
    db.refresh(check)
    assert (check.decision, check.detector_json) == ("pending", None)
    # the second tab's person followed its challenge meanwhile: back to when it was issued
    client.application.config["CLOCK"].advance(milliseconds=-(burst(first).times[-1] + 400))
    second = fix_challenge(db, IdentityCheck, second)  # its order is not the subject here
    result = send_burst(client, second, burst(second)).get_json()
    # the answer names the reason if the stand-in's burst is refused (a rare false reject of
    # one random challenge was seen: the reason and challenge tell which rule to look at)
    assert (result["decision"], result["try"]) == ("passed", 1), (result, second["actions"])


def test_a_burst_must_have_a_bounded_number_of_frames_each_with_its_time(client, db, ready, burst):
    issued = api_post(client, f"/api/v1/proctoring/attempts/{ready.public_id}/checks").get_json()
    frames = burst(SETUP_CHALLENGE)  # any burst: what is refused is its count and times
    too_few = type(frames)(frames.frames[:3], frames.times[:3])
    response = send_burst(client, issued, too_few)
    assert response.status_code == 422
    files = [(io.BytesIO(f), f"f{i}.jpg") for i, f in enumerate(frames.frames)]
    for times in ("", "1,2,x", ",".join(map(str, frames.times[:-1]))):
        data = {"frames": list(files), "times": times}
        response = api_post(client, issued["frames_url"], data=data)
        assert response.status_code == 422, times
        assert response.get_json()["error"]["fields"] == {"times": "one per frame"}
        files = [(io.BytesIO(f), f"f{i}.jpg") for i, f in enumerate(frames.frames)]
    assert db.scalars(select(IdentityCheck)).one().decision == "pending"


def test_three_failures_go_to_an_examiner_who_clears(client, db, ready, burst, make_user):
    for left in (2, 1, 0):
        result = run_check(client, ready, burst, who="impostor", fixed=True)
        assert result["tries_left"] == left
    assert result["identity"] == "escalated"
    refused = api_post(client, f"/api/v1/proctoring/attempts/{ready.public_id}/checks")
    assert (refused.status_code, refused.get_json()["error"]["code"]) == (409, "escalated")
    page = client.get(f"/pengawasan/ujian/{ready.public_id}/cek").get_data(as_text=True)
    assert 'data-final="escalated"' in page
    case = db.scalars(select(ProctorCase)).one()
    assert case.review_status == "open"

    examiner = make_user(Role.EXAMINER)
    from ujisim.proctoring.review import record_verdict

    record_verdict(db, case, examiner, "clear", note="same person, poor light")
    db.commit()
    assert client.submit(f"/ujian/{ready.public_id}/begin").status_code == 302
    assert state(db, ready) == "started"
