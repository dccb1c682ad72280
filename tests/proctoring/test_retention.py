"""Retention: unflagged snapshots go after N days, flagged ones N days after the verdict, by a
job that logs its counts; the photo and face encoding go with the account."""

from __future__ import annotations

import json
import logging
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests.conftest import _test_config
from tests.exam.conftest import make_items
from tests.proctoring.conftest import analysed, set_up_challenge
from tests.webcam import jpeg_bytes
from ujisim.accounts.errors import AccountInUseError
from ujisim.accounts.models import User
from ujisim.accounts.services import delete_account
from ujisim.core import storage
from ujisim.core.audit import AuditRecord
from ujisim.core.jobs import PERIODIC, REGISTRY
from ujisim.core.security import Role
from ujisim.exam import attempts, grading, policy
from ujisim.exam.models import Attempt
from ujisim.proctoring import checks, consent, observations, reference
from ujisim.proctoring.models import (
    Consent,
    IdentityCheck,
    Observation,
    ProctorCase,
    ReferenceFace,
)
from ujisim.proctoring.review import record_verdict
from ujisim.question_bank import services


@pytest.fixture
def app_config(tmp_path, database_url):
    return _test_config(tmp_path, database_url, PROCTOR_RETENTION_DAYS=30)


@pytest.fixture
def created(db, make_user, face_photos, frozen_clock, face_work_once):
    """A created proctored exam of a candidate with consent and photo: (user, attempt, case).
    The photo's encoding and the bursts' analyses are done once per worker (``face_work_once``)."""
    services.import_contents(db, make_items())
    user = make_user(Role.APPLICANT, nik="3174050507990003", date_of_birth=date(1999, 7, 5))
    consent.record_consent(db, user, locale="id", ip=None, user_agent=None)
    reference.set_reference_photo(db, user, face_photos["obama.jpg"].read_bytes())
    attempt = attempts.create_attempt(db, user, policy.check_eligibility(db, user, "A"))
    case = checks.ensure_case(db, attempt)
    db.commit()
    return user, attempt, case


@pytest.fixture
def watched(db, created, webcam_frame, impostor_frame):
    """A started exam with one clean and one flagged snapshot (analysed by the real library)."""
    user, attempt, case = created
    attempts.advance(db, attempt, attempts.AttemptState.STARTED, user)
    db.commit()
    for image in (webcam_frame, impostor_frame):
        observations.record_snapshot(db, case, jpeg_bytes(image), trigger="interval", owner=user)
        db.commit()
    return user, case


def snapshots(db) -> dict[str, Observation]:
    db.expire_all()
    return {o.finding: o for o in db.scalars(select(Observation))}


def run_retention(app):
    with app.app_context():
        return REGISTRY["proctoring.retention"]()


def test_snapshots_are_deleted_after_their_retention(
    app, db, watched, frozen_clock, make_user, caplog
):
    assert PERIODIC["proctoring.retention"] > 0  # scheduled by the job runner
    kept = snapshots(db)
    assert set(kept) == {"ok", "different_person"}
    assert kept["different_person"].flagged
    paths = {k: storage.path_of(db.get(storage.StoredFile, o.file_id)) for k, o in kept.items()}
    assert all(p.exists() for p in paths.values())

    frozen_clock.advance(days=29)
    assert run_retention(app) == {"snapshots": 0, "flagged_snapshots": 0, "identity_frames": 0}
    frozen_clock.advance(days=2)
    with caplog.at_level(logging.INFO, logger="ujisim.proctoring.retention"):
        counts = run_retention(app)
    assert counts == {"snapshots": 1, "flagged_snapshots": 0, "identity_frames": 0}
    assert "snapshots': 1" in caplog.text
    now = snapshots(db)
    assert now["ok"].file_id is None
    assert now["ok"].file_deleted_at == frozen_clock.current
    assert now["ok"].distance is not None  # the numbers stay
    assert not paths["ok"].exists()
    assert paths["different_person"].exists()  # flagged: kept until a verdict

    _user, case = watched
    record_verdict(db, db.get(ProctorCase, case.id), make_user(Role.EXAMINER), "clear")
    db.commit()
    frozen_clock.advance(days=29)
    assert run_retention(app)["flagged_snapshots"] == 0
    frozen_clock.advance(days=2)
    assert run_retention(app)["flagged_snapshots"] == 1
    assert not paths["different_person"].exists()
    assert "proctoring.retention" in db.scalars(select(AuditRecord.action)).all()


def test_the_cli_runs_retention_with_a_given_period(runner, db, watched, frozen_clock):
    frozen_clock.advance(days=8)
    result = runner.invoke(args=["proctoring", "retention", "--days", "7"])
    assert result.exit_code == 0, result.output
    assert "snapshots=1 flagged_snapshots=0" in result.output


