"""Question-bank verbs: the state machines of items and their versions, an item's content,
and importing and publishing bank versions. Authoring (creating, editing and reviewing items)
is in authoring_services.py.

Versions move draft -> in_review -> active (the previous active one becomes superseded), or to
returned when a reviewer sends them back. A version is frozen once submitted: only a draft that
nobody has reviewed yet changes in place; revising a returned version or editing an active item
starts a new draft version, so the history keeps what each reviewer saw. The item's status
follows: draft / in_review until a version is first approved, then active, until retired.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from ujisim.core import audit, clock, workflow
from ujisim.question_bank.content import (
    ItemContent,
    Option,
    Problem,
    is_clip,
    reserved_shares,
)
from ujisim.question_bank.errors import ContentError
from ujisim.question_bank.lint import Gate
from ujisim.question_bank.models import (
    BankVersion,
    BankVersionItem,
    Item,
    ItemKind,
    ItemStatus,
    ItemVersion,
    ReviewEvent,
    VersionState,
)
from ujisim.question_bank.translation import Translation

#: (from, to) -> action name (audit ``bank.item_<action>``); everything else is refused
VERSION_TRANSITIONS = {
    (VersionState.DRAFT, VersionState.IN_REVIEW): "submitted",
    (VersionState.IN_REVIEW, VersionState.ACTIVE): "approved",
    (VersionState.IN_REVIEW, VersionState.RETURNED): "returned",
    (VersionState.ACTIVE, VersionState.SUPERSEDED): "superseded",
}
#: the item's status follows its versions (``_sync_status``); only a retirement is its own step
#: (audit ``bank.item_retired``), the others are recorded by the version's move that caused them
ITEM_TRANSITIONS = {
    (ItemStatus.DRAFT, ItemStatus.IN_REVIEW): "submitted",
    (ItemStatus.IN_REVIEW, ItemStatus.DRAFT): "returned",
    (ItemStatus.IN_REVIEW, ItemStatus.ACTIVE): "approved",
    (ItemStatus.DRAFT, ItemStatus.ACTIVE): "imported",
    **{(status, ItemStatus.RETIRED): "retired" for status in ItemStatus if status != "retired"},
}


def _refusal(a: str, b: str) -> str:
    return _("This item cannot go from %(a)s to %(b)s.", a=a, b=b)


def _version_audit(move: workflow.Move) -> dict:
    return {"version": move.obj.number, "comment": move.reason}


VERSION_WORKFLOW = workflow.register(
    workflow.Workflow(
        model=ItemVersion,
        field="state",
        states=VersionState,
        transitions=VERSION_TRANSITIONS,
        object_type="item",
        audit_prefix="bank",
        event=ReviewEvent,
        refusal=_refusal,
        audit_action=lambda move: f"bank.item_{move.verb}",
        audit_data=_version_audit,
        audit_object_id=lambda version: version.item.code,
        event_fields=lambda move: {"item_id": move.obj.item_id, "action": move.verb},
    )
)
ITEM_WORKFLOW = workflow.register(
    workflow.Workflow(
        model=Item,
        field="status",
        states=ItemStatus,
        transitions=ITEM_TRANSITIONS,
        object_type="item",
        audit_prefix="bank",
        event=ReviewEvent,
        refusal=_refusal,
        quiet=frozenset({"submitted", "returned", "approved", "imported"}),
        audit_action=lambda move: f"bank.item_{move.verb}",
        audit_data=lambda move: {"comment": move.reason},
        audit_object_id=lambda item: item.code,
        event_fields=lambda move: {
            "item_id": move.obj.id,
            "version_id": move.obj.head.id,
            "action": move.verb,
        },
    )
)


@VERSION_WORKFLOW.on()
@ITEM_WORKFLOW.on()
def _touch_item(session: Session, move: workflow.Move) -> None:
    item = move.obj if isinstance(move.obj, Item) else move.obj.item
    item.updated_at = move.at


def content_of(version: ItemVersion) -> ItemContent:
    """The plain-data content of a stored version."""
    return ItemContent(
        code=version.item.code,
        classes=tuple(version.class_list),
        category=version.category,
        topic=version.topic,
        stem=version.stem,
        options=tuple(Option(o["text"], bool(o.get("key"))) for o in version.options),
        explanation=version.explanation,
        legal_basis=version.legal_basis,
        difficulty=version.difficulty,
        media=version.media,
        practice=version.practice,
        group=version.enemy_group,
        demo=version.demo,
        en=Translation.from_data(version.translations.get("en")),
    )


def fill_version(version: ItemVersion, content: ItemContent) -> None:
    """Write ``content`` into ``version`` (a new one, or a draft changing in place)."""
    version.classes = ",".join(content.classes)
    version.kind = ItemKind.CLIP if is_clip(content.media) else ItemKind.CHOICE
    version.category = content.category
    version.topic = content.topic
    version.stem = content.stem
    version.options_json = json.dumps(
        [{"text": o.text, "key": o.key} for o in content.options], ensure_ascii=False
    )
    version.explanation = content.explanation
    version.legal_basis = content.legal_basis
    version.media_json = (
        json.dumps(content.media, ensure_ascii=False, sort_keys=True) if content.media else None
    )
    version.difficulty = content.difficulty
    version.practice = content.practice
    version.enemy_group = content.group
    version.demo = content.demo
    version.translations_json = (
        json.dumps({"en": content.en.canonical()}, ensure_ascii=False) if content.en else None
    )
    version.content_hash = content.content_hash


def new_version(item: Item, content: ItemContent, state: VersionState, author_id) -> ItemVersion:
    """Append to ``item`` its next version, holding ``content``, in ``state``."""
    number = max((v.number for v in item.versions), default=0) + 1
    version = ItemVersion(number=number, state=state, author_id=author_id, created_at=clock.now())
    fill_version(version, content)
    item.versions.append(version)
    return version


def get_item(session: Session, code: str, *, for_update: bool = False) -> Item | None:
    """The item with ``code`` and its versions; ``for_update`` locks its row (PostgreSQL) so
    that two reviewers acting at once are serialised and the second sees the first's result."""
    query = select(Item).where(Item.code == code).options(selectinload(Item.versions))
    if for_update:
        query = query.with_for_update(of=Item)
    return session.scalars(query).first()


