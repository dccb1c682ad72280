"""The clip part of an official exam (issue 21, point 6): hazard-perception clips the candidate
watches before the questions, one after the other, each scored the DVSA way
(``question_bank.clip_scoring``).

- **Draw**: ``blueprint.clip_count`` clips of the class from the bank's clips reserved for
  official exams (practice clips, whose windows are public, never; the demo set never in
  production), the least exposed first, at random within a count, from the attempt's seed.
- **Watching** (``start_clip``, ``save_clicks``): the page asks to start the next clip; the
  server notes the time and hands out the clip without its windows. A clip started again
  before its clicks arrived (a reload, a crash) restarts once; started a third time it scores 0
  and the part goes on (the candidate is told before the part begins). The clicks come when
  the clip ends and are checked (``clip_scoring.check_clicks``: none later than the clip could
  have played since the server started it); a repeat of the same clicks changes nothing.
- **Grading** (``grade_clips``): points per window, summed; the part passes with
  ``blueprint.clip_pass_percent`` of its points.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from ujisim.core import clock
from ujisim.core.errors import ConflictError
from ujisim.exam import classes
from ujisim.exam.errors import AttemptClosed
from ujisim.exam.models import Attempt, AttemptState, ClipResponse, ExamBlueprint, ItemExposure
from ujisim.question_bank.clip_scoring import PatternRule, check_clicks, score
from ujisim.question_bank.labels import CLIP_PATTERN_LABELS
from ujisim.question_bank.models import BankVersion, BankVersionItem, ItemKind, ItemVersion

#: restarts a clip allows: the first reload restarts it, the next start scores it 0
RESTARTS = 1
#: the clicks' plausibility check allows the network this long (ms) past the clip's own time
SLACK_MS = 3000
#: the time a clip part adds to the exam's deadline beyond the clips' own length, per clip
#: (reading the instructions, starting the clip)
OVERHEAD_S = 20


def draw_clips(
    session: Session, blueprint: ExamBlueprint, bank: BankVersion, seed: str, *, refuse_demo: bool
) -> list[dict]:
    """The clip part's clips: {"v": version id} each, in the order they are watched."""
    if not blueprint.clip_count:
        return []
    cls = classes.bank_class(blueprint.vehicle_class)
    rows = session.execute(
        select(ItemVersion.id, ItemVersion.item_id, ItemVersion.classes, ItemVersion.demo)
        .join(BankVersionItem, BankVersionItem.item_version_id == ItemVersion.id)
        .where(
            BankVersionItem.bank_version_id == bank.id,
            ItemVersion.kind == ItemKind.CLIP,
            ItemVersion.practice.is_(False),
        )
        .order_by(ItemVersion.id)
    ).all()
    pool = [(v, i) for v, i, c, demo in rows if cls in c.split(",") and not (demo and refuse_demo)]
    if len(pool) < blueprint.clip_count:
        raise ConflictError(
            _("The SIM %(cls)s exam cannot start right now because the question bank does not "
              "have enough hazard-perception clips yet. Please try again later or contact the "
              "Satpas office.", cls=blueprint.vehicle_class),
            code="bank_too_small",
        )  # fmt: skip
    counts = dict(
        session.execute(
            select(ItemExposure.item_id, ItemExposure.count).where(
                ItemExposure.item_id.in_([i for _v, i in pool])
            )
        ).all()
    )
    rng = random.Random(f"{seed}:clips")  # noqa: S311 (fairness, not secrecy: the seed is stored)
    ranked = sorted(pool, key=lambda p: (counts.get(p[1], 0), rng.random()))
    return [{"v": v} for v, _i in ranked[: blueprint.clip_count]]


def clip_item_ids(session: Session, clips: list[dict]) -> list[int]:
    """The item ids of drawn clips (their exposure is counted with the paper's)."""
    ids = [c["v"] for c in clips]
    if not ids:
        return []
    return list(session.scalars(select(ItemVersion.item_id).where(ItemVersion.id.in_(ids))))


def part_seconds(session: Session, clips: list[dict]) -> int:
    """The time the clip part adds to the exam's deadline: the clips' length and a little each."""
    if not clips:
        return 0
    versions = session.scalars(
        select(ItemVersion).where(ItemVersion.id.in_([c["v"] for c in clips]))
    )
    return sum(round(v.media["clip"]["duration"]) + OVERHEAD_S for v in versions)


def responses(session: Session, attempt: Attempt) -> dict[int, ClipResponse]:
    """The attempt's clip responses by number."""
    rows = session.scalars(select(ClipResponse).where(ClipResponse.attempt_id == attempt.id))
    return {r.number: r for r in rows}


def next_clip(session: Session, attempt: Attempt, held: dict | None = None) -> int | None:
    """The number of the first clip not finished yet, or None when the part is done (``held``:
    the responses when the caller has read them)."""
    held = responses(session, attempt) if held is None else held
    for number in range(len(attempt.clips)):
        if number not in held or held[number].finished_at is None:
            return number
    return None


@dataclass(frozen=True)
class Started:
    """A clip handed to the page: its number, its version, how often it was restarted, and
    whether it scores 0 already (restarted too often: the page moves on)."""

    number: int
    version: ItemVersion
    restarts: int
    zeroed: bool


def _open_for_clips(attempt: Attempt) -> None:
    if attempt.state == AttemptState.PAUSED:
        raise AttemptClosed(_("The exam is paused. Complete the identity check to continue."),
                            code="paused")  # fmt: skip
    if attempt.state != AttemptState.STARTED:
        raise AttemptClosed(_("This exam no longer accepts answers."))


