"""What the photo rules (``photo_rules.py``, ``photo_looks.py``) and the signature rules share:
a fault, where the face's parts are, regions clipped to the image and the colour tests (blue of a
Satpas backdrop, skin)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from PIL import Image

#: background: hue window of blue (degrees), least saturation and brightness (0-1)
BLUE_HUE = (185.0, 255.0)
BLUE_MIN_SATURATION = 0.25
BLUE_MIN_VALUE = 0.25
#: how far (chromaticity) and how much darker or lighter skin elsewhere is than the cheeks
SKIN_CHROMA = 0.07
SKIN_LIGHT = (0.45, 2.2)
#: skin colours whatever the complexion (shares of red and green in the pixel's sum)
SKIN_RED = (0.36, 0.6)
SKIN_GREEN = (0.26, 0.37)


@dataclass(frozen=True)
class Fault:
    """One refused property of the photo: a machine code and what the holder should do."""

    code: str
    message: str


@dataclass(frozen=True)
class Face:
    """Where the face's parts are, in the analysed image's pixels."""

    box: tuple[int, int, int, int]
    landmarks: dict[str, list]

    def point(self, name: str, index: int) -> np.ndarray:
        return np.asarray(self.landmarks[name][index], dtype=float)

    @property
    def eyes(self) -> tuple[np.ndarray, np.ndarray]:
        return (
            np.mean(self.landmarks["left_eye"], axis=0),
            np.mean(self.landmarks["right_eye"], axis=0),
        )

    @property
    def eye_y(self) -> float:
        return float((self.eyes[0][1] + self.eyes[1][1]) / 2)

    @property
    def chin_y(self) -> float:
        return float(self.point("chin", 8)[1])

    @property
    def eye_to_chin(self) -> float:
        return max(self.chin_y - self.eye_y, 1.0)

    @property
    def crown_y(self) -> float:
        return self.eye_y - self.eye_to_chin

    @property
    def jaw(self) -> tuple[float, float]:
        return float(self.point("chin", 0)[0]), float(self.point("chin", 16)[0])

    @property
    def centre_x(self) -> float:
        return float(self.point("nose_bridge", 0)[0])


def region(array: np.ndarray, top, bottom, left, right) -> np.ndarray:
    """``array[top:bottom, left:right]`` with the bounds rounded and clipped to the image."""
    height, width = array.shape[:2]
    top, bottom = max(int(round(top)), 0), min(int(round(bottom)), height)
    left, right = max(int(round(left)), 0), min(int(round(right)), width)
    if bottom <= top or right <= left:
        return array[0:0, 0:0]
    return array[top:bottom, left:right]


def hsv(image: np.ndarray) -> np.ndarray:
    """Hue in degrees, saturation and value in 0-1."""
    hsv = np.asarray(Image.fromarray(image).convert("HSV"), dtype=float)
    return hsv * np.array([360.0 / 255.0, 1 / 255.0, 1 / 255.0])


def blue(hsv: np.ndarray) -> np.ndarray:
    """Which pixels are a saturated, not dark blue (a Satpas background or blue cloth)."""
    hue, sat, val = hsv[..., 0], hsv[..., 1], hsv[..., 2]
    return (
        (hue >= BLUE_HUE[0])
        & (hue <= BLUE_HUE[1])
        & (sat >= BLUE_MIN_SATURATION)
        & (val >= BLUE_MIN_VALUE)
    )


def grey(image: np.ndarray) -> np.ndarray:
    return np.asarray(Image.fromarray(image).convert("L"), dtype=float)


def chroma(pixels: np.ndarray) -> np.ndarray:
    """Red and green shares of each pixel's sum: its colour whatever its brightness."""
    return pixels[..., :2] / np.maximum(pixels.sum(axis=-1, keepdims=True), 1.0)


def skin_like(pixels: np.ndarray, skin: np.ndarray) -> np.ndarray:
    """Which ``pixels`` have the colour of ``skin`` (lit a little more or less): a forehead
    lit from above differs from the cheeks in brightness, a cap in colour or brightness."""
    near = np.linalg.norm(chroma(pixels) - chroma(skin), axis=-1) < SKIN_CHROMA
    ratio = pixels.mean(axis=-1) / max(float(skin.mean()), 1.0)
    return near & (ratio > SKIN_LIGHT[0]) & (ratio < SKIN_LIGHT[1])


def skin_coloured(pixels: np.ndarray) -> np.ndarray:
    """Which ``pixels`` have a skin colour of any complexion (not too dark to tell)."""
    red, green = (chroma(pixels)[..., i] for i in (0, 1))
    skin = (red > SKIN_RED[0]) & (red < SKIN_RED[1]) & (green > SKIN_GREEN[0])
    return (
        skin
        & (green < SKIN_GREEN[1])
        & (pixels[..., 0] > pixels[..., 2])
        & (pixels.mean(axis=-1) > 50)
    )
