"""Examiner authoring pages: the list, and the item page with its review actions (submit,
approve, return, retire). Creating, editing, preview and diff are in authoring_edit.py, on the
same blueprint (``bp``) and with the loading helpers below.

Views are thin: load the item (404 if unknown), parse the form, call one service verb, flash and
redirect; the request's unit of work commits (core/requests.py). A refused move
(``IllegalTransition`` 409, the author's own review ``DutyRefused`` 403 (audited,
core/duties.py), bad content 422) re-renders the page with the message beside the form's fields
(not the generic flash and redirect) and changes nothing.
"""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ujisim.accounts.models import User
from ujisim.core import duties
from ujisim.core.db import get_session
from ujisim.core.errors import ConflictError, UjisimError
from ujisim.core.i18n import page_language
from ujisim.core.security import Role, role_required
from ujisim.question_bank import authoring_services, gate, lint, services
from ujisim.question_bank.forms import (
    CATEGORY_LABELS,
    CLASS_LABELS,
    DIFFICULTY_LABELS,
    OPTION_LETTERS,
    PRACTICE_LABELS,
    TOPIC_LABELS,
    ActionForm,
    ApproveForm,
    RetireForm,
    ReturnForm,
    version_stamp,
)
from ujisim.question_bank.labels import EVENT_LABELS, STATE_LABELS, STATUS_LABELS, media_alt
from ujisim.question_bank.models import (
    CLASSES,
    TOPICS,
    Category,
    Item,
    ItemStatus,
    ItemVersion,
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
        media_alt=media_alt(head, page_language()),
        lang=page_language(),
        english=head.text("en"),
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
    session = get_session()
    item = load_item_or_404(code, for_update=True)
    form = form_class()
    forms = {f"{action}_form": form}
    if not form.validate_on_submit():
        session.rollback()
        return render_item(load_item_or_404(code), status=422, **forms)
    try:
        check_stamp(item, form.stamp.data)
        message = apply(session, item, form)
    except UjisimError as exc:
        session.rollback()
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
    def apply(session, item, _form):
        authoring_services.submit_for_review(session, item, actor=current_user)
        return _("Version %(n)s was sent for review.", n=item.head.number)

    return _act(code, "submit", ActionForm, apply)


@bp.post("/<code>/approve")
@role_required(Role.EXAMINER)
def approve(code: str):
    def apply(session, item, form):
        duties.refuse_own(item.head)  # the author never approves their own version
        comment = (form.approve_comment.data or "").strip()
        authoring_services.approve(session, item, reviewer=current_user, comment=comment)
        return _("Version %(n)s was approved and is now active.", n=item.head.number)

    return _act(code, "approve", ApproveForm, apply)


@bp.post("/<code>/return")
@role_required(Role.EXAMINER)
def return_item(code: str):
    def apply(session, item, form):
        duties.refuse_own(item.head)
        authoring_services.return_for_changes(
            session, item, reviewer=current_user, comment=form.return_comment.data
        )
        return _("Version %(n)s was returned to its author.", n=item.head.number)

    return _act(code, "return", ReturnForm, apply)


@bp.post("/<code>/retire")
@role_required(Role.EXAMINER)
def retire(code: str):
    def apply(session, item, form):
        authoring_services.retire(
            session, item, actor=current_user, comment=form.retire_comment.data.strip()
        )
        return _("Item %(code)s was retired.", code=item.code)

    return _act(code, "retire", RetireForm, apply)