def start_clip(session: Session, attempt: Attempt, number: int, key: str | None = None) -> Started:
    """Start clip ``number`` (the next unfinished one; the attempt locked by the caller). A
    clip started before and not finished restarts (``RESTARTS`` times), then scores 0. ``key``:
    the page's id of this press of Start; the same press sent again (its answer lost on the
    way) is the same start, not a restart."""
    _open_for_clips(attempt)
    responses_held = responses(session, attempt)
    if number != next_clip(session, attempt, responses_held):
        raise ConflictError(
            _("This clip is not the next one. Reload the page to see where your exam is."),
            code="clip_order",
        )
    version = session.get(ItemVersion, attempt.clips[number]["v"])
    held = responses_held.get(number)
    now = clock.now()
    if held is None:
        session.add(ClipResponse(attempt_id=attempt.id, number=number, started_at=now,
                                 start_key=key))  # fmt: skip
        session.flush()
        return Started(number, version, 0, False)
    if key is not None and held.start_key == key:  # a retried request: the start it made
        return Started(number, version, held.restarts, False)
    if held.restarts >= RESTARTS:  # a third start: the clip scores 0, the part goes on
        held.zeroed, held.finished_at, held.clicks_json = "restarted", now, "[]"
        return Started(number, version, held.restarts, True)
    held.restarts += 1
    held.started_at, held.start_key = now, key
    return Started(number, version, held.restarts, False)


def save_clicks(session: Session, attempt: Attempt, number: int, raw) -> bool:
    """Keep the clicks of clip ``number`` once it has ended. Returns True when stored now,
    False for a repeat of what is held (a retried request). Refuses clicks for a clip not
    started, already finished with other clicks, or that no player could have sent."""
    _open_for_clips(attempt)
    held = responses(session, attempt).get(number)
    if held is None or number >= len(attempt.clips):
        raise ConflictError(_("This clip was not started."), code="clip_order")
    version = session.get(ItemVersion, attempt.clips[number]["v"])
    played = (clock.now() - held.started_at).total_seconds() * 1000 + SLACK_MS
    clicks = check_clicks(raw, version.media["clip"]["duration"], played_ms=played)
    if held.finished_at is not None:
        if held.zeroed or held.clicks != clicks:
            raise ConflictError(_("This clip has already ended; its clicks are kept."),
                                code="clip_done")  # fmt: skip
        return False
    held.clicks_json = json.dumps(clicks)
    held.finished_at = clock.now()
    return True


@dataclass(frozen=True)
class ClipGrade:
    #: per clip: (points, most points, pattern rule broken or "restarted", or None)
    clips: tuple[tuple[int, int, str | None], ...]

    @property
    def points(self) -> int:
        return sum(c[0] for c in self.clips)

    @property
    def maximum(self) -> int:
        return sum(c[1] for c in self.clips)


def scored(response: ClipResponse | None, windows: list[dict], rule: PatternRule):
    """The score of one clip's clicks (``ClipScore``), or None for a clip that counts 0 without
    them: never started, not watched to its end, or restarted too often."""
    if response is None or response.finished_at is None or response.zeroed:
        return None
    return score(windows, response.clicks, rule)


def grade_clips(session: Session, attempt: Attempt) -> ClipGrade:
    """Score every clip of the attempt: its clicks against its windows (0 for a clip never
    finished or restarted too often)."""
    rule = PatternRule.of(current_app.config.get("CLIP_PATTERN"))
    held = responses(session, attempt)
    out = []
    for number, entry in enumerate(attempt.clips):
        windows = session.get(ItemVersion, entry["v"]).media["clip"]["windows"]
        response = held.get(number)
        result = scored(response, windows, rule)
        if result is None:
            out.append((0, 5 * len(windows), response.zeroed if response else None))
        else:
            out.append((result.total, result.maximum, result.pattern))
    return ClipGrade(tuple(out))


def replay(session: Session, attempt: Attempt) -> list[dict]:
    """The clip part as an examiner replays it: per clip its item, windows with the points and
    the scoring click, every click, restarts, and why it scored 0 if it did."""
    rule = PatternRule.of(current_app.config.get("CLIP_PATTERN"))
    held = responses(session, attempt)
    rows = []
    for number, entry in enumerate(attempt.clips):
        version = session.get(ItemVersion, entry["v"])
        spec = version.media["clip"]
        response = held.get(number)
        clicks = response.clicks if response else []
        result = scored(response, spec["windows"], rule)
        done = result is not None
        windows = [
            {**w, "points": result.windows[i].score if result else 0,
             "click": result.windows[i].click_ms if result else None}
            for i, w in enumerate(spec["windows"])
        ]  # fmt: skip
        rows.append({
            "number": number, "code": version.item.code, "version": version.number,
            "duration": spec["duration"], "windows": windows, "clicks": clicks,
            "clicks_s": ", ".join(f"{ms / 1000:.2f}" for ms in clicks) or "—",
            "restarts": response.restarts if response else 0,
            "zeroed": response.zeroed if response else None,
            "pattern": done and result.pattern and str(CLIP_PATTERN_LABELS[result.pattern]),
            "finished": done, "points": result.total if result else 0,
            "maximum": 5 * len(spec["windows"]),
        })  # fmt: skip
    return rows
