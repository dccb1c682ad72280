"""Drawing a paper on the server: from the items reserved for official exams (practice items,
whose keys are public, only in a configured share), stratified by category (the blueprint) and by
topic (proportional), least-exposed items first, nothing the candidate saw before when the bank
allows, never two items of one enemy group, options shuffled. Everything random comes from the
attempt's seed. The items come from the bank's pool, built and kept by ``pool.py``."""

from __future__ import annotations

import json
import logging
import random
from collections.abc import Iterable

import numpy as np
from flask_babel import gettext as _
from sqlalchemy import ARRAY, Integer, bindparam, cast, func, literal, literal_column, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from ujisim.exam import classes
from ujisim.exam.errors import BankEmpty
from ujisim.exam.models import Attempt, ExamBlueprint, ItemExposure
from ujisim.exam.pool import Group, PoolItem, pool
from ujisim.question_bank.models import BankVersion, ItemVersion

log = logging.getLogger(__name__)


def quotas(sizes: dict[str, int], n: int, rng: random.Random) -> dict[str, int]:
    """Split ``n`` over groups in proportion to their sizes (largest remainder, ties by rng)."""
    total = sum(sizes.values())
    if total <= n:
        return dict(sizes)
    exact = {k: n * size / total for k, size in sizes.items()}
    result = {k: int(v) for k, v in exact.items()}
    order = sorted(sizes, key=lambda k: (-(exact[k] - result[k]), rng.random()))
    for key in order[: n - sum(result.values())]:
        result[key] += 1
    return result


def least_exposed(
    group: Group,
    k: int,
    exposure: np.ndarray,
    rng: np.random.Generator,
    mask=None,
    used: set[int] | None = None,
) -> list[PoolItem]:
    """``k`` items of the group (only where ``mask`` is true, when given), all from the lowest
    exposure counts, chosen at random within a count, and none of an enemy group in ``used``
    (the groups taken are added to it). Each item's key is its count plus a random fraction;
    without enemies the k smallest keys are partitioned off in C (no full sort), with them the
    keys are sorted and taken in order, skipping a second item of one group. Fewer than ``k``
    come back when enemies leave too few."""
    index = np.flatnonzero(mask) if mask is not None else np.arange(len(group))
    if k <= 0:
        return []
    keys = exposure[group.item_ids[index]] + rng.random(len(index))
    if used is None or not group.has_enemies:
        smallest = np.argpartition(keys, k - 1)[:k] if k < len(index) else np.arange(len(index))
        return [group.items[i] for i in index[smallest]]
    picked = []
    for i in index[np.argsort(keys)].tolist():
        enemy = int(group.group_ids[i])
        if enemy >= 0:
            if enemy in used:
                continue
            used.add(enemy)
        picked.append(group.items[i])
        if len(picked) == k:
            break
    return picked


def _draw_stage(
    topics: dict[str, Group],
    masks: dict[str, np.ndarray | None],
    k: int,
    exposure: np.ndarray,
    rng: random.Random,
    ties: np.random.Generator,
    used: set[int],
) -> list[PoolItem]:
    """``k`` items over the topics (where their masks allow), in proportion to the topics'
    sizes; when enemy groups leave a topic short, the other topics make up the rest."""
    masks = {t: m for t, m in masks.items() if m is None or m.any()}
    sizes = {t: len(topics[t]) if m is None else int(m.sum()) for t, m in masks.items()}
    picked: list[PoolItem] = []
    for topic, quota in sorted(quotas(sizes, k, rng).items()):
        picked += least_exposed(topics[topic], quota, exposure, ties, masks[topic], used)
    for topic in sorted(masks):
        if len(picked) >= k:
            break
        group = topics[topic]
        left = ~np.isin(group.item_ids, [p.item_id for p in picked])
        if masks[topic] is not None:
            left &= masks[topic]
        picked += least_exposed(group, k - len(picked), exposure, ties, left, used)
    return picked


def _draw_category(
    topics: dict[str, Group],
    n: int,
    seen: np.ndarray,
    exposure: np.ndarray,
    rng: random.Random,
    ties: np.random.Generator,
    used: set[int],
) -> list[PoolItem]:
    """``n`` items of one category: unseen ones when the bank allows; with too few unseen,
    every unseen one first and the rest from those the candidate saw."""
    stages: list[tuple[dict, int]] = [(dict.fromkeys(topics), n)]
    if len(seen):
        fresh = {t: ~np.isin(group.item_ids, seen) for t, group in topics.items()}
        n_fresh = sum(int(m.sum()) for m in fresh.values())
        if n_fresh >= n:
            stages = [(fresh, n)]
        elif n_fresh:
            stages = [(fresh, n_fresh), ({t: ~m for t, m in fresh.items()}, n - n_fresh)]
    chosen: list[PoolItem] = []
    for masks, k in stages:
        chosen += _draw_stage(topics, masks, k, exposure, rng, ties, used)
    return chosen


