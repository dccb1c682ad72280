"""dlib's face encoder (``dlib_face_recognition_resnet_model_v1``) evaluated with numpy.

The prebuilt ``dlib-bin`` wheel has no BLAS (``dlib.DLIB_USE_BLAS`` is False), so its convolutions
run on dlib's own matrix code: about 75 ms per face on one core of the development machines. The
same network with the same weights, as im2col + float32 matrix products on numpy's OpenBLAS, takes
about 15 ms and gives the same 128 numbers to within 1e-5 (tests/proctoring/test_faces_fast.py
compares the two on every test photo), so stored encodings stay interchangeable.

Only what this one network needs is implemented: the weights are read from the ``.dat`` file that
``face_recognition_models`` ships, and the layer order is checked against the architecture of
dlib's ``dnn_face_recognition_ex.cpp``:

    fc_no_bias<128, avg_pool_everything<alevel0<alevel1<alevel2<alevel3<alevel4<
        max_pool<3,3,2,2, relu<affine<con<32,7,7,2,2, input_rgb_image_sized<150>>>>>>>>>>>>

where each level is residual blocks ``relu(x + affine(con(relu(affine(con(x))))))`` and a level's
first block halves the size (its first convolution has stride 2 and its shortcut is a 2x2 average
pool). dlib adds tensors of different sizes by padding the smaller one with zeros, which matters
from the 8x8 level on (a 3x3 block output meets a 4x4 shortcut).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from ujisim.proctoring.errors import ModelFormatError

#: the side of the aligned face chip the network takes (dlib.get_face_chip's default size)
CHIP_SIZE = 150
ENCODING_SIZE = 128


@dataclass(frozen=True)
class _Conv:
    #: (rows * cols * channels_in, filters), rows of im2col patches in (row, col, channel) order
    weights: np.ndarray
    bias: np.ndarray
    size: int
    stride: int
    padding: int


@dataclass(frozen=True)
class Net:
    mean_rgb: np.ndarray
    stem: tuple[_Conv, np.ndarray, np.ndarray]
    #: per residual block: first conv, its affine (scale, shift), second conv, its affine
    blocks: tuple[
        tuple[_Conv, tuple[np.ndarray, np.ndarray], _Conv, tuple[np.ndarray, np.ndarray]], ...
    ]
    fc: np.ndarray


class _Reader:
    """dlib's serialisation: integers as a length byte (0x80 set when negative) and that many
    little-endian bytes; strings as their length then the bytes; floats (outside tensors) as an
    integer mantissa and exponent; tensors (version 2) as 4 sizes then little-endian float32."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def int(self) -> int:
        head = self.data[self.pos]
        size = head & 0x7F
        value = int.from_bytes(self.data[self.pos + 1 : self.pos + 1 + size], "little")
        self.pos += 1 + size
        return -value if head & 0x80 else value

    def float(self) -> float:
        mantissa = self.int()
        return float(np.ldexp(float(mantissa), self.int()))

    def tensor(self) -> np.ndarray:
        if self.int() != 2:
            raise ModelFormatError("unexpected tensor version")
        shape = [self.int() for _ in range(4)]
        count = int(np.prod(shape))
        values = np.frombuffer(self.data, "<f4", count, self.pos).astype(np.float32)
        self.pos += 4 * count
        return values

    def seek(self, name: bytes) -> None:
        """Move past the next serialised string ``name``."""
        marker = bytes([1, len(name)]) + name
        found = self.data.find(marker, self.pos)
        if found < 0:
            raise ModelFormatError(f"no {name.decode()} layer where one was expected")
        self.pos = found + len(marker)


def _read_conv(reader: _Reader) -> _Conv:
    reader.seek(b"con_4")
    params = reader.tensor()
    filters, rows, cols, stride_y, stride_x, pad_y, pad_x = (reader.int() for _ in range(7))
    if rows != cols or stride_y != stride_x or pad_y != pad_x:
        raise ModelFormatError("only square convolutions are implemented")
    channels = (params.size - filters) // (filters * rows * cols)
    kernel = params[: filters * channels * rows * cols].reshape(filters, channels, rows, cols)
    weights = np.ascontiguousarray(kernel.transpose(2, 3, 1, 0).reshape(-1, filters))
    return _Conv(weights, params[-filters:].copy(), rows, stride_y, pad_y)


