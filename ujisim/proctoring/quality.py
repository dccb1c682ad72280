"""Camera diagnostics for the camera check page: one frame -> the first problem a candidate can
fix (too dark, no face, several faces, face too small or too far), or "ok".

Brightness and face size come from the face library (``face_camera.frame_quality``); identity is
not judged here (that is the identity check).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ujisim.proctoring import face_camera


@dataclass(frozen=True)
class Quality:
    problem: str  # ok | too_dark | no_face | several_faces | face_too_small
    brightness: float
    faces: int
    face_share: float | None


def frame_quality(image: np.ndarray) -> Quality:
    """The first problem of ``image`` (an RGB array from faces.load_image)."""
    found = face_camera.frame_quality(image)
    if found.too_dark:
        problem = "too_dark"
    elif found.faces == 0:
        problem = "no_face"
    elif found.faces > 1:
        problem = "several_faces"
    elif found.face_too_small:
        problem = "face_too_small"
    else:
        problem = "ok"
    return Quality(problem, found.brightness, found.faces, found.face_share)