# -- import and publish -----------------------------------------------------------------------


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    retired_skipped: int = 0
    bank_version: BankVersion | None = None
    published: bool = False


def import_contents(
    session: Session,
    contents: Iterable[ItemContent],
    *,
    actor=None,
    progress: Callable[[int], None] | None = None,
    note: str = "import",
    gate: Gate | None = None,
) -> ImportResult:
    """Load items as active versions and publish a bank version if anything changed.

    All or nothing: the caller commits once. An item with a revision under review is refused
    (ContentError), so nobody's draft is overtaken silently; so is a bank that fails the
    ``gate`` (see publish_bank_version).
    """
    result = ImportResult()
    existing = {
        item.code: item
        for item in session.scalars(select(Item).options(selectinload(Item.versions)))
    }
    blocked = []
    for done, content in enumerate(contents, 1):
        item = existing.get(content.code)
        if item is None:
            item = Item(code=content.code, status=ItemStatus.ACTIVE, created_at=clock.now(),
                        updated_at=clock.now())  # fmt: skip
            session.add(item)
            new_version(item, content, VersionState.ACTIVE, None)
            result.created += 1
        elif item.status == ItemStatus.RETIRED:
            result.retired_skipped += 1
        elif item.head.state in (VersionState.DRAFT, VersionState.IN_REVIEW, VersionState.RETURNED):
            blocked.append(Problem("code", "has a revision in draft or review", code=item.code))
        elif item.active_version and item.active_version.content_hash == content.content_hash:
            result.unchanged += 1
        else:
            if item.active_version:
                # flushed by the move: the one-active-version index sees the old one leave first
                workflow.advance(session, item.active_version, VersionState.SUPERSEDED, actor, note)
            new_version(item, content, VersionState.ACTIVE, None)
            if item.status != ItemStatus.ACTIVE:
                workflow.advance(session, item, ItemStatus.ACTIVE, actor, note)
            item.updated_at = clock.now()
            result.updated += 1
        if progress:
            progress(done)
    if blocked:
        raise ContentError(_("Some items have revisions in progress."), blocked)
    session.flush()
    audit.record(
        session,
        "bank.imported",
        actor=actor,
        data={"created": result.created, "updated": result.updated, "unchanged": result.unchanged},
    )
    result.bank_version, result.published = publish_bank_version(
        session, actor=actor, note=note, gate=gate
    )
    return result


def _bank_hash(hashes: Iterable[str]) -> str:
    return hashlib.sha256("\n".join(sorted(hashes)).encode()).hexdigest()


