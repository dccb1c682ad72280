"""Authoring forms (Flask-WTF: CSRF on every form) and the labels of the bank's vocabulary.

The item form only collects and parses what was typed; whether it makes a valid item is decided
by ``content.check_content``, the same checks the YAML files pass. Its English problems are
shown beside the matching field, in the user's language where we know the message.
"""

from __future__ import annotations

import re

from flask import current_app
from flask_babel import format_percent
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    FieldList,
    HiddenField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, Optional, ValidationError

from ujisim.accounts.forms import REQUIRED, MultiCheckboxField
from ujisim.question_bank.labels import (  # noqa: F401 (the authoring pages import them here)
    CATEGORY_LABELS,
    EVENT_LABELS,
    STATE_LABELS,
    STATUS_LABELS,
    TOPIC_LABELS,
)
from ujisim.question_bank.media.signs import GROUPS, SIGNS
from ujisim.question_bank.models import CLASSES, TOPICS, Category
from ujisim.question_bank.scene_text import parse_scene, scene_text

AT_MOST = _l("Use at most %(max)d characters.")
ONE_KEY = _l("Mark exactly one filled-in option as the correct answer.")
CODE_HINT = _l("Two capital letters, a hyphen and three digits, e.g. RB-001.")
OPTION_ROWS = 4
OPTION_LETTERS = "ABCD"
SCENE_MAX_CHARS = 20_000

CLASS_LABELS = {"A": _l("A (car)"), "C": _l("C (motorcycle)")}
DIFFICULTY_LABELS = {1: _l("1 (easy)"), 2: _l("2 (medium)"), 3: _l("3 (hard)")}
PRACTICE_LABELS = {
    True: _l("Practice and official exams"),
    False: _l("Official exams only (reserved)"),
}
SIGN_GROUP_LABELS = {
    "larangan": _l("Prohibition signs"),
    "perintah": _l("Mandatory signs"),
    "peringatan": _l("Warning signs"),
    "petunjuk": _l("Information signs"),
}


class _MinimumReservedShare:
    """``40%``: the deployment's UJISIM_BANK_MIN_RESERVED, read when the text is shown."""

    def __str__(self) -> str:
        return format_percent(current_app.config["BANK_MIN_RESERVED"])


# check_content's problems (English, shared with the CLI) -> what the form shows.
CONTENT_MESSAGES = [
    (r"^code must look like", CODE_HINT),
    (r"^classes must be|^a class is listed twice", _l("Choose class A, class C or both.")),
    (r"^category must be", _l("Choose a category.")),
    (r"^unknown topic", _l("Choose a topic.")),
    (r"^difficulty must be", _l("Choose a difficulty of 1, 2 or 3.")),
    (r"is required$", REQUIRED),
    (r"longer than 255 characters", _l("Use at most %(max)d characters.", max=255)),
    (r"^an item needs 2 to 4 options", _l("Fill in 2 to 4 options.")),
    (r"^exactly one option must be the key", ONE_KEY),
    (r"^two options have the same text", _l("Two options have the same text.")),
    (r"needs a scene$", _l("A hazard-perception item needs a scene.")),
    (r"^unknown sign", _l("Choose a sign from the list.")),
    (r"^practice must be", _l("Choose where the item may be used.")),
    (r"^group must be", _l("Use lower-case letters, digits, - and _ (at most 40 characters).")),
]


def content_message(message: str):
    """The user-facing text of a ``check_content`` problem (scene problems stay technical)."""
    for pattern, text in CONTENT_MESSAGES:
        if re.search(pattern, message):
            return text
    return message


def choices(pairs, empty: bool = True) -> list[SelectChoice]:
    """Select options from (value, label) pairs, led by an empty "choose" option."""
    lead = [SelectChoice("", "—")] if empty else []
    return lead + [SelectChoice(str(value), label) for value, label in pairs]


def sign_choices() -> list[SelectChoice]:
    """Signs for the select, grouped like the regulation and sorted by their Indonesian name."""
    options = [SelectChoice("", _l("— no sign —"))]
    for group in GROUPS:
        label = str(SIGN_GROUP_LABELS[group])
        signs = sorted((s for s in SIGNS.values() if s.group == group), key=lambda s: s.name_id)
        options += [SelectChoice(s.id, f"{s.name_id} ({s.id})", optgroup=label) for s in signs]
    return options