# The whole exposure table as one value, past the ORM: a full table (one row per item of a
# 5,000-item bank) costs ~5 ms a start as 5,000 result rows. PostgreSQL sends it as one bytea of
# big-endian (item id, count) pairs (~1.7 ms; as two int arrays, parsed element by element,
# ~2.5 ms); SQLite as a JSON array of the ids and the counts. A scalar subquery, so that a start
# reads it in the row of its other reads (policy.admit).
_EXPOSURE_READ = {
    "postgresql": (
        "(SELECT string_agg(int4send(item_id) || int4send(count), ''::bytea) "
        "FROM exam_item_exposure)"
    ),
    "sqlite": (
        "(SELECT json_array(json_group_array(item_id), json_group_array(count)) "
        "FROM exam_item_exposure)"
    ),
}


def exposure_column(dialect: str):
    """The exposure table as one column for a SELECT; exposure_counts decodes it."""
    return literal_column(_EXPOSURE_READ[dialect])


def exposure_counts(session: Session, size: int, read=None) -> np.ndarray:
    """item id -> times drawn, as a dense array of ``size`` entries (ids beyond it are items of
    no interest to this pool). ``read``: exposure_column's value, when the caller's query has
    read it; else the whole table is read here, in one round trip."""
    dialect = session.get_bind().dialect.name
    if read is None:
        read = session.connection().execute(select(exposure_column(dialect))).scalar_one()
    if dialect == "postgresql":
        pairs = np.frombuffer(read or b"", ">i4").reshape(-1, 2).astype(np.int64)
        ids, drawn = pairs[:, 0], pairs[:, 1]
    else:
        ids, drawn = (np.asarray(v, np.int64) for v in json.loads(read))
    counts = np.zeros(size, np.int64)
    keep = ids < size
    counts[ids[keep]] = drawn[keep]
    return counts


def seen_items(
    session: Session,
    user_id: int,
    versions_to_items: dict[int, int],
    papers: Iterable[str] | None = None,
) -> set[int]:
    """Items of the candidate's earlier papers (an item edited since counts as seen: its new
    version is the same question). ``papers``: their stored JSON, when already read."""
    if papers is None:
        papers = session.scalars(select(Attempt.paper_json).where(Attempt.user_id == user_id))
    versions = set()
    for paper_json in papers:
        versions.update(entry["v"] for entry in json.loads(paper_json))
    seen = {versions_to_items[v] for v in versions if v in versions_to_items}
    # (not ``versions - versions_to_items.keys()``: that copies every key of the pool first)
    older = {v for v in versions if v not in versions_to_items}
    if older:
        seen.update(
            session.scalars(select(ItemVersion.item_id).where(ItemVersion.id.in_(older))).all()
        )
    return seen


def _bank_too_small(vehicle_class: str) -> BankEmpty:
    # the details are logged for the administrators; the candidate gets a plain sentence
    return BankEmpty(
        _(
            "The SIM %(cls)s exam cannot start right now because the question bank "
            "does not have enough questions yet. Please try again later or contact "
            "the Satpas office.",
            cls=vehicle_class,
        ),
        code="bank_too_small",
    )