def active_versions(session: Session) -> list[ItemVersion]:
    """The versions a bank published now would hold (with their items loaded)."""
    return list(
        session.scalars(
            select(ItemVersion)
            .join(Item)
            .where(ItemVersion.state == VersionState.ACTIVE, Item.status == ItemStatus.ACTIVE)
            .options(selectinload(ItemVersion.item))
            .order_by(ItemVersion.id)
        )
    )


@dataclass
class PendingChanges:
    """What publishing now would change against the latest published bank version."""

    latest: BankVersion | None
    #: item codes: active but not in the latest bank / in it with another version / left out
    added: list[str]
    changed: list[str]
    removed: list[str]
    #: class -> (reserved for official exams, items) of the active versions
    shares: dict[str, tuple[int, int]]

    @property
    def any(self) -> bool:
        return bool(self.added or self.changed or self.removed)


def pending_changes(session: Session) -> PendingChanges:
    """Compare the active versions with the latest published bank version."""
    latest = latest_bank_version(session)
    active = {v.item_id: v for v in active_versions(session)}
    published = {v.item_id: v for v in bank_item_versions(session, latest)} if latest else {}
    return PendingChanges(
        latest=latest,
        added=sorted(v.item.code for i, v in active.items() if i not in published),
        changed=sorted(
            v.item.code for i, v in active.items() if i in published and published[i].id != v.id
        ),
        removed=sorted(v.item.code for i, v in published.items() if i not in active),
        shares=reserved_shares((v.class_list, v.practice) for v in active.values()),
    )


def latest_bank_version(session: Session) -> BankVersion | None:
    return session.scalars(select(BankVersion).order_by(BankVersion.number.desc()).limit(1)).first()


def publish_bank_version(
    session: Session, *, actor=None, note: str = "", gate: Gate | None = None
) -> tuple[BankVersion, bool]:
    """Snapshot the active versions as a new bank version, unless identical to the latest.

    Refused (ContentError, listing each item and rule) when the active items fail the
    ``gate`` (lint.Gate: reserved share, cue and media rules, enemy groups, pool size, the demo
    set in production). Returns the (new or latest) bank version and whether one was published.
    """
    versions = active_versions(session)
    problems = (gate or Gate()).problems([content_of(v) for v in versions])
    if problems:
        message = (
            problems[0].message
            if len(problems) == 1
            else _("The bank version was not published: %(n)s problems, listed below.",
                   n=len(problems))
        )  # fmt: skip
        raise ContentError(message, problems)
    digest = _bank_hash(v.content_hash for v in versions)
    latest = latest_bank_version(session)
    if latest is not None and latest.content_hash == digest:
        return latest, False
    bank = BankVersion(
        number=(latest.number + 1) if latest else 1,
        content_hash=digest,
        item_count=len(versions),
        created_at=clock.now(),
        created_by_id=getattr(actor, "id", None),
        note=note[:255],
    )
    bank.entries = [BankVersionItem(item_version_id=v.id) for v in versions]
    session.add(bank)
    session.flush()
    audit.record(
        session,
        "bank.published",
        actor=actor,
        object_type="bank_version",
        object_id=bank.number,
        data={"items": bank.item_count, "hash": digest},
    )
    return bank, True


def bank_item_versions(
    session: Session,
    bank: BankVersion,
    vehicle_class: str | None = None,
    *,
    kind: ItemKind | None = None,
) -> list[ItemVersion]:
    """The item versions of a published bank, optionally only those for one class and of one
    kind (questions or clips)."""
    query = (
        select(ItemVersion)
        .join(BankVersionItem, BankVersionItem.item_version_id == ItemVersion.id)
        .where(BankVersionItem.bank_version_id == bank.id)
        .options(selectinload(ItemVersion.item))
        .order_by(ItemVersion.id)
    )
    if kind is not None:
        query = query.where(ItemVersion.kind == kind)
    versions = session.scalars(query).all()
    if vehicle_class:
        versions = [v for v in versions if vehicle_class in v.class_list]
    return list(versions)


def verify_bank_version(session: Session, bank: BankVersion) -> bool:
    """True if the snapshot still hashes to what was published (nothing edited underneath)."""
    versions = bank_item_versions(session, bank)
    hashes = [content_of(v).content_hash for v in versions]
    stored = [v.content_hash for v in versions]
    return hashes == stored and _bank_hash(hashes) == bank.content_hash
