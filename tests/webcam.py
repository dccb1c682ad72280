"""A fake webcam for tests: Y4M files from face photos, and synthetic head turns.

Chromium started with ``--use-fake-device-for-media-stream --use-file-for-fake-video-capture=F.y4m``
plays the file (in a loop) as the camera, so ``getUserMedia`` in the page sees these frames.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
from PIL import Image, ImageOps

Box = tuple[int, int, int, int]
Source = Path | Image.Image | np.ndarray

#: BT.601 limited range ("studio swing"), what Chromium assumes for I420 from a Y4M file
_RGB_TO_YUV = np.array(
    [[0.257, 0.504, 0.098], [-0.148, -0.291, 0.439], [0.439, -0.368, -0.071]], dtype=np.float32
)
_YUV_OFFSET = np.array([16.0, 128.0, 128.0], dtype=np.float32)


def _as_image(source: Source) -> Image.Image:
    if isinstance(source, Path):
        with Image.open(source) as im:
            return ImageOps.exif_transpose(im).convert("RGB")
    if isinstance(source, np.ndarray):
        return Image.fromarray(source).convert("RGB")
    return source.convert("RGB")


def _to_i420(rgb: np.ndarray) -> bytes:
    yuv = rgb.astype(np.float32) @ _RGB_TO_YUV.T + _YUV_OFFSET
    h, w = rgb.shape[:2]
    y = yuv[..., 0]
    # 4:2:0: one chroma sample per 2x2 block, their mean
    chroma = yuv[..., 1:].reshape(h // 2, 2, w // 2, 2, 2).mean(axis=(1, 3))
    planes = [y, chroma[..., 0], chroma[..., 1]]
    return b"".join(np.clip(np.rint(p), 0, 255).astype(np.uint8).tobytes() for p in planes)


def make_y4m(
    photo: Source | Sequence[Source],
    out: Path,
    frames: int = 30,
    size: tuple[int, int] = (640, 480),
    fps: int = 15,
) -> Path:
    """Write a YUV4MPEG2 (C420) video of ``frames`` frames at ``size`` from one photo (a still
    camera) or from a sequence of images shown in order, each for an equal share of the frames
    (a head turn). Each image is scaled to fit and centred on a black background."""
    width, height = size
    if width % 2 or height % 2:
        raise ValueError("4:2:0 needs an even width and height")
    sources = list(photo) if isinstance(photo, Sequence) else [photo]
    if not sources or frames < len(sources):
        raise ValueError("need at least one image and at least as many frames as images")
    encoded = [
        _to_i420(np.asarray(ImageOps.pad(_as_image(s), size, Image.Resampling.BILINEAR)))
        for s in sources
    ]
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("wb") as f:
        f.write(f"YUV4MPEG2 W{width} H{height} F{fps}:1 Ip A1:1 C420\n".encode("ascii"))
        for index in range(frames):
            f.write(b"FRAME\n")
            f.write(encoded[index * len(encoded) // frames])
    return out


def read_y4m(path: Path) -> tuple[dict[str, str], Iterator[np.ndarray]]:
    """The header tags and the frames (as RGB arrays) of a C420 file written by :func:`make_y4m`."""
    data = path.read_bytes()
    header, _, body = data.partition(b"\n")
    magic, *tags = header.decode("ascii").split(" ")
    if magic != "YUV4MPEG2":
        raise ValueError(f"{path} is not a YUV4MPEG2 file")
    fields = {tag[0]: tag[1:] for tag in tags}
    width, height = int(fields["W"]), int(fields["H"])
    frame_size = width * height * 3 // 2

    def frames() -> Iterator[np.ndarray]:
        offset = 0
        while offset < len(body):
            if body[offset : offset + 6] != b"FRAME\n":
                raise ValueError(f"no FRAME marker at byte {offset}")
            plane = np.frombuffer(body, np.uint8, frame_size, offset + 6)
            offset += 6 + frame_size
            yield _from_i420(plane, width, height)

    return fields, frames()


def _from_i420(plane: np.ndarray, width: int, height: int) -> np.ndarray:
    y = plane[: width * height].reshape(height, width).astype(np.float32)
    u, v = (
        c.reshape(height // 2, width // 2).repeat(2, 0).repeat(2, 1).astype(np.float32)
        for c in np.split(plane[width * height :], 2)
    )
    yuv = np.stack([y, u, v], axis=-1) - _YUV_OFFSET
    rgb = yuv @ np.linalg.inv(_RGB_TO_YUV).T
    return np.clip(np.rint(rgb), 0, 255).astype(np.uint8)


def webcam_crop(image: np.ndarray, box: Box) -> np.ndarray:
    """A 640x480 frame framed like a laptop camera: the face about a third of the width."""
    top, right, bottom, left = box
    centre_x, centre_y, width = (left + right) / 2, (top + bottom) / 2, (right - left) * 3
    region = (
        round(centre_x - width / 2),
        round(centre_y - width * 3 / 8),
        round(centre_x + width / 2),
        round(centre_y + width * 3 / 8),
    )
    return np.asarray(Image.fromarray(image).crop(region).resize((640, 480)))


def jpeg_bytes(image: np.ndarray, quality: int = 90) -> bytes:
    """An RGB array as JPEG bytes, as the browser's canvas sends them."""
    import io

    out = io.BytesIO()
    Image.fromarray(image).save(out, format="JPEG", quality=quality)
    return out.getvalue()


