"""How the face in the photo looks, after ``photo_rules.py`` found it: no glasses, no cap or
hat, no blue head covering, sharp and evenly lit. Each rule reads the 68 landmarks (a
:class:`~ujisim.renewal.photo_geometry.Face`) and returns a Fault or None; the docstrings say why
officers refuse such a photo."""

from __future__ import annotations

import numpy as np
from flask_babel import gettext as _
from PIL import Image

from ujisim.renewal.photo_geometry import Face, Fault, blue, region, skin_like

#: variance of the Laplacian of the face scaled to 200 px wide; below: blurred
MIN_SHARPNESS = 60.0
#: darker side of the face over the lighter one, below which the light is uneven
MIN_SIDE_LIGHT = 0.6
#: forehead over cheeks (top/bottom); a strong light from below or above is below this
MIN_TOP_LIGHT = 0.55
#: a dark band across this share of the nose bridge between the eyes: a glasses' bridge
GLASSES_BRIDGE = 0.7
#: share of the forehead that must look like the cheeks' skin (a cap's brim hides it)
MIN_FOREHEAD_SKIN = 0.5
#: share of the temples that is blue: a blue head covering
BLUE_COVER_SHARE = 0.5


def skin_reference(image: np.ndarray, face: Face) -> np.ndarray:
    """The median colour of the cheeks (below the eyes, beside the nose)."""
    left, right = face.jaw
    width = right - left
    top, bottom = face.eye_y + face.eye_to_chin * 0.2, face.eye_y + face.eye_to_chin * 0.45
    cheeks = np.concatenate(
        [
            region(image, top, bottom, left + width * 0.12, left + width * 0.3).reshape(-1, 3),
            region(image, top, bottom, right - width * 0.3, right - width * 0.12).reshape(-1, 3),
        ]
    )
    return np.median(cheeks.astype(float), axis=0) if len(cheeks) else np.zeros(3)


def rule_glasses(grey: np.ndarray, face: Face) -> Fault | None:
    """No glasses: frames hide the eyes' corners and lenses reflect the flash. A frame's bridge
    is a dark band straight across the nose between the eyes, where a bare face has only skin."""
    inner_left = face.point("left_eye", 3)
    inner_right = face.point("right_eye", 0)
    gap = max(float(inner_right[0] - inner_left[0]), 1.0)
    band = region(
        grey,
        face.eye_y - gap * 0.3,
        face.eye_y + gap * 0.1,
        inner_left[0] + gap * 0.15,
        inner_right[0] - gap * 0.15,
    )
    if band.size == 0:
        return None
    dark = band < np.median(band) * 0.6
    if float(dark.mean(axis=1).max()) < GLASSES_BRIDGE:
        return None
    return Fault(
        "photo_glasses",
        _("Take off your glasses (also clear or sunglasses) and take the photo again."),
    )


def rule_cap(image: np.ndarray, face: Face, measures: dict) -> Fault | None:
    """No cap or hat: a brim or crown hides the forehead and the hairline. The forehead above
    the eyebrows must look like the skin of the cheeks. A religious head covering that leaves
    the face from the forehead to the chin visible passes (unless blue: the next rule)."""
    brow_y = min(p[1] for p in face.landmarks["left_eyebrow"] + face.landmarks["right_eyebrow"])
    forehead = region(
        image,
        brow_y - face.eye_to_chin * 0.25,
        brow_y - face.eye_to_chin * 0.06,
        face.point("left_eyebrow", 2)[0],
        face.point("right_eyebrow", 2)[0],
    ).reshape(-1, 3)
    if not len(forehead):
        return None
    skin = skin_reference(image, face)
    close = skin_like(forehead.astype(float), skin)
    measures["forehead_skin"] = round(float(close.mean()), 3)
    if close.mean() >= MIN_FOREHEAD_SKIN:
        return None
    return Fault(
        "photo_cap",
        _("Take off your cap or hat: your forehead and hairline must be visible."),
    )


