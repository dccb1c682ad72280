"""Head pose, eyes and mouth from a face's 68 landmarks: what one frame shows, for the liveness
challenge (:mod:`ujisim.proctoring.face_liveness`) and the looking-away check.

Part of the face library (:mod:`ujisim.proctoring.faces` re-exports everything here). Yaw is read
from the camera image as sent, not mirrored: 0 faces the camera, negative means turned to the
subject's own left (the nose moves toward the image's right); a head turned by about 30 degrees
reads 0.4 to 0.5. Eyes are measured by the eye aspect ratio (EAR, Soukupova and Cech 2016: the
eyelids' distance over the eye's width, about 0.2-0.3 open, near 0.1 closed) and the mouth by the
same ratio of the inner lips (MAR). Looking up is read from how far the nose tip is below the eye
corners, over how far the jaw's sides are (:func:`estimate_pitch`): the nose stands out of the
face and the jaw's sides lie far behind it, so tilting the head back lifts the nose toward the
eyes and lowers the jaw's sides, while tilting a flat photo shrinks both alike.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

Landmarks = dict[str, list]


@dataclass(frozen=True)
class Signals:
    """What one frame's landmarks measure: head yaw, eye and mouth aspect ratios, the pitch
    ratio (0: not measured); ``verified``: the face was compared with the reference and matched
    (a head turned too far to compare is not verified, and an action seen only in such frames
    does not count)."""

    yaw: float
    ear: float
    mar: float
    pitch: float = 0.0
    verified: bool = True


def _ratio(points: np.ndarray, pairs: Sequence[tuple[int, int]], corners: tuple[int, int]):
    width = float(np.linalg.norm(points[corners[0]] - points[corners[1]]))
    if width == 0:
        return 0.0
    gaps = [float(np.linalg.norm(points[a] - points[b])) for a, b in pairs]
    return sum(gaps) / (len(gaps) * width)


def eye_aspect_ratio(eye: Sequence[Sequence[float]]) -> float:
    """EAR of one eye's six points (corner, two upper lid, corner, two lower lid)."""
    return _ratio(np.asarray(eye, dtype=float), ((1, 5), (2, 4)), (0, 3))


def mouth_aspect_ratio(landmarks: Landmarks) -> float:
    """MAR of the inner lips: the mean gap of points 61-67, 62-66, 63-65 over 60-64."""
    top, bottom = landmarks["top_lip"], landmarks["bottom_lip"]
    # face_recognition's naming: top_lip[7:12] = 64, 63, 62, 61, 60; bottom_lip[7:12] = 60, 67,
    # 66, 65, 64
    inner = np.asarray([top[11], top[10], top[9], top[8], top[7], bottom[10], bottom[9], bottom[8]])
    # rows: 60, 61, 62, 63, 64, 65, 66, 67
    return _ratio(inner.astype(float), ((1, 7), (2, 6), (3, 5)), (0, 4))


def estimate_pitch(landmarks: Landmarks) -> float:
    """How far the nose tip (point 30) is below the line of the eye corners, over how far the
    jaw's sides (points 2 and 14, level with the nose) are, both measured across that line so
    that a head tilted sideways reads the same; smaller when looking up (0 when it cannot be
    measured).

    Eye corners, not the eyes' centres, because closing the eyes moves the lids."""
    left = np.asarray(landmarks["left_eye"], dtype=float)
    right = np.asarray(landmarks["right_eye"], dtype=float)
    outer, inner = (left[0] + left[3]) / 2, (right[0] + right[3]) / 2
    axis = inner - outer
    length = float(np.linalg.norm(axis))
    if length == 0:
        return 0.0
    down = np.array([-axis[1], axis[0]]) / length
    middle = (outer + inner) / 2
    chin = np.asarray(landmarks["chin"], dtype=float)
    nose = float((np.asarray(landmarks["nose_bridge"][-1], dtype=float) - middle) @ down)
    jaw = float(((chin[2] + chin[14]) / 2 - middle) @ down)
    return max(0.0, nose / jaw) if jaw > 0 else 0.0


def signals(landmarks: Landmarks, verified: bool = True) -> Signals:
    return Signals(
        yaw=estimate_yaw(landmarks),
        ear=(eye_aspect_ratio(landmarks["left_eye"]) + eye_aspect_ratio(landmarks["right_eye"]))
        / 2,
        mar=mouth_aspect_ratio(landmarks),
        pitch=estimate_pitch(landmarks),
        verified=verified,
    )


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
