"""Item analysis on real graded attempts: the job after grading, incremental updates equal a
full recompute, regrade and void start over, choices map to authoring order, the CLI."""

from __future__ import annotations

import json
import math
from collections import Counter
from datetime import date
from fractions import Fraction

import pytest
from sqlalchemy import select

from tests.exam.conftest import answer_all
from ujisim.core.security import Role
from ujisim.exam import analysis, attempts, grading, policy
from ujisim.exam.stats_models import FormStat, ItemStat, StatsInclusion

pytestmark = pytest.mark.both_backends  # the subject is the database: SQLite and PostgreSQL


@pytest.fixture
def app_config(app_config):
    return {**app_config, "STATS_MIN_RESPONSES": 1}


@pytest.fixture
def sit(db, bank, make_user, frozen_clock):
    """``sit(correct)``: a new candidate sits a SIM A exam, the first ``correct`` answers right."""

    def do(correct: int, vehicle_class: str = "A"):
        user = make_user(Role.APPLICANT, date_of_birth=date(1990, 1, 1))
        attempt = attempts.create_attempt(db, user, policy.current_blueprint(db, vehicle_class))
        attempts.advance(db, attempt, attempts.AttemptState.STARTED, user)
        db.commit()
        answer_all(db, attempt, correct)
        grading.submit(db, attempt, user)
        db.commit()  # the stats job runs here (eager jobs in tests)
        return attempt

    return do


def snapshot(db) -> dict:
    rows = db.scalars(select(ItemStat).order_by(ItemStat.item_version_id, ItemStat.scope)).all()
    forms = db.scalars(select(FormStat).order_by(FormStat.blueprint_id)).all()
    return {
        "items": [
            (
                r.item_version_id,
                r.scope,
                r.n,
                r.sum_x,
                r.sum_y,
                r.sum_xy,
                r.sum_yy,
                r.choices_json,
                r.omitted,
                r.facility,
                r.discrimination,
                r.flags_json,
            )
            for r in rows
        ],
        "forms": [
            (f.blueprint_id, f.n, f.sum_t, f.sum_tt, f.histogram_json, f.item_sums_json, f.alpha)
            for f in forms
        ],
    }


def test_grading_updates_the_statistics(db, sit):
    attempt = sit(20)
    rows = db.scalars(select(ItemStat).where(ItemStat.scope == "all")).all()
    assert len(rows) == 30
    assert {r.scope for r in db.scalars(select(ItemStat))} == {"all", "A"}
    by_version = {r.item_version_id: r for r in rows}
    for position, entry in enumerate(attempt.paper):
        row = by_version[entry["v"]]
        assert row.n == 1
        assert row.sum_x == (1 if position < 20 else 0)
        # the final answer counted against the option in authoring order
        shown = attempts.current_answers(db, attempt)[position]
        expected = [0, 0, 0, 0]
        expected[entry["o"][shown]] = 1
        assert row.choices == expected
    form = db.scalars(select(FormStat)).one()
    assert (form.n, form.k, form.sum_t, form.mean) == (1, 30, 20, 20.0)
    assert form.histogram[20] == 1
    assert db.get(StatsInclusion, attempt.id).grade_number == 1


def test_incremental_equals_full_recompute(db, sit):
    for correct in (28, 21, 15, 25, 9):
        sit(correct)
    incremental = snapshot(db)
    assert analysis.recompute_stats(db) == 5
    db.commit()
    assert snapshot(db) == incremental
    form = db.scalars(select(FormStat)).one()
    assert form.n == 5
    assert form.mean == pytest.approx((28 + 21 + 15 + 25 + 9) / 5)


def test_form_alpha_is_per_item_over_drawn_papers(db, sit):
    scores = (28, 21, 15, 25, 9, 18)
    made = [sit(correct) for correct in scores]
    papers = [[entry["v"] for entry in a.paper] for a in made]
    # the draw really gives different, shuffled papers (else this test would prove nothing)
    assert len({tuple(p) for p in papers}) == len(papers)
    assert len({frozenset(p) for p in papers}) > 1
    # sit(c) answers the first c positions right, so item j is right on a paper when it sits
    # in one of the first c positions
    held, right = Counter(), Counter()
    for paper, correct in zip(papers, scores, strict=True):
        held.update(paper)
        right.update(paper[:correct])
    form = db.scalars(select(FormStat)).one()
    assert form.item_sums == {v: (held[v], right[v]) for v in held}
    # alpha by the definition, in rationals: each candidate's own sum of p_j q_j, averaged
    p = {v: Fraction(right[v], held[v]) for v in held}
    own = [sum(p[v] * (1 - p[v]) for v in paper) for paper in papers]
    n, k = len(papers), 30
    mean = Fraction(sum(scores), n)
    variance = sum((Fraction(t) - mean) ** 2 for t in scores) / n
    expected = Fraction(k, k - 1) * (1 - (sum(own) / n) / variance)
    assert form.alpha == float(expected)
    assert form.sem == pytest.approx(
        math.sqrt(variance) * math.sqrt(1 - min(max(float(expected), 0), 1)), abs=1e-12
    )


def test_a_second_run_adds_nothing(db, sit):
    sit(21)
    before = snapshot(db)
    assert analysis.update_stats(db) == 0
    assert snapshot(db) == before


def test_regrade_and_void_start_over(db, sit, make_user):
    first, second = sit(25), sit(10)
    examiner = make_user(Role.EXAMINER)
    grading.void(db, second, actor=examiner, reason="joki")
    db.commit()
    assert analysis.update_stats(db) == 1  # only the first one counts now
    db.commit()
    assert db.get(StatsInclusion, second.id) is None
    assert db.scalars(select(FormStat)).one().n == 1
    grading.regrade(db, first, actor=examiner, reason="kunci diperbaiki")
    db.commit()  # the job ran after the regrade's commit and counted grade 2
    assert db.get(StatsInclusion, first.id).grade_number == 2


def test_flags_on_real_attempts(db, sit):
    # everyone gets position 0..19 right: those items are too easy, and their wrong options
    # were never picked; the last ten are always wrong, so too hard
    for _ in range(3):
        sit(20)
    rows = analysis.query_item_stats(db, "all")
    assert rows[0].stat.flags  # flagged first
    flags = {code for r in rows for code in r.stat.flags}
    assert {"too_easy", "too_hard", "unused_option:1"} <= flags
    counts = analysis.flag_counts(db)
    assert counts["too_easy"] >= 1
    assert counts["too_hard"] >= 1
    assert all(r.code for r in rows)


def test_cli_recomputes(runner, db, sit):
    sit(22)
    db.execute(ItemStat.__table__.delete())
    db.commit()
    result = runner.invoke(args=["exam", "stats"])
    assert result.exit_code == 0, result.output
    assert "1 attempt(s) counted" in result.output
    assert db.scalars(select(ItemStat)).first() is not None
    incremental = runner.invoke(args=["exam", "stats", "--incremental"])
    assert "0 attempt(s) counted" in incremental.output


def test_choices_json_lengths_follow_the_version(db, sit):
    sit(12)
    for row in db.scalars(select(ItemStat)):
        assert len(json.loads(row.choices_json)) == 4
