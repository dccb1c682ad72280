"""Item and form statistics against values worked out by hand, the flags, and the vectorised
code against the plain per-item loop."""

import math
from fractions import Fraction

import numpy as np
import pytest

from ujisim.exam import stats

# Five candidates, three items, every item on every paper (position j = item j).
#
#        item0 item1 item2 | total
#   A      1     1     1   |   3
#   B      1     1     0   |   2
#   C      1     0     1   |   2
#   D      0     1     0   |   1
#   E      0     0     0   |   0
#
# Final answers (authoring order, key = option 0 for every item; -1 = omitted):
#   item0: A0 B0 C0 D2 E-     item1: A0 B0 C1 D0 E1     item2: A0 B3 C0 D3 E3
GRID = [[1, 1, 1], [1, 1, 0], [1, 0, 1], [0, 1, 0], [0, 0, 0]]
CHOICES = [[0, 0, 0], [0, 0, 3], [0, 1, 0], [2, 0, 3], [-1, 1, 3]]


def small() -> stats.Responses:
    rows = [(a, i, i, GRID[a][i], CHOICES[a][i]) for a in range(5) for i in range(3)]
    return stats.Responses(*np.array(rows).T)


def test_item_sums_by_hand():
    s = stats.item_sums(small(), 5, 3, 4)
    # item0: x = 1 1 1 0 0, rest y = total - x = 2 1 1 1 0
    #   Sx = 3, Sy = 5, Sxy = 2+1+1 = 4, Syy = 4+1+1+1 = 7
    # item1: x = 1 1 0 1 0, y = 2 1 2 0 0: Sx = 3, Sy = 5, Sxy = 2+1 = 3, Syy = 4+1+4 = 9
    # item2: x = 1 0 1 0 0, y = 2 2 1 1 0: Sx = 2, Sy = 6, Sxy = 2+1 = 3, Syy = 4+4+1+1 = 10
    assert s.n.tolist() == [5, 5, 5]
    assert s.sx.tolist() == [3, 3, 2]
    assert s.sy.tolist() == [5, 5, 6]
    assert s.sxy.tolist() == [4, 3, 3]
    assert s.syy.tolist() == [7, 9, 10]
    assert s.choices.tolist() == [[3, 0, 1, 0], [3, 2, 0, 0], [2, 0, 0, 3]]
    assert s.omitted.tolist() == [1, 0, 0]


def test_item_statistics_by_hand():
    result = stats.item_statistics(stats.item_sums(small(), 5, 3, 4))
    # facility: 3/5, 3/5, 2/5
    assert result.facility.tolist() == pytest.approx([0.6, 0.6, 0.4])
    # r = (N Sxy - Sx Sy) / sqrt((N Sx - Sx^2)(N Syy - Sy^2))
    # item0: (20 - 15) / sqrt((15 - 9)(35 - 25)) = 5 / sqrt(60) = 0.645497...
    # item1: (15 - 15) / ...                     = 0
    # item2: (15 - 12) / sqrt((10 - 4)(50 - 36)) = 3 / sqrt(84) = 0.327327...
    assert result.discrimination.tolist() == pytest.approx(
        [5 / math.sqrt(60), 0.0, 3 / math.sqrt(84)], abs=1e-12
    )
    # efficiency = r / r_max(p); r_max(0.6) = phi(z) / sqrt(.6 * .4) with z = -0.253347
    #   phi(-0.253347) = 0.386342, sqrt(.24) = 0.489898 -> r_max = 0.788616
    #   item0: 0.645497 / 0.788616 = 0.818518
    assert result.efficiency[0] == pytest.approx(0.818518, abs=1e-5)
    assert result.efficiency[1] == 0.0
    # r_max is symmetric in p: r_max(0.4) = r_max(0.6)
    assert result.efficiency[2] == pytest.approx(3 / math.sqrt(84) / 0.788616, abs=1e-5)