def draw_paper(
    session: Session,
    *,
    user_id: int,
    blueprint: ExamBlueprint,
    bank: BankVersion,
    seed: str,
    earlier_papers: Iterable[str] | None = None,
    exposure_read=None,
    record_exposure: bool = True,
    practice_share: float = 0.0,
    refuse_demo: bool = False,
) -> list[dict]:
    """The paper: one {"v": version id, "o": option order} per position.

    Each category's items come from the reserved (official-only) items, except a share
    ``practice_share`` (0 by default: none) from the practice items, whose keys are public. No
    two items of one enemy group land on one paper. ``refuse_demo``: a production deployment
    refuses a bank whose reserved items include the repository's demo set.
    ``earlier_papers``: the candidate's earlier papers as stored, when the caller has read them
    already; ``exposure_read``: the exposure column (exposure_column), likewise;
    ``record_exposure=False``: the caller counts the drawn items itself (count_exposure, or
    exposure_cte in its own statement)."""
    items = pool(session, bank, classes.bank_class(blueprint.vehicle_class))
    cls = blueprint.vehicle_class
    if refuse_demo and items.demo_reserved:
        log.error(
            "cannot draw SIM %s: bank version %s holds %s reserved items of the public demo set",
            cls, bank.number, items.demo_reserved,
        )  # fmt: skip
        raise _bank_too_small(cls)
    seen = np.fromiter(seen_items(session, user_id, items.item_of, earlier_papers), np.int64)
    exposure = exposure_counts(session, items.max_item_id + 1, exposure_read)
    rng = random.Random(seed)  # noqa: S311 (fairness, not secrecy: the seed is stored)
    ties = np.random.default_rng(rng.getrandbits(128))  # exposure ties, from the same seed
    chosen: list[PoolItem] = []
    used: set[int] = set()  # enemy groups on the paper so far
    for category, n in blueprint.counts.items():
        from_practice = round(n * practice_share)
        for practice, count in ((False, n - from_practice), (True, from_practice)):
            if not count:
                continue
            topics = items.groups.get((practice, category), {})
            drawn = _draw_category(topics, count, seen, exposure, rng, ties, used)
            if len(drawn) < count:
                log.error(
                    "cannot draw SIM %s: bank version %s has %s %s %s items (%s without two of "
                    "one enemy group), blueprint version %s needs %s",
                    cls, bank.number, sum(len(g) for g in topics.values()),
                    "practice" if practice else "reserved", category, len(drawn),
                    blueprint.version, count,
                )  # fmt: skip
                raise _bank_too_small(cls)
            chosen += drawn
    rng.shuffle(chosen)
    if record_exposure:
        count_exposure(session, [p.item_id for p in chosen])
    return [
        {"v": p.version_id, "o": order}
        for p, order in zip(chosen, _option_orders(chosen, ties), strict=True)
    ]


def _option_orders(chosen: list[PoolItem], rng: np.random.Generator) -> list[list[int]]:
    """A random order of each item's options, all in one go: row j sorts random keys, with the
    slots beyond item j's options keyed last."""
    sizes = np.array([p.n_options for p in chosen])
    keys = rng.random((len(chosen), int(sizes.max(initial=1))))
    keys[np.arange(keys.shape[1]) >= sizes[:, None]] = 2.0
    orders = np.argsort(keys, axis=1).tolist()
    return [order[:n] for order, n in zip(orders, sizes.tolist(), strict=True)]


# One statement and one bound parameter whatever the paper's length (no per-row compiling).
# Rows go in item-id order so that two concurrent draws lock shared rows in the same order.
def _pg_count_exposure():
    """Binds ``ids``: the drawn item ids, sorted and distinct."""
    table = ItemExposure.__table__
    ids = func.unnest(cast(bindparam("ids"), ARRAY(Integer)))
    return (
        pg_insert(table)
        .from_select(["item_id", "count"], select(ids, literal(1)))
        .on_conflict_do_update(index_elements=["item_id"], set_={"count": table.c.count + 1})
    )


_COUNT_EXPOSURE = {
    "postgresql": _pg_count_exposure(),
    # WHERE true: SQLite's parser needs it between a SELECT and its upsert clause
    "sqlite": text(
        "INSERT INTO exam_item_exposure (item_id, count) "
        "SELECT value, 1 FROM json_each(:ids) WHERE true "
        "ON CONFLICT (item_id) DO UPDATE SET count = count + 1"
    ),
}


def count_exposure(session: Session, item_ids: list[int]) -> None:
    """Add one to each drawn item's exposure in one round trip."""
    dialect = session.get_bind().dialect.name
    ids = sorted(set(item_ids))
    session.connection().execute(
        _COUNT_EXPOSURE[dialect], {"ids": ids if dialect == "postgresql" else json.dumps(ids)}
    )


def paper_items(session: Session, bank: BankVersion, vehicle_class: str, paper: list[dict]):
    """The item ids of a paper drawn from ``bank`` (from the pool kept per process)."""
    item_of = pool(session, bank, classes.bank_class(vehicle_class)).item_of
    return [item_of[entry["v"]] for entry in paper]


def exposure_cte():
    """PostgreSQL: count_exposure as a CTE, so that the attempt's INSERT carries it (one round
    trip for both). Binds ``ids``: the drawn item ids, sorted and distinct."""
    return _pg_count_exposure().cte("counted")