def turn_head(image: np.ndarray, box: Box, degrees: float, *, radius: float = 0.6) -> np.ndarray:
    """A synthetic head turn of a frontal photo: the head is taken as a vertical cylinder of
    ``radius`` x the face box's width around the box's centre, and rotated by ``degrees``
    (negative = to the subject's left, the sign of the yaw estimate).

    Unlike a perspective warp of the whole photo, which is what tilting a printed photo does and
    which keeps the landmarks' proportions, this moves the middle of the face (the nose) further
    than its sides (the jaw line), as a real turn does.
    """
    top, right, bottom, left = box
    width = image.shape[1]
    centre = (left + right) / 2
    r = (right - left) * radius
    x = np.arange(width, dtype=np.float64)
    # each output column shows the point of the cylinder that the rotation brought there
    phi = np.arcsin(np.clip((x - centre) / r, -1, 1)) + math.radians(degrees)
    source = centre + r * np.sin(np.clip(phi, -math.pi / 2, math.pi / 2))
    source = np.where(np.abs(x - centre) < r, source, x)
    x0 = np.clip(np.floor(source).astype(int), 0, width - 2)
    frac = (source - x0)[None, :, None]
    warped = image[:, x0] * (1 - frac) + image[:, x0 + 1] * frac
    return np.ascontiguousarray(np.clip(np.rint(warped), 0, 255), dtype=np.uint8)


def tilt_head(image: np.ndarray, box: Box, degrees: float, *, depth: float = 1.0) -> np.ndarray:
    """A synthetic look up (positive ``degrees``) or down of a frontal photo: the head is taken
    as an ellipsoid around the face box, ``depth`` x the box's width deep at its middle, and
    turned about the horizontal axis through its centre. What stands out (the nose) moves
    further than the face's sides, as in a real head; a flat photo tilted back (a perspective
    warp) moves them alike."""
    top, right, bottom, left = box
    height, width = image.shape[:2]
    cx, cy = (left + right) / 2, (top + bottom) / 2
    half_width, half_height = (right - left) * 0.75, (bottom - top) * 0.9
    deep = (right - left) * depth
    angle = math.radians(degrees)
    ys, xs = np.mgrid[0:height, 0:width].astype(np.float64)
    across = (xs - cx) / half_width
    # each output row shows the point the rotation lifted there (y' = y cos - z sin), found by
    # a few fixed-point steps, since the depth z depends on the source row
    source = ys.copy()
    for _ in range(6):
        along = (source - cy) / half_height
        z = deep * np.sqrt(np.clip(1 - across**2 - along**2, 0, None))
        source = cy + ((ys - cy) + z * math.sin(angle)) / math.cos(angle)
    source = np.where(across**2 + ((ys - cy) / half_height) ** 2 < 1, source, ys)
    y0 = np.clip(np.floor(source).astype(int), 0, height - 2)
    frac = (source - y0)[..., None]
    columns = xs.astype(int)
    warped = image[y0, columns] * (1 - frac) + image[y0 + 1, columns] * frac
    return np.ascontiguousarray(np.clip(np.rint(warped), 0, 255), dtype=np.uint8)


