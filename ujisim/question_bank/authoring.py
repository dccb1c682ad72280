"""Examiner authoring pages: list, item with review actions, create/edit, preview and diff.

Views are thin: load the item (404 if unknown), parse the form, call one service verb, flash and
redirect; the request's unit of work commits (core/requests.py). A refused move
(``IllegalTransition`` 409, the author's own review ``DutyRefused`` 403 (audited,
core/duties.py), bad content 422) re-renders the page with the message beside the form's fields
(not the generic flash and redirect) and changes nothing.
"""

from __future__ import annotations

import dataclasses
import difflib
import re

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ujisim.accounts.models import User
from ujisim.core import duties
from ujisim.core.db import get_session
from ujisim.core.errors import ConflictError, UjisimError
from ujisim.core.security import Role, role_required
from ujisim.question_bank import authoring_services, gate, lint, services
from ujisim.question_bank.content import ItemContent, check_content
from ujisim.question_bank.errors import ContentError
from ujisim.question_bank.forms import (
    CATEGORY_LABELS,
    CLASS_LABELS,
    DIFFICULTY_LABELS,
    EVENT_LABELS,
    OPTION_LETTERS,
    PRACTICE_LABELS,
    STATE_LABELS,
    STATUS_LABELS,
    TOPIC_LABELS,
    ActionForm,
    ApproveForm,
    ItemForm,
    RetireForm,
    ReturnForm,
    scene_text,
    version_stamp,
)
from ujisim.question_bank.media.signs import SIGNS
from ujisim.question_bank.models import (
    CLASSES,
    TOPICS,
    Category,
    Item,
    ItemStatus,
    ItemVersion,
    VersionState,
)

bp = duties.staff_pages(Blueprint("authoring", __name__, url_prefix="/examiner/items"))
PER_PAGE = 50


@bp.context_processor
def _labels() -> dict:
    return {
        "CLASS_LABELS": CLASS_LABELS,
        "CATEGORY_LABELS": CATEGORY_LABELS,
        "TOPIC_LABELS": TOPIC_LABELS,
        "DIFFICULTY_LABELS": DIFFICULTY_LABELS,
        "PRACTICE_LABELS": PRACTICE_LABELS,
        "STATUS_LABELS": STATUS_LABELS,
        "STATE_LABELS": STATE_LABELS,
        "EVENT_LABELS": EVENT_LABELS,
        "LETTERS": OPTION_LETTERS,
    }


# -- loading and rules -----------------------------------------------------------------------


def load_item_or_404(code: str, *, for_update: bool = False) -> Item:
    item = services.get_item(get_session(), code, for_update=for_update)
    if item is None:
        abort(404)
    return item


def version_or_404(item: Item, number: str | None) -> ItemVersion:
    """The version ``number`` of ``item`` (the head when not given)."""
    if number is None or number == "":
        return item.head
    version = next((v for v in item.versions if str(v.number) == number), None)
    if version is None:
        abort(404)
    return version


def people(ids) -> dict[int, User]:
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    return {u.id: u for u in get_session().scalars(select(User).where(User.id.in_(wanted)))}


def check_stamp(item: Item, stamp: str | None) -> None:
    """Refuse a form made for another state of the head version (somebody acted meanwhile)."""
    if stamp != version_stamp(item.head):
        raise ConflictError(
            _(
                "This item changed after you opened the page. "
                "Check the current version and try again."
            )
        )


def media_alt(version: ItemVersion) -> str:
    """A text alternative for the item's picture (candidates using a screen reader need it)."""
    media = version.media or {}
    if "sign" in media:
        sign = SIGNS.get(media["sign"])
        return _("Traffic sign: %(name)s", name=sign.name_id if sign else media["sign"])
    if "scene" in media:
        return media["scene"].get("title", "")
    return ""


# -- list ------------------------------------------------------------------------------------


def _choice(name: str, allowed) -> str:
    value = request.args.get(name, "")
    return value if value in allowed else ""


