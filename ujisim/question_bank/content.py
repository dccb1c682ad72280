"""Item content as plain data: checks shared by YAML files, authoring forms and QTI packages,
the canonical form and its hash, and the YAML loader that reports file:line:field."""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, replace
from pathlib import Path

import yaml

from ujisim.question_bank.media.clip_spec import validate_clip
from ujisim.question_bank.media.scene_spec import validate_scene
from ujisim.question_bank.media.signs import SIGNS
from ujisim.question_bank.models import CLASSES, TOPICS, Category
from ujisim.question_bank.translation import Translation, check_translation

DATA_DIR = Path(__file__).resolve().parent / "data"
CODE_RE = re.compile(r"^[A-Z]{2}-\d{3}$")
#: an enemy group's name: items of one group test the same rule and never share a paper
GROUP_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,39}$")
FIELDS = {"code", "topic", "classes", "category", "difficulty", "practice", "stem", "media",
          "options", "explanation", "legal_basis", "group", "demo", "en"}  # fmt: skip
#: the share of a bank's items (per class) that must be reserved for official exams, unless the
#: deployment configures another (UJISIM_BANK_MIN_RESERVED)
DEFAULT_MIN_RESERVED = 0.4


@dataclass(frozen=True)
class Option:
    text: str
    key: bool = False


@dataclass(frozen=True)
class ItemContent:
    code: str
    classes: tuple[str, ...]
    category: str
    topic: str
    stem: str
    options: tuple[Option, ...]
    explanation: str
    legal_basis: str
    difficulty: int
    media: dict | None = None
    #: False: reserved for official exams, never shown on a practice page (with or without key)
    practice: bool = True
    #: enemy group ("" for none): no paper holds two items of one group
    group: str = ""
    #: part of the demo set shipped in the repository: a production deployment neither
    #: publishes nor draws a reserved demo item (its key is public)
    demo: bool = False
    #: the English of the stem, options and explanation (translation.py); None: not written yet
    #: (the item loads, the publish gate refuses it)
    en: Translation | None = None

    def canonical(self) -> dict:
        """Everything that defines the item, in a fixed shape (hashing, export, diff).

        ``practice`` appears only for a reserved item, ``group``, ``demo`` and ``en`` only when
        set, so the hashes of items published before the fields existed stay what they were.
        """
        reserved = {} if self.practice else {"practice": False}
        grouped = {"group": self.group} if self.group else {}
        demo = {"demo": True} if self.demo else {}
        english = {"en": self.en.canonical()} if self.en else {}
        return {
            "code": self.code,
            "classes": list(self.classes),
            "category": self.category,
            "topic": self.topic,
            "stem": self.stem,
            "options": [{"text": o.text, "key": o.key} for o in self.options],
            "explanation": self.explanation,
            "legal_basis": self.legal_basis,
            "difficulty": self.difficulty,
            "media": self.media,
            **reserved,
            **grouped,
            **demo,
            **english,
        }

    def in_language(self, lang: str) -> ItemContent:
        """The item as a reader of ``lang`` sees it: in English its English stem, options (each
        keeping its place, so the key stays the key) and explanation; itself in Indonesian, and
        when it has no English or English with another number of options."""
        if lang != "en" or self.en is None or len(self.en.options) != len(self.options):
            return self
        options = tuple(
            Option(t, o.key) for t, o in zip(self.en.options, self.options, strict=True)
        )
        return replace(
            self, stem=self.en.stem, options=options, explanation=self.en.explanation, en=None
        )

    @property
    def content_hash(self) -> str:
        blob = json.dumps(
            self.canonical(), sort_keys=True, ensure_ascii=False, separators=(",", ":")
        )
        return hashlib.sha256(blob.encode()).hexdigest()


@dataclass(frozen=True)
class Problem:
    """One problem, located as precisely as the source allows."""

    field: str
    message: str
    file: str = ""
    line: int = 0
    code: str = ""

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}:" if self.file else ""
        who = f" [{self.code}]" if self.code else ""
        return f"{where}{self.field}:{who} {self.message}"


