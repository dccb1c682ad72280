"""The attempt state machine walked through its whole table, the step log, grading, regrade,
void, and the sweeper."""

import pytest
from sqlalchemy import select

from tests.exam.conftest import answer_all
from tests.workflow_walk import walk
from ujisim.core.audit import AuditRecord
from ujisim.core.errors import ValidationError
from ujisim.exam import answers, attempts, grading
from ujisim.exam.attempts import TRANSITIONS
from ujisim.exam.errors import AttemptClosed
from ujisim.exam.models import AnswerStep, AttemptEvent, AttemptState, Grade, PassRecord
from ujisim.question_bank import authoring_services
from ujisim.question_bank.content import ItemContent, Option

pytestmark = pytest.mark.both_backends  # the subject is the database: SQLite and PostgreSQL

ALL_MOVES = [(a, b) for a in AttemptState for b in AttemptState if a != b]


@pytest.mark.parametrize(("start", "target"), ALL_MOVES, ids=[f"{a}->{b}" for a, b in ALL_MOVES])
def test_every_move_is_allowed_or_refused_by_the_table(db, started, candidate, start, target):
    """Through the engine (tests/workflow_walk.py): an allowed move writes the state, its event
    row and ``exam.<verb>``; a refused one raises and changes nothing."""
    if start == AttemptState.PAUSED:
        started.paused_at = started.started_at
    verb = walk(db, started, start, target, candidate)
    assert (verb is not None) == ((start, target) in TRANSITIONS)
    if verb:
        event = db.scalars(select(AttemptEvent).order_by(AttemptEvent.id.desc())).first()
        assert (event.from_state, event.to_state) == (start, target)


def test_start_sets_the_deadline_from_the_blueprint(started, frozen_clock):
    assert started.started_at == frozen_clock.current
    assert (started.deadline_at - started.started_at).total_seconds() == 30 * 60


def test_pause_stops_the_clock(db, started, candidate, frozen_clock):
    frozen_clock.advance(minutes=10)
    attempts.advance(db, started, AttemptState.PAUSED, candidate)
    frozen_clock.advance(minutes=7)
    assert attempts.remaining_seconds(started) == 20 * 60
    attempts.advance(db, started, AttemptState.STARTED, candidate)
    assert attempts.remaining_seconds(started) == 20 * 60


def test_answers_are_steps_and_the_latest_counts(db, started):
    answers.record_answer(db, started, position=0, choice=1, client_seq=1)
    answers.record_answer(db, started, position=0, choice=2, client_seq=2)
    answers.record_answer(db, started, position=1, choice=0, client_seq=3)
    assert attempts.current_answers(db, started) == {0: 2, 1: 0}
    assert len(db.scalars(select(AnswerStep)).all()) == 3


def test_repeated_and_stale_seqs_change_nothing(db, started):
    assert answers.record_answer(db, started, position=0, choice=1, client_seq=5).stored
    repeat = answers.record_answer(db, started, position=0, choice=3, client_seq=5)
    stale = answers.record_answer(db, started, position=0, choice=3, client_seq=4)
    assert not repeat.stored
    assert not stale.stored
    assert attempts.current_answers(db, started) == {0: 1}
    # a lower seq for another position is not stale (the offline queue flushes in order)
    assert answers.record_answer(db, started, position=1, choice=0, client_seq=2).stored
    # the same seq for another position is a repeat of a different save: refused by the log
    assert not answers.record_answer(db, started, position=2, choice=0, client_seq=5).stored


