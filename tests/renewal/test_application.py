"""The application's state table, walked completely (the delivery order's is in
test_workflows.py), and the identity-check seam the proctoring flow calls (evidence computed
from real photos through faces.py)."""

import itertools

import numpy as np
import pytest
from sqlalchemy import select

from tests.renewal.conftest import photo_bytes
from tests.workflow_walk import walk
from ujisim.core.audit import AuditRecord
from ujisim.core.errors import IllegalTransition
from ujisim.core.mail import OutboxMessage
from ujisim.core.security import Role
from ujisim.renewal import application as apps
from ujisim.renewal.errors import StaleForm
from ujisim.renewal.models import AppEvent, AppState, IdentityStatus

pytestmark = pytest.mark.both_backends  # the subject is the database: SQLite and PostgreSQL


@pytest.fixture
def started(db, holder, licence):
    return apps.start_application(db, holder, licence.number, holder.nik, holder.date_of_birth)


@pytest.mark.parametrize(("src", "dst"), list(itertools.product(AppState, AppState)))
def test_application_table(db, started, src, dst):
    """Through the engine (tests/workflow_walk.py): an allowed move writes the state, its event
    row, ``renewal.<verb>`` and the holder's e-mail; a refused one raises and changes nothing."""
    mails = len(db.scalars(select(OutboxMessage)).all())
    version = started.version
    verb = walk(db, started, src, dst)
    assert verb == apps.TRANSITIONS.get((src, dst))
    if verb is None:
        assert (started.version, len(db.scalars(select(OutboxMessage)).all())) == (version, mails)
        return
    assert started.version == version + 1
    event = db.scalars(select(AppEvent).order_by(AppEvent.id.desc())).first()
    assert (event.from_state, event.to_state) == (src, dst)
    action = db.scalars(select(AuditRecord).order_by(AuditRecord.seq.desc())).first().action
    assert action == f"renewal.{verb}"
    assert len(db.scalars(select(OutboxMessage)).all()) == mails + 1  # the holder is told


def test_stale_version_is_a_conflict(db, started):
    with pytest.raises(StaleForm) as caught:
        apps.check_version(started, started.version - 1)
    assert caught.value.status == 409
    apps.check_version(started, str(started.version))


# --- the identity-check seam ---------------------------------------------------------------


@pytest.fixture(scope="module")
def evidence():
    """What the proctoring check would compute: the face in a camera frame against the licence
    photo, through faces.py (real photos: obama2 is the holder, biden is not)."""
    from ujisim.proctoring import faces

    licence = faces.reference_encoding(faces.load_image(photo_bytes("obama.jpg")))

    def of(name: str) -> dict:
        frame = faces.load_image(photo_bytes(name), max_side=640)
        result = faces.check_identity([frame] * 3, licence.encoding, min_usable=3)
        return {
            "reason": result.reason,
            "distance": result.frames[0].distance,
            "tolerance": result.tolerance,
            "passed": result.passed,
        }

    return {"holder": of("obama2.jpg"), "other": of("biden.jpg")}


@pytest.fixture
def at_identity(walk):
    return walk(AppState.IDENTITY)


def test_a_pass_moves_on_to_delivery(db, at_identity, evidence):
    assert evidence["holder"]["passed"]
    apps.record_identity_result(db, at_identity, True, evidence["holder"])
    assert at_identity.state == AppState.DELIVERY
    assert at_identity.identity_status == IdentityStatus.PASSED
    assert at_identity.evidence[-1]["distance"] == pytest.approx(evidence["holder"]["distance"])


def test_failures_give_advice_and_the_third_goes_to_an_officer(db, at_identity, evidence):
    other = evidence["other"]
    assert not other["passed"]
    assert other["reason"] == "different_person"
    assert np.isfinite(other["distance"])
    assert other["distance"] > other["tolerance"]
    for tries in (1, 2):
        apps.record_identity_result(db, at_identity, False, other)
        assert (at_identity.state, at_identity.identity_status) == (AppState.IDENTITY, "failed")
        assert at_identity.identity_failures == tries
    assert "did not match" in apps.identity_advice(at_identity.evidence[-1]["reason"])
    apps.record_identity_result(db, at_identity, False, other)
    assert at_identity.state == AppState.IDENTITY_REVIEW
    assert at_identity.identity_status == IdentityStatus.OFFICER_REVIEW
    assert len(at_identity.evidence) == 3


def test_a_result_outside_the_identity_step_is_refused(db, walk, evidence):
    application = walk(AppState.DELIVERY)
    with pytest.raises(IllegalTransition):
        apps.record_identity_result(db, application, True, evidence["holder"])


@pytest.mark.parametrize("reason", ["no_face", "several_faces", "liveness", "camera", "odd"])
def test_every_reason_has_advice(reason):
    assert len(apps.identity_advice(reason)) > 20


def test_cancel_before_paying_closes_the_account(db, walk, holder):
    from ujisim.renewal import payments

    application = walk(AppState.PAYMENT)
    apps.cancel(db, application, holder)
    assert application.state == AppState.CANCELLED
    assert payments.current_payment(db, application).status == "expired"


def test_an_open_renewal_holds_the_account_deletion_back(db, walk, holder, make_user):
    from ujisim.accounts.errors import AccountInUseError
    from ujisim.accounts.models import User
    from ujisim.accounts.services import delete_account

    admin = make_user(Role.ADMIN)
    application = walk(AppState.PAYMENT)
    with pytest.raises(AccountInUseError) as refused:
        delete_account(db, holder, actor=admin)
    assert refused.value.reasons == [
        "A renewal of this account is still in progress; it must be completed, rejected or "
        "cancelled first."
    ]
    apps.cancel(db, application, holder)
    holder_id = holder.id
    delete_account(db, holder, actor=admin)
    db.commit()
    assert db.get(User, holder_id) is None
    assert db.scalars(select(type(application))).all() == []
