"""A finding of the bank lint (``lint.py``): the rule, how bad (``ERROR`` stops publishing, a
``WARNING`` is shown to the examiners), the items it concerns and the numbers for its message,
which is built at display time in the reader's language (``MESSAGES``, one per rule).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import gettext as _

from ujisim.question_bank.labels import CATEGORY_LABELS

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True)
class Flag:
    """One finding: the rule, how bad, the items it concerns and the numbers for its message."""

    rule: str
    severity: str
    codes: tuple[str, ...] = ()
    params: dict = field(default_factory=dict)
    #: "en": found in the items' English text ("" for the Indonesian, and for rules about both)
    lang: str = ""

    def message(self) -> str:
        """The finding in the current user's language (a category by its name, not its code)."""
        params = dict(self.params)
        if "category" in params:
            params["category"] = str(CATEGORY_LABELS.get(params["category"], params["category"]))
        text = MESSAGES[self.rule](**params)
        return _("In the English text: %(message)s", message=text) if self.lang == "en" else text

    def __str__(self) -> str:
        who = f" [{', '.join(self.codes[:12])}{' ...' if len(self.codes) > 12 else ''}]"
        return f"{self.severity}: {self.rule}:{who if self.codes else ''} {self.message()}"


MESSAGES = {
    "key_longest": lambda cls, category, share, limit, n: _(
        "SIM %(cls)s, %(category)s: the key is the longest option in %(share)s%% of %(n)s items "
        "(at most %(limit)s%% allowed). Lengthen a distractor or shorten the key of the items "
        "listed.",
        cls=cls, category=category, share=share, limit=limit, n=n,
    ),
    "key_shortest": lambda cls, category, share, limit, n: _(
        "SIM %(cls)s, %(category)s: the key is the shortest option in only %(share)s%% of "
        "%(n)s items (at least %(limit)s%% needed), so the shortest option is never worth "
        "choosing.",
        cls=cls, category=category, share=share, limit=limit, n=n,
    ),
    "length_ratio": lambda ratio, limit: _(
        "The longest option is %(ratio)s times as long as the shortest (at most %(limit)s): "
        "write options of similar length.",
        ratio=ratio, limit=limit,
    ),
    "word_cue": lambda cls, word, n, where: _(
        "SIM %(cls)s: the word \u201c%(word)s\u201d is in %(n)s options, all of them "
        "%(where)s; a candidate could use it to find or rule out the key.",
        cls=cls, word=word, n=n, where=where,
    ),
    "word_skew": lambda cls, word, n, keys, expected: _(
        "SIM %(cls)s: the word \u201c%(word)s\u201d is in %(n)s options, %(keys)s of them keys "
        "where chance gives about %(expected)s; vary where it appears.",
        cls=cls, word=word, n=n, keys=keys, expected=expected,
    ),
    "absolute": lambda word: _(
        "An option uses the absolute word \u201c%(word)s\u201d, which gives the answer away.",
        word=word,
    ),
    "all_none": lambda text: _(
        "An option points at the other options (\u201c%(text)s\u201d): no \u201call/none of "
        "the above\u201d.",
        text=text,
    ),
    "stem_overlap": lambda cls, category, share, limit, n: _(
        "SIM %(cls)s, %(category)s: the key alone shares most words with the question in "
        "%(share)s%% of %(n)s items (at most %(limit)s%% allowed).",
        cls=cls, category=category, share=share, limit=limit, n=n,
    ),
    "near_duplicate": lambda cls, a, b, similarity: _(
        "SIM %(cls)s: %(a)s and %(b)s ask nearly the same (similarity %(similarity)s) but are "
        "not in one enemy group, so one paper could hold both.",
        cls=cls, a=a, b=b, similarity=similarity,
    ),
    "near_candidate": lambda cls, a, b, similarity: _(
        "SIM %(cls)s: %(a)s and %(b)s look alike (similarity %(similarity)s); put them in one "
        "enemy group if they test the same rule.",
        cls=cls, a=a, b=b, similarity=similarity,
    ),
    "media_leak": lambda cls, what: _(
        "The SIM %(cls)s official picture of this reserved item gives away %(what)s.",
        cls=cls, what=what,
    ),
    "translation_missing": lambda: _(
        "The item has no English text: write its question, options and explanation in English "
        "too (every item is in Bahasa Indonesia and English)."
    ),
    "translation_options": lambda id, en: _(
        "The English text has %(en)s options where the Indonesian has %(id)s: write one English "
        "option for each Indonesian one, in the same order.",
        id=id, en=en,
    ),
    "translation_media": lambda: _(
        "The scene has no English description (title_en), or a caption has no English "
        "(label_en): write them in English too (every picture is described in both languages)."
    ),
    "clip_play": lambda cls, problem: _(
        "The clip does not play as written for SIM %(cls)s: %(problem)s", cls=cls, problem=problem
    ),
    "clip_size": lambda cls, kb, limit: _(
        "The SIM %(cls)s clip weighs %(kb)s KB; the player takes at most %(limit)s KB. Use fewer "
        "actors or fewer changes.",
        cls=cls, kb=kb, limit=limit,
    ),
    "clip_pool_size": lambda cls, have, need, count: _(
        "SIM %(cls)s: %(have)s hazard-perception clips are reserved for official exams; a paper "
        "shows %(count)s, so at least %(need)s are needed.",
        cls=cls, have=have, need=need, count=count,
    ),
    "pool_size": lambda cls, category, have, need, count: _(
        "SIM %(cls)s, %(category)s: %(have)s items are reserved for official exams; a paper "
        "draws %(count)s, so at least %(need)s are needed.",
        cls=cls, category=category, have=have, need=need, count=count,
    ),
}  # fmt: skip
