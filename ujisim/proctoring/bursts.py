"""A burst of camera frames against a reference face and the server's action challenge: the face
work of an identity check, without the database (a request must not hold a write transaction for
the seconds it takes).

The frames' times (ms since the first prompt) must follow the challenge's schedule (a frame about
every FRAME_INTERVAL_MS, never closer than MIN_GAP_MS, covering every step), and the burst must
reach the server after its last frame could have been taken (a burst prepared in advance arrives
too early) and within LATE_MS of it. Every frame must be a new picture (no duplicates, no frame
that is another's mirror image) of one continuous face track, and every usable frame must match
the reference.

None of this depends on the subject: ``analyse_burst`` (frames -> identity and liveness against
any reference encoding), ``burst_reason`` and ``burst_evidence`` serve the exam attempt
(``checks.py``) and the renewal application (``renewal.identity``: the licence photo as the
reference).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
from flask_babel import gettext as _
from PIL import Image

from ujisim.core.errors import ValidationError
from ujisim.proctoring import faces

#: the client takes a frame about this often (ms); frames closer than MIN_GAP_MS are refused
FRAME_INTERVAL_MS = 333
MIN_GAP_MS = 200
#: frames in one burst (a challenge of 10 to 19.5 s at one frame every 333 ms is 30 to 59), and
#: their limits
BURST_MIN, BURST_MAX = 20, 64
#: the burst reaches the server at most this long after its last frame (the upload's time)
LATE_MS = 30_000
#: the frames cover the challenge: the last one at most this long before its end
COVER_MS = 800
#: a frame whose mean difference from an earlier one (grey levels 0-255, at half size) is below
#: this is a copy: a live camera's sensor noise alone differs by about 1 (noise of 2 grey levels)
DUPLICATE_DIFF = 0.3
#: one face track: between consecutive frames the face moves less than this share of its width
#: and its width changes by less than this factor
TRACK_JUMP, TRACK_SCALE = 0.6, 1.5
FRAME_MAX_BYTES = 512 * 1024
FRAME_SIDE = 640


def frame_signals(result: faces.FrameResult) -> faces.Signals | None:
    """The liveness signals of one analysed frame: its single face's landmarks, if that face is
    the reference person's or is turned too far to compare (a turn of the same face track);
    None for no face, several faces or another person."""
    landmarks = result.detector.get("landmarks")
    if result.faces != 1 or not landmarks:
        return None
    if not (result.matches or result.finding == faces.Finding.LOOKING_AWAY):
        return None
    return faces.signals(landmarks, verified=result.matches)


def liveness_of(results, times, challenge: faces.Challenge) -> faces.LivenessResult:
    """The challenge over the burst's frames of the reference person only: an action shown by
    someone else (an accomplice's frames mixed into a burst of the candidate's photo) does not
    count."""
    return faces.check_liveness(
        [(t, frame_signals(r)) for t, r in zip(times, results, strict=True)], challenge
    )


def _frame_record(result: faces.FrameResult) -> dict:
    data = result.to_dict()
    data.pop("tolerance", None)
    return data


def _frame_bytes(frame: bytes) -> bytes:
    if len(frame) > FRAME_MAX_BYTES:
        raise ValidationError(_("A camera frame is too large."), {"frames": "too_large"})
    return frame


def parse_times(raw: str | None, count: int) -> list[int]:
    """The frames' times (ms since the first prompt, comma-separated), one per frame."""
    try:
        times = [int(v) for v in (raw or "").split(",") if v.strip()]
    except ValueError:
        times = []
    if len(times) != count or any(t < 0 or t > 10**7 for t in times):
        raise ValidationError(_("Send the time of every camera frame."), {"times": "one per frame"})
    return times


def timing_problem(times: list[int], challenge: faces.Challenge, elapsed_ms: int) -> str | None:
    """What is wrong with the frames' times against the challenge's schedule and the burst's
    arrival (``elapsed_ms`` after the challenge was issued), or None."""
    if any(b - a < MIN_GAP_MS for a, b in zip(times, times[1:], strict=False)):
        return "frames_too_close"  # out of order, or faster than a camera is asked for
    if times[0] > challenge.looks[0] or times[-1] < challenge.total_ms - COVER_MS:
        return "schedule_not_covered"
    if times[-1] > challenge.total_ms + COVER_MS:
        return "schedule_overrun"
    if elapsed_ms < times[-1]:
        return "arrived_early"  # the frames were there before the challenge was shown
    if elapsed_ms > times[-1] + LATE_MS:
        return "arrived_late"
    return None


def duplicate_pair(images) -> tuple[int, int] | None:
    """The first pair of frames (i, j) where j copies i (a looped file, a repeated frame)."""
    small = [
        np.asarray(Image.fromarray(image).convert("L").reduce(2), dtype=np.float32)
        for image in images
    ]
    for j in range(1, len(small)):
        for i in range(j):
            if (
                small[i].shape == small[j].shape
                and float(abs(small[i] - small[j]).mean()) < DUPLICATE_DIFF
            ):
                return i, j
    return None


