"""The renewal's camera identity check over HTTP with real photos and the real face library: the
face is compared with the LICENCE photo, the action challenge comes from the server, failures get
specific advice and the third sends the application to an officer."""

from __future__ import annotations

import functools
import io
import zlib

import numpy as np
import pytest
import schemathesis
from sqlalchemy import select

from tests.certificates.print_support import SpecChecker
from tests.conftest import DEFAULT_PASSWORD
from tests.proctoring.conftest import SETUP_CHALLENGE, Burst, fix_challenge, send_burst
from tests.renewal.conftest import photo_bytes
from tests.webcam import LivePerson, webcam_crop
from ujisim.core.db import get_session
from ujisim.core.security import Role
from ujisim.core.storage import StoredFile
from ujisim.proctoring import consent, faces
from ujisim.renewal import verification
from ujisim.renewal.models import AppState, RenewalIdentityCheck
from ujisim.renewal.openapi import API as RENEWAL_API

API = "/api/v1/renewal"
#: every answer of the renewal API here is checked against its OpenAPI document
CHECKER = SpecChecker(RENEWAL_API.document)


@functools.cache
def _webcam(name: str) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    """``name`` framed like a laptop camera (640x480, the face about a third of the width)."""
    image = faces.load_image(photo_bytes(name))
    frame = webcam_crop(image, faces.reference_encoding(image).box)
    return frame, faces.reference_encoding(frame).box


@functools.cache
def _person(name: str) -> LivePerson:
    return LivePerson(*_webcam(name))


@functools.cache
def _burst(name: str, challenge: faces.Challenge, still: bool) -> Burst:
    person = _person(name)
    # the sensor noise seeded by the inputs, not by the bursts made before them: the same
    # burst in every worker, whatever ran first
    person.rng = np.random.default_rng(zlib.crc32(repr((name, challenge, still)).encode()))
    times, frames = person.burst(challenge, still=still)
    return Burst(tuple(frames), tuple(times))


def burst(name: str, challenge: dict | None = None, still: bool = False) -> Burst:
    """The frames and times of ``name`` following ``challenge`` (the API's JSON; by default
    the fixtures' ``SETUP_CHALLENGE``) as a live person would, or a still photo."""
    return _burst(
        name, faces.Challenge.from_dict(challenge) if challenge else SETUP_CHALLENGE, still
    )


def documented(client, url: str, response):
    """``response`` to a POST of ``url``, checked against the API's document."""
    CHECKER.load(client.application)
    CHECKER.check("POST", url, response)
    return response


def api_post(client, url, **kwargs):
    response = client.post(url, headers={"X-CSRFToken": client.csrf_token()}, **kwargs)
    return documented(client, url, response)


def post_burst(client, challenge: dict, frames: Burst):
    return documented(client, challenge["frames_url"], send_burst(client, challenge, frames))


def run_check(client, application, who="obama.jpg", still=False, fixed=False) -> dict:
    """A new try, followed by ``who`` (or their still photo); the answer. ``fixed``: the try is
    given ``SETUP_CHALLENGE`` (its order and schedule are not the test's subject), so that its
    burst is made and analysed once per worker (``face_work_once``)."""
    issued = api_post(client, f"{API}/applications/{application.public_id}/identity-checks")
    assert issued.status_code == 200, issued.get_json()
    body = issued.get_json()
    assert len(set(body["actions"])) == 3
    if fixed:
        body = fix_challenge(get_session(), RenewalIdentityCheck, body)
    response = post_burst(client, body, burst(who, body, still))
    assert response.status_code == 200, response.get_json()
    return response.get_json()


@pytest.fixture
def at_identity(client, db, walk, holder, face_work_once):
    """The holder (licence photo: obama.jpg), logged in and consenting, at the identity step.
    The face work from here on is memoised by its inputs (``face_work_once``)."""
    application = walk(AppState.IDENTITY)
    consent.record_consent(db, holder, locale="en", ip=None, user_agent=None)
    db.commit()
    assert client.login(holder.email, DEFAULT_PASSWORD).status_code == 302
    return application


