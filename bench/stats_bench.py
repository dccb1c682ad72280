"""Item analysis throughput: statistics for 100,000 attempts x 30 items (facility, item-rest
point-biserial, discriminative efficiency, choice counts, form mean/SD/KR-20/SEM) with the
vectorised code of ujisim/exam/stats.py, against a plain per-item Python loop on the same data
in the same run (so machines of different speed can be compared).

    .venv/bin/python bench/stats_bench.py [--attempts 100000] [--items 30] [--seed 8]

Responses are synthetic and seeded: a Rasch-like model (normal abilities and difficulties),
wrong answers spread over three distractors, 2% left blank. Both paths must agree to 1e-9.
Prints JSON. Target (issue 8): the vectorised statistics in <= 3 s.
"""

from __future__ import annotations

import argparse
import json
import math
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import numpy as np  # noqa: E402

from ujisim.exam import stats  # noqa: E402

TARGET_S = 3.0
OPTIONS = 4


def responses(attempts: int, items: int, seed: int) -> stats.Responses:
    """Long-form responses: every attempt answers every item (position = item)."""
    rng = np.random.default_rng(seed)
    ability = rng.normal(size=attempts)[:, None]
    difficulty = rng.normal(-0.8, 1.0, size=items)[None, :]
    correct = (rng.random((attempts, items)) < 1 / (1 + np.exp(difficulty - ability))).astype(
        np.int64
    )
    choice = np.where(correct == 1, 0, rng.integers(1, OPTIONS, size=(attempts, items)))
    blank = (rng.random((attempts, items)) < 0.02) & (correct == 0)
    choice = np.where(blank, -1, choice)
    attempt_idx = np.repeat(np.arange(attempts), items)
    item_idx = np.tile(np.arange(items), attempts)
    return stats.Responses(attempt_idx, item_idx, item_idx, correct.ravel(), choice.ravel())


def vectorised(r: stats.Responses, attempts: int, items: int):
    sums = stats.item_sums(r, attempts, items, OPTIONS)
    result = stats.item_statistics(sums)
    form = stats.form_statistics(stats.form_sums(r, items))
    return result, sums, form


def plain_form(r: stats.Responses, attempts: int, items: int) -> stats.FormStatistics:
    """Mean, SD, KR-20 and SEM with plain Python loops (two-pass)."""
    totals = [0] * attempts
    per_position = [0] * items
    for a, p, x in zip(r.attempt.tolist(), r.position.tolist(), r.correct.tolist(), strict=True):
        totals[a] += x
        per_position[p] += x
    mean = sum(totals) / attempts
    variance = sum((t - mean) ** 2 for t in totals) / attempts
    pq = sum((s / attempts) * (1 - s / attempts) for s in per_position)
    alpha = items / (items - 1) * (1 - pq / variance)
    sd = math.sqrt(variance)
    return stats.FormStatistics(attempts, items, mean, sd, alpha, sd * math.sqrt(1 - alpha))


def plain_choices(r: stats.Responses, items: int) -> list[list[int]]:
    counts = [[0] * OPTIONS for _ in range(items)]
    for i, c in zip(r.item.tolist(), r.choice.tolist(), strict=True):
        if c >= 0:
            counts[i][c] += 1
    return counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--attempts", type=int, default=100_000)
    parser.add_argument("--items", type=int, default=30)
    parser.add_argument("--seed", type=int, default=8)
    args = parser.parse_args()

    started = time.perf_counter()
    r = responses(args.attempts, args.items, args.seed)
    generate_s = time.perf_counter() - started

    started = time.perf_counter()
    fast, sums, fast_form = vectorised(r, args.attempts, args.items)
    fast_s = time.perf_counter() - started

    started = time.perf_counter()
    slow = stats.naive_item_statistics(r, args.attempts, args.items)
    slow_choices = plain_choices(r, args.items)
    slow_form = plain_form(r, args.attempts, args.items)
    slow_s = time.perf_counter() - started

    differences = [0.0]
    for i, (p, rpb, eff) in enumerate(slow):
        differences += [
            abs(fast.facility[i] - p),
            abs(fast.discrimination[i] - rpb),
            abs(fast.efficiency[i] - eff),
        ]
    for name in ("mean", "sd", "alpha", "sem"):
        differences.append(abs(getattr(fast_form, name) - getattr(slow_form, name)))
    max_difference = max(differences)
    agree = max_difference <= 1e-9 and sums.choices.tolist() == slow_choices
    result = {
        "benchmark": "item analysis (exam/stats.py)",
        "attempts": args.attempts,
        "items": args.items,
        "responses": int(len(r.attempt)),
        "generate_s": round(generate_s, 3),
        "vectorised_s": round(fast_s, 3),
        "plain_loop_s": round(slow_s, 3),
        "speedup": round(slow_s / fast_s, 1) if fast_s else None,
        "max_abs_difference": max_difference,
        "agree_1e-9": agree,
        "form": {
            "mean": round(fast_form.mean, 4),
            "sd": round(fast_form.sd, 4),
            "alpha": round(fast_form.alpha, 4),
            "sem": round(fast_form.sem, 4),
        },
        "target_s": TARGET_S,
        "meets_target": fast_s <= TARGET_S,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "machine": platform.machine(),
    }
    print(json.dumps(result, indent=2))
    if not agree:
        sys.exit(1)


if __name__ == "__main__":
    main()