@bp.get("/")
@role_required(Role.EXAMINER)
def items():
    filters = {
        "q": request.args.get("q", "").strip()[:100],
        "status": _choice("status", set(ItemStatus)),
        "category": _choice("category", set(Category)),
        "topic": _choice("topic", set(TOPICS)),
        "class": _choice("class", set(CLASSES)),
    }
    page = max(1, min(request.args.get("page", 1, type=int) or 1, 10_000))
    found = authoring_services.query_items(
        get_session(),
        search=filters["q"],
        status=filters["status"],
        category=filters["category"],
        topic=filters["topic"],
        vehicle_class=filters["class"],
        limit=PER_PAGE + 1,  # one more tells whether there is a next page
        offset=(page - 1) * PER_PAGE,
    )
    query = {k: v for k, v in filters.items() if v}
    return render_template(
        "question_bank/authoring/items.html",
        items=found[:PER_PAGE],
        filters=filters,
        page=page,
        first=(page - 1) * PER_PAGE + 1,
        prev_url=url_for(".items", page=page - 1, **query) if page > 1 else None,
        next_url=url_for(".items", page=page + 1, **query) if len(found) > PER_PAGE else None,
        topics=TOPICS,
        categories=list(Category),
        statuses=list(ItemStatus),
        classes=CLASSES,
    )


# -- item page and review actions ------------------------------------------------------------


def item_lint_flags(session, item: Item) -> list:
    """The publish gate's findings about the item's newest version, judged within the bank it
    would join (the other items' active versions)."""
    others = [
        services.content_of(v) for v in services.active_versions(session) if v.item_id != item.id
    ]
    contents = [*others, services.content_of(item.head)]
    flags = lint.lint_items(contents, gate.rules(current_app.config))
    return lint.item_flags(flags).get(item.code, [])


def render_item(item: Item, *, status: int = 200, error: str = "", **forms):
    head = item.head
    events = authoring_services.review_events(get_session(), item)
    actors = people([e.actor_id for e in events] + [v.author_id for v in item.versions])
    forms = {
        "approve_form": forms.get("approve_form") or ApproveForm(formdata=None),
        "return_form": forms.get("return_form") or ReturnForm(formdata=None),
        "retire_form": forms.get("retire_form") or RetireForm(formdata=None),
    }
    page = render_template(
        "question_bank/authoring/item.html",
        item=item,
        head=head,
        active=item.active_version,
        events=events,
        numbers={v.id: v.number for v in item.versions},
        people=actors,
        actions=authoring_services.allowed_actions(get_session(), item, current_user),
        stamp=version_stamp(head),
        media_alt=media_alt(head),
        flags=item_lint_flags(get_session(), item),
        error=error,
        **forms,
    )
    return page, status


@bp.get("/<code>")
@role_required(Role.EXAMINER)
def item(code: str):
    return render_item(load_item_or_404(code))


def _act(code: str, action: str, form_class, apply):
    """Validate the ``action`` form and run ``apply(session, item, form)``.

    ``apply`` returns the flash message. Any refusal rolls back and shows the item page again
    with the message (and the form's errors) under the refusing error's status.
    """
    db = get_session()
    item = load_item_or_404(code, for_update=True)
    form = form_class()
    forms = {f"{action}_form": form}
    if not form.validate_on_submit():
        db.rollback()
        return render_item(load_item_or_404(code), status=422, **forms)
    try:
        check_stamp(item, form.stamp.data)
        message = apply(db, item, form)
    except UjisimError as exc:
        db.rollback()
        for name, text in exc.fields.items():
            field = getattr(form, f"{action}_{name}", None)
            if field is not None:
                field.errors = [*field.errors, text]
        page = load_item_or_404(code)
        return render_item(page, status=exc.status, error=exc.message, **forms)
    flash(message, "success")
    return redirect(url_for(".item", code=item.code))


@bp.post("/<code>/submit")
@role_required(Role.EXAMINER)
def submit(code: str):
    def apply(db, item, _form):
        authoring_services.submit_for_review(db, item, actor=current_user)
        return _("Version %(n)s was sent for review.", n=item.head.number)

    return _act(code, "submit", ActionForm, apply)


