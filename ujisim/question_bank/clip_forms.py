"""The clip form: a hazard-perception clip item (``ItemKind.CLIP``) as examiners write it, its
fields as the item form's (the same definitions) and its clip spec typed as YAML or JSON.

As with the item form, the form only collects and parses what was typed; ``content.check_content``
decides whether it is a valid item, and each of its problems is shown beside the field it is
about (the clip spec's own problems, ``clip_spec.validate_clip``'s, stay technical and English,
as the CLI prints them and as scene problems are).
"""

from __future__ import annotations

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from ujisim.accounts.forms import REQUIRED
from ujisim.question_bank.forms import (
    AT_MOST,
    SCENE_MAX_CHARS,
    ItemForm,
    content_message,
    version_stamp,
)
from ujisim.question_bank.models import Category
from ujisim.question_bank.scene_text import clip_text, parse_clip


class ClipForm(FlaskForm):
    """One clip item's content. ``code`` is only filled in when creating. Its category is always
    hazard perception (``check_content`` refuses a clip of another)."""

    base = ItemForm.base
    code = ItemForm.code
    classes = ItemForm.classes
    topic = ItemForm.topic
    difficulty = ItemForm.difficulty
    practice = ItemForm.practice
    stem = TextAreaField(
        _l("Situation"),
        description=_l(
            "Shown above the clip: where we are and what we do, never the hazard "
            "(e.g. A residential street in the afternoon, houses on both sides)."
        ),
        validators=[Length(max=2000, message=AT_MOST)],
        render_kw={"rows": 2},
    )
    en_stem = TextAreaField(
        _l("Situation in English"),
        validators=[Length(max=2000, message=AT_MOST)],
        render_kw={"rows": 2, "lang": "en"},
    )
    explanation = ItemForm.explanation
    en_explanation = ItemForm.en_explanation
    legal_basis = ItemForm.legal_basis
    group = ItemForm.group
    clip = TextAreaField(
        _l("Clip (YAML or JSON)"),
        description=_l(
            "The road, our speed, the road users with their paths and the scoring windows, "
            "written like the clips in the bank's YAML files (their words are listed at the top "
            "of question_bank/media/clip_spec.py). Give its description in English as title_en."
        ),
        validators=[DataRequired(REQUIRED), Length(max=SCENE_MAX_CHARS, message=AT_MOST)],
        render_kw={"rows": 24, "spellcheck": "false", "autocapitalize": "off"},
    )

    def __init__(self, *args, creating: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.creating = creating
        self.clip_data = None
        if not creating:
            del self.code

    @property
    def has_problems(self) -> bool:
        self._errors = None  # WTForms caches ``errors``; problems are added after validate()
        return bool(self.errors)

    def validate_clip(self, field) -> None:
        if len(field.data or "") > SCENE_MAX_CHARS:
            return  # the length check has said so; do not parse a huge text
        if (field.data or "").strip():
            try:
                self.clip_data = parse_clip(field.data)
            except ValueError as exc:
                raise ValidationError(str(exc.args[0])) from exc

    def raw_content(self, code: str) -> dict:
        """The typed content in the shape ``check_content`` expects."""
        difficulty = self.difficulty.data
        stem, explanation = (self.en_stem.data or "").strip(), (self.en_explanation.data or "")
        english = {"stem": stem, "options": [], "explanation": explanation.strip()}
        return {
            "code": code,
            "classes": list(self.classes.data or []),
            "category": Category.PERSEPSI_BAHAYA.value,
            "topic": self.topic.data,
            "difficulty": int(difficulty) if (difficulty or "").isdigit() else difficulty,
            "practice": {"1": True, "0": False}.get(self.practice.data or ""),
            "stem": self.stem.data or "",
            "options": [],
            "explanation": self.explanation.data or "",
            "legal_basis": self.legal_basis.data or "",
            "group": (self.group.data or "").strip(),
            "media": {"clip": self.clip_data} if self.clip_data is not None else None,
            # no English typed: none (the item saves; the publish gate asks for it)
            **({"en": english} if english["stem"] or english["explanation"] else {}),
        }

    def add_problem(self, problem_field: str, message) -> None:
        """Show a ``check_content`` or service problem beside the field it is about."""
        name = problem_field.split(".")[0].split("[")[0]
        if problem_field.startswith("media.clip"):
            # a plain string, escaped on the page: the problem quotes what was typed (a lazy
            # string would be taken as safe HTML)
            field, text = self.clip, _("Clip: %(problem)s", problem=message)
        elif name == "media":
            field, text = self.clip, content_message(str(message))
        elif name == "en":
            part = problem_field.partition(".")[2]
            field = self.en_explanation if part == "explanation" else self.en_stem
            text = content_message(str(message))
        else:
            field = getattr(self, name, None) if name != "code" or self.creating else None
            field, text = field if field is not None else self.stem, content_message(str(message))
        field.errors = [*field.errors, text]

    @classmethod
    def from_version(cls, version, **kwargs) -> ClipForm:
        """A form filled with a stored clip version's content."""
        english = version.translations.get("en", {})
        return cls(
            data={
                "base": version_stamp(version),
                "classes": version.class_list,
                "topic": version.topic,
                "difficulty": str(version.difficulty),
                "practice": "1" if version.practice else "0",
                "stem": version.stem,
                "explanation": version.explanation,
                "en_stem": english.get("stem", ""),
                "en_explanation": english.get("explanation", ""),
                "legal_basis": version.legal_basis,
                "group": version.enemy_group,
                "clip": clip_text(version.media["clip"]),
            },
            **kwargs,
        )
