"""Examiner authoring pages, the writing side: create an item, edit it (a draft in place or a
new draft version), preview a version as candidates see it and compare two versions word by
word. A hazard-perception clip item has its own form (``clip_forms.ClipForm``: the clip spec as
YAML) through the same views and rules; its preview and editor play it on a timeline
(``clip_review``). The routes are on ``authoring.bp`` (same URLs and endpoint names as the
list, item page and review actions in authoring.py, whose loading helpers they use); the
package's ``__init__`` imports this module so that they exist before the blueprint is
registered.

Views are thin, as in authoring.py: bad content re-renders the form with each problem beside
its field (422) and changes nothing.
"""

from __future__ import annotations

import dataclasses
import difflib
import re

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ujisim.core.db import get_session
from ujisim.core.errors import UjisimError
from ujisim.core.i18n import LANGUAGES, page_language
from ujisim.core.security import Role, role_required
from ujisim.question_bank import authoring, authoring_services, clip_review, labels, services
from ujisim.question_bank.clip_forms import ClipForm
from ujisim.question_bank.content import ItemContent, check_content
from ujisim.question_bank.errors import ContentError
from ujisim.question_bank.forms import (
    CATEGORY_LABELS,
    CLASS_LABELS,
    DIFFICULTY_LABELS,
    OPTION_LETTERS,
    PRACTICE_LABELS,
    TOPIC_LABELS,
    ItemForm,
    scene_text,
)
from ujisim.question_bank.media.signs import SIGNS
from ujisim.question_bank.models import CLASSES, Item, ItemKind, ItemVersion, VersionState
from ujisim.question_bank.scene_text import clip_text


def _media_unreadable(form: ItemForm | ClipForm) -> bool:
    """The typed clip, scene or sign could not be read; its field says why (``check_content``'s
    problem with the missing media would only repeat it)."""
    if isinstance(form, ClipForm):
        return bool(form.clip.errors)
    return bool(form.scene.errors or form.sign.errors)


def checked_content(form: ItemForm | ClipForm, code: str) -> ItemContent | None:
    """Run the form's own checks and ``check_content``; put every problem beside its field."""
    valid = form.validate_on_submit()
    content, problems = check_content(form.raw_content(code))
    media_parse_failed = _media_unreadable(form)
    for name, message in problems:
        if name.startswith("media") and media_parse_failed:
            continue  # the typed scene or clip could not be read; that message says why
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


def render_form(
    form: ItemForm | ClipForm, *, item: Item | None = None, status: int = 200, error: str = ""
):
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
            reviewer = authoring.people([returned.actor_id]).get(returned.actor_id)
    clip = isinstance(form, ClipForm)
    page = render_template(
        f"question_bank/authoring/{'clip_form' if clip else 'form'}.html",
        form=form,
        clip_form=clip,
        # the clip as last saved plays above its YAML: scrub it to read the windows' times
        clip=clip_review.clip_view(item.head, None, page_language()) if clip and item else None,
        item=item,
        new_version=item is not None and item.head.state != VersionState.DRAFT,
        returned=returned,
        reviewer=reviewer,
        numbers={v.id: v.number for v in item.versions} if item is not None else {},
        error=error,
    )
    return page, status


@authoring.bp.route("/new", methods=["GET", "POST"])
@role_required(Role.EXAMINER)
def new():
    return create(ItemForm(creating=True))


@authoring.bp.route("/new/clip", methods=["GET", "POST"])
@role_required(Role.EXAMINER)
def new_clip():
    return create(ClipForm(creating=True))


def create(form: ItemForm | ClipForm):
    """The new item page of ``form``'s kind: show it, or save the first version as a draft."""
    if not form.is_submitted():
        return render_form(form)
    content = checked_content(form, form.code.data)
    if content is None:
        return render_form(form, status=422)
    session = get_session()
    try:
        item = authoring_services.create_item(session, content, author=current_user)
    except ContentError as exc:
        session.rollback()
        for problem in exc.problems:
            form.add_problem(problem.field, problem.message)
        return render_form(form, status=exc.status)
    flash(_("Item %(code)s was saved as a draft.", code=item.code), "success")
    return redirect(url_for(".item", code=item.code))


