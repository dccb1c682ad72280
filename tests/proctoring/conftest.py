"""Fixtures: the test face photos (downloaded once from registry packages, see tests/faces.py),
decoded images, the enrolled reference face and a webcam-like 640x480 frame."""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from tests.faces import all_face_photos
from ujisim.proctoring.faces import ReferenceFace, load_image, reference_encoding


@pytest.fixture(scope="session")
def face_photos() -> dict[str, Path]:
    """Every test photo by name, checked against its sha256."""
    return all_face_photos()


@pytest.fixture(scope="session")
def photo(face_photos) -> Callable[[str], np.ndarray]:
    """A test photo decoded by ``load_image``, once per session."""

    @functools.cache
    def load(name: str) -> np.ndarray:
        image = load_image(face_photos[name].read_bytes())
        image.flags.writeable = False  # shared between tests
        return image

    return load


@pytest.fixture(scope="session")
def obama(photo) -> ReferenceFace:
    """The candidate's enrolled reference face."""
    return reference_encoding(photo("obama.jpg"))


def webcam_crop(image: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
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


@pytest.fixture(scope="session")
def webcam_frame(photo, obama) -> np.ndarray:
    """The candidate as the webcam sees them, looking at the camera."""
    return webcam_crop(photo("obama.jpg"), obama.box)


@pytest.fixture(scope="session")
def webcam_face(webcam_frame) -> ReferenceFace:
    """Where the face is in ``webcam_frame``."""
    return reference_encoding(webcam_frame)


# -- proctoring flow (consent, reference, checks, snapshots, review) ---------------------------


def jpeg_bytes(image: np.ndarray, quality: int = 90) -> bytes:
    """An RGB array as JPEG bytes, as the browser's canvas sends them."""
    import io

    out = io.BytesIO()
    Image.fromarray(image).save(out, format="JPEG", quality=quality)
    return out.getvalue()


@pytest.fixture(scope="session")
def impostor_frame(photo) -> np.ndarray:
    """Another person (Biden) as the webcam sees them."""
    image = photo("biden.jpg")
    return webcam_crop(image, reference_encoding(image).box)


@pytest.fixture(scope="session")
def impostor_face(impostor_frame) -> ReferenceFace:
    return reference_encoding(impostor_frame)


@pytest.fixture(scope="session")
def burst(webcam_frame, webcam_face, impostor_frame, impostor_face) -> Callable[..., list[bytes]]:
    """``burst(challenge)``: 12 JPEG frames of the candidate's head turning in ``challenge`` order;
    ``still=True``: a still photo; ``who="impostor"``: another person doing the same."""
    from tests.webcam import head_turn_frames

    people = {"candidate": (webcam_frame, webcam_face), "impostor": (impostor_frame, impostor_face)}

    @functools.cache
    def make(challenge=("left", "right"), still=False, who="candidate") -> list[bytes]:
        image, face = people[who]
        if still:
            return [jpeg_bytes(image)] * 12
        frames = head_turn_frames(image, face.box, tuple(challenge), degrees=35, steps=3)
        return [jpeg_bytes(f) for f in frames[:12]]

    return make