@bp.post("/<code>/approve")
@role_required(Role.EXAMINER)
def approve(code: str):
    def apply(db, item, form):
        duties.refuse_own(item.head)  # the author never approves their own version
        comment = (form.approve_comment.data or "").strip()
        authoring_services.approve(db, item, reviewer=current_user, comment=comment)
        return _("Version %(n)s was approved and is now active.", n=item.head.number)

    return _act(code, "approve", ApproveForm, apply)


@bp.post("/<code>/return")
@role_required(Role.EXAMINER)
def return_item(code: str):
    def apply(db, item, form):
        duties.refuse_own(item.head)
        authoring_services.return_for_changes(
            db, item, reviewer=current_user, comment=form.return_comment.data
        )
        return _("Version %(n)s was returned to its author.", n=item.head.number)

    return _act(code, "return", ReturnForm, apply)


@bp.post("/<code>/retire")
@role_required(Role.EXAMINER)
def retire(code: str):
    def apply(db, item, form):
        authoring_services.retire(
            db, item, actor=current_user, comment=form.retire_comment.data.strip()
        )
        return _("Item %(code)s was retired.", code=item.code)

    return _act(code, "retire", RetireForm, apply)


# -- create and edit -------------------------------------------------------------------------


def checked_content(form: ItemForm, code: str) -> ItemContent | None:
    """Run the form's own checks and ``check_content``; put every problem beside its field."""
    valid = form.validate_on_submit()
    content, problems = check_content(form.raw_content(code))
    media_parse_failed = bool(form.scene.errors or form.sign.errors)
    for name, message in problems:
        if name.startswith("media") and media_parse_failed:
            continue  # the typed scene could not be read; that message says why
        form.add_problem(name, message)
    if content is not None:
        existing = services.get_item(get_session(), code)
        if existing is not None and existing.head.demo:
            # a revision of a demo item is still known from the public source code
            content = dataclasses.replace(content, demo=True)
        same = authoring_services.find_same_stem(get_session(), content.stem, exclude_code=code)
        if same:
            form.stem.errors = [
                *form.stem.errors,
                _("Item %(code)s already asks the same question.", code=same),
            ]
    return content if valid and not form.has_problems else None


def render_form(form: ItemForm, *, item: Item | None = None, status: int = 200, error: str = ""):
    returned = reviewer = None
    # Revising a version a reviewer sent back (or the draft that revises it): show what they
    # asked for while editing.
    asked = None
    if item is not None and item.head.state == VersionState.RETURNED:
        asked = item.head
    elif item is not None and len(item.versions) > 1 and item.head.state == VersionState.DRAFT:
        before = item.versions[-2]
        asked = before if before.state == VersionState.RETURNED else None
    if asked is not None:
        events = authoring_services.review_events(get_session(), item)
        events = [e for e in events if e.version_id == asked.id and e.action == "returned"]
        if events:
            returned = events[-1]
            reviewer = people([returned.actor_id]).get(returned.actor_id)
    page = render_template(
        "question_bank/authoring/form.html",
        form=form,
        item=item,
        new_version=item is not None and item.head.state != VersionState.DRAFT,
        returned=returned,
        reviewer=reviewer,
        numbers={v.id: v.number for v in item.versions} if item is not None else {},
        error=error,
    )
    return page, status


@bp.route("/new", methods=["GET", "POST"])
@role_required(Role.EXAMINER)
def new():
    form = ItemForm(creating=True)
    if not form.is_submitted():
        return render_form(form)
    content = checked_content(form, form.code.data)
    if content is None:
        return render_form(form, status=422)
    db = get_session()
    try:
        item = authoring_services.create_item(db, content, author=current_user)
    except ContentError as exc:
        db.rollback()
        for problem in exc.problems:
            form.add_problem(problem.field, problem.message)
        return render_form(form, status=exc.status)
    flash(_("Item %(code)s was saved as a draft.", code=item.code), "success")
    return redirect(url_for(".item", code=item.code))


