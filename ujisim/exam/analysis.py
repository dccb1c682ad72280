"""Item analysis services: gather the responses of graded attempts, fold them into the stored
sums (ItemStat, FormStat) and recompute the statistics and flags.

Incremental by design: the job after a grade adds only attempts not yet counted. When a counted
attempt changes (regraded, voided) its old contribution is not known any more, so the next run
starts from zero; that is rare and `flask exam stats` does the same on demand.

A response is mapped back to the option's index in authoring order (the paper stores the shown
order), so that choice counts are per original option. Correctness uses the key of the item
version the attempt's newest grade used, exactly as grading did."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from flask import current_app, has_app_context
from sqlalchemy import delete, exists, func, select, text
from sqlalchemy.orm import Session

from ujisim.core import clock, jobs
from ujisim.exam import stats
from ujisim.exam.classes import bank_class
from ujisim.exam.models import AnswerStep, Attempt, AttemptState, ExamBlueprint, Grade, ItemExposure
from ujisim.exam.stats_models import FormStat, ItemStat, StatsInclusion
from ujisim.question_bank.models import Item, ItemVersion

ALL = "all"
BATCH = 500
DEFAULT_MIN_RESPONSES = 20
STATS_JOB = "exam.stats"


def min_responses() -> int:
    """Fewer responses than this give no flags (config ``STATS_MIN_RESPONSES``)."""
    if has_app_context():
        return int(current_app.config.get("STATS_MIN_RESPONSES", DEFAULT_MIN_RESPONSES))
    return DEFAULT_MIN_RESPONSES


def stats_changed(session: Session) -> None:
    """Called where grading happens: update the statistics once this transaction commits."""
    # the sweeper grades many attempts in one transaction; one run after it counts them all
    if not any(name == STATS_JOB for name, _ in session.info.get(jobs.PENDING_KEY, [])):
        jobs.defer(session, STATS_JOB)


# -- gathering -------------------------------------------------------------------------------


@dataclass
class _Version:
    item_id: int
    texts: list[str]
    keys: set[str]


@dataclass
class Gathered:
    """Long-form responses of a batch of attempts, with the labels needed to fold them in."""

    attempt_ids: list[int]
    classes: list[str]
    blueprints: list[int]
    lengths: list[int]
    grade_numbers: list[int]
    #: version id per item index
    version_ids: list[int]
    responses: stats.Responses


def _versions(session: Session, ids: set[int]) -> dict[int, _Version]:
    found = {}
    for v in session.scalars(select(ItemVersion).where(ItemVersion.id.in_(ids))):
        options = v.options
        found[v.id] = _Version(
            v.item_id, [o["text"] for o in options], {o["text"] for o in options if o.get("key")}
        )
    return found


def gather(session: Session, attempt_ids: list[int]) -> Gathered:
    """The final answers of ``attempt_ids`` (graded attempts) in long form."""
    attempts = session.scalars(
        select(Attempt).where(Attempt.id.in_(attempt_ids)).order_by(Attempt.id)
    ).all()
    ids = [a.id for a in attempts]
    newest = (
        select(Grade.attempt_id, func.max(Grade.number).label("number"))
        .where(Grade.attempt_id.in_(ids))
        .group_by(Grade.attempt_id)
        .subquery()
    )
    grades = {
        g.attempt_id: g
        for g in session.scalars(
            select(Grade).join(
                newest,
                (Grade.attempt_id == newest.c.attempt_id) & (Grade.number == newest.c.number),
            )
        )
    }
    # the final answer of a position is its step with the highest client seq
    answers: dict[tuple[int, int], int | None] = {}
    for attempt_id, position, choice in session.execute(
        select(AnswerStep.attempt_id, AnswerStep.position, AnswerStep.choice)
        .where(AnswerStep.attempt_id.in_(ids))
        .order_by(AnswerStep.attempt_id, AnswerStep.position, AnswerStep.client_seq)
    ):
        answers[(attempt_id, position)] = choice
    papers = {a.id: a.paper for a in attempts}
    keyed = {a.id: json.loads(grades[a.id].key_versions_json) for a in attempts if a.id in grades}
    wanted = {e["v"] for p in papers.values() for e in p} | {v for k in keyed.values() for v in k}
    versions = _versions(session, wanted)

    index: dict[int, int] = {}
    rows: list[tuple[int, int, int, int, int]] = []
    kept: list[Attempt] = []
    for attempt in attempts:
        if attempt.id not in grades:
            continue  # graded state without a grade row cannot happen; skip rather than guess
        a = len(kept)
        kept.append(attempt)
        for position, entry in enumerate(papers[attempt.id]):
            version = versions[entry["v"]]
            key = versions[keyed[attempt.id][position]]
            shown = answers.get((attempt.id, position))
            original = -1 if shown is None else entry["o"][shown]
            correct = int(original >= 0 and version.texts[original] in key.keys)
            i = index.setdefault(entry["v"], len(index))
            rows.append((a, i, position, correct, original))
    columns = np.array(rows, dtype=np.int64).reshape(-1, 5).T
    return Gathered(
        attempt_ids=[a.id for a in kept],
        classes=[bank_class(a.vehicle_class) for a in kept],  # C I, C II sit the C items
        blueprints=[a.blueprint_id for a in kept],
        lengths=[len(papers[a.id]) for a in kept],
        grade_numbers=[grades[a.id].number for a in kept],
        version_ids=list(index),
        responses=stats.Responses(*columns),
    )


# -- folding into the stored sums ------------------------------------------------------------


def _lock(session: Session) -> None:
    """One statistics run at a time. SQLite's write lock already serialises writers; on
    PostgreSQL a transaction-level advisory lock does (two runs must not add the same sums)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(840812)"))