def normalise_stem(stem: str) -> str:
    return " ".join(re.sub(r"[^\w\s]", "", stem.lower()).split())


def is_clip(media) -> bool:
    """Whether an item's media is a moving clip (scored by clicks, no options)."""
    return isinstance(media, dict) and "clip" in media


def check_media(media, category: str) -> list[tuple[str, str]]:
    """Problems of a media reference: (field, message) pairs."""

    if media is None:
        if category == Category.PERSEPSI_BAHAYA:
            return [("media", "a persepsi_bahaya item needs a scene")]
        return []
    if (
        not isinstance(media, dict)
        or len(media) != 1
        or not ({"sign", "scene", "clip"} & set(media))
    ):
        return [("media", "media must be {sign: ID}, {scene: {...}} or {clip: {...}}")]
    if "clip" in media:
        if category != Category.PERSEPSI_BAHAYA:
            return [("media.clip", "a clip is a persepsi_bahaya item")]
        return [("media.clip", problem) for problem in validate_clip(media["clip"])]
    if "sign" in media:
        if media["sign"] not in SIGNS:
            return [("media.sign", f"unknown sign {media['sign']!r}")]
        return []
    return [("media.scene", problem) for problem in validate_scene(media["scene"])]


def check_content(raw: dict) -> tuple[ItemContent | None, list[tuple[str, str]]]:
    """Check one item given as a mapping; return the content (if valid) and (field, message)."""
    problems: list[tuple[str, str]] = []
    unknown = set(raw) - FIELDS
    if unknown:
        problems.append((sorted(unknown)[0], f"unknown field(s): {', '.join(sorted(unknown))}"))
    code = raw.get("code")
    if not isinstance(code, str) or not CODE_RE.match(code):
        problems.append(("code", "code must look like RB-001"))
    classes = raw.get("classes")
    if not isinstance(classes, list) or not classes or not set(classes) <= set(CLASSES):
        problems.append(("classes", "classes must be a non-empty list of A and/or C"))
    elif len(set(classes)) != len(classes):
        problems.append(("classes", "a class is listed twice"))
    category = raw.get("category")
    if category not in set(Category):
        problems.append(("category", f"category must be one of {', '.join(Category)}"))
    if raw.get("topic") not in TOPICS:
        problems.append(("topic", f"unknown topic {raw.get('topic')!r}"))
    difficulty = raw.get("difficulty")
    if not isinstance(difficulty, int) or isinstance(difficulty, bool) or not 1 <= difficulty <= 3:
        problems.append(("difficulty", "difficulty must be 1, 2 or 3"))
    for name in ("stem", "explanation", "legal_basis"):
        value = raw.get(name)
        if not isinstance(value, str) or not value.strip():
            problems.append((name, f"{name} is required"))
    if isinstance(raw.get("legal_basis"), str) and len(raw["legal_basis"]) > 255:
        problems.append(("legal_basis", "legal_basis is longer than 255 characters"))
    if not isinstance(raw.get("practice"), bool):
        problems.append(
            ("practice", "practice must be true (practice and exams) or false (exams only)")
        )
    group = raw.get("group", "")
    if not isinstance(group, str) or (group and not GROUP_RE.match(group)):
        problems.append(
            ("group", "group must be a name of lower-case letters, digits, - and _ (max 40)")
        )
    if not isinstance(raw.get("demo", False), bool):
        problems.append(("demo", "demo must be true or false"))
    clip = is_clip(raw.get("media"))
    if clip:  # clicks, not a choice: no options
        options = ()
        if raw.get("options", []) != []:
            problems.append(("options", "a clip has no options (options: [])"))
    else:
        options = _check_options(raw.get("options"), problems)
    problems += check_media(raw.get("media"), category)
    english = None
    if raw.get("en") is not None:
        english, found = check_translation(raw["en"], clip=clip)
        problems += found
    if problems:
        return None, problems
    content = ItemContent(
        code=code,
        classes=tuple(c for c in CLASSES if c in classes),
        category=category,
        topic=raw["topic"],
        stem=raw["stem"].strip(),
        options=options,
        explanation=raw["explanation"].strip(),
        legal_basis=raw["legal_basis"].strip(),
        difficulty=difficulty,
        media=raw.get("media"),
        practice=raw["practice"],
        group=group,
        demo=raw.get("demo", False),
        en=english,
    )
    return content, []


