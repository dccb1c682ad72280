"""Question-bank verbs: import and publish bank versions, and the authoring state machine.

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
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from ujisim.core import audit, clock, duties, workflow
from ujisim.core.errors import IllegalTransition
from ujisim.question_bank.content import (
    ItemContent,
    Option,
    Problem,
    normalise_stem,
    reserved_shares,
)
from ujisim.question_bank.errors import ContentError, SelfApproval
from ujisim.question_bank.lint import Gate
from ujisim.question_bank.models import (
    BankVersion,
    BankVersionItem,
    Item,
    ItemStatus,
    ItemVersion,
    ReviewEvent,
    VersionState,
)

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
    )


def _fill(version: ItemVersion, content: ItemContent) -> None:
    version.classes = ",".join(content.classes)
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
    version.content_hash = content.content_hash


def _new_version(item: Item, content: ItemContent, state: VersionState, author_id) -> ItemVersion:
    number = max((v.number for v in item.versions), default=0) + 1
    version = ItemVersion(number=number, state=state, author_id=author_id, created_at=clock.now())
    _fill(version, content)
    item.versions.append(version)
    return version


def get_item(session: Session, code: str, *, for_update: bool = False) -> Item | None:
    """The item with ``code`` and its versions; ``for_update`` locks its row (PostgreSQL) so
    that two reviewers acting at once are serialised and the second sees the first's result."""
    query = select(Item).where(Item.code == code).options(selectinload(Item.versions))
    if for_update:
        query = query.with_for_update(of=Item)
    return session.scalars(query).first()


def find_same_stem(session: Session, stem: str, *, exclude_code: str = "") -> str | None:
    """The code of another item with the same normalised stem in any version, if there is one
    (the duplicate-stem check of ``content.load_dir``, for authoring)."""
    wanted = normalise_stem(stem)
    rows = session.execute(
        select(Item.code, ItemVersion.stem)
        .select_from(ItemVersion)
        .join(Item, Item.id == ItemVersion.item_id)
        .where(Item.code != exclude_code)
    )
    return next((code for code, other in rows if normalise_stem(other) == wanted), None)


def query_items(
    session: Session,
    *,
    search: str = "",
    status: str = "",
    category: str = "",
    topic: str = "",
    vehicle_class: str = "",
    limit: int = 100,
    offset: int = 0,
) -> list[Item]:
    """Items whose newest version matches the filters, by code."""
    newest = (
        select(ItemVersion.item_id, func.max(ItemVersion.number).label("number"))
        .group_by(ItemVersion.item_id)
        .subquery()
    )
    query = (
        select(Item)
        .join(newest, newest.c.item_id == Item.id)
        .join(
            ItemVersion,
            (ItemVersion.item_id == Item.id) & (ItemVersion.number == newest.c.number),
        )
        .options(selectinload(Item.versions))
        .order_by(Item.code)
        .limit(limit)
        .offset(offset)
    )
    if search:
        like = f"%{search.strip().lower()}%"
        query = query.where(
            func.lower(ItemVersion.stem).like(like) | func.lower(Item.code).like(like)
        )
    if status:
        query = query.where(Item.status == status)
    if category:
        query = query.where(ItemVersion.category == category)
    if topic:
        query = query.where(ItemVersion.topic == topic)
    if vehicle_class:
        query = query.where(ItemVersion.classes.like(f"%{vehicle_class}%"))
    return list(session.scalars(query))


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
            _new_version(item, content, VersionState.ACTIVE, None)
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
                _advance(session, item.active_version, VersionState.SUPERSEDED, actor, note)
            _new_version(item, content, VersionState.ACTIVE, None)
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
    session: Session, bank: BankVersion, vehicle_class: str | None = None
) -> list[ItemVersion]:
    """The item versions of a published bank, optionally only those for one class."""
    query = (
        select(ItemVersion)
        .join(BankVersionItem, BankVersionItem.item_version_id == ItemVersion.id)
        .where(BankVersionItem.bank_version_id == bank.id)
        .options(selectinload(ItemVersion.item))
        .order_by(ItemVersion.id)
    )
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


# -- authoring -------------------------------------------------------------------------------


def _advance(session: Session, version: ItemVersion, to: VersionState, actor, comment="") -> None:
    """Move a version along its table (review event and audit record by the engine)."""
    workflow.advance(session, version, to, actor, comment)


def _sync_status(session: Session, item: Item, actor, comment: str = "") -> None:
    """The item's status follows its versions (a retired item stays retired)."""
    if item.status == ItemStatus.RETIRED:
        return
    if item.active_version is not None:
        status = ItemStatus.ACTIVE
    elif item.head.state == VersionState.RETURNED:
        status = ItemStatus.DRAFT  # back with its author
    else:
        status = ItemStatus(item.head.state)
    if status != item.status:
        workflow.advance(session, item, status, actor, comment)


def create_item(session: Session, content: ItemContent, *, author) -> Item:
    """A new item with its first version as a draft."""
    if get_item(session, content.code) is not None:
        raise ContentError(
            _("The code %(code)s is already taken.", code=content.code),
            [Problem("code", _("This code is already taken."))],
        )
    item = Item(code=content.code, status=ItemStatus.DRAFT, created_at=clock.now(),
                updated_at=clock.now())  # fmt: skip
    session.add(item)
    _new_version(item, content, VersionState.DRAFT, author.id)
    session.flush()
    audit.record(
        session, "bank.item_created", actor=author, object_type="item", object_id=item.code
    )
    return item


