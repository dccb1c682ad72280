"""Drawing a paper on the server: stratified by category (the blueprint) and by topic
(proportional), least-exposed items first, nothing the candidate saw before when the bank
allows, options shuffled. Everything random comes from the attempt's seed."""

from __future__ import annotations

import json
import logging
import random
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
from flask_babel import gettext as _
from sqlalchemy import ARRAY, Integer, bindparam, cast, func, literal, literal_column, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.orm import Session

from ujisim.exam.errors import BankEmpty
from ujisim.exam.models import Attempt, ExamBlueprint, ItemExposure
from ujisim.question_bank.models import BankVersion, BankVersionItem, ItemVersion

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PoolItem:
    version_id: int
    item_id: int
    category: str
    topic: str
    n_options: int


@dataclass(frozen=True)
class Group:
    """The items of one category and topic, with their item ids as an array for the draw."""

    items: tuple[PoolItem, ...]
    item_ids: np.ndarray

    def __len__(self) -> int:
        return len(self.items)


@dataclass(frozen=True)
class Pool:
    """One class's items of a published bank, grouped the way the draw reads them."""

    #: category -> topic -> items
    groups: dict[str, dict[str, Group]]
    #: version id -> item id
    item_of: dict[int, int]
    #: the largest item id (sizes the exposure array)
    max_item_id: int

    @classmethod
    def of(cls, items: list[PoolItem]) -> Pool:
        groups: dict[str, dict[str, list[PoolItem]]] = defaultdict(lambda: defaultdict(list))
        for item in items:
            groups[item.category][item.topic].append(item)
        return cls(
            groups={
                c: {
                    t: Group(tuple(members), np.array([m.item_id for m in members], np.int64))
                    for t, members in topics.items()
                }
                for c, topics in groups.items()
            },
            item_of={i.version_id: i.item_id for i in items},
            max_item_id=max((i.item_id for i in items), default=0),
        )


_POOLS: dict[tuple[int, str, str], Pool] = {}


def pool(session: Session, bank: BankVersion, vehicle_class: str) -> Pool:
    """The bank's items for one class. A published bank never changes, so the list is kept per
    process, keyed by the bank's id and content hash (ids alone repeat across databases)."""
    key = (bank.id, bank.content_hash, vehicle_class)
    if key not in _POOLS:
        if len(_POOLS) >= 16:
            _POOLS.pop(next(iter(_POOLS)))
        _POOLS[key] = Pool.of(_load_pool(session, bank.id, vehicle_class))
    return _POOLS[key]


def _load_pool(session: Session, bank_version_id: int, vehicle_class: str) -> list[PoolItem]:
    rows = session.execute(
        select(
            ItemVersion.id,
            ItemVersion.item_id,
            ItemVersion.category,
            ItemVersion.topic,
            ItemVersion.options_json,
            ItemVersion.classes,
        )
        .join(BankVersionItem, BankVersionItem.item_version_id == ItemVersion.id)
        .where(BankVersionItem.bank_version_id == bank_version_id)
        .order_by(ItemVersion.id)
    ).all()
    return [
        PoolItem(r[0], r[1], r[2], r[3], len(json.loads(r[4])))
        for r in rows
        if vehicle_class in r[5].split(",")
    ]


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
    group: Group, k: int, exposure: np.ndarray, rng: np.random.Generator, mask=None
) -> list[PoolItem]:
    """``k`` items of the group (only where ``mask`` is true, when given), all from the lowest
    exposure counts, chosen at random within a count. Vectorised: each item's key is its count
    plus a random fraction, and the k smallest keys are partitioned off in C (no full sort)."""
    index = np.flatnonzero(mask) if mask is not None else np.arange(len(group))
    if k <= 0:
        return []
    keys = exposure[group.item_ids[index]] + rng.random(len(index))
    smallest = np.argpartition(keys, k - 1)[:k] if k < len(index) else np.arange(len(index))
    return [group.items[i] for i in index[smallest]]


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
) -> list[dict]:
    """The paper: one {"v": version id, "o": option order} per position. ``earlier_papers``:
    the candidate's earlier papers as stored, when the caller has read them already;
    ``exposure_read``: the exposure column (exposure_column), likewise;
    ``record_exposure=False``: the caller counts the drawn items itself (count_exposure, or
    exposure_cte in its own statement)."""
    items = pool(session, bank, blueprint.vehicle_class)
    seen = np.fromiter(seen_items(session, user_id, items.item_of, earlier_papers), np.int64)
    exposure = exposure_counts(session, items.max_item_id + 1, exposure_read)
    rng = random.Random(seed)  # noqa: S311 (fairness, not secrecy: the seed is stored)
    ties = np.random.default_rng(rng.getrandbits(128))  # exposure ties, from the same seed
    chosen: list[PoolItem] = []
    for category, n in blueprint.counts.items():
        topics = items.groups.get(category, {})
        available = sum(len(group) for group in topics.values())
        if available < n:
            # the details are for the administrators; the candidate gets a plain sentence
            log.error(
                "cannot draw SIM %s: bank version %s has %s %s items, blueprint version %s "
                "needs %s",
                blueprint.vehicle_class, bank.number, available, category, blueprint.version, n,
            )  # fmt: skip
            raise BankEmpty(
                _(
                    "The SIM %(cls)s exam cannot start right now because the question bank "
                    "does not have enough questions yet. Please try again later or contact "
                    "the Satpas office.",
                    cls=blueprint.vehicle_class,
                ),
                code="bank_too_small",
            )
        masks = dict.fromkeys(topics)
        if len(seen):
            fresh = {t: ~np.isin(group.item_ids, seen) for t, group in topics.items()}
            n_fresh = sum(int(m.sum()) for m in fresh.values())
            if n_fresh >= n:
                masks = {t: m for t, m in fresh.items() if m.any()}
            elif n_fresh:
                # too few unseen items: every one of them, and the rest from the seen ones
                for topic, mask in fresh.items():
                    chosen.extend(topics[topic].items[i] for i in np.flatnonzero(mask))
                masks = {t: ~m for t, m in fresh.items() if not m.all()}
                n -= n_fresh
        sizes = {
            t: len(topics[t]) if mask is None else int(mask.sum()) for t, mask in masks.items()
        }
        for topic, quota in sorted(quotas(sizes, n, rng).items()):
            chosen.extend(least_exposed(topics[topic], quota, exposure, ties, masks[topic]))
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
    item_of = pool(session, bank, vehicle_class).item_of
    return [item_of[entry["v"]] for entry in paper]


def exposure_cte():
    """PostgreSQL: count_exposure as a CTE, so that the attempt's INSERT carries it (one round
    trip for both). Binds ``ids``: the drawn item ids, sorted and distinct."""
    return _pg_count_exposure().cte("counted")