def _item_rows(session: Session, version_ids: list[int], scope: str) -> dict[int, ItemStat]:
    return {
        row.item_version_id: row
        for row in session.scalars(
            select(ItemStat).where(
                ItemStat.item_version_id.in_(version_ids), ItemStat.scope == scope
            )
        )
    }


def _refresh_items(session: Session, rows: list[ItemStat]) -> None:
    """Recompute statistics and flags of ``rows`` from their sums (vectorised)."""
    if not rows:
        return
    sums = stats.ItemSums(
        n=np.array([r.n for r in rows], dtype=np.int64),
        sx=np.array([r.sum_x for r in rows], dtype=np.int64),
        sy=np.array([r.sum_y for r in rows], dtype=np.int64),
        sxy=np.array([r.sum_xy for r in rows], dtype=np.int64),
        syy=np.array([r.sum_yy for r in rows], dtype=np.int64),
        choices=np.zeros((len(rows), 0), dtype=np.int64),
        omitted=np.array([r.omitted for r in rows], dtype=np.int64),
    )
    result = stats.item_statistics(sums)
    exposure = dict(
        session.execute(
            select(ItemExposure.item_id, ItemExposure.count).where(
                ItemExposure.item_id.in_({r.item_id for r in rows})
            )
        ).all()
    )
    threshold, now = min_responses(), clock.now()
    for i, row in enumerate(rows):
        row.facility = stats.finite(result.facility[i])
        row.discrimination = stats.finite(result.discrimination[i])
        row.efficiency = stats.finite(result.efficiency[i])
        row.exposure = exposure.get(row.item_id, 0)
        row.flags_json = json.dumps(
            stats.flags(row.n, row.facility, row.discrimination, row.choices, threshold)
        )
        row.computed_at = now


def _fold_items(session: Session, g: Gathered, versions: dict[int, _Version]) -> None:
    r = g.responses
    n_options = max((len(versions[v].texts) for v in g.version_ids), default=1)
    classes = np.array(g.classes)
    for scope in [ALL, *sorted(set(g.classes))]:
        rows_mask = np.ones(len(r.attempt), bool) if scope == ALL else classes[r.attempt] == scope
        sums = stats.item_sums(
            r.where(rows_mask), len(g.attempt_ids), len(g.version_ids), n_options
        )
        touched = [i for i in range(len(g.version_ids)) if sums.n[i] > 0]
        existing = _item_rows(session, [g.version_ids[i] for i in touched], scope)
        changed = []
        for i in touched:
            version_id = g.version_ids[i]
            row = existing.get(version_id)
            width = len(versions[version_id].texts)
            if row is None:
                row = ItemStat(
                    item_id=versions[version_id].item_id,
                    item_version_id=version_id,
                    scope=scope,
                    n=0,
                    sum_x=0,
                    sum_y=0,
                    sum_xy=0,
                    sum_yy=0,
                    choices_json=json.dumps([0] * width),
                    omitted=0,
                    exposure=0,
                    flags_json="[]",
                    computed_at=clock.now(),
                )
                session.add(row)
            row.n += int(sums.n[i])
            row.sum_x += int(sums.sx[i])
            row.sum_y += int(sums.sy[i])
            row.sum_xy += int(sums.sxy[i])
            row.sum_yy += int(sums.syy[i])
            row.omitted += int(sums.omitted[i])
            old = row.choices + [0] * (width - len(row.choices))
            row.choices_json = json.dumps(
                [a + int(b) for a, b in zip(old, sums.choices[i][:width], strict=True)]
            )
            changed.append(row)
        _refresh_items(session, changed)