@dataclass(frozen=True)
class ItemActions:
    """What a user may do with an item now, and why not (``allowed_actions``)."""

    edit: bool
    edit_reason: str
    submit: bool
    review: bool
    review_reason: str
    retire: bool


def _edit_refusal(item: Item, user) -> str:
    """Why ``user`` may not save new content for ``item`` now; "" when they may (edit_item)."""
    if item.status == ItemStatus.RETIRED:
        return _("A retired item cannot be edited.")
    head = item.head
    if head.state == VersionState.IN_REVIEW:
        return _("This version is under review; it can be edited after a reviewer returns it.")
    if head.state in (VersionState.DRAFT, VersionState.RETURNED) and head.author_id != user.id:
        return _("Another examiner is drafting this item.")
    return ""


def allowed_actions(session: Session, item: Item, user) -> ItemActions:
    """What ``user`` may do with ``item`` now, from the rules the verbs below enforce: editing
    (``edit_item``), and the moves its version and item workflow tables allow from their current
    state -- submit (draft -> in review), review (in review -> active or returned, never by the
    version's own author: core/duties), retire. Pages ask this instead of repeating the rules."""
    head = item.head
    live = item.status != ItemStatus.RETIRED
    edit_reason = _edit_refusal(item, user)
    reviewable = live and all(
        (head.state, to) in VERSION_TRANSITIONS
        for to in (VersionState.ACTIVE, VersionState.RETURNED)
    )
    own = reviewable and duties.is_subject(session, user, head)
    review_reason = ""
    if own:
        review_reason = _(
            "You wrote this version, so you cannot approve or return it. "
            "Another examiner must review it."
        )
    return ItemActions(
        edit=not edit_reason,
        edit_reason=edit_reason,
        submit=live and (head.state, VersionState.IN_REVIEW) in VERSION_TRANSITIONS,
        review=reviewable and not own,
        review_reason=review_reason,
        retire=(item.status, ItemStatus.RETIRED) in ITEM_TRANSITIONS,
    )


def edit_item(session: Session, item: Item, content: ItemContent, *, author) -> ItemVersion:
    """Save new content: in place for the author's own unreviewed draft, else as a new draft
    version (after an active version, or revising the author's own returned version)."""
    refusal = _edit_refusal(item, author)
    if refusal:
        raise IllegalTransition(refusal)
    head = item.head
    if content.code != item.code:
        raise ContentError(
            _("The code of an item cannot change."),
            [Problem("code", _("The code of an item cannot change."))],
        )
    if head.state == VersionState.DRAFT:  # the author's own (_edit_refusal)
        _fill(head, content)
        version = head
    else:
        version = _new_version(item, content, VersionState.DRAFT, author.id)
    item.updated_at = clock.now()
    _sync_status(session, item, author)
    session.flush()
    audit.record(session, "bank.item_edited", actor=author, object_type="item", object_id=item.code,
                 data={"version": version.number})  # fmt: skip
    return version


def _refuse_if_retired(item: Item) -> None:
    if item.status == ItemStatus.RETIRED:
        raise IllegalTransition(_("A retired item cannot be reviewed."))


def submit_for_review(session: Session, item: Item, *, actor) -> None:
    """Freeze the draft head version and send it to another examiner for review."""
    _refuse_if_retired(item)
    _advance(session, item.head, VersionState.IN_REVIEW, actor)
    _sync_status(session, item, actor)


def approve(session: Session, item: Item, *, reviewer, comment: str = "") -> None:
    """A different examiner approves the version under review; it becomes the active one."""
    _refuse_if_retired(item)
    version = item.head
    if version.author_id is not None and version.author_id == reviewer.id:
        raise SelfApproval(_("You cannot approve your own item; another examiner must review it."))
    previous = item.active_version
    if previous is not None and version.state == VersionState.IN_REVIEW:
        _advance(session, previous, VersionState.SUPERSEDED, reviewer)
    _advance(session, version, VersionState.ACTIVE, reviewer, comment)
    _sync_status(session, item, reviewer)


def return_for_changes(session: Session, item: Item, *, reviewer, comment: str) -> None:
    """Send the version under review back to its author with a comment."""
    if not comment.strip():
        raise ContentError(
            _("Say what needs to change."), [Problem("comment", _("Say what needs to change."))]
        )
    _refuse_if_retired(item)
    version = item.head
    if version.author_id is not None and version.author_id == reviewer.id:
        raise SelfApproval(_("You cannot review your own item; another examiner must review it."))
    _advance(session, version, VersionState.RETURNED, reviewer, comment.strip())
    _sync_status(session, item, reviewer)


def retire(session: Session, item: Item, *, actor, comment: str = "") -> None:
    """Take an item out of future bank versions (published banks keep their snapshot)."""
    if item.status == ItemStatus.RETIRED:
        raise IllegalTransition(_("This item is already retired."))
    workflow.advance(session, item, ItemStatus.RETIRED, actor, comment)


def review_events(session: Session, item: Item) -> list[ReviewEvent]:
    return list(
        session.scalars(
            select(ReviewEvent).where(ReviewEvent.item_id == item.id).order_by(ReviewEvent.id)
        )
    )