class ItemForm(FlaskForm):
    """One item's content. ``code`` is only filled in when creating."""

    #: the head version (number:hash) the editor started from, to notice concurrent changes
    base = HiddenField()
    code = StringField(
        _l("Code"),
        filters=[lambda v: (v or "").strip().upper()],
        description=CODE_HINT,
        render_kw={"autocapitalize": "characters", "autocomplete": "off", "maxlength": 6},
    )
    classes = MultiCheckboxField(
        _l("Licence classes"),
        choices=choices(((c, CLASS_LABELS[c]) for c in CLASSES), empty=False),
        validate_choice=False,
    )
    category = SelectField(
        _l("Category"),
        choices=choices((c.value, CATEGORY_LABELS[c]) for c in Category),
        validate_choice=False,
    )
    topic = SelectField(
        _l("Topic"),
        choices=choices((t, TOPIC_LABELS[t]) for t in TOPICS),
        validate_choice=False,
    )
    difficulty = SelectField(
        _l("Difficulty"),
        choices=choices(DIFFICULTY_LABELS.items()),
        validate_choice=False,
    )
    practice = RadioField(
        _l("Used in"),
        description=_l(
            "A reserved item never appears on a practice page, with or without its answer. "
            "A bank version is published only with at least %(share)s of its items reserved.",
            share=_MinimumReservedShare(),
        ),
        choices=choices((("1" if k else "0", v) for k, v in PRACTICE_LABELS.items()), empty=False),
        validate_choice=False,
    )
    stem = TextAreaField(
        _l("Question"),
        validators=[Length(max=2000, message=AT_MOST)],
        render_kw={"rows": 4},
    )
    #: the English of the question, the options (row by row) and the explanation: every item
    #: is in both languages (translation.py), checked with the Indonesian fields' messages
    en_stem = TextAreaField(
        _l("Question in English"),
        validators=[Length(max=2000, message=AT_MOST)],
        render_kw={"rows": 4, "lang": "en"},
    )
    options = FieldList(
        StringField(validators=[Length(max=500, message=AT_MOST)]),
        min_entries=OPTION_ROWS,
        max_entries=OPTION_ROWS,
    )
    en_options = FieldList(
        StringField(validators=[Length(max=500, message=AT_MOST)], render_kw={"lang": "en"}),
        min_entries=OPTION_ROWS,
        max_entries=OPTION_ROWS,
    )
    key = RadioField(
        _l("Correct answer"),
        choices=choices(((i, OPTION_LETTERS[i]) for i in range(OPTION_ROWS)), empty=False),
        validate_choice=False,
    )
    explanation = TextAreaField(
        _l("Explanation"),
        description=_l("Shown to candidates after practice questions."),
        validators=[Length(max=4000, message=AT_MOST)],
        render_kw={"rows": 4},
    )
    en_explanation = TextAreaField(
        _l("Explanation in English"),
        validators=[Length(max=4000, message=AT_MOST)],
        render_kw={"rows": 4, "lang": "en"},
    )
    legal_basis = StringField(
        _l("Legal basis"),
        description=_l("e.g. UU 22/2009 Pasal 106 ayat (4)"),
        validators=[Length(max=255, message=AT_MOST)],
    )
    group = StringField(
        _l("Enemy group"),
        description=_l(
            "Items that test the same rule share one group name (e.g. zebra-cross-priority); "
            "an official paper never holds two items of one group. Leave empty if none."
        ),
        validators=[Length(max=40, message=AT_MOST)],
    )
    sign = SelectField(_l("Traffic sign"), choices=[], validate_choice=False)
    scene = TextAreaField(
        _l("Scene (JSON or YAML)"),
        description=_l(
            "A road scene drawn for each class, written like the scenes in the bank's YAML files. "
            "Give its description in English as title_en, and a caption's English as label_en."
        ),
        validators=[Length(max=SCENE_MAX_CHARS, message=AT_MOST)],
        render_kw={"rows": 12, "spellcheck": "false", "autocapitalize": "off"},
    )

    def __init__(self, *args, creating: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.creating = creating
        self.sign.choices = sign_choices()
        self.scene_data = None
        #: problems of the options as a group (count, key, duplicates), shown above the rows
        self.options_errors: list = []
        #: the same for the English options
        self.en_options_errors: list = []
        #: the option rows filled in, in order (an English problem names the row it is in)
        self.rows: list[int] = []
        if not creating:
            del self.code

    @property
    def has_problems(self) -> bool:
        self._errors = None  # WTForms caches ``errors``; problems are added after validate()
        return bool(self.errors or self.options_errors or self.en_options_errors)

    def validate_sign(self, field) -> None:
        if field.data and (self.scene.data or "").strip():
            raise ValidationError(_l("Choose either a sign or a scene, not both."))

    def validate_scene(self, field) -> None:
        if len(field.data or "") > SCENE_MAX_CHARS:
            return  # the length check has said so; do not parse a huge text
        if (field.data or "").strip():
            try:
                self.scene_data = parse_scene(field.data)
            except ValueError as exc:
                raise ValidationError(str(exc.args[0])) from exc

    def raw_content(self, code: str) -> dict:
        """The typed content in the shape ``check_content`` expects (empty option rows dropped)."""
        self.rows = [i for i, text in enumerate(self.options.data) if (text or "").strip()]
        options = [
            {"text": self.options.data[i].strip(), "key": str(i) == self.key.data}
            for i in self.rows
        ]
        difficulty = self.difficulty.data
        media = None
        if self.sign.data:
            media = {"sign": self.sign.data}
        elif self.scene_data is not None:
            media = {"scene": self.scene_data}
        return {
            "code": code,
            "classes": list(self.classes.data or []),
            "category": self.category.data,
            "topic": self.topic.data,
            "difficulty": int(difficulty) if (difficulty or "").isdigit() else difficulty,
            "practice": {"1": True, "0": False}.get(self.practice.data or ""),
            "stem": self.stem.data or "",
            "options": options,
            "explanation": self.explanation.data or "",
            "legal_basis": self.legal_basis.data or "",
            "group": (self.group.data or "").strip(),
            "media": media,
            **({"en": english} if (english := self._english()) else {}),
        }

    def _english(self) -> dict | None:
        """The typed English (None when none was typed): the English option of each filled-in
        Indonesian row, so that the key is the same option in both languages."""
        texts = [(text or "").strip() for text in self.en_options.data]
        stem, explanation = (
            (self.en_stem.data or "").strip(),
            (self.en_explanation.data or "").strip(),
        )
        if not (stem or explanation or any(texts)):
            return None
        for row, text in enumerate(texts):
            if text and row not in self.rows:
                self.en_options_errors.append(
                    _l("Option %(letter)s has English but no Indonesian text.",
                       letter=OPTION_LETTERS[row])
                )  # fmt: skip
        return {"stem": stem, "options": [texts[i] for i in self.rows], "explanation": explanation}

    def add_problem(self, problem_field: str, message) -> None:
        """Show a ``check_content`` or service problem beside the field it is about."""
        name = problem_field.split(".")[0].split("[")[0]
        text = content_message(str(message))
        if name == "options":
            self.options_errors.append(text)
            return
        if name == "en":
            self._add_english_problem(problem_field, text)
            return
        if problem_field == "media.scene":
            field, text = self.scene, str(_l("Scene: %(problem)s", problem=text))
        elif name == "media":
            field = self.sign if self.sign.data else self.scene
        elif name == "code" and not self.creating:
            field = self.stem  # cannot happen: the code is not editable
        else:
            field = getattr(self, name, None)
            field = field if field is not None else self.stem
        field.errors = [*field.errors, text]

    def _add_english_problem(self, problem_field: str, text) -> None:
        part = problem_field.partition(".")[2]
        if part.startswith("options["):
            index = int(part[8 : part.index("]")])
            row = self.rows[index] if index < len(self.rows) else index
            text = _l("Write option %(letter)s in English too.", letter=OPTION_LETTERS[row])
        if part.startswith("options"):
            self.en_options_errors.append(text)
            return
        field = self.en_explanation if part == "explanation" else self.en_stem
        field.errors = [*field.errors, text]

    @classmethod
    def from_version(cls, version, **kwargs) -> ItemForm:
        """A form filled with a stored version's content."""
        media = version.media or {}
        options = [o["text"] for o in version.options]
        english = version.translations.get("en", {})
        en_options = english.get("options", [])
        form = cls(
            data={
                "base": version_stamp(version),
                "classes": version.class_list,
                "category": version.category,
                "topic": version.topic,
                "difficulty": str(version.difficulty),
                "practice": "1" if version.practice else "0",
                "stem": version.stem,
                "options": options + [""] * (OPTION_ROWS - len(options)),
                "key": str(version.key_index),
                "explanation": version.explanation,
                "en_stem": english.get("stem", ""),
                "en_options": en_options + [""] * (OPTION_ROWS - len(en_options)),
                "en_explanation": english.get("explanation", ""),
                "legal_basis": version.legal_basis,
                "group": version.enemy_group,
                "sign": media.get("sign", ""),
                "scene": scene_text(media["scene"]) if "scene" in media else "",
            },
            **kwargs,
        )
        return form


def version_stamp(version) -> str:
    """What a form saw of the head version; a different stamp on submit means it changed."""
    return f"{version.number}:{version.state}:{version.content_hash[:16]}"


class ActionForm(FlaskForm):
    """A review action on the head version the examiner was looking at."""

    stamp = HiddenField()


class ApproveForm(ActionForm):
    approve_comment = TextAreaField(
        _l("Comment (optional)"),
        validators=[Optional(), Length(max=2000, message=AT_MOST)],
        render_kw={"rows": 2},
    )


class ReturnForm(ActionForm):
    return_comment = TextAreaField(
        _l("What needs to change"),
        validators=[
            DataRequired(_l("Say what needs to change.")),
            Length(max=2000, message=AT_MOST),
        ],
        render_kw={"rows": 3},
    )


class RetireForm(ActionForm):
    retire_comment = TextAreaField(
        _l("Reason for retiring"),
        description=_l("Published bank versions keep the item; new ones leave it out."),
        validators=[DataRequired(REQUIRED), Length(max=2000, message=AT_MOST)],
        render_kw={"rows": 2},
    )


class PublishForm(FlaskForm):
    """Publish the active items; ``expected`` is the bank version number the examiner saw as
    the latest (0: none), so a second click or a stale tab cannot publish twice."""

    expected = HiddenField()
