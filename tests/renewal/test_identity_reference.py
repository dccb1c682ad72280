"""The reference face of a renewal's identity check: the licence photo, else the population
register (Dukcapil) photo of the holder's NIK, checked with the real face library (the right
face passes, another fails and goes in person), else the in-person check, which no desk action
replaces; officers see which source the identity rests on."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from tests.conftest import DEFAULT_PASSWORD
from tests.renewal.conftest import photo_bytes
from tests.renewal.test_identity import API, api_post, reload, run_check
from ujisim.core.audit import AuditRecord
from ujisim.core.errors import ValidationError
from ujisim.core.security import Role
from ujisim.proctoring import consent
from ujisim.renewal import identity, population, verification
from ujisim.renewal.models import AppState


@pytest.fixture
def register(app):
    return population.provider("sandbox")


def _audits(db, application, action: str) -> list[dict]:
    rows = db.scalars(
        select(AuditRecord)
        .where(AuditRecord.object_id == application.public_id, AuditRecord.action == action)
        .order_by(AuditRecord.seq)
    ).all()
    return [json.loads(row.data) for row in rows]


@pytest.fixture
def no_photo_licence(holder, make_licence):
    return make_licence(holder, photo=None)


@pytest.fixture
def at_register_identity(client, db, walk, holder, register, no_photo_licence, face_work_once):
    """The holder's licence has no photo; the register has obama.jpg for the holder's NIK; the
    holder is logged in, consenting, at the identity step."""
    register.add(holder.nik, holder.full_name, holder.date_of_birth, photo_bytes("obama.jpg"))
    application = walk(AppState.IDENTITY, lic=no_photo_licence)
    consent.record_consent(db, holder, locale="en", ip=None, user_agent=None)
    db.commit()
    assert client.login(holder.email, DEFAULT_PASSWORD).status_code == 302
    return application


def test_the_register_photo_is_the_reference_when_the_licence_has_none(
    client, db, at_register_identity
):
    application = at_register_identity
    assert application.reference_source == "population_register"
    assert len(json.loads(application.reference_encoding)) == 128
    [chosen] = _audits(db, application, "renewal.identity_reference")
    assert chosen["to"] == "population_register"
    assert (chosen["register"], chosen["provider"], chosen["photo"]) == ("found", "sandbox", "face")
    page = client.get(f"/perpanjangan/{application.public_id}").get_data(as_text=True)
    assert 'id="proctor-check"' in page
    assert 'id="reference-register"' in page
    assert 'id="no-licence-face"' not in page
    result = run_check(client, application, who="obama.jpg")
    assert (result["decision"], result["reason"]) == ("passed", "ok")
    application = reload(db, application)
    assert application.state == AppState.DELIVERY
    assert application.evidence[-1]["reference"] == "population_register"
    assert application.reference_source == "population_register"


def test_another_face_fails_against_the_register_photo_and_goes_in_person(
    client, db, at_register_identity, make_user
):
    application = at_register_identity
    for _n in range(identity.MAX_TRIES):
        result = run_check(client, application, who="biden.jpg", fixed=True)
        assert (result["decision"], result["reason"]) == ("failed", "different_person")
    application = reload(db, application)
    assert (application.state, application.identity_status) == (
        AppState.IDENTITY_REVIEW,
        "in_person",
    )
    assert {e["reference"] for e in application.evidence} == {"population_register"}
    assert _audits(db, application, "renewal.identity_in_person")
    page = client.get(f"/perpanjangan/{application.public_id}").get_data(as_text=True)
    assert 'id="identity-in-person"' in page
    assert "population register" in page
    # no photo on file at the desk to judge the tries by: only an in-person check confirms
    officer = make_user(Role.EXAMINER)
    with pytest.raises(ValidationError) as refused:
        verification.clear_identity(db, application, officer)
    assert refused.value.fields == {"in_person": "required"}
    verification.clear_identity(db, application, officer, in_person=True)
    assert (application.state, application.reference_source) == (AppState.DELIVERY, "in_person")


@pytest.mark.parametrize("case", ["no_photo", "not_found", "outage"])
def test_without_a_register_photo_the_holder_is_checked_in_person(
    app, client, db, walk, holder, register, no_photo_licence, make_user, case
):
    if case == "no_photo":
        register.add(holder.nik, holder.full_name, holder.date_of_birth, None)
    elif case == "outage":
        register.add(holder.nik, holder.full_name, holder.date_of_birth, photo_bytes("obama.jpg"))
        app.config["POPULATION_SANDBOX_OUTAGE"] = True
    application = walk(AppState.IDENTITY, lic=no_photo_licence)
    assert application.reference_source is None
    assert identity.reference_encoding(db, application) is None
    [answer] = _audits(db, application, "renewal.identity_reference")
    assert answer["to"] is None
    assert (
        answer["register"]
        == {
            "no_photo": "found",
            "not_found": "not_found",
            "outage": "unavailable",
        }[case]
    )
    consent.record_consent(db, holder, locale="en", ip=None, user_agent=None)
    db.commit()
    client.login(holder.email, DEFAULT_PASSWORD)
    url = f"/perpanjangan/{application.public_id}"
    page = client.get(url).get_data(as_text=True)
    assert 'id="no-licence-face"' in page
    assert 'id="proctor-check"' not in page
    # no camera try can be issued: a face is never compared with nothing
    refused = api_post(client, f"{API}/applications/{application.public_id}/identity-checks")
    assert (refused.status_code, refused.get_json()["error"]["code"]) == (409, "no_licence_face")
    assert client.submit(f"{url}/identitas/petugas", {"version": application.version})
    application = reload(db, application)
    assert (application.state, application.reference_source) == (
        AppState.IDENTITY_REVIEW,
        "in_person",
    )
    officer = make_user(Role.EXAMINER)
    with pytest.raises(ValidationError):
        verification.clear_identity(db, application, officer)
    assert reload(db, application).state == AppState.IDENTITY_REVIEW


def test_a_review_without_a_licence_face_is_never_cleared_from_the_desk(
    db, walk, holder, no_photo_licence, make_user
):
    """Three failed tries recorded while the licence shows no face (as before the in-person
    route; or the photo went since): the desk has nothing to judge them by."""
    application = walk(AppState.IDENTITY_REVIEW, lic=no_photo_licence)
    assert application.identity_status == "officer_review"
    with pytest.raises(ValidationError) as refused:
        verification.clear_identity(db, application, make_user(Role.EXAMINER))
    assert refused.value.fields == {"in_person": "required"}


def test_the_register_is_not_asked_when_the_licence_has_a_photo(
    db, walk, holder, register, licence
):
    register.add(holder.nik, holder.full_name, holder.date_of_birth, photo_bytes("biden.jpg"))
    application = walk(AppState.IDENTITY)
    assert application.reference_source == "licence_photo"
    assert application.reference_encoding is None
    assert identity.reference_encoding(db, application) == licence.encoding


def test_a_register_record_of_another_birth_date_is_not_used(
    db, walk, holder, register, no_photo_licence, tmp_path
):
    """The register and the licence disagree about the person: no face from it."""
    other = population.SandboxRegister(register.folder)
    other.add(holder.nik, holder.full_name, holder.date_of_birth, photo_bytes("obama.jpg"))
    record = json.loads((register.folder / f"{holder.nik}.json").read_text())
    record["birth_date"] = "1990-03-15"
    (register.folder / f"{holder.nik}.json").write_text(json.dumps(record))
    application = walk(AppState.IDENTITY, lic=no_photo_licence)
    assert application.reference_source is None
    [answer] = _audits(db, application, "renewal.identity_reference")
    assert answer["photo"] == "birth_date_mismatch"


@pytest.mark.parametrize(
    ("source", "shown"),
    [
        ("population_register", "the population register (Dukcapil) photo of the holder"),
        ("licence_photo", "the photo on the SIM record"),
        ("in_person", "none: the holder is checked in person"),
    ],
)
def test_officers_see_the_reference_source(
    client, db, walk, holder, register, make_licence, make_user, source, shown
):
    if source == "population_register":
        register.add(holder.nik, holder.full_name, holder.date_of_birth, photo_bytes("obama.jpg"))
    lic = make_licence(holder, photo="obama.jpg" if source == "licence_photo" else None)
    application = walk(AppState.IDENTITY, lic=lic)
    if source == "in_person":
        identity.ask_officer(db, application, holder)
        db.commit()
    officer = make_user(Role.EXAMINER)
    client.login(officer.email, DEFAULT_PASSWORD)
    client.submit("/lang", {"lang": "en"})
    url = f"/examiner/renewals/{application.public_id}"
    page = client.get(url).get_data(as_text=True)
    assert "Reference photo for the identity check" in page
    assert shown in page.replace("&#39;", "'")
    client.submit("/lang", {"lang": "id"})
    assert "Sumber foto pembanding" in client.get(url).get_data(as_text=True)


def test_the_register_face_goes_with_the_frames_after_retention(
    app, client, db, at_register_identity, holder, clock
):
    from ujisim.renewal import application as apps

    run_check(client, at_register_identity, who="biden.jpg", fixed=True)
    application = reload(db, at_register_identity)
    apps.cancel(db, application, holder)
    db.commit()
    clock.advance(days=29)
    assert identity.purge_frames(db) == 0
    assert reload(db, application).reference_encoding is not None  # kept while frames are
    clock.advance(days=2)
    assert identity.purge_frames(db) == 1
    application = reload(db, application)
    assert application.reference_encoding is None
    assert application.reference_source == "population_register"  # what it rested on stays
    [purged] = [
        json.loads(r.data)
        for r in db.scalars(
            select(AuditRecord).where(AuditRecord.action == "renewal.frames_retention")
        )
    ]
    assert (purged["files"], purged["register_faces"]) == (1, 1)
