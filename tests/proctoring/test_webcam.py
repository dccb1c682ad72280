"""The fake webcam: Y4M files that Chromium plays as a camera."""

from __future__ import annotations

import numpy as np
import pytest

from tests.webcam import make_y4m, read_y4m
from ujisim.proctoring.faces import Finding, analyse_frame

FRAME_BYTES = 640 * 480 * 3 // 2


def test_a_photo_becomes_a_still_y4m(face_photos, tmp_path):
    out = make_y4m(face_photos["obama.jpg"], tmp_path / "still.y4m", frames=12)
    header, frames = read_y4m(out)
    assert out.read_bytes().startswith(b"YUV4MPEG2 W640 H480 F15:1 Ip A1:1 C420\n")
    assert (header["W"], header["H"], header["C"]) == ("640", "480", "420")
    decoded = list(frames)
    assert len(decoded) == 12
    assert all(frame.shape == (480, 640, 3) for frame in decoded)
    assert out.stat().st_size == len(b"YUV4MPEG2 W640 H480 F15:1 Ip A1:1 C420\n") + 12 * (
        len(b"FRAME\n") + FRAME_BYTES
    )


def test_the_camera_still_shows_the_candidate(face_photos, obama, tmp_path):
    """The colour conversion and scaling keep a face that matches (what the server will get)."""
    _, frames = read_y4m(make_y4m(face_photos["obama.jpg"], tmp_path / "o.y4m", frames=1))
    result = analyse_frame(next(frames), obama.encoding)
    assert result.finding == Finding.OK


def test_a_sequence_is_spread_over_the_frames(webcam_frame, tmp_path):
    dark = np.zeros_like(webcam_frame)
    out = make_y4m(
        [webcam_frame, dark, webcam_frame], tmp_path / "seq.y4m", frames=6, size=(320, 240)
    )
    header, frames = read_y4m(out)
    assert (header["W"], header["H"]) == ("320", "240")
    brightness = [int(frame.mean()) for frame in frames]
    assert len(brightness) == 6
    assert brightness[0] == brightness[1] == brightness[4] == brightness[5] > 50
    assert brightness[2] == brightness[3] < 5


@pytest.mark.parametrize(
    ("frames", "size", "why"),
    [(10, (641, 480), "even width"), (1, (640, 480), "as many frames as images")],
)
def test_impossible_videos_are_refused(webcam_frame, tmp_path, frames, size, why):
    with pytest.raises(ValueError, match=why):
        make_y4m([webcam_frame, webcam_frame], tmp_path / "x.y4m", frames=frames, size=size)
