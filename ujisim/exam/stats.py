"""Classical item analysis on arrays (no database): sufficient sums, item and form statistics,
quality flags.

Responses come in long form, one row per (attempt, presented item), because every candidate
gets a different paper drawn from the bank. Everything is reduced to integer *sufficient sums*
(counts, sums of item scores, rest scores and their products). Those sums add up: a newly graded
attempt is folded into the stored sums without reading the old attempts again, and the
statistics are recomputed from the sums exactly (integers, so no drift).

Definitions (N = number of candidates an item was presented to, x = 1 if correct else 0,
y = rest score = the candidate's total minus x, population moments with divisor N):

- facility p = mean(x);
- discrimination r = item-rest point-biserial = Pearson(x, y)
  = (N*Sxy - Sx*Sy) / sqrt((N*Sx - Sx^2) * (N*Syy - Sy^2));
- discriminative efficiency = r / r_max(p), where r_max(p) = phi(z_p) / sqrt(p*q) is the largest
  point-biserial an item of facility p can reach when the trait behind the total is normal
  (the point-biserial is the biserial times phi(z_p)/sqrt(pq) and the biserial is at most 1;
  Lord & Novick 1968, *Statistical Theories of Mental Test Scores*, sec. 15.5; Tate 1955,
  *Ann. Math. Stat.* 26; at p = 0.5 the bound is 0.798). phi is the standard normal density and
  z_p the normal deviate cutting off the upper proportion p. So an easy item with r = 0.3 may
  be as efficient as a medium one with r = 0.5;
- per form (papers of one blueprint, k items each): mean and SD of the total (divisor N) and
  Cronbach's alpha for 0/1 items, i.e. KR-20, generalised to drawn papers (see
  ``form_statistics``); standard error of measurement SEM = SD * sqrt(1 - alpha) (alpha clipped
  to [0, 1]).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction
from statistics import NormalDist

import numpy as np

#: facility below this: the item is too hard (or miskeyed)
HARD = 0.2
#: facility above this: the item tells candidates apart hardly at all
EASY = 0.95
_NORMAL = NormalDist()


@dataclass
class Responses:
    """Long-form responses: arrays of equal length, one entry per presented item."""

    #: attempt index 0..n_attempts-1
    attempt: np.ndarray
    #: item (version) index 0..n_items-1
    item: np.ndarray
    #: position on the paper 0..k-1
    position: np.ndarray
    #: 1 correct, 0 wrong or omitted
    correct: np.ndarray
    #: chosen option in authoring order; -1 when omitted
    choice: np.ndarray

    def __post_init__(self):
        self.attempt = np.asarray(self.attempt, dtype=np.int64)
        self.item = np.asarray(self.item, dtype=np.int64)
        self.position = np.asarray(self.position, dtype=np.int64)
        self.correct = np.asarray(self.correct, dtype=np.int64)
        self.choice = np.asarray(self.choice, dtype=np.int64)

    def totals(self, n_attempts: int) -> np.ndarray:
        """Each attempt's total score."""
        return np.bincount(self.attempt, weights=self.correct, minlength=n_attempts).astype(
            np.int64
        )

    def where(self, rows: np.ndarray) -> Responses:
        """The responses selected by a boolean mask over rows."""
        return Responses(
            self.attempt[rows],
            self.item[rows],
            self.position[rows],
            self.correct[rows],
            self.choice[rows],
        )


@dataclass
class ItemSums:
    """Additive per-item sums (arrays of length n_items; ``choices`` is n_items x n_options)."""

    n: np.ndarray
    sx: np.ndarray
    sy: np.ndarray
    sxy: np.ndarray
    syy: np.ndarray
    choices: np.ndarray
    omitted: np.ndarray


@dataclass
class FormSums:
    """Additive sums of one form (the papers of one blueprint, k items each).

    ``items`` is keyed by item (version) id, not by position: the draw shuffles every paper
    and every candidate gets different items, so a position holds no particular item.
    """

    k: int
    n: int = 0
    st: int = 0
    stt: int = 0
    #: item key -> (papers of the form that held it, of those answered correctly)
    items: dict[int, tuple[int, int]] = field(default_factory=dict)
    #: candidates per total score 0..k
    histogram: list[int] = field(default_factory=list)

    def __post_init__(self):
        self.items = {int(key): (int(n), int(x)) for key, (n, x) in dict(self.items).items()}
        self.histogram = list(self.histogram) or [0] * (self.k + 1)

    def __add__(self, other: FormSums) -> FormSums:
        if other.k != self.k:
            raise ValueError("forms of different length cannot be added")
        items = dict(self.items)
        for key, (n, x) in other.items.items():
            before = items.get(key, (0, 0))
            items[key] = (before[0] + n, before[1] + x)
        return FormSums(
            self.k,
            self.n + other.n,
            self.st + other.st,
            self.stt + other.stt,
            items,
            [a + b for a, b in zip(self.histogram, other.histogram, strict=True)],
        )


