"""The models behind :mod:`ujisim.proctoring.faces`, called directly rather than through
``face_recognition``'s helpers, so that each step runs once and at the resolution it needs:

- HOG detection on a grey copy whose long side is ``detect_side`` (832 by default: a 640x480
  webcam frame is enlarged 1.3 times, a larger image shrunk), without dlib's own upsampling; the
  boxes are scaled back to the full-resolution image. HOG's 80 px window then finds faces from
  about 40 px wide in a 640x480 frame, so a helper sitting well behind the candidate is still
  counted. Grey costs about 3/4 of colour for the same faces, so the enlarged grey pass costs
  about 1.3x the colour pass at 640 that found faces only from about 50 px; dlib's upsampling
  (2x, as ``face_recognition.face_locations`` does) would cost 4-5x and also report 30-40 px
  "faces" in hair and patterned backgrounds (bench/face_bench.py measures each);
- 5-point landmarks on the full-resolution image for the aligned 150x150 face chip the encoder
  takes (what ``face_recognition.face_encodings`` uses), and the 68-point model only for the yaw
  of the one face that is compared;
- the encoder evaluated by :mod:`ujisim.proctoring.face_resnet` (numpy, about 5x faster than the
  dlib-bin build, same numbers), with every chip of a burst in one batch.

Loading the models takes about a second and 100 MB; it happens on first use, once per process.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from PIL import Image
from threadpoolctl import ThreadpoolController

from ujisim.proctoring import face_resnet as resnet

Box = tuple[int, int, int, int]

#: long side of the grey copy the detector scans (1.3x a 640x480 webcam frame)
DETECT_SIDE = 832
#: faces narrower than this share of the largest face are detector noise, not people ...
MIN_FACE_RATIO = 0.25
#: ... unless they are at least this wide (px in the analysed image): a person in the background
#: of a close-up candidate is a quarter of the candidate's width or less, and the detector's
#: noise (upsampled twice) stays under 40 px
MIN_FACE_PX = 40
#: chips per forward pass of the encoder: batching saves ~15%, and the im2col buffers of 8 chips
#: (about 25 MB) stay small
ENCODE_BATCH = 8


@dataclass(frozen=True)
class Models:
    detector: Any
    landmarks5: Any
    landmarks68: Any
    net: resnet.Net
    #: dlib's own encoder, only for jittered reference encodings (num_jitters > 1)
    dlib_encoder: Any


@functools.cache
def models() -> Models:
    """The dlib models from ``face_recognition_models``, loaded once per process."""
    # Imported here: loading the models costs about a second, which the web app and workers
    # that never analyse a face should not pay.
    import dlib
    import face_recognition_models as files

    return Models(
        detector=dlib.get_frontal_face_detector(),
        landmarks5=dlib.shape_predictor(files.pose_predictor_five_point_model_location()),
        landmarks68=dlib.shape_predictor(files.pose_predictor_model_location()),
        net=resnet.load(files.face_recognition_model_location()),
        dlib_encoder=dlib.face_recognition_model_v1(files.face_recognition_model_location()),
    )


def checked(image: np.ndarray) -> np.ndarray:
    """``image`` as a C-contiguous RGB uint8 array; ValueError for anything else."""
    if image.dtype != np.uint8 or image.ndim != 3 or image.shape[2] != 3:
        raise ValueError("expected an RGB uint8 array of shape (height, width, 3)")
    # dlib reads the buffer as C-ordered rows: a strided view (a crop, a fancy-indexed warp)
    # finds no face or is refused by the encoder
    return np.ascontiguousarray(image)


def box_width(box: Box) -> int:
    return box[1] - box[3]


def split_small(boxes: list[Box], min_face_ratio: float) -> tuple[list[Box], list[Box]]:
    """Faces at least ``min_face_ratio`` as wide as the largest one or ``MIN_FACE_PX`` wide, and
    the rest.

    The HOG detector upsampled twice also reports 30-40 px "faces" in hair, ears or a patterned
    background; a person beside or behind the candidate is at least about 40 px wide.
    """
    if not boxes:
        return [], []
    least = min(min_face_ratio * max(map(box_width, boxes)), MIN_FACE_PX)
    kept = [box for box in boxes if box_width(box) >= least]
    return kept, [box for box in boxes if box_width(box) < least]


def _rect(box: Box) -> Any:
    import dlib

    top, right, bottom, left = box
    return dlib.rectangle(left, top, right, bottom)


def detect_scale(image: np.ndarray, detect_side: int | None) -> float:
    """The factor the image is resized by before detection (1.0 with ``detect_side=None``)."""
    if detect_side is None:
        return 1.0
    return detect_side / max(image.shape[:2])


def detection_copy(image: np.ndarray, detect_side: int | None) -> np.ndarray:
    """What the detector scans: with ``detect_side``, a grey copy resized to that long side;
    else the image itself (in colour, the enrolment's thorough pass)."""
    if detect_side is None:
        return image
    scale = detect_scale(image, detect_side)
    size = (round(image.shape[1] * scale), round(image.shape[0] * scale))
    grey = Image.fromarray(image).convert("L")
    return np.asarray(grey.resize(size, Image.Resampling.BILINEAR))


def locate(image: np.ndarray, *, upsample: int, detect_side: int | None) -> list[Box]:
    """Face boxes ``(top, right, bottom, left)`` in ``image``'s pixels, clipped to the image as
    face_recognition clips them."""
    scale = detect_scale(image, detect_side)
    scanned = detection_copy(image, detect_side)
    height, width = image.shape[:2]
    boxes = []
    for rect in models().detector(scanned, upsample):
        top, right = round(rect.top() / scale), round(rect.right() / scale)
        bottom, left = round(rect.bottom() / scale), round(rect.left() / scale)
        boxes.append((max(top, 0), min(right, width), min(bottom, height), max(left, 0)))
    return boxes


def chips(image: np.ndarray, boxes: Sequence[Box]) -> np.ndarray:
    """The aligned 150x150 chips of the faces at ``boxes``, cut from the full-resolution image
    with the 5-point landmarks, as ``dlib.face_recognition_model_v1`` cuts them."""
    import dlib

    shapes = [models().landmarks5(image, _rect(box)) for box in boxes]
    cut = [dlib.get_face_chip(image, shape, resnet.CHIP_SIZE, 0.25) for shape in shapes]
    return np.stack(cut) if cut else np.empty((0, resnet.CHIP_SIZE, resnet.CHIP_SIZE, 3), np.uint8)


@functools.cache
def _threadpools() -> ThreadpoolController:
    # finds the BLAS libraries loaded in this process once; limiting them later is cheap
    return ThreadpoolController()


def one_blas_thread():
    """A context in which BLAS (numpy's OpenBLAS) runs one thread. The encoder's matrix products
    are small, so more threads only contend with the other workers and requests of a loaded
    machine: a frame took 175-377 ms in the app against about 40 ms on one thread. Every
    process that analyses frames (app servers, the in-process worker, Celery workers) goes
    through here, not only the benchmark."""
    return _threadpools().limit(limits=1, user_api="blas")


def encode(face_chips: np.ndarray) -> np.ndarray:
    """128-d encodings of face chips, ``(n, 128)``; one batch, however many faces and frames,
    on one BLAS thread."""
    if not len(face_chips):
        return np.empty((0, resnet.ENCODING_SIZE))
    net = models().net
    batches = range(0, len(face_chips), ENCODE_BATCH)
    with one_blas_thread():
        return np.concatenate(
            [resnet.encode(face_chips[i : i + ENCODE_BATCH], net) for i in batches]
        )


def encode_jittered(image: np.ndarray, box: Box, num_jitters: int) -> np.ndarray:
    """dlib's own encoding averaged over ``num_jitters`` randomly jittered chips."""
    shape = models().landmarks5(image, _rect(box))
    return np.array(models().dlib_encoder.compute_face_descriptor(image, shape, num_jitters))


def landmarks68(image: np.ndarray, box: Box) -> dict[str, list[tuple[int, int]]]:
    """The 68 points of the face at ``box``, named as ``face_recognition.face_landmarks`` names
    them."""
    shape = models().landmarks68(image, _rect(box))
    points = [(p.x, p.y) for p in shape.parts()]
    return {
        "chin": points[0:17],
        "left_eyebrow": points[17:22],
        "right_eyebrow": points[22:27],
        "nose_bridge": points[27:31],
        "nose_tip": points[31:36],
        "left_eye": points[36:42],
        "right_eye": points[42:48],
        "top_lip": points[48:55] + [points[i] for i in (64, 63, 62, 61, 60)],
        "bottom_lip": points[54:60] + [points[i] for i in (48, 60, 67, 66, 65, 64)],
    }
