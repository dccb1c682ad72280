"""The pool of a published bank: one vehicle class's items grouped by practice flag, category
and topic as the draw reads them (``draw.py``), with their enemy groups as arrays. A published
bank never changes, so each pool is built once and kept per process."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from ujisim.question_bank.models import BankVersion, BankVersionItem, ItemKind, ItemVersion


@dataclass(frozen=True)
class PoolItem:
    version_id: int
    item_id: int
    category: str
    topic: str
    n_options: int
    #: True: a practice item (public key); False: reserved for official exams
    practice: bool = False
    #: enemy group as a number of the pool (-1: none)
    group: int = -1
    #: part of the demo set shipped in the repository
    demo: bool = False


@dataclass(frozen=True)
class Group:
    """The items of one category and topic, with their item ids (and enemy groups) as arrays
    for the draw."""

    items: tuple[PoolItem, ...]
    item_ids: np.ndarray
    #: each item's enemy group (-1: none)
    group_ids: np.ndarray

    @classmethod
    def of(cls, members: list[PoolItem]) -> Group:
        return cls(
            tuple(members),
            np.array([m.item_id for m in members], np.int64),
            np.array([m.group for m in members], np.int64),
        )

    @property
    def has_enemies(self) -> bool:
        return bool((self.group_ids >= 0).any())

    def __len__(self) -> int:
        return len(self.items)


@dataclass(frozen=True)
class Pool:
    """One class's items of a published bank, grouped the way the draw reads them."""

    #: (practice, category) -> topic -> items: official papers draw from the reserved items
    #: (practice False) and, only if the deployment says so, a share of practice items
    groups: dict[tuple[bool, str], dict[str, Group]]
    #: version id -> item id
    item_of: dict[int, int]
    #: the largest item id (sizes the exposure array)
    max_item_id: int
    #: reserved items of the demo set (public keys: production refuses to draw them)
    demo_reserved: int = 0

    @classmethod
    def of(cls, items: list[PoolItem]) -> Pool:
        groups: dict[tuple[bool, str], dict[str, list[PoolItem]]] = defaultdict(
            lambda: defaultdict(list)
        )
        for item in items:
            groups[(item.practice, item.category)][item.topic].append(item)
        return cls(
            groups={
                c: {t: Group.of(members) for t, members in topics.items()}
                for c, topics in groups.items()
            },
            item_of={i.version_id: i.item_id for i in items},
            max_item_id=max((i.item_id for i in items), default=0),
            demo_reserved=sum(i.demo and not i.practice for i in items),
        )


_POOLS: dict[tuple[str, int, str, str], Pool] = {}


def pool(session: Session, bank: BankVersion, vehicle_class: str) -> Pool:
    """The bank's items for one class. A published bank never changes, so the list is kept per
    process, keyed by the database, the bank's id and its content hash (ids repeat across
    databases: the same bank imported into two PostgreSQL databases gets the same id there, and
    different item ids whenever the databases saw different numbers of items before)."""
    key = (str(session.get_bind().engine.url), bank.id, bank.content_hash, vehicle_class)
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
            ItemVersion.practice,
            ItemVersion.enemy_group,
            ItemVersion.demo,
        )
        .join(BankVersionItem, BankVersionItem.item_version_id == ItemVersion.id)
        .where(
            BankVersionItem.bank_version_id == bank_version_id,
            ItemVersion.kind == ItemKind.CHOICE,  # clips are not drawn as questions
        )
        .order_by(ItemVersion.id)
    ).all()
    numbers: dict[str, int] = {}
    return [
        PoolItem(r[0], r[1], r[2], r[3], len(json.loads(r[4])), bool(r[6]),
                 numbers.setdefault(r[7], len(numbers)) if r[7] else -1, bool(r[8]))
        for r in rows
        if vehicle_class in r[5].split(",")
    ]  # fmt: skip
