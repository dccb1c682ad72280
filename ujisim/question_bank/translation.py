"""An item's English (issue 20, point 5): every item is written in Bahasa Indonesia and English,
for meaning, not word by word.

YAML files, the authoring form and QTI packages carry the English of an item in an ``en`` block:
``stem``, ``options`` (plain texts, as many as the Indonesian options and in their order: the
key is the option at the same position) and ``explanation``. The legal basis is not translated.
A scene carries its own English text (``title_en``, ``label_en``: media/scene_spec.py), a sign
its English name (``name_en``: media/signs.py).

An item without ``en`` still loads, so packages written before it existed import; the publish
gate refuses it (lint rule ``translation_missing``), English with another number of options
(``translation_options``) and a scene without its English description or captions
(``translation_media``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from ujisim.question_bank.lint_flags import ERROR, Flag

#: the languages of item content; the first is the one items are written in
LANGUAGES = ("id", "en")
FIELDS = ("stem", "options", "explanation")


@dataclass(frozen=True)
class Translation:
    """The English of an item's stem, options (in the Indonesian order) and explanation."""

    stem: str
    options: tuple[str, ...]
    explanation: str

    def canonical(self) -> dict:
        return {"stem": self.stem, "options": list(self.options), "explanation": self.explanation}

    @classmethod
    def from_data(cls, data: dict | None) -> Translation | None:
        """The translation of ``canonical()`` data (as stored), or None."""
        if not data:
            return None
        return cls(data["stem"], tuple(data["options"]), data["explanation"])


def check_translation(
    raw, *, clip: bool = False
) -> tuple[Translation | None, list[tuple[str, str]]]:
    """The ``en`` block of an item: the translation and (field, message) problems. The messages
    are those of the Indonesian fields, so the authoring form words them the same way. A
    ``clip`` has no options (``options: []``)."""
    if not isinstance(raw, dict):
        return None, [("en", "en must be a mapping of stem, options and explanation")]
    problems: list[tuple[str, str]] = []
    unknown = set(raw) - set(FIELDS)
    if unknown:
        problems.append(("en", f"unknown field(s) in en: {', '.join(sorted(unknown))}"))
    for name in ("stem", "explanation"):
        value = raw.get(name)
        if not isinstance(value, str) or not value.strip():
            problems.append((f"en.{name}", f"{name} is required"))
    options = raw.get("options")
    texts: list[str] = []
    if clip:
        if options not in (None, []):
            problems.append(("en.options", "a clip has no options (options: [])"))
    elif not isinstance(options, list) or not 2 <= len(options) <= 4:
        problems.append(("en.options", "an item needs 2 to 4 options"))
    else:
        for index, text in enumerate(options):
            if not isinstance(text, str) or not text.strip():
                problems.append((f"en.options[{index}]", "option text is required"))
            else:
                texts.append(text.strip())
        folded = [t.casefold() for t in texts]
        if len(set(folded)) != len(folded):
            problems.append(("en.options", "two options have the same text"))
    if problems:
        return None, problems
    return Translation(raw["stem"].strip(), tuple(texts), raw["explanation"].strip()), []


class Translated(Protocol):
    """What the gate reads of an item (``content.ItemContent``) about its English."""

    code: str
    options: Sequence
    media: dict | None
    en: Translation | None


def translation_flags(item: Translated) -> list[Flag]:
    """The publish gate's findings about an item's English, all errors: none at all, another
    number of options, or a scene whose description or captions have no English."""
    flags = []
    if item.en is None:
        flags.append(Flag("translation_missing", ERROR, (item.code,)))
    elif len(item.en.options) != len(item.options):
        params = {"id": len(item.options), "en": len(item.en.options)}
        flags.append(Flag("translation_options", ERROR, (item.code,), params))
    scene = (item.media or {}).get("scene")
    if scene and (
        not scene.get("title_en")
        or any(o.get("label") and not o.get("label_en") for o in scene.get("objects", []))
    ):
        flags.append(Flag("translation_media", ERROR, (item.code,)))
    return flags