def head_turn_frames(
    image: np.ndarray,
    box: Box,
    challenge: Sequence[str] = ("left", "right"),
    *,
    degrees: float = 35,
    steps: int = 3,
) -> list[np.ndarray]:
    """Frames of a head looking at the camera, turning to each challenged side in ``steps`` and
    back, then looking at the camera again."""
    frames = [image]
    for direction in challenge:
        sign = -1 if direction == "left" else 1
        ramp = [degrees * (i + 1) / steps for i in range(steps)]
        for angle in ramp + ramp[-2::-1]:
            frames.append(turn_head(image, box, sign * angle))
        frames.append(image)
    return frames


def close_eyes(image: np.ndarray, landmarks: dict) -> np.ndarray:
    """The face with both eyes closed: each eye (its six landmarks, a little enlarged) painted
    with the skin just below it, and a dark lash line from corner to corner."""
    from PIL import ImageDraw, ImageFilter

    out = image.astype(np.float64)
    height, width = image.shape[:2]
    for name in ("left_eye", "right_eye"):
        eye = np.asarray(landmarks[name], dtype=float)
        size = float(np.linalg.norm(eye[0] - eye[3]))
        centre = eye.mean(axis=0)
        below = int(centre[1] + 0.5 * size)
        skin = np.median(
            image[below : below + int(0.2 * size) + 1, int(eye[0][0]) : int(eye[3][0])].reshape(
                -1, 3
            ),
            axis=0,
        )
        lid = Image.new("L", (width, height), 0)
        ImageDraw.Draw(lid).polygon(
            [tuple(centre + (p - centre) * np.array([1.2, 1.6])) for p in eye], fill=255
        )
        lid = lid.filter(ImageFilter.GaussianBlur(size * 0.05))
        lash = Image.new("L", (width, height), 0)
        ImageDraw.Draw(lash).line(
            [tuple(eye[0]), tuple(eye[3])], fill=255, width=max(2, int(size * 0.2))
        )
        lash = lash.filter(ImageFilter.GaussianBlur(size * 0.03))
        for mask, colour in ((lid, skin), (lash, skin * 0.1)):
            m = np.asarray(mask, dtype=np.float64)[..., None] / 255
            out = out * (1 - m) + colour * m
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)


def open_mouth(image: np.ndarray, landmarks: dict, drop: float = 0.35) -> np.ndarray:
    """The face with the mouth open: below the lips' inner line the face is pulled down by
    ``drop`` x the mouth's width (fading out under the chin), and the gap is a dark cavity."""
    from PIL import ImageDraw, ImageFilter

    top = np.asarray(landmarks["top_lip"], dtype=float)
    bottom = np.asarray(landmarks["bottom_lip"], dtype=float)
    chin_y = float(np.asarray(landmarks["chin"], dtype=float)[8][1])
    left, right = top[0], top[6]
    mouth = float(np.linalg.norm(right - left))
    shift = drop * mouth
    height, width = image.shape[:2]
    inner = (top[8:11, 1].mean() + bottom[8:11, 1].mean()) / 2
    cx = (left[0] + right[0]) / 2
    ys = np.arange(height, dtype=float)[:, None]
    xs = np.arange(width, dtype=float)[None, :]
    across = np.clip(1 - np.abs(xs - cx) / (mouth * 1.1), 0, 1)
    fade = np.clip(1 - (ys - chin_y) / (0.6 * mouth), 0, 1)
    source = np.clip(ys - np.where(ys > inner, shift * fade, 0) * across, 0, height - 1)
    y0 = np.floor(source).astype(int)
    frac = (source - y0)[..., None]
    columns = np.broadcast_to(np.arange(width)[None, :], (height, width))
    out = image[y0, columns] * (1 - frac) + image[np.clip(y0 + 1, 0, height - 1), columns] * frac
    cavity = Image.new("L", (width, height), 0)
    ImageDraw.Draw(cavity).ellipse(
        [
            left[0] + 0.12 * mouth,
            inner - 0.05 * mouth,
            right[0] - 0.12 * mouth,
            inner + shift * 0.95,
        ],
        fill=255,
    )
    cavity = cavity.filter(ImageFilter.GaussianBlur(mouth * 0.04))
    m = np.asarray(cavity, dtype=np.float64)[..., None] / 255
    out = out * (1 - m) + np.array([40.0, 15.0, 15.0]) * m
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)