def rule_blue_cover(hsv: np.ndarray, face: Face, measures: dict) -> Fault | None:
    """No blue head covering: on the blue background it merges with it and the head's outline
    is lost. A head covering frames the face, so the temples (inside the jaw line, above the
    eyebrows: hair or skin when uncovered) must not be blue. The top of the head is not used:
    where the crown is only estimated (short hair, a raised chin) it may be the backdrop."""
    left, right = face.jaw
    width = right - left
    top, bottom = face.eye_y - face.eye_to_chin * 0.6, face.eye_y - face.eye_to_chin * 0.25
    zones = [
        region(hsv, top, bottom, left, left + width * 0.12),
        region(hsv, top, bottom, right - width * 0.12, right),
    ]
    pixels = np.concatenate([zone.reshape(-1, 3) for zone in zones])
    if not len(pixels):
        return None
    share = float(blue(pixels).mean())
    measures["blue_temples"] = round(share, 3)
    if share < BLUE_COVER_SHARE:
        return None
    return Fault(
        "photo_blue_head_covering",
        _(
            "Your head covering is blue and merges with the blue background. Wear a head "
            "covering of another colour (for example white or black)."
        ),
    )


def rule_sharp(grey: np.ndarray, face: Face, measures: dict) -> Fault | None:
    """In focus: the variance of the Laplacian of the face (scaled to 200 px wide so that the
    photo's size does not change it) is low when the picture is blurred or shaken."""
    top, right, bottom, left = face.box
    crop = region(grey, top, bottom, left, right)
    if crop.size == 0:
        return None
    scale = 200 / crop.shape[1]
    size = (200, max(int(crop.shape[0] * scale), 3))
    small = np.asarray(Image.fromarray(crop.astype(np.uint8)).resize(size), dtype=float)
    laplacian = (
        small[:-2, 1:-1] + small[2:, 1:-1] + small[1:-1, :-2] + small[1:-1, 2:]
        - 4 * small[1:-1, 1:-1]
    )  # fmt: skip
    sharpness = float(laplacian.var())
    measures["sharpness"] = round(sharpness, 1)
    if sharpness >= MIN_SHARPNESS:
        return None
    return Fault(
        "photo_blurred",
        _("The photo is blurred. Hold the camera still, focus on your face and take it again."),
    )


def rule_light(grey: np.ndarray, face: Face, measures: dict) -> Fault | None:
    """Evenly lit: the left and right halves of the face, and the forehead and the lower face,
    are about as bright; a shadow over one side hides the face's shape."""
    left, right = face.jaw
    width = right - left
    top, bottom = face.eye_y - face.eye_to_chin * 0.1, face.eye_y + face.eye_to_chin * 0.6
    sides = [
        region(grey, top, bottom, left + width * 0.1, face.centre_x - width * 0.08),
        region(grey, top, bottom, face.centre_x + width * 0.08, right - width * 0.1),
    ]
    brow_y = min(p[1] for p in face.landmarks["left_eyebrow"] + face.landmarks["right_eyebrow"])
    upper = region(grey, brow_y - face.eye_to_chin * 0.2, brow_y, left + width * 0.25,
                    right - width * 0.25)  # fmt: skip
    lower = region(grey, face.eye_y + face.eye_to_chin * 0.25, face.eye_y + face.eye_to_chin * 0.5,
                    left + width * 0.2, right - width * 0.2)  # fmt: skip
    if any(part.size == 0 for part in (*sides, upper, lower)):
        return None
    means = [float(part.mean()) for part in sides]
    side = min(means) / max(max(means), 1.0)
    vertical = min(upper.mean(), lower.mean()) / max(upper.mean(), lower.mean(), 1.0)
    measures.update(side_light=round(side, 3), top_light=round(float(vertical), 3))
    if side >= MIN_SIDE_LIGHT and vertical >= MIN_TOP_LIGHT:
        return None
    return Fault(
        "photo_uneven_light",
        _(
            "Your face is unevenly lit (one side or part is in shadow). Face a window or a lamp "
            "so that the light falls evenly on your whole face."
        ),
    )