def reload(db, application):
    db.expire_all()
    return db.get(type(application), application.id)


def test_the_api_serves_its_document(client):
    document = client.get(f"{API}/openapi.json").get_json()
    schemathesis.openapi.from_dict(document).validate()  # against the OpenAPI 3.1 meta-schema
    operations = {op["operationId"] for item in document["paths"].values() for op in item.values()}
    assert operations == {"cameraCheck", "newCheck", "sendFrames", "availability"}


def test_the_camera_check_answers_as_documented(client, at_identity):
    frame = {"frame": (io.BytesIO(burst("obama.jpg").frames[0]), "f.jpg")}
    url = f"{API}/applications/{at_identity.public_id}/camera-check"
    response = api_post(client, url, data=frame)
    assert (response.status_code, response.get_json()["problem"]) == (200, "ok")
    missing = api_post(client, url, data={})
    assert (missing.status_code, missing.get_json()["error"]["fields"]) == (
        422,
        {"frame": "required"},
    )


def test_every_operation_of_the_api_was_checked_against_its_document(client, at_identity):
    test_the_camera_check_answers_as_documented(client, at_identity)
    run_check(client, at_identity, fixed=True)
    assert {"cameraCheck", "newCheck", "sendFrames"} <= CHECKER.operations


def test_the_page_shows_the_camera_check_wired_to_the_renewal(client, at_identity):
    page = client.get(f"/perpanjangan/{at_identity.public_id}").get_data(as_text=True)
    assert 'id="proctor-check"' in page
    assert f"{API}/applications/{at_identity.public_id}/identity-checks" in page
    assert page.count("js/common.js") == page.count("js/proctor.js") == 1
    assert page.index("js/common.js") < page.index("js/proctor.js")
    assert "did not match the photo on your SIM" in page  # advice per reason, for the script


def test_the_holder_following_the_challenge_passes_against_the_licence_photo(
    client, db, at_identity
):
    result = run_check(client, at_identity)
    assert (result["decision"], result["reason"]) == ("passed", "ok"), result
    application = reload(db, at_identity)
    assert application.state == AppState.DELIVERY
    evidence = application.evidence[-1]
    assert evidence["passed"]
    assert evidence["reference"] == "licence"
    assert evidence["tolerance"] == pytest.approx(0.6)  # PROCTOR_TOLERANCE (no renewal override)
    assert all(d is None or d < evidence["tolerance"] for d in evidence["distances"])
    assert evidence["liveness"]["passed"]
    assert evidence["liveness"]["challenge"]
    stored = db.get(StoredFile, evidence["frame_file_ids"][0])
    assert stored.purpose == "proctor_identity"  # examiners and admins only
    check = db.scalars(
        select(RenewalIdentityCheck).where(RenewalIdentityCheck.public_id == evidence["check"])
    ).one()
    assert (check.decision, check.reason, check.tolerance) == ("passed", "ok", 0.6)


def test_another_person_fails_three_times_and_goes_to_an_officer(client, db, at_identity):
    for left in (2, 1):
        result = run_check(client, at_identity, who="biden.jpg", fixed=True)
        assert (result["decision"], result["reason"]) == ("failed", "different_person")
        assert "did not match the photo on your SIM" in result["advice"]
        assert result["tries_left"] == left
    page = client.get(f"/perpanjangan/{at_identity.public_id}").get_data(as_text=True)
    assert "did not match the photo on your SIM" in page
    assert "Tries left" in page
    result = run_check(client, at_identity, who="biden.jpg", fixed=True)
    assert result["identity"] == "escalated"
    application = reload(db, at_identity)
    assert application.state == AppState.IDENTITY_REVIEW
    assert [e["reason"] for e in application.evidence] == ["different_person"] * 3
    again = api_post(client, f"{API}/applications/{application.public_id}/identity-checks")
    assert (again.status_code, again.get_json()["error"]["code"]) == (409, "escalated")
    page = client.get(f"/perpanjangan/{application.public_id}").get_data(as_text=True)
    assert 'id="identity-review"' in page


