"""Head yaw from landmarks, and the head-turn liveness challenge over a burst's yaws.

Part of the face library (:mod:`ujisim.proctoring.faces` re-exports everything here). Yaw is read
from the camera image as sent, not mirrored: 0 faces the camera, negative means turned to the
subject's own left (the nose moves toward the image's right); a head turned by about 30 degrees
reads 0.4 to 0.5.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

import numpy as np

#: a liveness turn must move the yaw this far from the first frame (about 15 degrees)
TURN_YAW = 0.25

Direction = Literal["left", "right"]
CHALLENGES: tuple[tuple[Direction, Direction], ...] = (("left", "right"), ("right", "left"))


class HasYaw(Protocol):
    """A frame result (:class:`ujisim.proctoring.faces.FrameResult`): only its yaw is read."""

    @property
    def yaw(self) -> float | None: ...


@dataclass(frozen=True)
class LivenessResult:
    """The head-turn challenge; ``turns`` holds, per challenged direction, the index into
    ``yaws`` where that turn was seen (None when it was not)."""

    passed: bool
    reason: str
    challenge: tuple[Direction, ...]
    threshold: float
    baseline: float | None
    yaws: tuple[float, ...]
    turns: tuple[int | None, ...]
    missing: Direction | None = None


def estimate_yaw(landmarks: dict[str, list[tuple[int, int]]]) -> float:
    """Head yaw from 68-point landmarks, in [-1, 1]; negative = turned to the subject's left.

    When a head turns, the nose tip (point 30) moves sideways while the jaw line's sides stay near
    the face's outline, so the nose's position between the jaw points 2 and 14 measures the turn:
    ``(right - left) / (right + left)`` of its distances to them. Distances are taken along the
    line between the eye centres, so tilting the head sideways (roll) does not read as a turn.
    A flat photo turned in front of the camera moves all points alike and reads near its own
    yaw, which is why a printed photo cannot fake the liveness challenge this way.
    """
    chin = np.asarray(landmarks["chin"], dtype=float)
    nose_tip = np.asarray(landmarks["nose_bridge"][-1], dtype=float)
    axis = np.mean(landmarks["right_eye"], axis=0) - np.mean(landmarks["left_eye"], axis=0)
    length = float(np.linalg.norm(axis))
    if length == 0:
        return 0.0
    axis /= length
    to_left = float((nose_tip - chin[2]) @ axis)
    to_right = float((chin[14] - nose_tip) @ axis)
    span = to_left + to_right
    if span <= 0:
        return 0.0
    return max(-1.0, min(1.0, (to_right - to_left) / span))


def _yaw_of(frame: HasYaw | float | None) -> float | None:
    return frame if frame is None or isinstance(frame, int | float) else frame.yaw


def _first_turn(
    yaws: Sequence[float], baseline: float, direction: Direction, threshold: float, start: int
) -> int | None:
    sign = -1.0 if direction == "left" else 1.0
    for index in range(start, len(yaws)):
        if sign * (yaws[index] - baseline) >= threshold:
            return index
    return None


def check_liveness(
    frames: Sequence[HasYaw | float | None],
    challenge: Sequence[Direction] = ("left", "right"),
    *,
    threshold: float = TURN_YAW,
    min_frames: int = 3,
) -> LivenessResult:
    """The head-turn challenge: the yaw must move at least ``threshold`` from the first frame
    toward each challenged direction, in the challenged order.

    ``frames`` are frame results (or bare yaws) in capture order; frames without a face are
    skipped. The first usable frame is the baseline (the page asks the candidate to look at the
    camera first), so a camera placed to one side does not count as a turn. A still photo never
    moves and fails with reason "still"; a turn that is missing fails "incomplete" with the
    ``missing`` direction; both turns in the other order fail "wrong_order".
    """
    challenge = tuple(challenge)
    if not challenge or any(d not in ("left", "right") for d in challenge):
        raise ValueError("a challenge is a sequence of 'left' and 'right'")
    yaws = tuple(y for y in map(_yaw_of, frames) if y is not None)

    def result(
        reason: str,
        baseline: float | None = None,
        turns: Sequence[int | None] = (),
        missing: Direction | None = None,
    ) -> LivenessResult:
        return LivenessResult(
            reason == "ok", reason, challenge, threshold, baseline, yaws, tuple(turns), missing
        )

    if len(yaws) < min_frames:
        return result("too_few_frames")
    baseline = yaws[0]
    if max(yaws) - min(yaws) < threshold:
        return result("still", baseline)
    turns: list[int | None] = []
    start = 1
    for direction in challenge:
        index = _first_turn(yaws, baseline, direction, threshold, start)
        turns.append(index)
        if index is None:
            if _first_turn(yaws, baseline, direction, threshold, 1) is None:
                return result("incomplete", baseline, turns, direction)
            return result("wrong_order", baseline, turns)
        start = index + 1
    return result("ok", baseline, turns)


#: mean grey-level difference (0-255) of two 64x48 thumbnails below which one frame is the
#: other's mirror image; a live camera's mirrored frames differ by 29 or more (a symmetric pose
#: still has its light, hair and room on one side), a file mirrored and re-encoded by about 0
MIRROR_DIFF = 3.0


def _thumbnail(image: np.ndarray) -> np.ndarray:
    from PIL import Image

    grey = Image.fromarray(image).convert("L").resize((64, 48), Image.Resampling.BILINEAR)
    return np.asarray(grey, dtype=np.float32)


def mirrored_pair(images: Sequence[np.ndarray]) -> tuple[int, int] | None:
    """The first pair of frames (i, j) where j is i's mirror image, or None. A photo and its
    mirror alternated show the head turned to both sides without anybody moving; no camera in
    front of a live person gives the mirror of its own frame."""
    thumbs = [_thumbnail(image) for image in images]
    for j, later in enumerate(thumbs):
        flipped = later[:, ::-1]
        for i in range(j):
            if float(np.abs(thumbs[i] - flipped).mean()) < MIRROR_DIFF:
                return i, j
    return None


def random_challenge(rng: random.Random | None = None) -> tuple[Direction, Direction]:
    """Left-then-right or right-then-left, so a prepared recording has even odds at best."""
    return (rng or secrets.SystemRandom()).choice(CHALLENGES)