def test_max_point_biserial():
    # at p = .5: phi(0) / .5 = 2 / sqrt(2 pi) = sqrt(2 / pi) = 0.797885 (the classical bound)
    assert stats.max_point_biserial(0.5) == pytest.approx(math.sqrt(2 / math.pi), abs=1e-12)
    assert stats.max_point_biserial(0.9) < stats.max_point_biserial(0.7)
    assert math.isnan(stats.max_point_biserial(0.0))
    assert math.isnan(stats.max_point_biserial(1.0))


def test_form_statistics_by_hand():
    s = stats.form_sums(small(), 3)
    # totals 3 2 2 1 0: N = 5, St = 8, Stt = 9+4+4+1 = 18
    assert (s.n, s.st, s.stt) == (5, 8, 18)
    assert s.items == {0: (5, 3), 1: (5, 3), 2: (5, 2)}  # item -> (papers holding it, correct)
    assert s.histogram == [1, 1, 2, 1]  # one 0, one 1, two 2s, one 3
    result = stats.form_statistics(s)
    # mean = 8/5 = 1.6; variance = 18/5 - 1.6^2 = 1.04; SD = sqrt(1.04) = 1.019804
    assert result.mean == pytest.approx(1.6)
    assert result.sd == pytest.approx(math.sqrt(1.04))
    # p = .6 .6 .4 -> sum pq = .24 * 3 = .72; KR-20 = 3/2 (1 - .72 / 1.04) = 6/13 = 0.461538
    assert result.alpha == pytest.approx(6 / 13)
    # SEM = SD sqrt(1 - alpha) = sqrt(1.04 * 7/13) = sqrt(0.56) = 0.748331
    assert result.sem == pytest.approx(math.sqrt(0.56))


# The same five candidates and three items, but every paper shuffled (as draw_paper does):
# position j is a different item on different papers. Reliability must not change, because
# the candidates answered the same items the same way; only the order differs.
#
#   paper order (items)   answers in paper order   total
#   A  0 2 1              1 1 1                    3
#   B  1 0 2              1 1 0                    2
#   C  2 0 1              1 1 0                    2
#   D  1 2 0              1 0 0                    1
#   E  0 2 1              0 0 0                    0
ORDERS = [[0, 2, 1], [1, 0, 2], [2, 0, 1], [1, 2, 0], [0, 2, 1]]


def shuffled_same_items() -> stats.Responses:
    rows = [
        (a, i, position, GRID[a][i], CHOICES[a][i])
        for a in range(5)
        for position, i in enumerate(ORDERS[a])
    ]
    return stats.Responses(*np.array(rows).T)


def test_same_items_in_any_order_give_classic_kr20_exactly():
    s = stats.form_sums(shuffled_same_items(), 3)
    assert s.items == {0: (5, 3), 1: (5, 3), 2: (5, 2)}
    result = stats.form_statistics(s)
    # classic KR-20 from the item table above: p = .6 .6 .4, sum pq = .72, var = 1.04,
    # alpha = 3/2 (1 - .72/1.04) = 6/13, computed in rationals so exactly the same float
    assert result.alpha == 6 / 13
    assert result.sem == pytest.approx(math.sqrt(0.56), abs=1e-15)
    # per position (the old, wrong reading) the columns above give 4, 3 and 1 right of 5:
    # p = .8 .6 .2, sum pq = .16 + .24 + .16 = .56, "alpha" = 3/2 (1 - .56/1.04) = 9/13
    assert result.alpha != pytest.approx(9 / 13, abs=1e-3)
    assert stats.naive_form_statistics(shuffled_same_items(), 3).alpha == pytest.approx(6 / 13)


# Four candidates, a bank of three items, papers of two drawn items each, shuffled. Position 0
# and position 1 mix items, so per-position facilities say nothing about any item.
#
#   paper (item: answer)   total
#   A  0:1  1:1            2
#   B  2:1  0:0            1
#   C  1:0  2:1            1
#   D  0:0  2:0            0
DRAWN = [[(0, 1), (1, 1)], [(2, 1), (0, 0)], [(1, 0), (2, 1)], [(0, 0), (2, 0)]]


