"""Item analysis of hazard-perception clips (issue 21, point 7): per clip version, over the graded
attempts that held it, the mean score (share of its points), the mean reaction time (from a
window's start to the click that scored in it) and its discrimination: the correlation between
the clip's score and the candidate's score on the questions (the rest of the exam), as the item
analysis of questions uses the item-rest correlation. Computed on demand from the clip responses
(clips are few; a paper holds a handful).
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass

import numpy as np
from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from ujisim.exam.clips import scored
from ujisim.exam.models import Attempt, AttemptState, ClipResponse
from ujisim.question_bank.clip_scoring import PatternRule
from ujisim.question_bank.models import Item, ItemVersion

#: fewer responses than this give no discrimination (a correlation of a handful means nothing)
MIN_FOR_DISCRIMINATION = 5


@dataclass(frozen=True)
class ClipStat:
    code: str
    version_number: int
    #: graded attempts that held the clip
    n: int
    #: mean share of the clip's points (0..1)
    mean_score: float
    #: mean ms from a window's start to the scoring click (None: no click ever scored)
    mean_reaction_ms: float | None
    #: Pearson correlation of the clip's points with the question score (None: too few, or no
    #: spread)
    discrimination: float | None
    #: clicks that broke a pattern rule (scored 0)
    patterns: int


def _correlation(a: list[float], b: list[float]) -> float | None:
    if len(a) < MIN_FOR_DISCRIMINATION or np.std(a) == 0 or np.std(b) == 0:
        return None
    return float(np.corrcoef(a, b)[0, 1])


def query_clip_stats(session: Session) -> list[ClipStat]:
    """The statistics of every clip version that graded attempts held, by item code."""
    rule = PatternRule.of(current_app.config.get("CLIP_PATTERN"))
    attempts = session.execute(
        select(Attempt.id, Attempt.clips_json, Attempt.score).where(
            Attempt.state == AttemptState.GRADED, Attempt.clips_json.is_not(None)
        )
    ).all()
    held: dict[tuple[int, int], ClipResponse] = {
        (r.attempt_id, r.number): r
        for r in session.scalars(
            select(ClipResponse).where(ClipResponse.attempt_id.in_([a[0] for a in attempts]))
        )
    }
    per_version: dict[int, list[tuple[float, float, list[int], bool]]] = defaultdict(list)
    versions: dict[int, ItemVersion] = {}
    for attempt_id, clips_json, question_score in attempts:
        for number, entry in enumerate(json.loads(clips_json)):
            version = versions.get(entry["v"]) or session.get(ItemVersion, entry["v"])
            versions[version.id] = version
            windows = version.media["clip"]["windows"]
            response = held.get((attempt_id, number))
            reactions, share, pattern = [], 0.0, False
            result = scored(response, windows, rule)
            if result is not None:
                share = result.total / result.maximum
                pattern = result.pattern is not None
                reactions = [w.click_ms - round(win["start"] * 1000)
                             for w, win in zip(result.windows, windows, strict=True)
                             if w.click_ms is not None]  # fmt: skip
            per_version[version.id].append((share, float(question_score or 0), reactions, pattern))
    codes = dict(session.execute(select(Item.id, Item.code)).all()) if versions else {}
    stats = []
    for version_id, rows in per_version.items():
        version = versions[version_id]
        shares = [r[0] for r in rows]
        reactions = [ms for r in rows for ms in r[2]]
        stats.append(
            ClipStat(
                code=codes[version.item_id],
                version_number=version.number,
                n=len(rows),
                mean_score=float(np.mean(shares)),
                mean_reaction_ms=float(np.mean(reactions)) if reactions else None,
                discrimination=_correlation(shares, [r[1] for r in rows]),
                patterns=sum(r[3] for r in rows),
            )
        )
    return sorted(stats, key=lambda s: (s.code, s.version_number))