def sensor_noise(image: np.ndarray, rng: np.random.Generator, sigma: float = 2.0) -> np.ndarray:
    """A camera's sensor noise: no two frames of a live camera are the same picture."""
    noisy = image.astype(np.float32) + rng.normal(0, sigma, image.shape).astype(np.float32)
    return np.clip(np.rint(noisy), 0, 255).astype(np.uint8)


class LivePerson:
    """The stand-in for a live person in front of a camera, made from one frontal webcam frame
    (``box``: the face): it follows a challenge as a person would, reacting ``react_ms`` after
    each prompt, turning its head (a cylinder warp), looking up (an ellipsoid warp), closing its
    eyes or opening its mouth (the eye and mouth regions edited) and coming back to face the
    camera in each look. Every frame gets sensor noise. The limit of this stand-in is that of
    the check: it is real-time face synthesis from a photo, which the check does not claim to
    stop."""

    def __init__(self, frame: np.ndarray, box: Box, *, react_ms: int = 500, seed: int = 0):
        from ujisim.proctoring.face_engine import landmarks68

        self.frame, self.box, self.react_ms = frame, box, react_ms
        self.rng = np.random.default_rng(seed)
        landmarks = landmarks68(frame, box)
        self.poses = {
            "look": frame,
            "turn_left": turn_head(frame, box, -40),
            "turn_right": turn_head(frame, box, 40),
            "half_left": turn_head(frame, box, -20),
            "half_right": turn_head(frame, box, 20),
            "look_up": tilt_head(frame, box, 20),
            "half_up": tilt_head(frame, box, 10),
            "blink": close_eyes(frame, landmarks),
            "mouth": open_mouth(frame, landmarks),
        }

    #: actions the head moves into through a half-way pose, and back out of
    HALF = {"turn_left": "half_left", "turn_right": "half_right", "look_up": "half_up"}

    def pose_at(self, challenge, ms: float) -> str:
        """What the person shows ``ms`` after the first prompt."""
        steps = challenge.steps()
        index = challenge.step_at(ms)
        what, start, _end = steps[index]
        since = ms - start
        if since < self.react_ms:  # still doing what the previous step asked
            what = steps[index - 1][0] if index else "look"
            if what in self.HALF and since > self.react_ms / 2:
                return self.HALF[what]  # on the way back
            return what
        if what in self.HALF and since < self.react_ms + 300:
            return self.HALF[what]  # on the way there
        return what

    def follow(self, challenge, interval_ms: int = 333) -> tuple[list[int], list[np.ndarray]]:
        """The frames a camera takes every ``interval_ms`` while the person follows
        ``challenge``: their times and pictures."""
        times = list(range(0, challenge.total_ms + 1, interval_ms))
        frames = [sensor_noise(self.poses[self.pose_at(challenge, t)], self.rng) for t in times]
        return times, frames

    def burst(self, challenge, *, still: bool = False) -> tuple[list[int], list[bytes]]:
        """The times and JPEG frames the identity check's page sends while the person follows
        ``challenge``; ``still``: a printed photo of them held still at the same times (only
        the camera's sensor noise changes)."""
        times, frames = self.follow(challenge)
        if still:
            rng = np.random.default_rng(len(times))
            frames = [sensor_noise(self.frame, rng) for _ in times]
        return times, [jpeg_bytes(frame) for frame in frames]