def test_between_browsers_the_later_click_counts(db, started, frozen_clock):
    """Browser A answered question 1, went offline and clicked it again; browser B answered it
    meanwhile (its own numbers, so they collide with A's). When A's queue arrives, each
    question holds the answer clicked last."""
    record = answers.record_answer
    assert record(db, started, position=0, choice=1, client_seq=1, device="a", age_ms=0).stored
    frozen_clock.advance(seconds=40)
    assert record(db, started, position=0, choice=2, client_seq=2, device="b", age_ms=30).stored
    frozen_clock.advance(seconds=20)
    # A clicked 50 s ago (before B's answer), whichever number it sends
    for seq in (2, 3):
        late = record(db, started, position=0, choice=3, client_seq=seq, device="a",
                      age_ms=50_000)  # fmt: skip
        assert (late.stored, late.superseded, late.held_choice) == (False, True, 2)
        assert late.last_seq == 2
    # ... a click A made after B's answer is the newer answer and counts
    after = record(db, started, position=0, choice=3, client_seq=3, device="a", age_ms=5_000)
    assert (after.stored, after.superseded) == (True, False)
    assert attempts.current_answers(db, started) == {0: 3}
    # a resend of a stored step is a repeat, not overtaken by anything
    again = record(db, started, position=0, choice=3, client_seq=3, device="b", age_ms=90_000)
    assert (again.stored, again.repeat, again.superseded) == (False, True, False)
    # within one browser the numbers order the clicks, however late the step arrives
    assert record(db, started, position=0, choice=0, client_seq=4, device="a", age_ms=90_000).stored
    # steps without a device (or without an age) go in above the newest, as before
    assert record(db, started, position=0, choice=1, client_seq=5).stored
    assert record(db, started, position=1, choice=0, client_seq=6, device="b").stored
    assert attempts.current_answers(db, started) == {0: 1, 1: 0}
    steps = db.scalars(select(AnswerStep).order_by(AnswerStep.client_seq)).all()
    assert [(s.device, s.clicked_at is not None) for s in steps] == [
        ("a", True), ("b", True), ("a", True), ("a", True), (None, False), ("b", True),
    ]  # fmt: skip
    with pytest.raises(ValidationError):
        record(db, started, position=1, choice=1, client_seq=7, device="no spaces")


def test_clearing_an_answer(db, started):
    answers.record_answer(db, started, position=0, choice=1, client_seq=1)
    answers.record_answer(db, started, position=0, choice=None, client_seq=2)
    assert attempts.current_answers(db, started) == {0: None}


@pytest.mark.parametrize(
    ("position", "choice", "seq"), [(30, 0, 1), (-1, 0, 1), (0, 4, 1), (0, -1, 1), (0, 0, 0)]
)
def test_bad_saves_are_refused(db, started, position, choice, seq):
    with pytest.raises(ValidationError):
        answers.record_answer(db, started, position=position, choice=choice, client_seq=seq)
    assert db.scalars(select(AnswerStep)).all() == []


def test_late_saves_are_refused_after_the_grace(db, started, frozen_clock):
    frozen_clock.advance(minutes=30, seconds=9)
    assert answers.record_answer(db, started, position=0, choice=1, client_seq=1).stored
    frozen_clock.advance(seconds=2)
    with pytest.raises(AttemptClosed) as error:
        answers.record_answer(db, started, position=0, choice=2, client_seq=2)
    assert error.value.code == "time_up"
    assert attempts.current_answers(db, started) == {0: 1}


def test_paused_attempt_refuses_saves(db, started, candidate):
    attempts.advance(db, started, AttemptState.PAUSED, candidate)
    with pytest.raises(AttemptClosed) as error:
        answers.record_answer(db, started, position=0, choice=1, client_seq=1)
    assert error.value.code == "paused"


def test_submit_grades_once_and_records_the_pass(db, started, candidate):
    answer_all(db, started, correct=21)
    grading.submit(db, started, candidate)
    grading.submit(db, started, candidate)  # a second click
    db.commit()
    assert (started.state, started.score, started.passed) == (AttemptState.GRADED, 21, True)
    grades = db.scalars(select(Grade)).all()
    assert len(grades) == 1
    by_category = grades[0].by_category
    assert {k: v[1] for k, v in by_category.items()} == started.blueprint.counts
    assert sum(v[0] for v in by_category.values()) == 21
    assert db.scalars(select(PassRecord)).one().score == 21
    with pytest.raises(AttemptClosed):
        answers.record_answer(db, started, position=0, choice=1, client_seq=99)


def test_twenty_correct_fails(db, started, candidate):
    answer_all(db, started, correct=20)
    grading.submit(db, started, candidate)
    assert (started.score, started.passed) == (20, False)
    assert db.scalars(select(PassRecord)).all() == []


def test_sweeper_closes_overdue_attempts_at_the_deadline(db, started, runner, frozen_clock):
    answers.record_answer(db, started, position=0, choice=0, client_seq=1)
    db.commit()
    frozen_clock.advance(minutes=30, seconds=5)
    assert grading.sweep(db) == 0  # still within the grace
    frozen_clock.advance(minutes=5)
    result = runner.invoke(args=["exam", "sweep"])
    assert "closed 1" in result.output
    db.refresh(started)
    assert started.state == AttemptState.GRADED
    assert started.finished_at == started.deadline_at
    events = [e.to_state for e in db.scalars(select(AttemptEvent).order_by(AttemptEvent.id))]
    assert events[-2:] == [AttemptState.TIMED_OUT, AttemptState.GRADED]


