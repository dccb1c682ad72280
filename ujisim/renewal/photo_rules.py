"""The passport-style photo of a renewal checked as Satpas officers check it, before payment.

Officers refuse photos that are not one frontal face on a plain blue background, smaller than
480 x 640 px, with glasses, a cap or a blue head covering that merges with the background
(kompas.com 17 Aug 2024, shared/DOMAIN.md), and cards printed from blurred or half-shaded faces
are of no use at a roadside check. Each rule below returns a :class:`Fault` (a code and a message
saying what to do) or nothing; :func:`check_photo` runs them all on one decoded photo so that the
holder sees every fault of an upload at once.

Geometry comes from the 68 landmarks of ``face_recognition`` (``proctoring.face_engine``): the
eye line, the chin (point 8) and the jaw's sides (points 0 and 16). The crown is not a landmark;
it is estimated as far above the eye line as the chin is below it (in adult heads the eyes lie
about halfway between crown and chin).

Only one face detection runs (``faces.reference_encoding``, whose encoding the documents step
then compares with the licence photo); the side strips scanned for a face cut by the photo's
edge are small.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from flask_babel import gettext as _

from ujisim.proctoring import face_engine, faces
from ujisim.proctoring.errors import NoFaceError, SeveralFacesError
from ujisim.renewal import photo_looks as looks
from ujisim.renewal.photo_geometry import Face, Fault, blue, grey, hsv, skin_coloured

#: smallest photo (width, height) officers accept, portrait (DOMAIN.md, "Photo rules")
MIN_WIDTH, MIN_HEIGHT = 480, 640
#: |yaw| above this is a turned head (0.2 is about 12 degrees; faces.estimate_yaw)
MAX_YAW = 0.2
#: the eye line tilted by more than this many degrees is a tilted head
MAX_ROLL_DEG = 8.0
#: the pitch ratio (faces.estimate_pitch) of a level head; below: looking up, above: down
PITCH_RANGE = (0.5, 1.15)
#: chin-to-crown height over the photo's height. ICAO Doc 9303 asks 70-80 % for passports, the
#: US Department of State 50-69 % (summarised at fastpassportphotoonline.com/guides/
#: biometric-passport-photo-requirements); Indonesian pas foto show head and shoulders, so we
#: accept from the US lower bound to the ICAO upper bound
HEAD_SHARE = (0.5, 0.8)
#: share of the side strips scanned (mirrored) for a face cut by the photo's edge
EDGE_STRIP = 0.22
#: share of the background along an edge that may be skin before it counts as another person
EDGE_SKIN_SHARE = 0.03
#: background pixels farther than this (RGB distance) from its median colour are "something"
#: (a person, an object, a pattern); more than BUSY_SHARE of them is a busy background
BUSY_DISTANCE = 60.0
BUSY_SHARE = 0.06
#: the head's region left out of the background: this many jaw widths either side of the nose
#: (hair, ears, a head covering's drape) and this many eye-to-chin distances above the crown
#: estimate (hair volume, a head covering's top)
HEAD_HALF_WIDTH = 1.0
ABOVE_CROWN = 0.35
#: fewer background pixels than this share of the photo: not measured (the head fills it)
MIN_BACKGROUND_SHARE = 0.03


@dataclass(frozen=True)
class Limits:
    """The configurable bounds (``RENEWAL_PHOTO_*``; README)."""

    max_yaw: float = MAX_YAW
    max_roll: float = MAX_ROLL_DEG
    pitch: tuple[float, float] = PITCH_RANGE
    head_share: tuple[float, float] = HEAD_SHARE

    @classmethod
    def from_config(cls, config) -> Limits:
        return cls(
            max_yaw=float(config.get("RENEWAL_PHOTO_MAX_YAW", MAX_YAW)),
            max_roll=float(config.get("RENEWAL_PHOTO_MAX_ROLL", MAX_ROLL_DEG)),
            pitch=(
                float(config.get("RENEWAL_PHOTO_PITCH_MIN", PITCH_RANGE[0])),
                float(config.get("RENEWAL_PHOTO_PITCH_MAX", PITCH_RANGE[1])),
            ),
            head_share=(
                float(config.get("RENEWAL_PHOTO_HEAD_MIN", HEAD_SHARE[0])),
                float(config.get("RENEWAL_PHOTO_HEAD_MAX", HEAD_SHARE[1])),
            ),
        )


@dataclass
class PhotoCheck:
    """The faults found (none: accepted), the face's encoding for the comparison with the
    licence photo and what was measured (kept in the audit record)."""

    faults: list[Fault] = field(default_factory=list)
    encoding: list[float] | None = None
    measures: dict[str, Any] = field(default_factory=dict)


def rule_size(width: int, height: int) -> Fault | None:
    """At least 480 x 640 px, portrait: the card printer's resolution needs it and officers
    refuse smaller uploads."""
    if width >= MIN_WIDTH and height >= MIN_HEIGHT and height > width:
        return None
    return Fault(
        "photo_too_small",
        _(
            "The photo is %(w)d x %(h)d pixels. Upload a portrait photo of at least 480 x 640 "
            "pixels (width x height), taken with the camera's normal setting.",
            w=width,
            h=height,
        ),
    )


def edge_faces(image: np.ndarray, main: tuple[int, int, int, int]) -> int:
    """Faces cut by the photo's left or right edge (a neighbour half in the picture).

    The detector needs a whole face; a strip along each side mirrored onto itself completes a
    face the edge cuts near its middle, so a face found across the mirror's seam is a face at
    the edge. The one face of the photo is not counted. Without upsampling (faces from 80 px:
    a neighbour in a 480 x 640 photo is larger) both strips cost about 25 ms; a face cut too far
    or turned away is left to :func:`edge_skin`."""
    width = image.shape[1]
    strip = max(int(width * EDGE_STRIP), 40)
    count = 0
    for side in ("left", "right"):
        part = image[:, :strip] if side == "left" else image[:, width - strip :]
        mirrored = [part[:, ::-1], part] if side == "left" else [part, part[:, ::-1]]
        doubled = np.ascontiguousarray(np.concatenate(mirrored, axis=1))
        for _top, right, _bottom, left in face_engine.locate(doubled, upsample=0, detect_side=None):
            if not left < strip < right:
                continue
            # the part of the found face that lies in the photo, in the photo's columns
            inside = (0, right - strip) if side == "left" else (width - strip + left, width)
            if inside[1] <= main[3] or inside[0] >= main[1]:
                count += 1
    return count


def edge_skin(image: np.ndarray, face: Face, measures: dict) -> bool:
    """Skin in the background along the left or right edge: part of another person's face
    (turned, blurred or cut too far for the detector) beside the holder."""
    mask = background_mask(face, image.shape)
    strip = max(int(image.shape[1] * EDGE_STRIP), 40)
    mask[:, strip:-strip] = False
    if not mask.any():
        return False
    share = float(skin_coloured(image[mask].astype(float)).mean())
    measures["edge_skin"] = round(share, 3)
    return share > EDGE_SKIN_SHARE


def rule_frontal(face: Face, limits: Limits, measures: dict) -> Fault | None:
    """Looking straight at the camera: turned (yaw), tilted (roll) or raised/lowered (pitch)
    heads distort the face the officer and the face match compare."""
    left, right = face.eyes
    roll = math.degrees(math.atan2(right[1] - left[1], right[0] - left[0]))
    yaw = faces.estimate_yaw(face.landmarks)
    pitch = faces.estimate_pitch(face.landmarks)
    measures.update(yaw=round(yaw, 3), roll=round(roll, 1), pitch=round(pitch, 3))
    low, high = limits.pitch
    if abs(yaw) <= limits.max_yaw and abs(roll) <= limits.max_roll and low <= pitch <= high:
        return None
    return Fault(
        "photo_not_frontal",
        _(
            "Your head is turned or tilted. Look straight into the camera with your head "
            "upright, both ears equally visible."
        ),
    )


def rule_head_share(face: Face, height: int, limits: Limits, measures: dict) -> Fault | None:
    """The head (chin to crown) fills a set share of the photo's height: too small and the
    card shows a speck, too large and the crown or chin is cut off."""
    share = (face.chin_y - face.crown_y) / height
    measures["head_share"] = round(share, 3)
    low, high = limits.head_share
    if share < low:
        return Fault(
            "photo_head_too_small",
            _(
                "Your head is too small in the photo. Come closer or crop the photo so that "
                "your head and shoulders fill it."
            ),
        )
    if share > high:
        return Fault(
            "photo_head_too_large",
            _(
                "Your head is too large in the photo. Step back so that the whole head, from "
                "the top of the hair to the chin, and your shoulders are in the picture."
            ),
        )
    return None


def background_mask(face: Face, shape: tuple[int, ...]) -> np.ndarray:
    """The border regions outside the head: above the crown, and beside the head down to the
    nose (below it the shoulders begin)."""
    height, width = shape[:2]
    mask = np.zeros((height, width), dtype=bool)
    left, right = face.jaw
    half = (right - left) * HEAD_HALF_WIDTH
    margin = face.eye_to_chin * ABOVE_CROWN
    above = int(max(face.crown_y - margin, 0))
    mask[:above, :] = True
    bottom = int(max(min(face.point("nose_tip", 2)[1], height), 0))
    mask[:bottom, : max(int(face.centre_x - half), 0)] = True
    mask[:bottom, min(int(face.centre_x + half), width) :] = True
    return mask


def rule_background(
    image: np.ndarray, colours: np.ndarray, face: Face, measures: dict
) -> list[Fault]:
    """A plain blue background: blue (the colour Satpas prints on), and plain (nothing else in
    the picture: no other person, object, pattern or scenery)."""
    mask = background_mask(face, image.shape)
    if mask.sum() < MIN_BACKGROUND_SHARE * mask.size:
        return []
    pixels = image[mask].astype(float)
    median = np.median(pixels, axis=0)
    median_hsv = hsv(median.reshape(1, 1, 3).astype(np.uint8))
    busy = float((np.linalg.norm(pixels - median, axis=1) > BUSY_DISTANCE).mean())
    measures.update(background=[int(v) for v in median], busy=round(busy, 3))
    found = []
    if not blue(median_hsv)[0, 0]:
        found.append(
            Fault(
                "photo_background_not_blue",
                _(
                    "The background is not blue. Take the photo in front of a plain blue "
                    "background (a wall or cloth)."
                ),
            )
        )
    if busy > BUSY_SHARE:
        found.append(
            Fault(
                "photo_background_busy",
                _(
                    "There is something in the background (another person, objects, a pattern "
                    "or a strong shadow). Take the photo with only you in front of a plain blue "
                    "background, standing a little away from it."
                ),
            )
        )
    return found


def check_photo(
    image: np.ndarray, width: int, height: int, limits: Limits | None = None
) -> PhotoCheck:
    """Every rule on the photo ``image`` (RGB array as ``faces.load_image`` makes it) whose
    upload was ``width`` x ``height`` pixels; all faults found, in the order of the form."""
    limits = limits or Limits()
    check = PhotoCheck()
    fault = rule_size(width, height)
    if fault:
        check.faults.append(fault)
    try:
        reference = faces.reference_encoding(image)
    except NoFaceError:
        check.faults.append(
            Fault(
                "photo_no_face",
                _("No face was found in the photo. Take a sharp, well-lit photo of your face."),
            )
        )
        return check
    except SeveralFacesError:
        check.faults.append(_several_faces())
        return check
    check.encoding = reference.encoding
    face = Face(reference.box, face_engine.landmarks68(image, reference.box))
    colours, light, measures = hsv(image), grey(image), check.measures
    background = rule_background(image, colours, face, measures)
    # skin-coloured things at the edge of a blue backdrop are people; in a room they may be
    # wood or curtains (and the background faults say what is wrong)
    on_blue = not any(fault.code == "photo_background_not_blue" for fault in background)
    if edge_faces(image, reference.box) or (on_blue and edge_skin(image, face, measures)):
        check.faults.append(_several_faces())
    for fault in (
        rule_frontal(face, limits, measures),
        rule_head_share(face, image.shape[0], limits, measures),
        *background,
        looks.rule_glasses(light, face),
        looks.rule_cap(image, face, measures),
        looks.rule_blue_cover(colours, face, measures),
        looks.rule_sharp(light, face, measures),
        looks.rule_light(light, face, measures),
    ):
        if fault:
            check.faults.append(fault)
    return check


def _several_faces() -> Fault:
    return Fault(
        "photo_several_faces",
        _(
            "Another person (or part of a face) is in the photo. Take a photo of yourself "
            "alone; crop away anybody beside you."
        ),
    )
