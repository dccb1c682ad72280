"""Scoring a hazard-perception clip the DVSA way, and the checks on the clicks a page sends.

A window (``clip_spec``: from when the hazard can first be seen developing to when the driver
would have to brake hard) is cut into five equal parts; the first click inside it scores 5 in the
first part down to 1 in the last, a window without a click scores 0. A clip whose clicks form a
pattern (too many, a burst, or a steady rhythm: clicking all the time instead of at hazards)
scores 0 on all its windows, and says which rule it broke (``PatternRule``, configurable as
``UJISIM_CLIP_PATTERN``). Source: DVSA hazard perception test (14 clips, 15 hazards, 5..0 per
hazard; a rhythmic or continuous clicking pattern scores 0 for the clip), see shared/DOMAIN.md.

Clicks are milliseconds of the clip's own time base (the page's clock from the clip's first
frame), sent with the answers; ``check_clicks`` refuses what a real page cannot send.
"""

from __future__ import annotations

import json
import statistics
from dataclasses import dataclass

from flask_babel import gettext as _

from ujisim.core.errors import ValidationError

#: most clicks a page may send for one clip (far above any honest pattern; more is not a page)
CLICK_LIMIT = 200
PARTS = 5


@dataclass(frozen=True)
class PatternRule:
    """When a clip's clicks are a pattern rather than reactions (each limit configurable)."""

    #: more clicks than this in one clip
    max_clicks: int = 15
    #: more than ``burst_clicks`` clicks within ``burst_seconds``
    burst_clicks: int = 4
    burst_seconds: float = 3.0
    #: ``rhythm_run`` clicks in a row whose gaps vary by less than ``rhythm_spread`` of their
    #: mean (a steady beat), the mean gap at most ``rhythm_gap`` seconds
    rhythm_run: int = 5
    rhythm_spread: float = 0.15
    rhythm_gap: float = 4.0

    @classmethod
    def of(cls, config: dict | str | None) -> PatternRule:
        """The rule with a deployment's overrides (``CLIP_PATTERN``: JSON or a mapping);
        an unknown name is an error rather than a limit silently not applied."""
        return cls(**(json.loads(config) if isinstance(config, str) else config or {}))

    def broken(self, clicks_ms: list[int]) -> str | None:
        """The rule the clicks break ("too_many", "burst", "rhythm"), or None."""
        seconds = [c / 1000 for c in clicks_ms]
        if len(seconds) > self.max_clicks:
            return "too_many"
        n = self.burst_clicks + 1
        if any(
            b - a <= self.burst_seconds for a, b in zip(seconds, seconds[n - 1 :], strict=False)
        ):
            return "burst"
        gaps = [b - a for a, b in zip(seconds, seconds[1:], strict=False)]
        run = self.rhythm_run - 1
        for i in range(len(gaps) - run + 1):
            window = gaps[i : i + run]
            mean = statistics.fmean(window)
            if (
                0 < mean <= self.rhythm_gap
                and statistics.pstdev(window) < self.rhythm_spread * mean
            ):
                return "rhythm"
        return None


def pattern_message(rule: str) -> str:
    """What a practising candidate is told about the clicks that scored 0."""
    return {
        "too_many": _("You clicked too many times in this clip, so it scores 0. Click when you "
                      "see a hazard developing, not all the time."),
        "burst": _("You clicked many times in a few seconds, so this clip scores 0. One or two "
                   "clicks when a hazard develops are enough."),
        "rhythm": _("Your clicks came at a steady beat, so this clip scores 0. Click when you "
                    "see a hazard developing, not in a rhythm."),
    }[rule]  # fmt: skip


@dataclass(frozen=True)
class WindowScore:
    #: 0..5
    score: int
    #: the click that scored (ms of the clip), or None
    click_ms: int | None = None


@dataclass(frozen=True)
class ClipScore:
    windows: tuple[WindowScore, ...]
    #: the pattern rule the clicks broke (then every window scores 0), or None
    pattern: str | None = None

    @property
    def total(self) -> int:
        return sum(w.score for w in self.windows)

    @property
    def maximum(self) -> int:
        return PARTS * len(self.windows)


def window_score(start: float, end: float, clicks_ms: list[int]) -> WindowScore:
    """The first click inside [start, end] (seconds) scores 5 in the first fifth of the window
    down to 1 in the last; none scores 0."""
    start_ms, end_ms = round(start * 1000), round(end * 1000)
    part = (end_ms - start_ms) / PARTS
    for click in clicks_ms:
        if start_ms <= click <= end_ms:
            return WindowScore(PARTS - min(int((click - start_ms) // part), PARTS - 1), click)
    return WindowScore(0)


def score(windows: list[dict], clicks_ms: list[int], rule: PatternRule) -> ClipScore:
    """Score checked clicks against a clip's windows (``{start, end}`` in seconds)."""
    broken = rule.broken(clicks_ms)
    if broken:
        return ClipScore(tuple(WindowScore(0) for _w in windows), broken)
    return ClipScore(tuple(window_score(w["start"], w["end"], clicks_ms) for w in windows))


def check_clicks(raw, duration: float, *, played_ms: float | None = None) -> list[int]:
    """The clicks a page sent for a clip, checked: a list of whole milliseconds, rising, inside
    the clip's duration, at most ``CLICK_LIMIT``, and none later than the clip could have been
    played (``played_ms``: the time since the server handed the clip out, when it knows it).
    Raises ``ValidationError`` and changes nothing otherwise."""
    bad = ValidationError(_("These clicks cannot come from the clip player. Watch the clip again."),
                          code="clicks")  # fmt: skip
    if not isinstance(raw, list) or len(raw) > CLICK_LIMIT:
        raise bad
    if any(not isinstance(c, int) or isinstance(c, bool) for c in raw):
        raise bad
    if any(b <= a for a, b in zip(raw, raw[1:], strict=False)):
        raise bad
    if raw and (raw[0] < 0 or raw[-1] > duration * 1000):
        raise bad
    if raw and played_ms is not None and raw[-1] > played_ms:
        raise bad
    return list(raw)