def drawn_papers() -> stats.Responses:
    rows = [
        (a, i, position, x, 0 if x else 1)
        for a, paper in enumerate(DRAWN)
        for position, (i, x) in enumerate(paper)
    ]
    return stats.Responses(*np.array(rows).T)


def test_alpha_of_drawn_papers_by_hand():
    s = stats.form_sums(drawn_papers(), 2)
    # item 0 on A, B, D: 1 right of 3; item 1 on A, C: 1 of 2; item 2 on B, C, D: 2 of 3
    assert s.items == {0: (3, 1), 1: (2, 1), 2: (3, 2)}
    assert (s.n, s.st, s.stt) == (4, 4, 6)
    result = stats.form_statistics(s)
    # p q: item 0 (1/3)(2/3) = 2/9, item 1 (1/2)(1/2) = 1/4, item 2 (2/3)(1/3) = 2/9
    # each candidate's own sum: A 2/9 + 1/4 = 17/36, B 2/9 + 2/9 = 16/36, C 17/36, D 16/36
    #   mean over candidates = 66/144 = 11/24
    # totals 2 1 1 0: mean 1, var = (1 + 0 + 0 + 1)/4 = 1/2
    # alpha = 2/1 (1 - (11/24)/(1/2)) = 2 (1 - 11/12) = 1/6
    assert stats.mean_item_variance(s) == Fraction(11, 24)
    assert result.mean == 1.0
    assert result.sd == pytest.approx(math.sqrt(0.5))
    assert result.alpha == pytest.approx(1 / 6, abs=1e-15)
    # SEM = sqrt(1/2) sqrt(5/6) = sqrt(5/12) = 0.645497
    assert result.sem == pytest.approx(math.sqrt(5 / 12), abs=1e-15)
    # per position (the old, wrong reading): position 0 answers 1 1 0 0, position 1 answers
    # 1 0 1 0, p = .5 each, sum pq = .5 = var, alpha = 0. The per-item value is not that.
    assert result.alpha != pytest.approx(0.0, abs=1e-3)
    assert stats.naive_form_statistics(drawn_papers(), 2).alpha == pytest.approx(1 / 6)


def test_form_sums_of_batches_add_up_under_item_keys():
    # two batches gathered with different item indices add up by version id
    r = drawn_papers()
    first, second = r.where(r.attempt < 2), r.where(r.attempt >= 2)
    # the second batch numbers the items the other way round: index 2 - i
    relabelled = stats.Responses(
        second.attempt, 2 - second.item, second.position, second.correct, second.choice
    )
    ids = np.array([100, 101, 102])
    both = stats.form_sums(first, 2, keys=ids) + stats.form_sums(
        relabelled, 2, keys=ids[::-1].copy()
    )
    whole = stats.form_sums(r, 2, keys=ids)
    assert both == whole
    assert whole.items == {100: (3, 1), 101: (2, 1), 102: (3, 2)}


def test_vectorised_form_statistics_agree_with_the_plain_loop_on_drawn_papers():
    rng = np.random.default_rng(11)
    ability, difficulty = rng.normal(size=300), rng.normal(size=40)
    rows = []
    for a in range(300):
        for position, i in enumerate(rng.choice(40, size=12, replace=False)):
            correct = int(rng.random() < 1 / (1 + math.exp(difficulty[i] - ability[a])))
            rows.append((a, i, position, correct, 0))
    r = stats.Responses(*np.array(rows).T)
    fast, slow = stats.form_statistics(stats.form_sums(r, 12)), stats.naive_form_statistics(r, 12)
    for name in ("n", "mean", "sd", "alpha", "sem"):
        assert getattr(fast, name) == pytest.approx(getattr(slow, name), abs=1e-12), name


