"""Surface cues: what a test-wise candidate reads in an item instead of knowing the answer (the
longest or shortest option, the option that repeats the stem's words, absolute terms, "all/none
of the above"), and how alike two items are. Pure measures over item content; ``lint.py`` turns
them into the publish gate's flags and bench/cue_bots.py plays them against the real draw.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence

import numpy as np

from ujisim.question_bank.content import ItemContent

#: Words that make an option absolute; test-wise candidates rule such options out.
ABSOLUTE_ID = re.compile(
    r"\b(selalu|pasti|mutlak|tidak pernah|sama sekali|apa ?pun|kapan ?pun|di ?mana ?pun|"
    r"dijamin|tanpa kecuali)\b",
    re.IGNORECASE,
)
#: The same in the English text of items (``ItemContent.en``).
ABSOLUTE_EN = re.compile(
    r"\b(always|never|definitely|certainly|surely|absolutely|at all|whatever|whenever|"
    r"wherever|at any time|anywhere|guaranteed|without (any )?exception)\b",
    re.IGNORECASE,
)
#: "All/none of the above" and options that point at other options.
ALL_NONE_ID = re.compile(
    r"\b(semua (jawaban|pilihan)|semuanya (benar|salah)|keduanya (benar|salah)|"
    r"tidak ada (jawaban|pilihan)|(jawaban|pilihan) (yang )?di atas|(semua|tidak ada) yang di atas|"
    r"(jawaban|pilihan) [a-d]\b|\b[a-d] dan [a-d]\b)",
    re.IGNORECASE,
)
ALL_NONE_EN = re.compile(
    r"\b((all|none|both|neither) of (the|these|those) (above|answers|options)|"
    r"(all|both) (are|answers are|options are) (correct|right|wrong)|"
    r"(answers?|options?|choices?) (listed )?above|"
    r"(answers?|options?) (?-i:[A-D])\b|\b(?-i:[A-D]) and (?-i:[A-D])\b)",
    re.IGNORECASE,
)
#: per content language: absolute words and options that point at other options
ABSOLUTE = {"id": ABSOLUTE_ID, "en": ABSOLUTE_EN}
ALL_NONE = {"id": ALL_NONE_ID, "en": ALL_NONE_EN}
#: Function words left out when comparing an option with its stem (both languages: a word of
#: one is no content word of the other).
STOPWORDS = frozenset(
    "yang dengan untuk atau dari pada akan agar saat tidak anda dalam bila jika lalu sudah "
    "masih hanya juga dapat harus boleh oleh karena ini itu tersebut para sebuah seorang "
    "sambil tetap lebih kurang belum sedang paling".split()
    + "that this these those with from into onto your yours what which when where while "
    "there their they them then than have been being will would should could must shall "
    "does doing only also just still more less most very before after until about over "
    "under through because other another each some such".split()
)


def words(text: str) -> list[str]:
    """Lower-case word tokens (letters and digits)."""
    return re.findall(r"\w+", text.casefold())


def content_words(text: str) -> set[str]:
    """Words of four or more characters that carry meaning (for stem overlap)."""
    return {w for w in words(text) if len(w) >= 4 and w not in STOPWORDS}


def _key(item: ItemContent) -> int:
    return next(i for i, o in enumerate(item.options) if o.key)


def key_is_longest(item: ItemContent) -> bool:
    """The key is the single longest option (ties with a distractor do not count)."""
    lengths = [len(o.text) for o in item.options]
    key = lengths[_key(item)]
    return all(n < key for i, n in enumerate(lengths) if i != _key(item))


def key_is_shortest(item: ItemContent) -> bool:
    """The key is no longer than any distractor."""
    lengths = [len(o.text) for o in item.options]
    return lengths[_key(item)] == min(lengths)


def stem_overlaps(item: ItemContent) -> list[int]:
    """How many of the stem's content words each option repeats."""
    stem = content_words(item.stem)
    return [len(stem & content_words(o.text)) for o in item.options]


def key_overlaps_most(item: ItemContent) -> bool:
    """The key alone repeats the most words of the stem."""
    overlaps = stem_overlaps(item)
    key = overlaps[_key(item)]
    return key > 0 and all(n < key for i, n in enumerate(overlaps) if i != _key(item))


def similarity_matrix(items: Sequence[ItemContent]) -> np.ndarray:
    """Cosine similarity of the items' stem and key words (TF-IDF weighted)."""
    docs = [Counter(words(i.stem) + words(next(o.text for o in i.options if o.key))) for i in items]
    vocabulary = {w: n for n, w in enumerate(sorted({w for d in docs for w in d}))}
    matrix = np.zeros((len(docs), len(vocabulary)))
    for row, doc in enumerate(docs):
        for word, count in doc.items():
            matrix[row, vocabulary[word]] = count
    document_frequency = (matrix > 0).sum(axis=0)
    matrix *= np.log((1 + len(docs)) / (1 + document_frequency)) + 1
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True).clip(min=1e-12)
    return matrix @ matrix.T


def near_pairs(items: Sequence[ItemContent], threshold: float) -> list[tuple[int, int, float]]:
    """Index pairs (i < j) of items at least ``threshold`` alike, most alike first."""
    if len(items) < 2:
        return []
    sims = similarity_matrix(items)
    i, j = np.nonzero(np.triu(sims, k=1) >= threshold)
    pairs = [(int(a), int(b), float(sims[a, b])) for a, b in zip(i, j, strict=True)]
    return sorted(pairs, key=lambda p: -p[2])
