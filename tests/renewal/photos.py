"""Passport-style photos for the renewal's photo rules, composed from real face photos
(tests/faces.py): :func:`compliant` puts the person of a registry photo on a plain blue background
at 600 x 800 px, and each variant breaks exactly one rule of ``renewal/photo_rules.py``. Signatures
are drawn with Pillow on white paper, and each signature variant breaks one signature rule."""

from __future__ import annotations

import functools
import io
import math

import numpy as np
from PIL import Image, ImageDraw, ImageFilter

from tests.faces import face_photo
from tests.webcam import turn_head
from ujisim.proctoring import face_engine

SIZE = (600, 800)
#: a Satpas-like blue (the background of Indonesian SIM photos)
BLUE = (30, 110, 200)


def jpeg(image: np.ndarray | Image.Image, quality: int = 92) -> bytes:
    out = io.BytesIO()
    picture = image if isinstance(image, Image.Image) else Image.fromarray(image)
    picture.convert("RGB").save(out, "JPEG", quality=quality)
    return out.getvalue()


def png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


@functools.cache
def _source(name: str) -> np.ndarray:
    with Image.open(face_photo(name)) as im:
        return np.asarray(im.convert("RGB"))


def _landmarks(image: np.ndarray) -> tuple[tuple[int, int, int, int], dict]:
    image = np.ascontiguousarray(image)
    boxes = face_engine.locate(image, upsample=1, detect_side=None)
    box = max(boxes, key=face_engine.box_width)
    return box, face_engine.landmarks68(image, box)


def _background(size=SIZE, colour=BLUE, seed: int = 3) -> np.ndarray:
    """A plain backdrop as a camera sees it: a gentle light fall-off and sensor noise."""
    width, height = size
    rng = np.random.default_rng(seed)
    ys, xs = np.mgrid[0:height, 0:width]
    falloff = 1 - 0.12 * np.hypot((xs - width / 2) / width, (ys - height / 3) / height)
    backdrop = np.asarray(colour, dtype=float) * falloff[..., None]
    return np.clip(backdrop + rng.normal(0, 2.5, backdrop.shape), 0, 255)


@functools.cache
def _composed(name: str, head_share: float, size=SIZE) -> tuple[np.ndarray, np.ndarray]:
    """(photo, person mask): the person of photo ``name`` scaled so that the head (chin to
    crown) is ``head_share`` of the height, centred, the eye line a little above the middle."""
    source = _source(name)
    box, marks = _landmarks(source)
    # level the eyes first (a photographer straightens the head)
    left_eye, right_eye = (np.mean(marks[n], axis=0) for n in ("left_eye", "right_eye"))
    roll = math.degrees(math.atan2(right_eye[1] - left_eye[1], right_eye[0] - left_eye[0]))
    if abs(roll) > 2:
        centre = tuple((left_eye + right_eye) / 2)
        source = np.asarray(
            Image.fromarray(source).rotate(roll, Image.Resampling.BICUBIC, center=centre)
        )
        box, marks = _landmarks(source)
    eye_y = (np.mean(marks["left_eye"], axis=0)[1] + np.mean(marks["right_eye"], axis=0)[1]) / 2
    chin_y = marks["chin"][8][1]
    eye_to_chin = chin_y - eye_y
    centre_x = marks["nose_bridge"][0][0]
    jaw = marks["chin"][16][0] - marks["chin"][0][0]
    width, height = size
    scale = head_share * height / (2 * eye_to_chin)
    crown_target = (1 - head_share) * height * 0.45
    # the source's pixel shown at (0, 0)
    origin_x = centre_x - width / 2 / scale
    origin_y = eye_y - eye_to_chin - crown_target / scale
    big = Image.fromarray(source).resize(
        (round(source.shape[1] * scale), round(source.shape[0] * scale)), Image.Resampling.LANCZOS
    )
    canvas = Image.new("RGB", size, (0, 0, 0))
    canvas.paste(big, (round(-origin_x * scale), round(-origin_y * scale)))
    inside = Image.new("L", size, 0)  # where the source has pixels
    at = (round(-origin_x * scale), round(-origin_y * scale))
    inside.paste(255, (*at, at[0] + big.width, at[1] + big.height))
    # the person: a head ellipse and the neck and shoulders below it, feathered
    mask = Image.new("L", size, 0)
    draw = ImageDraw.Draw(mask)
    cx = (centre_x - origin_x) * scale
    ey, cy = (eye_y - origin_y) * scale, (chin_y - origin_y) * scale
    half, e2c = jaw * scale * 0.56, eye_to_chin * scale
    draw.ellipse((cx - half, ey - 0.9 * e2c, cx + half, cy + 0.05 * e2c), fill=255)
    draw.polygon(
        [(cx - half * 0.6, cy - 0.2 * e2c), (cx + half * 0.6, cy - 0.2 * e2c),
         (cx + half * 0.8, cy + 0.25 * e2c), (cx + half * 2.6, cy + 0.6 * e2c),
         (cx + half * 3, height), (cx - half * 3, height), (cx - half * 2.6, cy + 0.6 * e2c),
         (cx - half * 0.8, cy + 0.25 * e2c)],
        fill=255,
    )  # fmt: skip
    mask = Image.fromarray(np.minimum(np.asarray(mask), np.asarray(inside)))
    alpha = np.asarray(mask.filter(ImageFilter.GaussianBlur(2)), dtype=float)[..., None] / 255
    photo = np.asarray(canvas, dtype=float) * alpha + _background(size) * (1 - alpha)
    return np.clip(np.rint(photo), 0, 255).astype(np.uint8), alpha[..., 0]


