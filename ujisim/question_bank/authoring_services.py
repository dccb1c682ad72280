"""Authoring verbs: examiners create and edit items, submit a version for review, another
examiner approves or returns it, an item is retired. ``allowed_actions`` tells the pages what a
user may do now; ``query_items`` and ``find_same_stem`` are the reads the authoring pages list
and check with. The state machines these verbs move are in services.py.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from ujisim.core import audit, clock, duties, workflow
from ujisim.core.errors import IllegalTransition
from ujisim.question_bank import services
from ujisim.question_bank.content import ItemContent, Problem, normalise_stem
from ujisim.question_bank.errors import ContentError, SelfApproval
from ujisim.question_bank.models import (
    Item,
    ItemStatus,
    ItemVersion,
    ReviewEvent,
    VersionState,
)


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
    if services.get_item(session, content.code) is not None:
        raise ContentError(
            _("The code %(code)s is already taken.", code=content.code),
            [Problem("code", _("This code is already taken."))],
        )
    item = Item(code=content.code, status=ItemStatus.DRAFT, created_at=clock.now(),
                updated_at=clock.now())  # fmt: skip
    session.add(item)
    services.new_version(item, content, VersionState.DRAFT, author.id)
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
        (head.state, to) in services.VERSION_TRANSITIONS
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
        submit=live and (head.state, VersionState.IN_REVIEW) in services.VERSION_TRANSITIONS,
        review=reviewable and not own,
        review_reason=review_reason,
        retire=(item.status, ItemStatus.RETIRED) in services.ITEM_TRANSITIONS,
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
        services.fill_version(head, content)
        version = head
    else:
        version = services.new_version(item, content, VersionState.DRAFT, author.id)
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
