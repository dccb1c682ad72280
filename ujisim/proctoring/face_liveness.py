"""The liveness challenge over a burst, read from what each frame's landmarks show
(:mod:`ujisim.proctoring.face_pose`), and the mirrored-frame check.

Part of the face library (:mod:`ujisim.proctoring.faces` re-exports everything here). The
challenge is a random sequence of actions (turn left, turn right, look up, close the eyes, open the
mouth) shown one at a time on a schedule the server fixes when it issues the challenge: look at the
camera, then each action in its window followed by a look at the camera again. The client sends
each frame with its time (ms since the first prompt); :func:`check_liveness` reads what each frame
shows and passes the burst only if every action was held inside its own window, the head was
frontal again between actions, and nothing else was done (an extra turn, a closed-eye or an open
mouth outside its window fails the burst). A recording cannot know the order or the timing, and
every challenge asks for the eyes or the mouth, which a photo, however it is bent or turned, cannot
move. Each signal is compared with the subject's own median in the look windows, so a narrow-eyed
face, a smile or a long nose is its own baseline.
"""

from __future__ import annotations

import json
import random
import secrets
import statistics
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from ujisim.proctoring.face_pose import Signals

Action = Literal["turn_left", "turn_right", "look_up", "blink", "mouth"]
ACTIONS: tuple[Action, ...] = ("turn_left", "turn_right", "look_up", "blink", "mouth")
#: actions a photo cannot do however it is turned, bent or folded: every challenge has one
NON_RIGID: tuple[Action, ...] = ("blink", "mouth")
#: actions in one challenge (every action at most once, at least one of NON_RIGID): 5 x 4 x 3
#: sequences less the 6 of head movements only = 54
CHALLENGE_LENGTH = 3
#: the schedule (ms): a look at the camera, then per action its window and a look again (the
#: looks' lengths are drawn per challenge; LOOK_MS is the default)
LOOK_MS = 1500
ACTION_MS = 2000
#: a turn must move the yaw this far from the subject's median (about 15 degrees)
TURN_YAW = 0.25
#: looking up: the pitch ratio at least this share below the subject's median (a head tilted
#: back by about 10 degrees lowers it by a quarter; a flat photo tilted back by 40 degrees moves
#: it by under 0.06, an open mouth by under 0.16, and an open mouth is read first)
LOOK_UP = 0.18
#: closed eyes: the mean EAR at most this share of the subject's median
CLOSED_EYES = 0.72
#: open mouth: the MAR at least this much above the subject's median
OPEN_MOUTH = 0.2
#: an action starting sooner than this after its prompt was not a reaction to it
MIN_REACT_MS = 200
#: ... and an action starting later than this after its prompt was not one either
MAX_REACT_MS = 1500
#: an action is held until its window ends (its last frame at most RELEASE_EARLY_MS before)
#: and let go within RELEASE_LATE_MS after
RELEASE_EARLY_MS = 500
RELEASE_LATE_MS = 1500
#: an action is a state seen in this many consecutive frames (a natural blink or a word spoken
#: is shorter than two frames a third of a second apart, so it is not an action)
HOLD_FRAMES = 2


@dataclass(frozen=True)
class Challenge:
    """The actions asked for, in order, and the schedule the client follows: ``looks[0]`` ms
    looking at the camera, then per action ``action_ms`` for it and ``looks[i + 1]`` looking at
    the camera again. The server draws the looks' lengths too, so a recording cannot line its
    actions up with the windows even when it guesses the order."""

    actions: tuple[Action, ...]
    looks: tuple[int, ...] = ()
    action_ms: int = ACTION_MS
    #: drawn with the challenge; the burst names it, so a burst for an earlier challenge of the
    #: same try (asked for again in another tab) is told apart and refused undecided
    nonce: str = ""

    def __post_init__(self) -> None:
        if not self.actions or any(a not in ACTIONS for a in self.actions):
            raise ValueError(f"a challenge is a sequence of {', '.join(ACTIONS)}")
        if not self.looks:
            object.__setattr__(self, "looks", (LOOK_MS,) * (len(self.actions) + 1))
        if len(self.looks) != len(self.actions) + 1:
            raise ValueError("a challenge has one look before and one after each action")

    @property
    def total_ms(self) -> int:
        return sum(self.looks) + len(self.actions) * self.action_ms

    def steps(self) -> list[tuple[str, int, int]]:
        """(what, start, end) in ms: "look" or an action, one after the other."""
        out, t = [("look", 0, self.looks[0])], self.looks[0]
        for action, look in zip(self.actions, self.looks[1:], strict=True):
            out.append((action, t, t + self.action_ms))
            out.append(("look", t + self.action_ms, t + self.action_ms + look))
            t += self.action_ms + look
        return out

    def step_at(self, ms: float) -> int:
        """The index into :meth:`steps` of the step running at ``ms``."""
        for index, (_what, start, end) in enumerate(self.steps()):
            if start <= ms < end:
                return index
        return len(self.steps()) - 1

    def to_dict(self) -> dict[str, Any]:
        return {
            "actions": list(self.actions),
            "looks": list(self.looks),
            "action_ms": self.action_ms,
            "nonce": self.nonce,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Challenge:
        looks = tuple(int(v) for v in data["looks"])
        nonce = str(data.get("nonce", ""))
        return cls(tuple(data["actions"]), looks, int(data["action_ms"]), nonce)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), separators=(",", ":"))

    @classmethod
    def from_json(cls, text: str) -> Challenge:
        """A stored challenge; a row from before the action challenge holds a list of turn
        directions, read as the same turns."""
        data = json.loads(text)
        if isinstance(data, list):
            return cls(tuple(f"turn_{d}" for d in data))
        return cls.from_dict(data)


