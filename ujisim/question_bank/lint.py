"""The publish gate: checks that no surface cue finds an item's key, that items testing the
same rule are grouped, and that the official pool is big and secret.

The rules are the item-writing guidance exam bodies follow (Haladyna, Downing & Rodriguez 2002,
"A review of multiple-choice item-writing guidelines"): options parallel in form and similar in
length, no word from the stem repeated in the key only, no "all/none of the above", no absolute
terms that give the answer away. Each rule is measured the way a test-wise candidate would
exploit it (``cues.py``; bench/cue_bots.py plays those candidates against the real draw).

Items are in Bahasa Indonesia and English (translation.py): one without English (or with another
number of English options) is refused; the option cues run on the English too (``Flag.lang``).

``lint_items`` takes plain contents (YAML files, QTI packages, the active versions of the
database) and returns flags; an ``error`` flag stops a bank version from being published, a
``warning`` is shown to the examiners. Messages are built at display time in the reader's
language (``Flag.message``, ``lint_flags.py``).

Run on files while writing content: ``python -m ujisim.question_bank.lint [DIR]``.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from flask_babel import gettext as _

from ujisim.question_bank.clip_lint import clip_flags
from ujisim.question_bank.content import (
    DATA_DIR,
    ItemContent,
    Problem,
    is_clip,
    load_dir,
    load_file,
    reserved_shortfalls,
)
from ujisim.question_bank.cues import (
    ABSOLUTE,
    ALL_NONE,
    key_is_longest,
    key_is_shortest,
    key_overlaps_most,
    near_pairs,
    words,
)
from ujisim.question_bank.lint_flags import ERROR, WARNING, Flag
from ujisim.question_bank.media import render_media
from ujisim.question_bank.media.signs import SIGNS
from ujisim.question_bank.models import CLASSES, Category
from ujisim.question_bank.translation import translation_flags

#: the key of a blueprint's clip count among its category counts (``pool_flags``)
CLIPS = "clips"


@dataclass(frozen=True)
class Rules:
    """The limits; each can be set per deployment (``BANK_LINT`` in the config)."""

    #: per class and category: the largest share of items whose key is the single longest option
    key_longest_max: float = 0.35
    #: per class and category: the least share of items whose key is (one of) the shortest
    key_shortest_min: float = 0.15
    #: per item: the longest option at most this many times the shortest (characters)
    length_ratio_max: float = 2.0
    #: a word in at least this many options of a class must appear in keys and distractors
    word_min_options: int = 5
    #: a word in at least ``skew_min_options`` options whose share among keys is this many
    #: standard deviations from chance is reported (a learner of the public keys would use it)
    skew_min_options: int = 10
    skew_z: float = 3.3
    #: per class and category: the largest share of items whose key alone shares most words
    #: with the stem
    stem_overlap_max: float = 0.35
    #: reserved items per class and category, as a multiple of the blueprint's count
    pool_multiple: int = 6
    #: cosine similarity (stem and key words) from which two items of a class are near-duplicates
    #: and must be in one enemy group; from ``near_warning`` on they are reported as candidates
    near_error: float = 0.6
    near_warning: float = 0.45
    #: least items in a class and category before the share rules apply (a few items cannot
    #: form a share)
    min_items_for_share: int = 10


# -- rules -----------------------------------------------------------------------------------


def _per_item(item: ItemContent, rules: Rules, lang: str = "id") -> list[Flag]:
    """Length ratio, absolute words and all/none of the item's options in ``lang`` (``item``
    as ``in_language(lang)`` gives it)."""
    flags = []
    tag = "" if lang == "id" else lang
    lengths = [len(o.text) for o in item.options]
    ratio = max(lengths) / max(1, min(lengths))
    if ratio > rules.length_ratio_max:
        flags.append(
            Flag("length_ratio", ERROR, (item.code,),
                 {"ratio": f"{ratio:.1f}", "limit": f"{rules.length_ratio_max:.1f}"}, tag)
        )  # fmt: skip
    for option in item.options:
        if found := ABSOLUTE[lang].search(option.text):
            flags.append(Flag("absolute", ERROR, (item.code,), {"word": found.group(0)}, tag))
        if found := ALL_NONE[lang].search(option.text):
            flags.append(Flag("all_none", ERROR, (item.code,), {"text": found.group(0)}, tag))
    return flags


#: what an official picture must not carry: an accessible name, or a description
_NAMED = re.compile(r"<title|<desc|aria-label", re.IGNORECASE)


def _media_flags(item: ItemContent) -> list[Flag]:
    """A reserved item's picture as an official paper serves it, in each language, must not
    name the sign, the scene, the item or an option (practice pictures keep their accessible
    names)."""
    if item.practice or not item.media:
        return []
    flags = []
    drawings: dict[tuple[str, str], tuple[str, bool]] = {}
    for lang in ("id", "en") if item.en else ("id",):
        shown = item.in_language(lang)
        if "sign" in item.media:
            name = (_("the sign's name"), SIGNS[item.media["sign"]].name(lang))
        else:
            scene = item.media["scene"]
            title = scene.get("title_en", scene["title"]) if lang == "en" else scene["title"]
            name = (_("the scene's description"), title)
        names = [
            (_("an item code"), item.code),
            name,
            *((_("an option"), o.text) for o in shown.options),
        ]
        for cls in item.classes:
            # an official drawing differs between the languages only by a scene's captions
            captions = any("label_en" in o for o in item.media.get("scene", {}).get("objects", []))
            drawn = (cls, lang if captions else "id")
            if drawn not in drawings:
                svg = render_media(item.media, cls, official=True, lang=drawn[1]).casefold()
                drawings[drawn] = svg, bool(_NAMED.search(svg))
            svg, named = drawings[drawn]
            found = [_("an accessible name")] if named else []
            found += sorted({what for what, text in names if text.casefold() in svg})
            tag = "" if lang == "id" else lang
            flags += [Flag("media_leak", ERROR, (item.code,), {"cls": cls, "what": w}, tag)
                      for w in found]  # fmt: skip
    return flags


def _shares(by_group: dict, rules: Rules, lang: str = "") -> list[Flag]:
    flags = []
    for (cls, category), items in sorted(by_group.items()):
        if len(items) < rules.min_items_for_share:
            continue
        n = len(items)
        longest = [i.code for i in items if key_is_longest(i)]
        if len(longest) > rules.key_longest_max * n:
            flags.append(_share_flag("key_longest", cls, category, longest, n,
                                     rules.key_longest_max, lang))  # fmt: skip
        shortest = [i.code for i in items if key_is_shortest(i)]
        if len(shortest) < rules.key_shortest_min * n:
            # the items to change are those whose key could become the shortest: all others
            others = tuple(i.code for i in items if i.code not in set(shortest))
            flag = _share_flag("key_shortest", cls, category, shortest, n, rules.key_shortest_min)
            flags.append(Flag(flag.rule, ERROR, others, flag.params, lang))
        overlap = [i.code for i in items if key_overlaps_most(i)]
        if len(overlap) > rules.stem_overlap_max * n:
            flags.append(_share_flag("stem_overlap", cls, category, overlap, n,
                                     rules.stem_overlap_max, lang))  # fmt: skip
    return flags


def _share_flag(rule, cls, category, codes, n, limit, lang="") -> Flag:
    params = {"cls": cls, "category": category, "share": round(100 * len(codes) / n),
              "limit": round(100 * limit), "n": n}  # fmt: skip
    return Flag(rule, ERROR, tuple(codes), params, lang)


def _word_cues(cls: str, items: list[ItemContent], rules: Rules) -> list[Flag]:
    seen: dict[str, list[set[str]]] = defaultdict(lambda: [set(), set()])
    counts: Counter[str] = Counter()
    for item in items:
        for option in item.options:
            for word in set(words(option.text)):
                seen[word][0 if option.key else 1].add(item.code)
                counts[word] += 1
    flags = _word_skews(cls, items, rules)
    for word, n in sorted(counts.items()):
        in_keys, in_distractors = seen[word]
        if n >= rules.word_min_options and not (in_keys and in_distractors):
            where = _("keys") if in_keys else _("distractors")
            codes = tuple(sorted(in_keys or in_distractors))
            flags.append(Flag("word_cue", ERROR, codes,
                              {"cls": cls, "word": word, "n": n, "where": where}))  # fmt: skip
    return flags


def _word_skews(cls: str, items: list[ItemContent], rules: Rules) -> list[Flag]:
    """Words whose share among keys is far from chance (each option of an item with n options
    is a key with chance 1/n): a binomial z-score beyond ``skew_z``."""
    # word -> [options, keys, expected keys, variance, item codes]
    tally: dict[str, list] = defaultdict(lambda: [0, 0, 0.0, 0.0, set()])
    for item in items:
        chance = 1 / len(item.options)
        for option in item.options:
            for word in set(words(option.text)):
                entry = tally[word]
                entry[0] += 1
                entry[1] += option.key
                entry[2] += chance
                entry[3] += chance * (1 - chance)
                entry[4].add(item.code)
    flags = []
    for word, (n, keys, expected, variance, codes) in sorted(tally.items()):
        if n >= rules.skew_min_options and abs(keys - expected) >= rules.skew_z * variance**0.5:
            params = {"cls": cls, "word": word, "n": n, "keys": keys, "expected": round(expected)}
            flags.append(Flag("word_skew", WARNING, tuple(sorted(codes)), params))
    return flags


def _near_duplicates(cls: str, items: list[ItemContent], rules: Rules) -> list[Flag]:
    flags = []
    for a, b, sim in near_pairs(items, rules.near_warning):
        first, second = items[a], items[b]
        if first.group and first.group == second.group:
            continue
        rule, severity = (
            ("near_duplicate", ERROR) if sim >= rules.near_error else ("near_candidate", WARNING)
        )
        params = {"cls": cls, "a": first.code, "b": second.code, "similarity": f"{sim:.2f}"}
        flags.append(Flag(rule, severity, (first.code, second.code), params))
    return flags


def pool_flags(
    items: Iterable[ItemContent], counts: dict[str, dict[str, int]], rules: Rules
) -> list[Flag]:
    """Reserved items per class and category against ``pool_multiple`` times the blueprint's
    count (``counts``: class -> category -> items a paper draws; ``CLIPS`` -> clips before the
    questions, counted against the reserved clips)."""
    have: Counter[tuple[str, str]] = Counter()
    for item in items:
        if not item.practice:
            for cls in item.classes:
                have[(cls, CLIPS if is_clip(item.media) else item.category)] += 1
    flags = []
    for cls, per_category in sorted(counts.items()):
        for category, count in per_category.items():
            need = rules.pool_multiple * count
            if have[(cls, category)] < need:
                params = {"cls": cls, "have": have[(cls, category)], "need": need, "count": count}
                if category == CLIPS:
                    flags.append(Flag("clip_pool_size", ERROR, (), params))
                else:
                    flags.append(Flag("pool_size", ERROR, (), {**params, "category": category}))
    return flags


def lint_items(
    items: Sequence[ItemContent],
    rules: Rules | None = None,
    *,
    blueprint_counts: dict[str, dict[str, int]] | None = None,
) -> list[Flag]:
    """Every flag of a bank's items (its active versions, or files about to be imported).
    ``blueprint_counts``: class -> category -> items drawn, for the pool-size check."""
    rules = rules or Rules()
    clips = [i for i in items if is_clip(i.media)]
    items = [i for i in items if not is_clip(i.media)]  # the option rules: questions only
    flags: list[Flag] = clip_flags(clips)
    for item in clips:
        flags += translation_flags(item)
    for item in items:
        flags += _per_item(item, rules) + _media_flags(item) + translation_flags(item)
    # the option cues a candidate reading the English would use, measured on the English
    english = [i.in_language("en") for i in items if i.in_language("en") is not i]
    for item in english:
        flags += _per_item(item, rules, "en")
    by_group: dict[tuple[str, str], list[ItemContent]] = defaultdict(list)
    by_group_en: dict[tuple[str, str], list[ItemContent]] = defaultdict(list)
    by_class: dict[str, list[ItemContent]] = defaultdict(list)
    for item in items:
        for cls in item.classes:
            by_group[(cls, item.category)].append(item)
            by_class[cls].append(item)
    for item in english:
        for cls in item.classes:
            by_group_en[(cls, item.category)].append(item)
    flags += _shares(by_group, rules) + _shares(by_group_en, rules, "en")
    for cls in CLASSES:
        flags += _word_cues(cls, by_class[cls], rules)
        flags += _near_duplicates(cls, by_class[cls], rules)
    if blueprint_counts is not None:
        flags += pool_flags([*items, *clips], blueprint_counts, rules)
    return flags


@dataclass(frozen=True)
class Gate:
    """What the active items must pass before a bank version is published."""

    #: the least share of each class's items reserved for official exams (0.4 = 40 %)
    min_reserved: float = 0.0
    #: the cue, media and near-duplicate rules; None: not linted (tests' small made-up banks)
    rules: Rules | None = None
    #: class -> category -> items a paper draws (the blueprints in force), for the pool size
    pool_counts: dict[str, dict[str, int]] | None = None
    #: a production deployment: the repository's demo set must not be in the official pool
    refuse_demo: bool = False

    def problems(self, items: Sequence[ItemContent]) -> list[Problem]:
        """Everything that stops publishing, each naming its item and rule."""
        return self.check(items)[0]

    def check(self, items: Sequence[ItemContent]) -> tuple[list[Problem], list[Flag]]:
        """The problems that stop publishing, and the warnings (candidate enemy groups)."""
        problems, warnings = [], []
        for cls, (reserved, total) in reserved_shortfalls(
            ((i.classes, i.practice) for i in items), self.min_reserved
        ).items():
            message = _(
                "Only %(reserved)s of the %(total)s SIM %(cls)s items are reserved for official "
                "exams; at least %(min)s%% must be. Reserve more items before publishing.",
                reserved=reserved, total=total, cls=cls, min=round(self.min_reserved * 100),
            )  # fmt: skip
            problems.append(Problem("practice", message))
        if self.refuse_demo:
            demo = [i.code for i in items if i.demo and not i.practice]
            if demo:
                message = _(
                    "%(n)s reserved items belong to the demo set shipped with the source code "
                    "(their keys are public), so production cannot publish them: import the "
                    "confidential pool (flask bank import-qti) and retire the demo items.",
                    n=len(demo),
                )
                problems.append(Problem("demo", message, code=", ".join(demo[:10])))
        if self.rules is not None:
            for flag in lint_items(items, self.rules, blueprint_counts=self.pool_counts):
                if flag.severity == ERROR:
                    problems.append(Problem(flag.rule, flag.message(), code=", ".join(flag.codes)))
                else:
                    warnings.append(flag)
        return problems, warnings


def rules_from(overrides: dict | None) -> Rules:
    """The rules with a deployment's overrides (``BANK_LINT_RULES``, JSON); unknown names are
    an error at start-up rather than a rule silently not applied."""
    return Rules(**(overrides or {}))


def item_flags(flags: Iterable[Flag]) -> dict[str, list[Flag]]:
    """The flags by item code (an examiner sees them on the item's page)."""
    result: dict[str, list[Flag]] = defaultdict(list)
    for flag in flags:
        for code in flag.codes:
            result[code].append(flag)
    return result


DEFAULT_COUNTS = {c: {str(k): n for k, n in zip(Category, (12, 9, 9), strict=True)}
                  for c in CLASSES}  # fmt: skip


def _main(argv: list[str]) -> int:
    """Lint the shipped bank, another directory, or (with file arguments) just those files."""
    from pathlib import Path

    paths = [Path(a) for a in argv]
    if paths and all(p.is_file() for p in paths):
        items, problems = [], []
        for path in paths:
            found, trouble = load_file(path)
            items += [content for content, _line in found]
            problems += trouble
    else:
        items, problems = load_dir(paths[0] if paths else DATA_DIR)
    for problem in problems:
        print(problem)
    flags = lint_items(items, blueprint_counts=DEFAULT_COUNTS)
    for flag in flags:
        print(flag)
    errors = sum(f.severity == ERROR for f in flags) + len(problems)
    print(f"{len(items)} items, {errors} errors, {len(flags) - errors + len(problems)} warnings")
    return 1 if errors else 0


if __name__ == "__main__":
    import sys

    raise SystemExit(_main(sys.argv[1:]))
