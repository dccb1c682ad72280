"""Bots against the clip part (issue 21): what a program scores that reads the clip package the
exam page gets (paths and changes, never the windows) instead of watching. The package must
hold the motion to animate it, so the question is how much the motion gives away.

Bots, each scored by the real rule (``clip_scoring.score`` with the default ``PatternRule``) on
every reserved clip of both classes, against a "random" clicker (4 clicks at random times) and
an "early human" (one click 0.8 s into each window, the reaction of an attentive driver):
- ``first_change``: one click at the first moment any road user starts to move differently or
  changes (a path keyframe where its speed changes, or a ``changes`` entry), plus 0.3 s;
- ``every_change``: a click 0.3 s after each such moment, as many as the pattern rule lets
  through (at most 15, never 5 within 3 s).
Prints JSON: per bot the mean share of points and the share of clips at or above the pass share
(59 %). A bot near the early human means the package gives the hazard away.

    .venv/bin/python bench/clip_bots.py [--seed 1]
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PASS_SHARE = 0.59


def moments(spec: dict) -> list[float]:
    """When any road user starts to move differently or changes, in the package's own data."""
    out = []
    for actor in spec["actors"]:
        path = actor["path"]
        speeds = []
        for (t0, s0, x0), (t1, s1, x1) in zip(path, path[1:], strict=False):
            speeds.append(((s1 - s0) / (t1 - t0), (x1 - x0) / (t1 - t0)))
        for i, (t, _s, _x) in enumerate(path[1:-1], start=1):
            if speeds[i] != speeds[i - 1]:
                out.append(t)
        if len(path) > 1 and speeds[0] != (0.0, 0.0):
            out.append(path[0][0])
        out += [c["t"] for c in actor.get("changes", [])]
        show = actor.get("show") or [None, None]
        out += [t for t in show if t is not None]
    return sorted(t for t in set(out) if 0 < t < spec["duration"])


def thin(clicks: list[int], rule) -> list[int]:
    """The clicks a bot keeps so that the pattern rule lets them through."""
    kept: list[int] = []
    for click in clicks:
        trial = [*kept, click]
        if rule.broken(trial) is None:
            kept = trial
    return kept


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)

    from ujisim.question_bank.clip_scoring import PatternRule, score
    from ujisim.question_bank.content import is_clip, load_dir

    rule = PatternRule()
    rng = random.Random(args.seed)
    clips = [i.media["clip"] for i in load_dir()[0] if is_clip(i.media) and not i.practice]
    shares: dict[str, list[float]] = {
        "random": [], "early_human": [], "first_change": [], "every_change": []
    }  # fmt: skip
    for spec in clips:
        windows, duration = spec["windows"], spec["duration"]
        found = [round((t + 0.3) * 1000) for t in moments(spec)]
        bots = {
            "random": sorted(rng.sample(range(1, int(duration * 1000)), 4)),
            "early_human": [round((w["start"] + 0.8) * 1000) for w in windows],
            "first_change": found[:1],
            "every_change": thin(found, rule),
        }
        for name, clicks in bots.items():
            result = score(windows, clicks, rule)
            shares[name].append(result.total / result.maximum)
    result = {
        "clips": len(clips),
        "pass_share": PASS_SHARE,
        "bots": {
            name: {
                "mean_share": round(statistics.fmean(values), 3),
                "clips_at_pass_share": round(sum(v >= PASS_SHARE for v in values) / len(values), 3),
            }
            for name, values in shares.items()
        },
    }
    print(json.dumps(result, indent=1))
    return result


if __name__ == "__main__":
    main()