def compliant_array(name: str = "obama.jpg", head_share: float = 0.6) -> np.ndarray:
    return _composed(name, head_share)[0].copy()


def compliant(name: str = "obama.jpg") -> bytes:
    """A photo every rule accepts: the person of ``name`` on plain blue, 600 x 800."""
    return jpeg(compliant_array(name))


def face_of(image: np.ndarray) -> tuple[tuple[int, int, int, int], dict]:
    return _landmarks(image)


# -- photos that each break one rule ----------------------------------------------------------


def _geometry(image: np.ndarray) -> dict:
    box, marks = _landmarks(image)
    eyes = [np.mean(marks[name], axis=0) for name in ("left_eye", "right_eye")]
    eye_y = (eyes[0][1] + eyes[1][1]) / 2
    return {
        "box": box,
        "marks": marks,
        "eyes": eyes,
        "eye_y": eye_y,
        "e2c": marks["chin"][8][1] - eye_y,
        "cx": marks["nose_bridge"][0][0],
        "jaw": (marks["chin"][0][0], marks["chin"][16][0]),
        "brow_y": min(p[1] for p in marks["left_eyebrow"] + marks["right_eyebrow"]),
    }


def second_face(visible: float = 0.45) -> np.ndarray:
    """Somebody else (Biden, composed the same way) beside the holder, ``visible`` of his face
    inside the right edge: the podium photo of the issue, on a blue backdrop."""
    photo = compliant_array().astype(float)
    other, alpha = _composed("biden.jpg", 0.6)
    top, right, bottom, left = _geometry(other)["box"]
    shift = round(SIZE[0] - left - (right - left) * visible)
    moved = np.zeros_like(photo)
    weight = np.zeros(alpha.shape)
    moved[:, shift:] = other[:, : SIZE[0] - shift]
    weight[:, shift:] = alpha[:, : SIZE[0] - shift]
    out = photo * (1 - weight[..., None]) + moved * weight[..., None]
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)


def busy_background() -> np.ndarray:
    """The holder in front of a room on a blue wall: a window in one upper corner, a shelf of
    books in the other."""
    photo = Image.fromarray(compliant_array())
    draw = ImageDraw.Draw(photo)
    draw.rectangle((0, 0, 150, 240), fill=(235, 238, 240), outline=(90, 90, 90), width=8)
    draw.line((75, 0, 75, 240), fill=(90, 90, 90), width=6)
    draw.rectangle((SIZE[0] - 160, 40, SIZE[0], 250), fill=(60, 45, 40))
    colours = [(30, 120, 60), (240, 240, 230), (20, 20, 20), (200, 190, 40), (90, 30, 120)]
    for i in range(8):
        x = SIZE[0] - 150 + i * 18
        draw.rectangle((x, 70 + (i % 3) * 8, x + 14, 240), fill=colours[i % len(colours)])
    return np.asarray(photo)