def test_the_face_data_goes_with_the_account(db, watched, make_user):
    user, case = watched
    admin = make_user(Role.ADMIN)
    files = db.scalars(select(storage.StoredFile).where(storage.StoredFile.owner_id == user.id))
    paths = [storage.path_of(f) for f in files]
    assert len(paths) == 3  # the photo and two snapshots
    # the exam is still running and its flagged snapshot awaits a verdict: the account stays
    with pytest.raises(AccountInUseError) as refused:
        delete_account(db, user, actor=admin)
    assert len(refused.value.reasons) == 2
    assert all(p.exists() for p in paths)

    record_verdict(db, case, make_user(Role.EXAMINER), "void", reason="impersonation")
    db.commit()
    assert delete_account(db, user, actor=admin) == 3
    db.commit()
    assert not any(p.exists() for p in paths)
    db.expire_all()
    assert db.get(User, user.id) is None
    for model in (ReferenceFace, Consent, ProctorCase, Observation, storage.StoredFile):
        assert db.scalars(select(model)).all() == []
    deleted = db.scalars(select(AuditRecord).where(AuditRecord.action == "accounts.deleted")).one()
    assert (deleted.object_id, deleted.actor_id, json.loads(deleted.data)["files"]) == (
        user.public_id,
        admin.id,
        3,
    )


def test_a_flag_that_never_reached_review_goes_after_the_exam_ends(
    app, db, created, frozen_clock, photo
):
    """One no_face snapshot (risk 1, below PROCTOR_REVIEW_AT): no examiner ever gives a verdict,
    so the case counts as decided when the exam is graded."""
    user, attempt, case = created
    attempts.advance(db, attempt, attempts.AttemptState.STARTED, user)
    db.commit()
    observations.record_snapshot(
        db, case, jpeg_bytes(photo("mask_white.jpg")), trigger="interval", owner=user
    )
    db.commit()
    [flag] = snapshots(db).values()
    assert (flag.finding, flag.flagged) == ("no_face", True)
    assert db.get(ProctorCase, case.id).review_status == "none"
    path = storage.path_of(db.get(storage.StoredFile, flag.file_id))

    frozen_clock.advance(minutes=10)
    grading.submit(db, db.get(Attempt, attempt.id))
    db.commit()
    finished = frozen_clock.current
    assert db.get(Attempt, attempt.id).state == "graded"
    # the snapshot is over 30 days old here, but its case was decided (graded) 10 minutes later
    frozen_clock.current = finished + timedelta(days=30, minutes=-1)
    assert run_retention(app)["flagged_snapshots"] == 0
    frozen_clock.advance(minutes=2)
    assert run_retention(app) == {"snapshots": 0, "flagged_snapshots": 1, "identity_frames": 0}
    assert not path.exists()
    assert snapshots(db)["no_face"].file_deleted_at == frozen_clock.current
    assert db.get(ProctorCase, case.id).verdict_at is None  # no verdict was made up


def test_frames_of_a_failed_try_followed_by_a_pass_go_after_the_exam_ends(
    app, db, created, frozen_clock, burst
):
    user, attempt, case = created
    encoding = reference.get_reference(db, user).encoding
    for who in ("impostor", "candidate"):
        check = checks.issue_challenge(db, attempt, user)
        set_up_challenge(check)  # the frames' retention is the subject, not the challenge
        result = analysed(burst(check.challenge, who=who), check, encoding)
        checks.decide(db, check, result, user)
        db.commit()
    tries = db.scalars(select(IdentityCheck).order_by(IdentityCheck.id)).all()
    assert [c.decision for c in tries] == ["failed", "passed"]
    paths = [storage.path_of(db.get(storage.StoredFile, c.file_id)) for c in tries]
    assert db.get(ProctorCase, case.id).review_status == "none"
    frozen_clock.advance(minutes=5)
    attempts.advance(db, attempt, attempts.AttemptState.STARTED, user)
    frozen_clock.advance(minutes=20)
    grading.submit(db, attempt)
    db.commit()
    finished = frozen_clock.current

    # the passed try goes 30 days after it was taken, the failed one 30 days after the end
    frozen_clock.current = finished + timedelta(days=30, minutes=-1)
    assert run_retention(app)["identity_frames"] == 1
    assert [p.exists() for p in paths] == [True, False]
    frozen_clock.advance(minutes=2)
    assert run_retention(app)["identity_frames"] == 1
    assert not paths[0].exists()
    db.expire_all()
    assert db.scalars(select(IdentityCheck.file_id)).all() == [None, None]