def test_a_still_photo_fails_liveness_with_its_advice(client, db, at_identity):
    result = run_check(client, at_identity, still=True, fixed=True)
    assert (result["decision"], result["reason"]) == ("failed", "still")
    assert "No movement was seen" in result["advice"]
    assert reload(db, at_identity).state == AppState.IDENTITY


def test_a_decided_try_is_final_and_a_reload_keeps_the_try(client, db, at_identity):
    url = f"{API}/applications/{at_identity.public_id}/identity-checks"
    first, second = api_post(client, url).get_json(), api_post(client, url).get_json()
    # the same try, its challenge drawn again (a challenge cannot be studied, then restarted)
    assert (first["check"], first["try"]) == (second["check"], second["try"])
    assert (first["actions"], first["looks"], first["nonce"]) != (
        second["actions"],
        second["looks"],
        second["nonce"],
    )
    second = fix_challenge(db, RenewalIdentityCheck, second)  # a burst decided once per worker
    frames = burst("obama.jpg", second, still=True)
    assert post_burst(client, second, frames).status_code == 200
    again = post_burst(client, second, frames)
    assert (again.status_code, again.get_json()["error"]["code"]) == (409, "decided")


def test_without_consent_the_page_asks_for_it_and_the_api_refuses(client, db, walk, holder):
    application = walk(AppState.IDENTITY)
    client.login(holder.email, DEFAULT_PASSWORD)
    page = client.get(f"/perpanjangan/{application.public_id}").get_data(as_text=True)
    assert 'id="consent-link"' in page
    assert 'id="proctor-check"' not in page
    refused = api_post(client, f"{API}/applications/{application.public_id}/identity-checks")
    assert (refused.status_code, refused.get_json()["error"]["code"]) == (
        403,
        "proctoring_required",
    )
    frame = {"frame": (io.BytesIO(burst("obama.jpg").frames[0]), "f.jpg")}
    preview = api_post(
        client, f"{API}/applications/{application.public_id}/camera-check", data=frame
    )
    assert (preview.status_code, preview.get_json()["error"]["code"]) == (
        403,
        "proctoring_required",
    )
    back = f"/perpanjangan/{application.public_id}"
    agreed = client.submit("/pengawasan/persetujuan", {"choice": "agree", "next": back})
    assert agreed.headers["Location"].endswith(back)
    assert 'id="proctor-check"' in client.get(back).get_data(as_text=True)


def test_a_licence_photo_without_a_face_leads_to_an_in_person_check(
    app, client, db, walk, holder, make_licence, make_user
):
    """With no face on file nothing can prove the holder online: anyone with the holder's KTP
    details could otherwise renew with their own face and have the card sent elsewhere."""
    application = walk(AppState.IDENTITY, lic=make_licence(holder, photo=None))
    client.login(holder.email, DEFAULT_PASSWORD)
    url = f"/perpanjangan/{application.public_id}"
    assert 'id="ask-officer"' in client.get(url).get_data(as_text=True)
    response = client.submit(f"{url}/identitas/petugas", {"version": application.version})
    assert response.status_code == 303
    application = reload(db, application)
    assert (application.state, application.identity_status) == (
        AppState.IDENTITY_REVIEW,
        "in_person",
    )
    page = client.get(url).get_data(as_text=True)
    assert 'id="identity-in-person"' in page
    assert "with your KTP" in page or "dengan KTP" in page
    officer = make_user(Role.EXAMINER)
    # the officer cannot confirm from the desk: there is nothing to compare the holder with
    with pytest.raises(verification.ValidationError) as refused:
        verification.clear_identity(db, application, officer)
    assert refused.value.fields == {"in_person": "required"}
    assert application.state == AppState.IDENTITY_REVIEW
    verification.clear_identity(db, application, officer, in_person=True)  # no dead end
    assert (application.state, application.identity_status) == (AppState.DELIVERY, "cleared")
    from ujisim.core.audit import AuditRecord

    record = db.scalars(
        select(AuditRecord).where(AuditRecord.object_id == application.public_id)
        .order_by(AuditRecord.seq.desc())
    ).first()  # fmt: skip
    assert "in person" in record.data