def test_regrade_after_a_key_correction_keeps_the_old_grade(db, started, candidate, make_user):
    from ujisim.core.security import Role

    answer_all(db, started, correct=20)
    grading.submit(db, started, candidate)
    assert started.passed is False
    # Position 29 was answered wrong; the examiners decide that answer was right after all.
    entry, version = started.paper[29], attempts.paper_versions(db, started)[29]
    chosen = version.options[entry["o"][(entry["o"].index(0) + 1) % 4]]["text"]
    item = version.item
    fixed = ItemContent(
        code=item.code, classes=tuple(version.class_list), category=version.category,
        topic=version.topic, stem=version.stem,
        options=tuple(Option(o["text"], o["text"] == chosen) for o in version.options),
        explanation="Kunci diperbaiki.", legal_basis=version.legal_basis,
        difficulty=version.difficulty, media=version.media,
    )  # fmt: skip
    author, reviewer = make_user(Role.EXAMINER), make_user(Role.EXAMINER)
    authoring_services.edit_item(db, item, fixed, author=author)
    authoring_services.submit_for_review(db, item, actor=author)
    authoring_services.approve(db, item, reviewer=reviewer)
    grading.regrade(db, started, actor=reviewer, reason="Kunci soal diperbaiki")
    db.commit()
    grades = db.scalars(select(Grade).order_by(Grade.number)).all()
    assert [(g.number, g.score, g.passed) for g in grades] == [(1, 20, False), (2, 21, True)]
    assert (started.score, started.passed) == (21, True)
    assert db.scalars(select(PassRecord)).one().revoked_at is None
    assert "exam.regraded" in db.scalars(select(AuditRecord.action)).all()


def test_void_revokes_the_pass(db, started, candidate, make_user):
    from ujisim.core.security import Role

    answer_all(db, started, correct=30)
    grading.submit(db, started, candidate)
    with pytest.raises(ValidationError):
        grading.void(db, started, actor=candidate, reason=" ")
    examiner = make_user(Role.EXAMINER)
    grading.void(db, started, actor=examiner, reason="Joki (orang lain mengerjakan)")
    db.commit()
    assert started.state == AttemptState.VOIDED
    assert db.scalars(select(PassRecord)).one().revoked_at is not None


@pytest.fixture
def avis(db, started):
    started.blueprint.item_time_limit_s = 20
    db.flush()
    return started


def test_avis_limit_counts_from_when_a_question_is_opened(db, avis, frozen_clock):
    opened = answers.open_position(db, avis, 0)
    assert answers.open_position(db, avis, 0) == opened  # a reload does not restart it
    frozen_clock.advance(seconds=25)
    assert attempts.item_remaining(avis, opened) == 0
    # within the grace (limit 20 s + 10 s) the save still counts
    assert answers.record_answer(db, avis, position=0, choice=1, client_seq=1).stored
    frozen_clock.advance(seconds=6)
    with pytest.raises(AttemptClosed) as error:
        answers.record_answer(db, avis, position=0, choice=2, client_seq=2)
    assert error.value.code == "item_time_up"
    # a question saved before it was ever opened starts its window at that save
    assert answers.record_answer(db, avis, position=1, choice=0, client_seq=3).stored
    assert set(attempts.opened_positions(db, avis)) == {0, 1}


def test_a_pause_stops_the_question_clock_too(db, avis, frozen_clock):
    opened = answers.open_position(db, avis, 0)
    frozen_clock.advance(seconds=5)
    attempts.advance(db, avis, attempts.AttemptState.PAUSED)  # a proctoring re-check
    frozen_clock.advance(minutes=3)
    assert attempts.item_remaining(avis, opened) == 15  # frozen while paused
    attempts.advance(db, avis, attempts.AttemptState.STARTED)
    opened = attempts.opened_positions(db, avis)[0]
    assert attempts.item_remaining(avis, opened) == 15
    frozen_clock.advance(seconds=14)
    assert answers.record_answer(db, avis, position=0, choice=1, client_seq=1).stored


def test_no_limit_without_avis(db, started, frozen_clock):
    frozen_clock.advance(minutes=20)
    assert answers.record_answer(db, started, position=0, choice=1, client_seq=1).stored
    assert attempts.opened_positions(db, started) == {}
    assert attempts.item_remaining(started, None) is None