def too_small() -> np.ndarray:
    return np.asarray(Image.fromarray(compliant_array()).resize((360, 480)))


def head_too_small() -> np.ndarray:
    return compliant_array(head_share=0.4)


def head_too_large() -> np.ndarray:
    return compliant_array(head_share=0.9)


def turned_head(degrees: float = 35) -> np.ndarray:
    photo = compliant_array()
    return turn_head(photo, _geometry(photo)["box"], degrees)


def tilted_head(degrees: float = 14) -> np.ndarray:
    """The head leaning to one shoulder (roll): the person rotated about the chin."""
    photo, alpha = _composed("obama.jpg", 0.6)
    g = _geometry(photo)
    centre = (g["cx"], g["eye_y"] + g["e2c"])
    person = Image.fromarray(photo).rotate(degrees, Image.Resampling.BICUBIC, center=centre)
    mask = Image.fromarray((alpha * 255).astype(np.uint8)).rotate(degrees, center=centre)
    weight = np.asarray(mask, dtype=float)[..., None] / 255
    out = np.asarray(person, dtype=float) * weight + _background() * (1 - weight)
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)


def glasses() -> np.ndarray:
    """Dark frames drawn on the eye landmarks: two rims and the bridge over the nose."""
    photo = Image.fromarray(compliant_array())
    g = _geometry(np.asarray(photo))
    draw = ImageDraw.Draw(photo)
    eye_width = g["marks"]["left_eye"][3][0] - g["marks"]["left_eye"][0][0]
    thick = max(int(eye_width * 0.1), 3)
    for centre in g["eyes"]:
        rx, ry = eye_width * 0.95, eye_width * 0.65
        draw.ellipse((centre[0] - rx, centre[1] - ry, centre[0] + rx, centre[1] + ry),
                     outline=(25, 25, 25), width=thick)  # fmt: skip
    inner = g["marks"]["left_eye"][3][0] + eye_width * 0.25, g["marks"]["right_eye"][0][0]
    y = g["eye_y"] - eye_width * 0.15
    draw.line((inner[0] - eye_width * 0.3, y, inner[1] - eye_width * 0.0 + 0, y),
              fill=(25, 25, 25), width=thick)  # fmt: skip
    return np.asarray(photo)


def cap() -> np.ndarray:
    """A red cap: the crown above the head and a brim over the upper forehead."""
    photo = Image.fromarray(compliant_array())
    g = _geometry(np.asarray(photo))
    draw = ImageDraw.Draw(photo)
    left, right = g["jaw"]
    width, brim_y = right - left, g["brow_y"] - g["e2c"] * 0.1
    crown = g["eye_y"] - g["e2c"] * 1.15
    draw.chord((left - width * 0.05, crown, right + width * 0.05, 2 * brim_y - crown), 180, 360,
               fill=(170, 25, 35))  # fmt: skip
    draw.rectangle((left - width * 0.05, brim_y - g["e2c"] * 0.05, right + width * 0.2,
                    brim_y + g["e2c"] * 0.05), fill=(140, 20, 30))  # fmt: skip
    return np.asarray(photo)


def blue_head_covering(colour=(40, 95, 190)) -> np.ndarray:
    """A headscarf (jilbab) around the face, by default nearly the background's blue: only the
    face from the forehead to the chin shows."""
    photo = compliant_array()
    g = _geometry(photo)
    left, right = g["jaw"]
    width, e2c, eye_y = right - left, g["e2c"], g["eye_y"]
    scarf = Image.new("L", SIZE, 0)
    draw = ImageDraw.Draw(scarf)
    draw.ellipse((left - width * 0.2, eye_y - e2c * 1.15, right + width * 0.2, eye_y + e2c * 1.4),
                 fill=255)  # fmt: skip
    face = Image.new("L", SIZE, 0)
    draw = ImageDraw.Draw(face)
    draw.ellipse((g["cx"] - width * 0.4, eye_y - e2c * 0.55, g["cx"] + width * 0.4,
                  eye_y + e2c * 0.5), fill=255)  # fmt: skip
    draw.polygon([tuple(p) for p in g["marks"]["chin"]], fill=255)
    cloth = np.asarray(scarf, dtype=bool) & ~np.asarray(face, dtype=bool)
    out = photo.copy()
    out[cloth] = _background(colour=colour, seed=5)[cloth].astype(np.uint8)
    return out