#: the lengths a look and an action's window may be drawn with (ms)
LOOK_CHOICES = (1000, 1500, 2000, 2500, 3000)
ACTION_CHOICES = (1500, 2000, 2500)


def random_challenge(rng: random.Random | None = None) -> Challenge:
    """Three different actions in a random order, at least one of the eyes or the mouth (54
    sequences), with looks and action windows of random lengths (1875 schedules), drawn by the
    server."""
    rng = rng or secrets.SystemRandom()
    actions = tuple(rng.sample(ACTIONS, CHALLENGE_LENGTH))
    while not set(actions) & set(NON_RIGID):
        actions = tuple(rng.sample(ACTIONS, CHALLENGE_LENGTH))
    looks = tuple(rng.choice(LOOK_CHOICES) for _ in range(CHALLENGE_LENGTH + 1))
    nonce = f"{rng.getrandbits(64):016x}"
    return Challenge(actions, looks, rng.choice(ACTION_CHOICES), nonce)


@dataclass(frozen=True)
class LivenessResult:
    """The challenge over a burst: per frame its time, what it showed (``states``: "look", an
    action, or None without a usable face), the ``events`` (an action held, with the times it
    started and ended) and the reason: "ok", "too_few_frames", "still", "missing_action"
    (``action`` names it), "unrequested_action" (``action`` names it: an action nobody asked for,
    or one that did not start as a reaction to its prompt), "action_timing" (an action let go
    before its window ended or held far into the next look) or "not_frontal" (the head did not
    come back between actions)."""

    passed: bool
    reason: str
    challenge: Challenge
    baseline: dict[str, float] | None = None
    times: tuple[int, ...] = ()
    states: tuple[str | None, ...] = ()
    signals: tuple[Signals | None, ...] = ()
    events: tuple[tuple[str, int, int], ...] = ()
    action: str | None = None
    thresholds: dict[str, float] = field(
        default_factory=lambda: {
            "turn_yaw": TURN_YAW,
            "look_up": LOOK_UP,
            "closed_eyes": CLOSED_EYES,
            "open_mouth": OPEN_MOUTH,
            "hold_frames": HOLD_FRAMES,
        }
    )

    def to_dict(self) -> dict[str, Any]:
        return {
            "passed": self.passed,
            "reason": self.reason,
            "challenge": self.challenge.to_dict(),
            "baseline": self.baseline,
            "thresholds": self.thresholds,
            "times": list(self.times),
            "states": list(self.states),
            "signals": [
                None
                if s is None
                else [round(s.yaw, 3), round(s.ear, 3), round(s.mar, 3), round(s.pitch, 3)]
                for s in self.signals
            ],
            "events": [list(e) for e in self.events],
            "action": self.action,
        }


#: a state already entered is kept until its measure falls back below this share of its
#: threshold (hysteresis), so that one action held near a threshold is not read as two
KEEP = 0.6


def frame_state(s: Signals, baseline: dict[str, float], previous: str | None = None) -> str:
    """What a frame shows against the subject's baseline (``previous``: the state of the frame
    before, kept while its measure stays above KEEP x its threshold). A turned head hides the
    eyes and the mouth's width from the camera, so a turn wins over them; an open mouth drags
    the jaw line down, which also lowers the pitch ratio, so it wins over looking up; and a head
    tilted back foreshortens the eyes, so looking up wins over them."""
    turn = s.yaw - baseline["yaw"]
    mouth = s.mar - baseline["mar"]
    closed = 1 - s.ear / baseline["ear"] if baseline["ear"] > 0 else 0.0
    pitch = baseline.get("pitch", 0.0)
    up = 1 - s.pitch / pitch if pitch > 0 and s.pitch > 0 else 0.0

    def beyond(state: str, measure: float, threshold: float) -> bool:
        return measure >= (KEEP * threshold if previous == state else threshold)

    if beyond("turn_left", -turn, TURN_YAW):
        return "turn_left"
    if beyond("turn_right", turn, TURN_YAW):
        return "turn_right"
    if beyond("mouth", mouth, OPEN_MOUTH):
        return "mouth"
    if beyond("look_up", up, LOOK_UP):
        return "look_up"
    if beyond("blink", closed, 1 - CLOSED_EYES):
        return "blink"
    return "look"


