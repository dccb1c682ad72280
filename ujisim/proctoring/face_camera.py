"""The camera check before an exam: is the frame bright enough, and is the face near enough?

Part of the face library (:mod:`ujisim.proctoring.faces` re-exports everything here). Nothing is
compared with the reference here, so no face is encoded: one detection (the snapshots' own, which
finds faces from about 40 px, so that a face too far away is still found and can be reported as
such rather than as "no face") and the mean luminance.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np

from ujisim.proctoring import face_engine as engine
from ujisim.proctoring.face_engine import DETECT_SIDE, MIN_FACE_RATIO, Box

#: mean luminance (0-255) below which a frame is too dark: the HOG detector loses faces below
#: about this level on the test photos, and a reviewer cannot see who sits there
DARK_BELOW = 45.0
#: a face narrower than this share of the frame's width (77 px at 640 wide) is too far from the
#: camera: a reviewer can hardly tell who it is, though the detector finds faces from about 40 px
SMALL_BELOW = 0.12
#: BT.601 luma weights, what JPEG and the browser's canvas use
_LUMA = np.array([0.299, 0.587, 0.114], dtype=np.float32)


@dataclass(frozen=True)
class FrameQuality:
    """What the camera check can tell the candidate to fix.

    ``face_share`` is the width of the largest face over the frame's width (None without a face);
    ``face_too_small`` is False when there is no face (that is ``faces == 0``).
    """

    brightness: float
    too_dark: bool
    faces: int
    face_share: float | None
    face_too_small: bool
    box: Box | None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def locate_faces(
    image: np.ndarray,
    *,
    upsample: int = 0,
    detect_side: int | None = DETECT_SIDE,
    min_face_ratio: float = MIN_FACE_RATIO,
) -> list[Box]:
    """The boxes of the faces in ``image``, largest first, without encoding them: the detection
    of ``analyse_frame`` (faces from about 40 px in a 640x480 frame), with its small-face rule."""
    located = engine.locate(engine.checked(image), upsample=upsample, detect_side=detect_side)
    boxes, _small = engine.split_small(located, min_face_ratio)
    return sorted(boxes, key=engine.box_width, reverse=True)


def brightness(image: np.ndarray) -> float:
    """Mean luminance of an RGB image, 0 (black) to 255."""
    # on a 64 px-high copy: the mean barely changes and a 640x480 frame costs 0.3 ms, not 3 ms
    step = max(1, image.shape[0] // 64)
    return float((image[::step, ::step].astype(np.float32) @ _LUMA).mean())


def frame_quality(
    image: np.ndarray,
    *,
    boxes: Sequence[Box] | None = None,
    dark_below: float = DARK_BELOW,
    small_below: float = SMALL_BELOW,
) -> FrameQuality:
    """Brightness and face size of one camera frame (an RGB array from ``load_image``).

    ``boxes`` are the faces when the caller has already located them (``locate_faces``, or the
    ``detector["boxes"]`` of a frame result); otherwise :func:`locate_faces` finds them.
    """
    image = engine.checked(image)
    if boxes is None:
        boxes = locate_faces(image)
    level = brightness(image)
    largest = max(boxes, key=engine.box_width, default=None)
    share = None if largest is None else engine.box_width(largest) / image.shape[1]
    return FrameQuality(
        brightness=level,
        too_dark=level < dark_below,
        faces=len(boxes),
        face_share=share,
        face_too_small=share is not None and share < small_below,
        box=None if largest is None else tuple(largest),
    )