def track_break(results) -> int | None:
    """The first frame whose single face is not where the previous one was (two recordings
    spliced, a photo swapped in front of the camera), or None."""
    previous = None
    for index, result in enumerate(results):
        if result.faces != 1 or result.box is None:
            continue
        top, right, bottom, left = result.box
        box = ((left + right) / 2, (top + bottom) / 2, max(1, right - left))
        if previous is not None:
            jump = ((box[0] - previous[0]) ** 2 + (box[1] - previous[1]) ** 2) ** 0.5
            width = (box[2] + previous[2]) / 2
            scale = max(box[2], previous[2]) / min(box[2], previous[2])
            if jump > TRACK_JUMP * width or scale > TRACK_SCALE:
                return index
        previous = box
    return None


@dataclass(frozen=True)
class Burst:
    """A burst analysed against the reference: identity, liveness and the frame kept for review."""

    identity: faces.IdentityResult
    liveness: faces.LivenessResult
    keep: Any
    #: frames (i, j) where j is i's mirror image (a prepared burst), or None
    mirrored: tuple[int, int] | None = None
    #: frames (i, j) where j is a copy of i, or None
    duplicate: tuple[int, int] | None = None
    #: what is wrong with the frames' times (timing_problem), or None
    timing: str | None = None
    #: the first frame that breaks the face track, or None
    track_break: int | None = None
    times: tuple[int, ...] = ()


def analyse_burst(
    frames: list[bytes],
    times: list[int],
    encoding,
    challenge: faces.Challenge,
    tolerance: float,
    elapsed_ms: int,
) -> Burst:
    """The face work of an identity check, without the database (so that a request does not hold
    a write transaction for the seconds it takes). ``times`` are the frames' times since the
    first prompt, ``elapsed_ms`` the time from issuing the challenge to the burst's arrival."""
    if not BURST_MIN <= len(frames) <= BURST_MAX:
        raise ValidationError(
            _("Send between %(a)s and %(b)s camera frames.", a=BURST_MIN, b=BURST_MAX),
            {"frames": "count"},
        )
    if len(times) != len(frames):
        raise ValidationError(_("Send the time of every camera frame."), {"times": "count"})
    images = [faces.load_image(_frame_bytes(f), max_side=FRAME_SIDE) for f in frames]
    timing = timing_problem(times, challenge, elapsed_ms)
    duplicate = duplicate_pair(images)
    mirrored = faces.mirrored_pair(images)
    if timing or duplicate or mirrored:  # refused before the face work
        identity = faces.IdentityResult(False, "not_analysed", 0, 0, 0.0, tolerance, 1.0, ())
        liveness = faces.LivenessResult(False, "not_analysed", challenge, times=tuple(times))
        return Burst(identity, liveness, images[0], mirrored, duplicate, timing, None, tuple(times))
    identity = faces.check_identity(images, encoding, tolerance=tolerance)
    liveness = liveness_of(identity.frames, times, challenge)
    keep = next((i for i, r in enumerate(identity.frames) if r.faces), 0)
    return Burst(
        identity,
        liveness,
        images[keep],
        None,
        None,
        None,
        track_break(identity.frames),
        tuple(times),
    )


def burst_reason(burst: Burst) -> str:
    """ "ok", or what failed first: frames off the challenge's schedule ("timing"), copied
    frames or frames that mirror each other (a prepared burst), the identity (face against the
    reference), a broken face track, then the challenge."""
    if burst.timing is not None:
        return "timing"
    if burst.duplicate is not None:
        return "duplicate_frames"
    if burst.mirrored is not None:
        return "mirrored_frames"
    if not burst.identity.passed:
        return burst.identity.reason
    if burst.track_break is not None:
        return "discontinuous"
    if not burst.liveness.passed:
        return burst.liveness.reason
    return "ok"


def burst_evidence(burst: Burst) -> dict:
    """Everything a decision on ``burst`` used, JSON-ready: match counts, per-frame distances and
    detector output, and the liveness result. Shared by every subject of an identity check."""
    identity, liveness = burst.identity, burst.liveness
    return {
        "min_share": identity.min_share,
        "matched": identity.matched,
        "usable": identity.usable,
        "share": identity.share,
        "distances": [r.distance for r in identity.frames],
        "detector": [_frame_record(r) for r in identity.frames],
        "liveness": {
            **liveness.to_dict(),
            "timing": burst.timing,
            "duplicate": list(burst.duplicate) if burst.duplicate else None,
            "mirrored": list(burst.mirrored) if burst.mirrored else None,
            "track_break": burst.track_break,
        },
    }