def test_form_statistics_undefined_cases():
    assert stats.form_statistics(stats.FormSums(3)).mean is None
    # everybody scored 2 of 3: no variance, so no alpha and no SEM
    same = stats.FormSums(
        3, n=2, st=4, stt=8, items={0: (2, 2), 1: (2, 2), 2: (2, 0)}, histogram=[0, 0, 2, 0]
    )
    result = stats.form_statistics(same)
    assert (result.mean, result.sd, result.alpha, result.sem) == (2.0, 0.0, None, None)


def test_a_constant_item_has_no_discrimination():
    rows = [(a, 0, 0, 1, 0) for a in range(4)] + [(a, 1, 1, a % 2, 0) for a in range(4)]
    result = stats.item_statistics(stats.item_sums(stats.Responses(*np.array(rows).T), 4, 2, 4))
    assert result.facility[0] == 1.0
    assert math.isnan(result.discrimination[0])
    assert stats.finite(result.discrimination[0]) is None


def test_sums_add_up():
    r = small()
    first, second = r.attempt < 2, r.attempt >= 2
    whole = stats.item_sums(r, 5, 3, 4)
    a, b = stats.item_sums(r.where(first), 5, 3, 4), stats.item_sums(r.where(second), 5, 3, 4)
    for name in ("n", "sx", "sy", "sxy", "syy", "choices", "omitted"):
        assert (getattr(a, name) + getattr(b, name) == getattr(whole, name)).all(), name
    forms = stats.form_sums(r.where(first), 3) + stats.form_sums(r.where(second), 3)
    assert forms == stats.form_sums(r, 3)


def test_vectorised_agrees_with_the_plain_loop_on_sparse_papers():
    # 400 candidates, each sees 10 of 25 items (as a drawn paper does)
    rng = np.random.default_rng(7)
    ability = rng.normal(size=400)
    difficulty = rng.normal(size=25)
    rows = []
    for a in range(400):
        for position, i in enumerate(rng.choice(25, size=10, replace=False)):
            correct = int(rng.random() < 1 / (1 + math.exp(difficulty[i] - ability[a])))
            rows.append((a, i, position, correct, 0 if correct else int(rng.integers(1, 4))))
    r = stats.Responses(*np.array(rows).T)
    fast = stats.item_statistics(stats.item_sums(r, 400, 25, 4))
    slow = stats.naive_item_statistics(r, 400, 25)
    for i, (p, rpb, eff) in enumerate(slow):
        assert fast.facility[i] == pytest.approx(p, abs=1e-9)
        assert fast.discrimination[i] == pytest.approx(rpb, abs=1e-9)
        assert fast.efficiency[i] == pytest.approx(eff, abs=1e-9)


# -- flags -----------------------------------------------------------------------------------


def test_flag_too_hard():
    assert stats.flags(30, 0.19, 0.3, [5, 5, 10, 10], 20) == ["too_hard"]
    assert stats.flags(30, 0.2, 0.3, [5, 5, 10, 10], 20) == []


def test_flag_too_easy():
    assert stats.flags(30, 0.96, 0.3, [29, 1, 1, 1], 20) == ["too_easy"]
    assert stats.flags(30, 0.95, 0.3, [29, 1, 1, 1], 20) == []


def test_flag_negative_discrimination():
    assert stats.flags(30, 0.5, -0.01, [15, 5, 5, 5], 20) == ["negative_discrimination"]
    assert stats.flags(30, 0.5, 0.0, [15, 5, 5, 5], 20) == []
    assert stats.flags(30, 0.5, None, [15, 5, 5, 5], 20) == []


def test_flag_an_option_nobody_picks():
    assert stats.flags(30, 0.5, 0.3, [15, 0, 15, 0], 20) == ["unused_option:1", "unused_option:3"]


def test_no_flags_below_the_minimum_number_of_responses():
    assert stats.flags(19, 0.0, -0.5, [0, 0, 0, 0], 20) == []
    assert stats.flags(20, 0.0, -0.5, [0, 19, 1, 0], 20) == [
        "too_hard",
        "negative_discrimination",
        "unused_option:0",
        "unused_option:3",
    ]