def item_sums(r: Responses, n_attempts: int, n_items: int, n_options: int) -> ItemSums:
    """Reduce responses to per-item sums in a few vectorised passes (bincount)."""
    totals = r.totals(n_attempts)
    rest = totals[r.attempt] - r.correct
    count = np.bincount(r.item, minlength=n_items)

    def per_item(weights: np.ndarray) -> np.ndarray:
        # integer weights summed in float64 are exact below 2**53
        return np.rint(np.bincount(r.item, weights=weights, minlength=n_items)).astype(np.int64)

    answered = r.choice >= 0
    choices = np.bincount(
        r.item[answered] * n_options + r.choice[answered], minlength=n_items * n_options
    ).reshape(n_items, n_options)
    return ItemSums(
        n=count.astype(np.int64),
        sx=per_item(r.correct),
        sy=per_item(rest),
        sxy=per_item(r.correct * rest),
        syy=per_item(rest * rest),
        choices=choices.astype(np.int64),
        omitted=np.bincount(r.item[~answered], minlength=n_items).astype(np.int64),
    )


def form_sums(r: Responses, k: int, keys: np.ndarray | None = None) -> FormSums:
    """Reduce the responses of one form's attempts (papers of length k) to the form's sums.

    ``keys`` maps an item index of ``r`` to the id the sums are kept under (the item version
    id, so that batches gathered with different indices add up); the index itself by default.
    """
    present = np.unique(r.attempt)
    totals = np.bincount(r.attempt, weights=r.correct).round().astype(np.int64)[present]
    shown = np.bincount(r.item)
    right = np.rint(np.bincount(r.item, weights=r.correct, minlength=len(shown))).astype(np.int64)
    used = np.flatnonzero(shown)
    labels = used if keys is None else np.asarray(keys, dtype=np.int64)[used]
    return FormSums(
        k=k,
        n=len(present),
        st=int(totals.sum()),
        stt=int((totals * totals).sum()),
        items={
            key: (n, x)
            for key, n, x in zip(
                labels.tolist(), shown[used].tolist(), right[used].tolist(), strict=True
            )
        },
        histogram=np.bincount(totals, minlength=k + 1).tolist(),
    )


def max_point_biserial(p: float) -> float:
    """phi(z_p) / sqrt(p q): the largest point-biserial at facility p (normal trait)."""
    if not 0 < p < 1:
        return math.nan
    z = _NORMAL.inv_cdf(1 - p)
    return _NORMAL.pdf(z) / math.sqrt(p * (1 - p))


@dataclass
class ItemStatistics:
    facility: np.ndarray
    discrimination: np.ndarray
    efficiency: np.ndarray


def item_statistics(s: ItemSums) -> ItemStatistics:
    """Facility, item-rest point-biserial and discriminative efficiency (NaN where undefined:
    nobody answered, or the item or the rest score did not vary)."""
    n = s.n.astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        facility = np.where(s.n > 0, s.sx / np.where(s.n > 0, n, 1), np.nan)
        # exact integer numerators; the product of the two variances would overflow int64
        cov = (s.n * s.sxy - s.sx * s.sy).astype(np.float64)
        var_x = (s.n * s.sx - s.sx * s.sx).astype(np.float64)
        var_y = (s.n * s.syy - s.sy * s.sy).astype(np.float64)
        denominator = np.sqrt(var_x * var_y)
        discrimination = np.where(denominator > 0, cov / denominator, np.nan)
        bound = np.array([max_point_biserial(p) for p in facility], dtype=np.float64)
        efficiency = np.where(np.isfinite(bound), discrimination / bound, np.nan)
    return ItemStatistics(facility, discrimination, efficiency)


@dataclass(frozen=True)
class FormStatistics:
    n: int
    k: int
    mean: float | None
    sd: float | None
    alpha: float | None
    sem: float | None


def mean_item_variance(s: FormSums) -> Fraction:
    """The item-variance sum of a candidate's own paper, averaged over the form's candidates:
    mean_a sum_{j in paper a} p_j q_j = (1/N) sum_j n_j p_j q_j = (1/N) sum_j c_j (n_j - c_j) / n_j,
    with n_j the papers that held item j and c_j the correct answers among them. Exact."""
    total = sum((Fraction(c * (m - c), m) for m, c in s.items.values() if m), Fraction(0))
    return total / s.n