@authoring.bp.route("/<code>/edit", methods=["GET", "POST"])
@role_required(Role.EXAMINER)
def edit(code: str):
    session = get_session()
    item = authoring.load_item_or_404(code, for_update=request.method == "POST")
    actions = authoring_services.allowed_actions(session, item, current_user)
    if not actions.edit:
        session.rollback()
        return authoring.render_item(
            authoring.load_item_or_404(code), status=409, error=actions.edit_reason
        )
    form_class = ClipForm if item.head.kind == ItemKind.CLIP else ItemForm
    if request.method == "GET":
        form = form_class.from_version(item.head, formdata=None)
        return render_form(form, item=item)
    form = form_class()
    content = checked_content(form, item.code)
    if content is None:
        session.rollback()
        return render_form(form, item=authoring.load_item_or_404(code), status=422)
    try:
        authoring.check_stamp(item, form.base.data)
        version = authoring_services.edit_item(session, item, content, author=current_user)
    except UjisimError as exc:
        session.rollback()
        for problem in getattr(exc, "problems", []):
            form.add_problem(problem.field, problem.message)
        return render_form(
            form, item=authoring.load_item_or_404(code), status=exc.status, error=exc.message
        )
    flash(_("Saved as version %(n)s (draft).", n=version.number), "success")
    return redirect(url_for(".item", code=item.code))


@authoring.bp.get("/<code>/preview")
@role_required(Role.EXAMINER)
def preview(code: str):
    item = authoring.load_item_or_404(code)
    version = authoring.version_or_404(item, request.args.get("version"))
    vehicle_class = request.args.get("class") or version.class_list[0]
    lang = request.args.get("lang") or page_language()
    if vehicle_class not in CLASSES or lang not in LANGUAGES:
        abort(404)
    clip = version.kind == ItemKind.CLIP
    return render_template(
        "question_bank/authoring/preview.html",
        item=item,
        version=version,
        vehicle_class=vehicle_class,
        lang=lang,
        text=version.text(lang),
        media_alt=labels.media_alt(version, lang),
        clip=clip_review.clip_view(version, vehicle_class, lang) if clip else None,
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
    en_options = "\n".join(
        f"{OPTION_LETTERS[i]}. {text}" for i, text in enumerate(content.en.options)
    ) if content.en else ""  # fmt: skip
    media = content.media or {}
    if "sign" in media:
        sign = SIGNS.get(media["sign"])
        media_text = _("Sign: %(id)s", id=media["sign"]) + (f" ({sign.name_id})" if sign else "")
    elif "scene" in media:
        media_text = scene_text(media["scene"])
    elif "clip" in media:  # all of it: a reviewer sees a window or a path that moved
        media_text = clip_text(media["clip"])
    else:
        media_text = _("none")
    return [
        (_("Licence classes"), ", ".join(str(CLASS_LABELS[c]) for c in content.classes)),
        (_("Category"), str(CATEGORY_LABELS.get(content.category, content.category))),
        (_("Topic"), str(TOPIC_LABELS.get(content.topic, content.topic))),
        (_("Difficulty"), str(DIFFICULTY_LABELS.get(content.difficulty, content.difficulty))),
        (_("Used in"), str(PRACTICE_LABELS[content.practice])),
        (_("Question"), content.stem),
        (_("Question in English"), content.en.stem if content.en else ""),
        (_("Options"), options),
        (_("Options in English"), en_options),
        (_("Explanation"), content.explanation),
        (_("Explanation in English"), content.en.explanation if content.en else ""),
        (_("Legal basis"), content.legal_basis),
        (_("Picture"), media_text.strip()),
    ]


@authoring.bp.get("/<code>/diff")
@role_required(Role.EXAMINER)
def diff(code: str):
    item = authoring.load_item_or_404(code)
    head = item.head
    default_a = str(item.versions[-2].number) if len(item.versions) > 1 else str(head.number)
    old = authoring.version_or_404(item, request.args.get("a") or default_a)
    newer = authoring.version_or_404(item, request.args.get("b") or str(head.number))
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
