"""Proctoring's status tables walked pair by pair through the one engine: a case's review and
identity status, an identity check's decision, a snapshot's analysis."""

from __future__ import annotations

from datetime import date

import pytest

from tests.workflow_walk import pairs, walk
from ujisim.core import clock
from ujisim.core.security import Role
from ujisim.exam import attempts, policy
from ujisim.proctoring import checks, observations  # noqa: F401 (their tables)
from ujisim.proctoring.models import (
    Decision,
    IdentityCheck,
    IdentityStatus,
    Observation,
    ObservationStatus,
    ReviewStatus,
)

pytestmark = pytest.mark.both_backends  # the subject is the database: SQLite and PostgreSQL


@pytest.fixture
def case(db, bank, make_user, frozen_clock):
    user = make_user(Role.APPLICANT, nik="3174050507990003", date_of_birth=date(1999, 7, 5))
    attempt = attempts.create_attempt(db, user, policy.check_eligibility(db, user, "A"))
    return checks.ensure_case(db, attempt)


@pytest.fixture
def examiner(make_user):
    return make_user(Role.EXAMINER)


@pytest.mark.parametrize(("src", "dst"), pairs(ReviewStatus))
def test_review_status_table(db, case, examiner, src, dst):
    case.flagged_at = None
    if walk(db, case, src, dst, examiner) and dst == ReviewStatus.OPEN:
        assert (case.flagged_at, case.verdict_at) == (clock.now(), None)


def test_a_voided_case_is_final():
    from ujisim.proctoring.risk import REVIEW_TRANSITIONS

    assert not [pair for pair in REVIEW_TRANSITIONS if pair[0] == ReviewStatus.VOIDED]


@pytest.mark.parametrize(("src", "dst"), pairs(IdentityStatus))
def test_identity_status_table(db, case, examiner, src, dst):
    walk(db, case, src, dst, examiner)


@pytest.mark.parametrize(("src", "dst"), pairs(Decision))
def test_identity_check_decision_table(db, case, src, dst):
    check = IdentityCheck(
        case_id=case.id,
        round=0,
        try_number=1,
        challenge_json='["left", "right"]',
        tolerance=0.5,
        issued_at=clock.now(),
    )
    db.add(check)
    walk(db, check, src, dst)


@pytest.mark.parametrize(("src", "dst"), pairs(ObservationStatus))
def test_observation_status_table(db, case, src, dst):
    snapshot = Observation(
        case_id=case.id, kind="snapshot", event_type="interval", at=clock.now(), status=src
    )
    db.add(snapshot)
    walk(db, snapshot, src, dst)