def _read_affine(reader: _Reader) -> tuple[np.ndarray, np.ndarray]:
    reader.seek(b"affine_")
    params = reader.tensor()
    half = params.size // 2
    return params[:half].copy(), params[half:].copy()


@functools.cache
def load(path: str | Path) -> Net:
    """Read the network's weights from dlib's ``.dat`` file (cached per path)."""
    reader = _Reader(Path(path).read_bytes())
    reader.seek(b"input_rgb_image_sized")
    mean_rgb = np.array([reader.float() for _ in range(3)], dtype=np.float32)
    stem = (_read_conv(reader), *_read_affine(reader))
    reader.seek(b"max_pool_2")
    blocks = []
    for _ in range(14):
        first, first_affine = _read_conv(reader), _read_affine(reader)
        second, second_affine = _read_conv(reader), _read_affine(reader)
        blocks.append((first, first_affine, second, second_affine))
    reader.seek(b"fc_2")
    outputs, inputs = reader.int(), reader.int()
    fc = reader.tensor().reshape(inputs, outputs)
    if (
        stem[0].size != 7
        or [b[0].weights.shape[1] for b in blocks] != [32] * 3 + [64] * 4 + [128] * 3 + [256] * 4
        or [b[0].stride for b in blocks] != [1, 1, 1, 2, 1, 1, 1, 2, 1, 1, 2, 1, 1, 2]
        or fc.shape != (256, 128)
    ):
        raise ModelFormatError("the layers are not those of dlib_face_recognition_resnet_model_v1")
    return Net(mean_rgb, stem, tuple(blocks), fc)


def _conv(x: np.ndarray, conv: _Conv) -> np.ndarray:
    """x: (batch, rows, cols, channels) float32; a convolution as one matrix product."""
    if conv.padding:
        p = conv.padding
        x = np.pad(x, ((0, 0), (p, p), (p, p), (0, 0)))
    windows = sliding_window_view(x, (conv.size, conv.size), axis=(1, 2))
    windows = windows[:, :: conv.stride, :: conv.stride]  # (batch, rows, cols, ch, kr, kc)
    batch, rows, cols = windows.shape[:3]
    patches = windows.transpose(0, 1, 2, 4, 5, 3).reshape(batch * rows * cols, -1)
    out = patches @ conv.weights
    out += conv.bias
    return out.reshape(batch, rows, cols, -1)


def _pool(x: np.ndarray, size: int, stride: int, reduce: str) -> np.ndarray:
    windows = sliding_window_view(x, (size, size), axis=(1, 2))[:, ::stride, ::stride]
    return windows.max(axis=(4, 5)) if reduce == "max" else windows.mean(axis=(4, 5))


def _add_padded(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """dlib's add_prev: the sum over the larger of both shapes, missing values taken as 0."""
    if a.shape == b.shape:
        return a + b
    out = np.zeros(np.maximum(a.shape, b.shape), dtype=np.float32)
    out[tuple(slice(0, n) for n in a.shape)] += a
    out[tuple(slice(0, n) for n in b.shape)] += b
    return out


def encode(chips: np.ndarray, net: Net) -> np.ndarray:
    """128-d descriptors of aligned 150x150 RGB face chips (as ``dlib.get_face_chip`` cuts
    them), shape ``(n, 150, 150, 3)`` uint8 -> ``(n, 128)`` float64."""
    if chips.ndim != 4 or chips.shape[1:] != (CHIP_SIZE, CHIP_SIZE, 3):
        raise ValueError("expected face chips of shape (n, 150, 150, 3)")
    # dlib's input layer: (value - mean of the training set) / 256, per channel
    x = (chips.astype(np.float32) - net.mean_rgb) / np.float32(256)
    conv, scale, shift = net.stem
    x = np.maximum(_conv(x, conv) * scale + shift, 0)
    x = _pool(x, 3, 2, "max")
    for first, (scale1, shift1), second, (scale2, shift2) in net.blocks:
        y = np.maximum(_conv(x, first) * scale1 + shift1, 0)
        y = _conv(y, second) * scale2 + shift2
        shortcut = _pool(x, 2, 2, "mean") if first.stride == 2 else x
        x = np.maximum(_add_padded(y, shortcut), 0)
    features = x.mean(axis=(1, 2))
    return (features @ net.fc).astype(np.float64)


def model_path() -> str:
    """Where ``face_recognition_models`` keeps the encoder's weights."""
    import face_recognition_models

    return face_recognition_models.face_recognition_model_location()