def _events(
    times: Sequence[int], states: Sequence[str | None], verified: Sequence[bool]
) -> list[tuple[str, int, int]]:
    """Runs of one action over at least HOLD_FRAMES consecutive usable frames, at least one of
    them verified as the reference person (a far turn of somebody else's head held up in the
    candidate's place is no action of the candidate's)."""
    usable = [(t, s, v) for t, s, v in zip(times, states, verified, strict=True) if s is not None]
    out, run = [], []
    for t, state, ok in [*usable, (None, None, False)]:
        if run and state != run[0][1]:
            if run[0][1] != "look" and len(run) >= HOLD_FRAMES and any(r[2] for r in run):
                out.append((run[0][1], run[0][0], run[-1][0]))
            run = []
        if state is not None:
            run.append((t, state, ok))
    return out


def check_liveness(
    frames: Sequence[tuple[int, Signals | None]],
    challenge: Challenge,
    *,
    min_frames: int = 6,
) -> LivenessResult:
    """The challenge over ``frames``: (ms since the first prompt, the frame's signals or None
    when it has no usable face), in capture order. Passes when each action was held (for
    HOLD_FRAMES frames or more) starting MIN_REACT_MS to MAX_REACT_MS after its prompt and
    lasting until its window ended (RELEASE_EARLY_MS, RELEASE_LATE_MS), the head faced the
    camera between actions, and no action was held anywhere else."""
    times = tuple(int(t) for t, _s in frames)
    found = tuple(s for _t, s in frames)
    steps = challenge.steps()
    look = [s for t, s in frames if s is not None and steps[challenge.step_at(t)][0] == "look"]

    def result(reason: str, **kw) -> LivenessResult:
        return LivenessResult(reason == "ok", reason, challenge, times=times, signals=found, **kw)

    if sum(s is not None for s in found) < min_frames or len(look) < 2:
        return result("too_few_frames")
    baseline = {
        name: float(statistics.median(getattr(s, name) for s in look))
        for name in ("yaw", "ear", "mar", "pitch")
    }
    states: list[str | None] = []
    previous = None
    for s in found:
        states.append(None if s is None else frame_state(s, baseline, previous))
        previous = states[-1] or previous
    states = tuple(states)
    events = _events(times, states, [s is not None and s.verified for s in found])
    kw = {"baseline": baseline, "states": states, "events": tuple(events)}
    if not events:
        return result("still", **kw)
    for action, start, _end in events:
        what, window, _window_end = steps[challenge.step_at(start)]
        if what != action or not MIN_REACT_MS <= start - window <= MAX_REACT_MS:
            return result("unrequested_action", action=action, **kw)
    asked = [(what, start, end) for what, start, end in steps if what != "look"]
    for what, start, end in asked:
        shown = [e for a, t, e in events if a == what and start <= t < end]
        if not shown:
            return result("missing_action", action=what, **kw)
        # held until the prompt changed, and let go soon after
        if not end - RELEASE_EARLY_MS <= max(shown) <= end + RELEASE_LATE_MS:
            return result("action_timing", action=what, **kw)
    for (_a, _s, end), (_b, start, _e) in zip(events, events[1:], strict=False):
        between = [st for t, st in zip(times, states, strict=True) if end < t < start]
        if "look" not in between:
            return result("not_frontal", **kw)
    return result("ok", **kw)


#: mean grey-level difference (0-255) of two 64x48 thumbnails below which one frame is the
#: other's mirror image; a live camera's mirrored frames differ by 29 or more (a symmetric pose
#: still has its light, hair and room on one side), a file mirrored and re-encoded by about 0
MIRROR_DIFF = 3.0


def thumbnail(image: np.ndarray) -> np.ndarray:
    """A 64x48 grey copy of a frame, to compare frames with each other."""
    from PIL import Image

    grey = Image.fromarray(image).convert("L").resize((64, 48), Image.Resampling.BILINEAR)
    return np.asarray(grey, dtype=np.float32)


def mirrored_pair(images: Sequence[np.ndarray]) -> tuple[int, int] | None:
    """The first pair of frames (i, j) where j is i's mirror image, or None. A photo and its
    mirror alternated show the head turned to both sides without anybody moving; no camera in
    front of a live person gives the mirror of its own frame."""
    thumbs = [thumbnail(image) for image in images]
    for j, later in enumerate(thumbs):
        flipped = later[:, ::-1]
        for i in range(j):
            if float(np.abs(thumbs[i] - flipped).mean()) < MIRROR_DIFF:
                return i, j
    return None