def head_covering(colour=(30, 30, 35)) -> np.ndarray:
    """The same headscarf in another colour (black by default): officers accept it."""
    return blue_head_covering(colour)


def blurred(radius: float = 4) -> np.ndarray:
    return np.asarray(Image.fromarray(compliant_array()).filter(ImageFilter.GaussianBlur(radius)))


def one_side_dark(factor: float = 0.4) -> np.ndarray:
    """Light from the holder's left only: the face's other half in shadow (the person, not the
    backdrop, darkened toward the image's left)."""
    photo, alpha = _composed("obama.jpg", 0.6)
    g = _geometry(photo)
    xs = np.arange(SIZE[0], dtype=float)
    ramp = np.clip((xs - (g["cx"] - 60)) / 120, 0, 1) * (1 - factor) + factor
    shade = 1 - alpha[..., None] * (1 - ramp[None, :, None])
    return np.clip(np.rint(photo * shade), 0, 255).astype(np.uint8)


#: each variant and the fault code it must get
VARIANTS = {
    "second_face": (second_face, "photo_several_faces"),
    "busy_background": (busy_background, "photo_background_busy"),
    "too_small": (too_small, "photo_too_small"),
    "head_too_small": (head_too_small, "photo_head_too_small"),
    "head_too_large": (head_too_large, "photo_head_too_large"),
    "turned_head": (turned_head, "photo_not_frontal"),
    "tilted_head": (tilted_head, "photo_not_frontal"),
    "glasses": (glasses, "photo_glasses"),
    "cap": (cap, "photo_cap"),
    "blue_head_covering": (blue_head_covering, "photo_blue_head_covering"),
    "blurred": (blurred, "photo_blurred"),
    "one_side_dark": (one_side_dark, "photo_uneven_light"),
}


# -- signatures --------------------------------------------------------------------------------

PAPER, INK = (246, 246, 243), (25, 30, 85)


def signature_image(
    *, paper=PAPER, ink=INK, size=(500, 180), scale: float = 0.9, lines: bool = False
) -> Image.Image:
    """A handwritten-looking signature (loops and a flourish, pen 4 px) on ``paper``; the
    signature spans ``scale`` of the picture (cropped close at 0.9)."""
    width, height = size
    rng = np.random.default_rng(11)
    noise = rng.normal(0, 2, (height, width, 3))
    image = Image.fromarray(np.clip(np.asarray(paper, float) + noise, 0, 255).astype(np.uint8))
    draw = ImageDraw.Draw(image)
    if lines:
        for y in range(20, height, 36):
            draw.line((0, y, width, y), fill=(150, 170, 200), width=2)
    sig_w, sig_h = width * scale, height * scale
    x0, y0 = (width - sig_w) / 2, (height - sig_h) / 2
    points = []
    for i in range(400):
        t = i / 399
        x = t + 0.06 * math.sin(t * 26)
        y = 0.5 + 0.32 * math.sin(t * 13) * math.cos(t * 3) + 0.15 * math.cos(t * 26)
        points.append((x0 + x / 1.06 * sig_w, y0 + min(max(y, 0), 1) * sig_h))
    draw.line(points, fill=ink, width=4, joint="curve")
    draw.line((x0 + sig_w * 0.1, y0 + sig_h * 0.92, x0 + sig_w * 0.85, y0 + sig_h * 0.8),
              fill=ink, width=3)  # fmt: skip
    return image


def signature(**options) -> bytes:
    return png(signature_image(**options))


#: each signature variant and the fault code it must get
SIGNATURE_VARIANTS = {
    "grey_paper": (lambda: signature_image(paper=(150, 150, 145)), "signature_paper_not_white"),
    "lined_paper": (lambda: signature_image(lines=True), "signature_lined_paper"),
    "light_ink": (lambda: signature_image(ink=(185, 190, 200)), "signature_light_ink"),
    "wide_margins": (
        lambda: signature_image(size=(1000, 700), scale=0.3),
        "signature_not_cropped",
    ),
    "a_photo": (lambda: Image.fromarray(compliant_array()), "signature_not_a_signature"),
    "blank_paper": (lambda: signature_image(ink=PAPER), "signature_missing"),
}