def form_statistics(s: FormSums) -> FormStatistics:
    """Mean, SD, KR-20 alpha and SEM of a form from its sums (None where undefined).

    Classic KR-20 (Kuder & Richardson 1937, *Psychometrika* 2(3):151-160, formula 20; the 0/1
    case of Cronbach's alpha, Cronbach 1951, *Psychometrika* 16(3):297-334) assumes every
    candidate answered the same k items:

        alpha = k/(k-1) * (1 - sum_j p_j q_j / var(X)).

    Our papers are drawn: each candidate gets a different, shuffled selection, so neither a
    position nor a fixed item list describes the form. The item-variance sum is therefore taken
    over the items each candidate actually had and averaged over the candidates, with p_j the
    facility of item j over every attempt of the form that contained it:

        alpha = k/(k-1) * (1 - mean_a(sum_{j in a} p_j q_j) / var(X)),

    population moments (divisor N) throughout. When every candidate has the same items (in any
    order) n_j = N and this is classic KR-20 exactly; computed in rationals, so it is the same
    number, not merely close. Our generalisation for drawn forms (an item-sampling view, cf.
    Lord & Novick 1968, *Statistical Theories of Mental Test Scores*, ch. 11); it is not a
    reliability of any single fixed form.
    SEM = SD * sqrt(1 - alpha), alpha clipped to [0, 1] for it.
    """
    if s.n == 0:
        return FormStatistics(0, s.k, None, None, None, None)
    mean = s.st / s.n
    variance = Fraction(s.n * s.stt - s.st * s.st, s.n * s.n)
    sd = math.sqrt(variance)
    if s.k < 2 or variance <= 0:
        return FormStatistics(s.n, s.k, mean, sd, None, None)
    exact = Fraction(s.k, s.k - 1) * (1 - mean_item_variance(s) / variance)
    alpha = float(exact)
    sem = sd * math.sqrt(1 - min(max(alpha, 0.0), 1.0))
    return FormStatistics(s.n, s.k, mean, sd, alpha, sem)


# -- flags -----------------------------------------------------------------------------------

TOO_HARD = "too_hard"
TOO_EASY = "too_easy"
NEGATIVE = "negative_discrimination"
UNUSED = "unused_option"


def flags(
    n: int, facility: float | None, discrimination: float | None, choices: list[int], min_n: int
) -> list[str]:
    """Quality flags of one item; none below ``min_n`` responses (too few to judge).

    ``unused_option:<i>`` names an option (authoring order, 0-based) that nobody picked.
    """
    if n < max(min_n, 1):
        return []
    found = []
    if facility is not None and facility < HARD:
        found.append(TOO_HARD)
    if facility is not None and facility > EASY:
        found.append(TOO_EASY)
    if discrimination is not None and discrimination < 0:
        found.append(NEGATIVE)
    found += [f"{UNUSED}:{i}" for i, count in enumerate(choices) if count == 0]
    return found


def finite(value) -> float | None:
    """A float for storage, None for NaN/inf."""
    value = float(value)
    return value if math.isfinite(value) else None


# -- the plain reference ---------------------------------------------------------------------


def naive_item_statistics(
    r: Responses, n_attempts: int, n_items: int
) -> list[tuple[float, float, float]]:
    """A plain per-item Python loop over the responses (two-pass moments): the oracle for the
    tests and the baseline of bench/stats_bench.py. Returns (facility, r, efficiency) per item."""
    totals = [0] * n_attempts
    for a, x in zip(r.attempt.tolist(), r.correct.tolist(), strict=True):
        totals[a] += x
    by_item: list[list[tuple[int, int]]] = [[] for _ in range(n_items)]
    for a, i, x in zip(r.attempt.tolist(), r.item.tolist(), r.correct.tolist(), strict=True):
        by_item[i].append((x, totals[a] - x))
    result = []
    for pairs in by_item:
        if not pairs:
            result.append((math.nan, math.nan, math.nan))
            continue
        n = len(pairs)
        mx = sum(x for x, _ in pairs) / n
        my = sum(y for _, y in pairs) / n
        cov = sum((x - mx) * (y - my) for x, y in pairs)
        vx = sum((x - mx) ** 2 for x, _ in pairs)
        vy = sum((y - my) ** 2 for _, y in pairs)
        rpb = cov / math.sqrt(vx * vy) if vx > 0 and vy > 0 else math.nan
        bound = max_point_biserial(mx)
        result.append((mx, rpb, rpb / bound if math.isfinite(bound) else math.nan))
    return result


def naive_form_statistics(r: Responses, k: int) -> FormStatistics:
    """Mean, SD, alpha and SEM of one form with plain loops, the long way round the formula of
    ``form_statistics``: each candidate's own item-variance sum, then its average (two-pass
    moments, floats). The oracle for the tests and the baseline of bench/stats_bench.py."""
    totals: dict[int, int] = {}
    shown: dict[int, int] = {}
    right: dict[int, int] = {}
    papers: dict[int, list[int]] = {}
    for a, i, x in zip(r.attempt.tolist(), r.item.tolist(), r.correct.tolist(), strict=True):
        totals[a] = totals.get(a, 0) + x
        shown[i] = shown.get(i, 0) + 1
        right[i] = right.get(i, 0) + x
        papers.setdefault(a, []).append(i)
    n = len(totals)
    if n == 0:
        return FormStatistics(0, k, None, None, None, None)
    mean = sum(totals.values()) / n
    variance = sum((t - mean) ** 2 for t in totals.values()) / n
    sd = math.sqrt(variance)
    if k < 2 or variance <= 0:
        return FormStatistics(n, k, mean, sd, None, None)
    pq = {i: (right[i] / shown[i]) * (1 - right[i] / shown[i]) for i in shown}
    own = [sum(pq[i] for i in items) for items in papers.values()]
    alpha = k / (k - 1) * (1 - (sum(own) / n) / variance)
    return FormStatistics(n, k, mean, sd, alpha, sd * math.sqrt(1 - min(max(alpha, 0.0), 1.0)))