def test_the_officer_page_asks_for_the_in_person_check(
    client, db, walk, holder, make_licence, make_user
):
    from ujisim.renewal import identity

    application = walk(AppState.IDENTITY, lic=make_licence(holder, photo=None))
    identity.ask_officer(db, application, holder)
    db.commit()
    officer = make_user(Role.EXAMINER)
    client.login(officer.email, DEFAULT_PASSWORD)
    client.submit("/lang", {"lang": "en"})
    url = f"/examiner/renewals/{application.public_id}"
    page = client.get(url).get_data(as_text=True)
    assert 'id="in-person"' in page
    assert "No photo on file to compare with" in page
    form = {"version": application.version}
    refused = client.submit(f"{url}/identity", form)
    assert refused.status_code == 303
    assert "There is no photo on file to compare with" in client.get(url).get_data(as_text=True)
    assert reload(db, application).state == AppState.IDENTITY_REVIEW
    assert client.submit(f"{url}/identity", {**form, "in_person": "yes"}).status_code == 303
    assert reload(db, application).state == AppState.DELIVERY


def test_another_holder_cannot_use_the_check(client, db, at_identity, make_user):
    issued = api_post(client, f"{API}/applications/{at_identity.public_id}/identity-checks")
    body = issued.get_json()
    client.post("/logout", data={"csrf_token": client.csrf_token()})
    stranger = make_user(Role.APPLICANT)
    client.login(stranger.email, DEFAULT_PASSWORD)
    assert send_burst(client, body, burst("obama.jpg", still=True)).status_code == 404
    url = f"{API}/applications/{at_identity.public_id}/identity-checks"
    assert api_post(client, url).status_code == 404


def test_the_licence_photo_not_the_registration_photo_is_the_reference(
    client, db, at_identity, holder
):
    """A registration photo of somebody else on the account changes nothing: the renewal
    compares with the licence being renewed."""
    from ujisim.proctoring import reference

    reference.set_reference_photo(db, holder, photo_bytes("biden.jpg"), "registration")
    db.commit()
    result = run_check(client, at_identity, fixed=True)
    assert (result["decision"], result["reason"]) == ("passed", "ok"), result


def test_the_officer_sees_each_tries_frame_until_retention_removes_it(
    app, client, db, at_identity, holder, make_user, clock
):
    from ujisim.core import storage
    from ujisim.core.jobs import PERIODIC, REGISTRY
    from ujisim.renewal import application as apps

    run_check(client, at_identity, who="biden.jpg", fixed=True)
    application = reload(db, at_identity)
    (file_id,) = application.evidence[-1]["frame_file_ids"]
    frame = db.get(StoredFile, file_id)
    path = storage.path_of(frame)
    officer = app.test_client()
    officer.login(make_user(Role.EXAMINER, locale="en").email, DEFAULT_PASSWORD)
    url = f"/examiner/renewals/{application.public_id}"
    assert f"/files/{frame.public_id}" in officer.get(url).text
    assert officer.get(f"/files/{frame.public_id}").status_code == 200

    apps.cancel(db, application, holder)
    db.commit()
    assert PERIODIC["renewal.frames_retention"] > 0
    clock.advance(days=29)
    with app.app_context():
        assert REGISTRY["renewal.frames_retention"]() == 0  # kept for 30 days after the end
    clock.advance(days=2)
    with app.app_context():
        assert REGISTRY["renewal.frames_retention"]() == 1
        assert REGISTRY["renewal.frames_retention"]() == 0  # once
    assert not path.exists()
    entry = reload(db, application).evidence[-1]
    assert "frame_file_ids" not in entry
    assert entry["reason"] == "different_person"  # the numbers stay
    assert entry["frames_deleted_at"]
    assert "deleted after the retention period" in officer.get(url).text