@bp.route("/<code>/edit", methods=["GET", "POST"])
@role_required(Role.EXAMINER)
def edit(code: str):
    db = get_session()
    item = load_item_or_404(code, for_update=request.method == "POST")
    actions = authoring_services.allowed_actions(db, item, current_user)
    if not actions.edit:
        db.rollback()
        return render_item(load_item_or_404(code), status=409, error=actions.edit_reason)
    if request.method == "GET":
        form = ItemForm.from_version(item.head, formdata=None)
        return render_form(form, item=item)
    form = ItemForm()
    content = checked_content(form, item.code)
    if content is None:
        db.rollback()
        return render_form(form, item=load_item_or_404(code), status=422)
    try:
        check_stamp(item, form.base.data)
        version = authoring_services.edit_item(db, item, content, author=current_user)
    except UjisimError as exc:
        db.rollback()
        for problem in getattr(exc, "problems", []):
            form.add_problem(problem.field, problem.message)
        return render_form(form, item=load_item_or_404(code), status=exc.status, error=exc.message)
    flash(_("Saved as version %(n)s (draft).", n=version.number), "success")
    return redirect(url_for(".item", code=item.code))


# -- preview and diff ------------------------------------------------------------------------


@bp.get("/<code>/preview")
@role_required(Role.EXAMINER)
def preview(code: str):
    item = load_item_or_404(code)
    version = version_or_404(item, request.args.get("version"))
    vehicle_class = request.args.get("class") or version.class_list[0]
    if vehicle_class not in CLASSES:
        abort(404)
    return render_template(
        "question_bank/authoring/preview.html",
        item=item,
        version=version,
        vehicle_class=vehicle_class,
        media_alt=media_alt(version),
    )


TOKEN_RE = re.compile(r"\s+|\w+|[^\w\s]")


def word_diff(old: str, new: str) -> list[tuple[str, str]]:
    """Segments ("equal" | "delete" | "insert", text) turning ``old`` into ``new`` word by word."""
    a, b = TOKEN_RE.findall(old), TOKEN_RE.findall(new)
    segments = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            segments.append(("equal", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            segments.append(("delete", "".join(a[i1:i2])))
        if j2 > j1:
            segments.append(("insert", "".join(b[j1:j2])))
    return segments


def diff_fields(version: ItemVersion) -> list[tuple[str, str]]:
    """(label, text) of every field of a version, as the diff page compares them."""
    content = services.content_of(version)
    key = _("(correct answer)")
    options = "\n".join(
        f"{OPTION_LETTERS[i]}. {o.text}{' ' + key if o.key else ''}"
        for i, o in enumerate(content.options)
    )
    media = content.media or {}
    if "sign" in media:
        sign = SIGNS.get(media["sign"])
        media_text = _("Sign: %(id)s", id=media["sign"]) + (f" ({sign.name_id})" if sign else "")
    elif "scene" in media:
        media_text = scene_text(media["scene"])
    else:
        media_text = _("none")
    return [
        (_("Licence classes"), ", ".join(str(CLASS_LABELS[c]) for c in content.classes)),
        (_("Category"), str(CATEGORY_LABELS.get(content.category, content.category))),
        (_("Topic"), str(TOPIC_LABELS.get(content.topic, content.topic))),
        (_("Difficulty"), str(DIFFICULTY_LABELS.get(content.difficulty, content.difficulty))),
        (_("Used in"), str(PRACTICE_LABELS[content.practice])),
        (_("Question"), content.stem),
        (_("Options"), options),
        (_("Explanation"), content.explanation),
        (_("Legal basis"), content.legal_basis),
        (_("Picture"), media_text.strip()),
    ]


@bp.get("/<code>/diff")
@role_required(Role.EXAMINER)
def diff(code: str):
    item = load_item_or_404(code)
    head = item.head
    default_a = str(item.versions[-2].number) if len(item.versions) > 1 else str(head.number)
    old = version_or_404(item, request.args.get("a") or default_a)
    newer = version_or_404(item, request.args.get("b") or str(head.number))
    rows = []
    for (label, a), (_label, b) in zip(diff_fields(old), diff_fields(newer), strict=True):
        rows.append({"label": label, "changed": a != b, "segments": word_diff(a, b), "text": b})
    return render_template(
        "question_bank/authoring/diff.html",
        item=item,
        old=old,
        new=newer,
        rows=rows,
        changed=sum(r["changed"] for r in rows),
    )