def _check_options(options, problems: list) -> tuple[Option, ...]:
    if not isinstance(options, list) or not 2 <= len(options) <= 4:
        problems.append(("options", "an item needs 2 to 4 options"))
        return ()
    parsed = []
    for index, option in enumerate(options):
        text = option.get("text") if isinstance(option, dict) else None
        if not isinstance(text, str) or not text.strip():
            problems.append((f"options[{index}].text", "option text is required"))
            continue
        key = option.get("key", False)
        if not isinstance(key, bool):
            problems.append((f"options[{index}].key", "key must be true or false"))
        parsed.append(Option(text.strip(), key is True))
    keys = sum(o.key for o in parsed)
    if len(parsed) == len(options) and keys != 1:
        problems.append(("options", f"exactly one option must be the key (found {keys})"))
    texts = [o.text.casefold() for o in parsed]
    if len(set(texts)) != len(texts):
        problems.append(("options", "two options have the same text"))
    return tuple(parsed)


class _LineLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):
    """Records the line of every mapping and of each of its keys. libyaml's parser when PyYAML
    has it (about 4x faster on the shipped bank: 0.13 s against 0.56 s of CPU), with the same
    data and marks; a file it refuses is read again by the pure-Python parser, whose messages
    the author sees (libyaml words them differently)."""


class _PyLineLoader(yaml.SafeLoader):
    """The pure-Python parser, for the problem of a file that does not parse."""


def _construct_mapping(loader, node, deep=False):
    mapping = yaml.constructor.SafeConstructor.construct_mapping(loader, node, deep=deep)
    mapping["__line__"] = node.start_mark.line + 1
    mapping["__lines__"] = {k.value: k.start_mark.line + 1 for k, _v in node.value}
    return mapping


for _loader in (_LineLoader, _PyLineLoader):
    _loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def _strip_lines(value):
    if isinstance(value, dict):
        return {k: _strip_lines(v) for k, v in value.items() if k not in ("__line__", "__lines__")}
    if isinstance(value, list):
        return [_strip_lines(v) for v in value]
    return value


def _line_of(raw: dict, field_name: str) -> int:
    head = field_name.split(".")[0].split("[")[0]
    if head == "en" and "." in field_name and isinstance(raw.get("en"), dict):
        inner = field_name.split(".", 1)[1].split("[")[0]
        return raw["en"]["__lines__"].get(inner, raw["en"]["__line__"])
    if field_name.startswith("options[") and isinstance(raw.get("options"), list):
        index = int(field_name[8 : field_name.index("]")])
        if index < len(raw["options"]) and isinstance(raw["options"][index], dict):
            return raw["options"][index]["__line__"]
    return raw.get("__lines__", {}).get(head, raw.get("__line__", 0))


def _item_line(path: Path, index: int) -> int:
    """The line of the ``index``-th entry of the file's ``items`` list (a scalar entry has no
    line of its own in the loaded data, so the node graph is read again; rare and small)."""
    root = yaml.compose(path.read_text(encoding="utf-8"), Loader=yaml.SafeLoader)
    items = next(value for key, value in root.value if key.value == "items")
    return items.value[index].start_mark.line + 1


