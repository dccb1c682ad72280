"""Working days, minimum age, open attempts and the retake allowance."""

from datetime import UTC, date, datetime

import pytest

from tests.exam.conftest import answer_all
from ujisim.exam import attempts, grading, policy
from ujisim.exam.errors import NotEligible
from ujisim.exam.models import Holiday

pytestmark = pytest.mark.both_backends  # the subject is the database: SQLite and PostgreSQL


def test_working_days_skip_weekends_and_holidays(db):
    friday = date(2026, 11, 20)
    assert policy.add_working_days(db, friday, 1) == date(2026, 11, 23)  # Monday
    db.add(Holiday(day=date(2026, 11, 23), name="Libur uji"))
    db.flush()
    assert policy.add_working_days(db, friday, 1) == date(2026, 11, 24)
    assert policy.add_working_days(db, friday, 14) == date(2026, 12, 11)


def test_under_age_is_refused_with_the_date(db, make_user, frozen_clock):
    young = make_user(date_of_birth=date(2010, 1, 15))
    with pytest.raises(NotEligible) as error:
        policy.check_eligibility(db, young, "C")
    assert "17" in error.value.message
    assert "2027" in error.value.message


def test_seventeenth_birthday_is_enough(db, make_user, frozen_clock):
    born = date(2009, 11, 22)  # the frozen clock says 22 Nov 2026 (WIB)
    assert policy.check_eligibility(db, make_user(date_of_birth=born), "C").vehicle_class == "C"


def test_unknown_class(db, candidate):
    with pytest.raises(NotEligible):
        policy.check_eligibility(db, candidate, "B")


def test_open_attempt_is_refused(db, started, candidate):
    with pytest.raises(NotEligible) as error:
        policy.check_eligibility(db, candidate, "C")
    assert error.value.code == "attempt_open"


def fail_once(db, candidate, frozen_clock, cls="A"):
    blueprint = policy.check_eligibility(db, candidate, cls)
    attempt = attempts.create_attempt(db, candidate, blueprint)
    attempts.advance(db, attempt, attempts.AttemptState.STARTED, candidate)
    answer_all(db, attempt, correct=5)
    grading.submit(db, attempt, candidate)
    db.commit()
    assert attempt.passed is False
    return attempt


def test_two_retests_in_the_window_then_a_new_application(db, bank, candidate, frozen_clock):
    fail_once(db, candidate, frozen_clock)  # Sunday 22 Nov 2026
    fail_once(db, candidate, frozen_clock)  # same-day retest 1
    frozen_clock.advance(days=3)
    fail_once(db, candidate, frozen_clock)  # retest 2
    with pytest.raises(NotEligible) as error:
        policy.check_eligibility(db, candidate, "A")
    assert error.value.code == "retakes_used"
    # 14 working days from Monday 23 Nov 2026 end on Thursday 10 Dec; again from 11 Dec.
    assert "11" in error.value.message
    assert "2026" in error.value.message
    frozen_clock.current = datetime(2026, 12, 10, 16, 30, tzinfo=UTC)  # 10 Dec, 23.30 WIB
    with pytest.raises(NotEligible):
        policy.check_eligibility(db, candidate, "A")
    frozen_clock.current = datetime(2026, 12, 10, 17, 30, tzinfo=UTC)  # 11 Dec, 00.30 WIB
    assert policy.check_eligibility(db, candidate, "A")


def test_retest_after_the_window_starts_a_new_allowance(db, bank, candidate, frozen_clock):
    fail_once(db, candidate, frozen_clock)
    frozen_clock.advance(days=30)
    fail_once(db, candidate, frozen_clock)
    state = policy.retest_info(db, candidate, "A")
    assert state.retests_used == 0


def test_same_day_retest_can_be_switched_off(db, bank, candidate, frozen_clock):
    blueprint = policy.current_blueprint(db, "A")
    blueprint.same_day_retest = False
    fail_once(db, candidate, frozen_clock)
    with pytest.raises(NotEligible) as error:
        policy.check_eligibility(db, candidate, "A")
    assert error.value.code == "retest_tomorrow"
    frozen_clock.advance(days=1)
    assert policy.check_eligibility(db, candidate, "A")


def test_a_pass_ends_it(db, bank, candidate, frozen_clock):
    blueprint = policy.check_eligibility(db, candidate, "A")
    attempt = attempts.create_attempt(db, candidate, blueprint)
    attempts.advance(db, attempt, attempts.AttemptState.STARTED, candidate)
    answer_all(db, attempt, correct=30)
    grading.submit(db, attempt, candidate)
    with pytest.raises(NotEligible) as error:
        policy.check_eligibility(db, candidate, "A")
    assert error.value.code == "already_passed"
    assert policy.check_eligibility(db, candidate, "C")  # the other class is separate