def _fold_forms(session: Session, g: Gathered) -> None:
    r = g.responses
    blueprints = np.array(g.blueprints)
    lengths = np.array(g.lengths)
    for blueprint_id in sorted(set(g.blueprints)):
        row = session.scalars(select(FormStat).where(FormStat.blueprint_id == blueprint_id)).first()
        blueprint = session.get(ExamBlueprint, blueprint_id)
        k = row.k if row is not None else blueprint.total
        # a paper shorter than the blueprint (a bank too small) does not fit the form: left out
        attempts = (blueprints == blueprint_id) & (lengths == k)
        if not attempts.any():
            continue
        added = stats.form_sums(r.where(attempts[r.attempt]), k, keys=np.array(g.version_ids))
        if row is None:
            row = FormStat(
                blueprint_id=blueprint_id,
                vehicle_class=blueprint.vehicle_class,
                k=k,
                computed_at=clock.now(),
            )
            session.add(row)
            before = stats.FormSums(k)
        else:
            before = stats.FormSums(k, row.n, row.sum_t, row.sum_tt, row.item_sums, row.histogram)
        total = before + added
        result = stats.form_statistics(total)
        row.n, row.sum_t, row.sum_tt = total.n, total.st, total.stt
        row.item_sums_json = json.dumps(
            {str(v): [n, x] for v, (n, x) in sorted(total.items.items())}
        )
        row.histogram_json = json.dumps(total.histogram)
        row.mean, row.sd, row.alpha, row.sem = result.mean, result.sd, result.alpha, result.sem
        row.computed_at = clock.now()


def fold(session: Session, g: Gathered) -> None:
    """Add a batch of gathered attempts to the stored sums and mark them counted."""
    if not g.attempt_ids:
        return
    versions = _versions(session, set(g.version_ids))
    _fold_items(session, g, versions)
    _fold_forms(session, g)
    session.add_all(
        StatsInclusion(attempt_id=a, grade_number=n)
        for a, n in zip(g.attempt_ids, g.grade_numbers, strict=True)
    )
    session.flush()


def _counted_attempt_changed(session: Session) -> bool:
    newest = (
        select(func.max(Grade.number))
        .where(Grade.attempt_id == StatsInclusion.attempt_id)
        .scalar_subquery()
    )
    found = session.scalar(
        select(StatsInclusion.attempt_id)
        .join(Attempt, Attempt.id == StatsInclusion.attempt_id)
        .where((Attempt.state != AttemptState.GRADED) | (StatsInclusion.grade_number != newest))
        .limit(1)
    )
    return found is not None


def reset_stats(session: Session) -> None:
    """Forget every stored statistic (the next update counts every graded attempt again)."""
    session.execute(delete(StatsInclusion))
    session.execute(delete(ItemStat))
    session.execute(delete(FormStat))
    session.flush()


def update_stats(session: Session) -> int:
    """Fold every graded attempt not yet counted into the statistics; start from zero first
    when a counted attempt was regraded or voided. Returns how many attempts were added."""
    _lock(session)
    if _counted_attempt_changed(session):
        reset_stats(session)
    added, last_id = 0, 0
    while True:
        ids = session.scalars(
            select(Attempt.id)
            .where(
                Attempt.id > last_id,
                Attempt.state == AttemptState.GRADED,
                ~exists().where(StatsInclusion.attempt_id == Attempt.id),
            )
            .order_by(Attempt.id)
            .limit(BATCH)
        ).all()
        if not ids:
            return added
        gathered = gather(session, list(ids))
        fold(session, gathered)
        added += len(gathered.attempt_ids)
        last_id = ids[-1]


def recompute_stats(session: Session) -> int:
    """Recompute every statistic from all graded attempts."""
    _lock(session)
    reset_stats(session)
    return update_stats(session)


# -- reading ---------------------------------------------------------------------------------


@dataclass
class ItemRow:
    stat: ItemStat
    code: str
    version_number: int
    version_state: str
    options: list[str]


def query_item_stats(session: Session, scope: str = ALL, *, flagged_only: bool = False):
    """Item statistics of a scope with the item code and option texts, flagged first."""
    rows = session.execute(
        select(ItemStat, Item.code, ItemVersion)
        .join(Item, Item.id == ItemStat.item_id)
        .join(ItemVersion, ItemVersion.id == ItemStat.item_version_id)
        .where(ItemStat.scope == scope)
        .order_by(Item.code, ItemVersion.number)
    ).all()
    result = [
        ItemRow(stat, code, version.number, version.state, [o["text"] for o in version.options])
        for stat, code, version in rows
    ]
    if flagged_only:
        result = [r for r in result if r.stat.flags]
    result.sort(key=lambda r: (not r.stat.flags, r.code, r.version_number))
    return result


def query_form_stats(session: Session) -> list[tuple[FormStat, ExamBlueprint]]:
    """Form statistics with their blueprint, by class and blueprint version."""
    return session.execute(
        select(FormStat, ExamBlueprint)
        .join(ExamBlueprint, ExamBlueprint.id == FormStat.blueprint_id)
        .order_by(ExamBlueprint.vehicle_class, ExamBlueprint.version)
    ).all()


def flag_counts(session: Session, scope: str = ALL) -> dict[str, int]:
    """How many item versions carry each kind of flag."""
    counts: dict[str, int] = defaultdict(int)
    for (flags_json,) in session.execute(
        select(ItemStat.flags_json).where(ItemStat.scope == scope, ItemStat.flags_json != "[]")
    ):
        for code in {f.split(":")[0] for f in json.loads(flags_json)}:
            counts[code] += 1
    return dict(counts)