def load_file(path: Path) -> tuple[list[tuple[ItemContent, int]], list[Problem]]:
    """Parse one topic file into (content, line) pairs; every problem names file, line, field."""
    name = path.name
    text = path.read_text(encoding="utf-8")
    try:
        try:
            document = yaml.load(text, Loader=_LineLoader)  # noqa: S506 (safe: a SafeLoader)
        except yaml.YAMLError:
            document = yaml.load(text, Loader=_PyLineLoader)  # noqa: S506 (the same, in Python)
    except yaml.YAMLError as exc:
        line = exc.problem_mark.line + 1 if getattr(exc, "problem_mark", None) else 0
        return [], [Problem("yaml", str(getattr(exc, "problem", exc)), name, line)]
    if not isinstance(document, dict) or not isinstance(document.get("items"), list):
        return [], [Problem("items", "the file needs a top-level 'items' list", name, 1)]
    default_topic = document.get("topic")
    #: ``demo: true`` at the top of a file marks all its items as the demo set
    file_demo = document.get("demo", False)
    if not isinstance(file_demo, bool):
        return [], [Problem("demo", "demo must be true or false", name, 1)]
    contents, problems = [], []
    for index, raw in enumerate(document["items"]):
        if not isinstance(raw, dict):
            line = _item_line(path, index)
            problems.append(Problem("item", "each item must be a mapping", name, line))
            continue
        data = _strip_lines(raw)
        data.setdefault("topic", default_topic)
        if file_demo:
            data.setdefault("demo", True)
        content, found = check_content(data)
        code = data.get("code", "") if isinstance(data.get("code"), str) else ""
        problems += [Problem(f, m, name, _line_of(raw, f), code) for f, m in found]
        if content is not None:
            contents.append((content, raw["__line__"]))
    return contents, problems


def reserved_shares(items: Iterable[tuple[Collection[str], bool]]) -> dict[str, tuple[int, int]]:
    """Class -> (items reserved for official exams, items), from (classes, practice) pairs."""
    counts = {c: [0, 0] for c in CLASSES}
    for classes, practice in items:
        for vehicle_class in classes:
            counts[vehicle_class][0] += not practice
            counts[vehicle_class][1] += 1
    return {c: (r, n) for c, (r, n) in counts.items()}


def reserved_shortfalls(
    items: Iterable[tuple[Collection[str], bool]], minimum: float
) -> dict[str, tuple[int, int]]:
    """The classes of ``reserved_shares`` whose reserved share is below ``minimum`` (0.4 =
    40 %): practice must not be able to show most of an exam's pool."""
    return {c: (r, n) for c, (r, n) in reserved_shares(items).items() if n and r < minimum * n}


def reserved_problems(items: list[ItemContent], minimum: float) -> list[Problem]:
    """``reserved_shortfalls`` of item contents as problems for ``flask bank validate``."""
    found = reserved_shortfalls(((i.classes, i.practice) for i in items), minimum)
    return [
        Problem("practice", f"only {r} of {n} SIM {c} items ({r / n:.0%}) are reserved for "
                            f"official exams (practice: false); at least {minimum:.0%} must be")
        for c, (r, n) in found.items()
    ]  # fmt: skip


def load_dir(directory: Path = DATA_DIR) -> tuple[list[ItemContent], list[Problem]]:
    """Items and problems (duplicate codes and stems too) of every ``*.yaml`` in ``directory``
    and in its ``clips`` folder (hazard-perception clips)."""
    items: list[ItemContent] = []
    problems: list[Problem] = []
    codes: dict[str, str] = {}
    stems: dict[str, str] = {}
    paths = sorted(directory.glob("*.yaml")) + sorted((directory / "clips").glob("*.yaml"))
    for path in paths:
        found, trouble = load_file(path)
        problems += trouble
        for content, line in found:
            stem = normalise_stem(content.stem)
            if content.code in codes:
                message = f"duplicate code (first at {codes[content.code]})"
                problems.append(Problem("code", message, path.name, line, content.code))
            elif stem in stems:
                message = f"same stem as {stems[stem]}"
                problems.append(Problem("stem", message, path.name, line, content.code))
            else:
                codes[content.code] = f"{path.name}:{line}"
                stems[stem] = content.code
                items.append(content)
    return items, problems
