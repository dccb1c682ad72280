"""The fast frame analysis (face_engine, face_resnet) against face_recognition's own path, and
the camera-check helpers, on real photos with the real models (no mocks, no timing)."""

from __future__ import annotations

import face_recognition
import numpy as np
import pytest
from PIL import Image, ImageOps

from bench.face_bench import naive_analysis, webcam
from tests.webcam import head_turn_frames
from ujisim.proctoring import face_engine, face_resnet
from ujisim.proctoring.errors import ModelFormatError
from ujisim.proctoring.faces import (
    DARK_BELOW,
    SMALL_BELOW,
    Finding,
    analyse_burst,
    analyse_frame,
    frame_quality,
    locate_faces,
    reference_encoding,
)

FACE_PHOTOS = [
    "obama.jpg",
    "obama2.jpg",
    "obama3.jpg",
    "obama_partial_face.jpg",
    "biden.jpg",
    "32bit.png",
    "t1.jpg",
    "Tom_Hanks_54745.png",
]
ALL_PHOTOS = [*FACE_PHOTOS, "mask_white.jpg", "mask_blue.jpg"]


def padded(image: np.ndarray, size=(640, 480)) -> np.ndarray:
    """The photo as the fake webcam shows it: scaled to fit a black 640x480 frame."""
    return np.asarray(ImageOps.pad(Image.fromarray(image), size, Image.Resampling.BILINEAR))


def framed(photo, obama, share: float) -> np.ndarray:
    """obama.jpg in a 640x480 frame with the face ``share`` of the frame's width."""
    return webcam(photo("obama.jpg"), obama.box, face_share=share)


# -- the encoder -------------------------------------------------------------------------------


@pytest.mark.parametrize("name", FACE_PHOTOS)
def test_the_numpy_encoder_gives_dlibs_numbers(photo, name):
    image = np.ascontiguousarray(photo(name))
    boxes = face_recognition.face_locations(image, number_of_times_to_upsample=1)
    assert boxes
    ours = face_engine.encode(face_engine.chips(image, boxes))
    theirs = np.array(face_recognition.face_encodings(image, boxes))
    assert ours.shape == theirs.shape == (len(boxes), 128)
    assert np.abs(ours - theirs).max() < 1e-4


def test_more_faces_than_a_batch_are_encoded_alike(photo):
    chips = face_engine.chips(np.ascontiguousarray(photo("t1.jpg")), locate_faces(photo("t1.jpg")))
    many = np.concatenate([chips, chips])
    assert len(many) > face_engine.ENCODE_BATCH
    together = face_engine.encode(many)
    assert np.abs(together[: len(chips)] - face_engine.encode(chips)).max() < 1e-5


def test_a_weights_file_of_another_network_is_refused(tmp_path):
    path = tmp_path / "other.dat"
    path.write_bytes(b"\x01\x01\x01\x0dloss_metric_2" + bytes(1000))
    with pytest.raises(ModelFormatError):
        face_resnet.load(path)


def test_chips_of_the_wrong_size_are_refused():
    net = face_engine.models().net
    with pytest.raises(ValueError, match="150"):
        face_resnet.encode(np.zeros((1, 112, 112, 3), np.uint8), net)


def test_a_jittered_reference_stays_close_to_the_plain_one(photo, obama):
    jittered = reference_encoding(photo("obama.jpg"), num_jitters=3)
    assert jittered.box == obama.box
    gap = np.linalg.norm(np.subtract(jittered.encoding, obama.encoding))
    assert 0 < gap < 0.25  # well inside the tolerance of 0.6


# -- the same decisions as face_recognition's path -----------------------------------------------


@pytest.mark.parametrize("name", ALL_PHOTOS)
@pytest.mark.parametrize("framing", ["photo", "padded"])
def test_fast_and_naive_paths_decide_alike(photo, obama, name, framing):
    image = photo(name) if framing == "photo" else padded(photo(name))
    fast = analyse_frame(image, obama.encoding)
    finding, faces, distance = naive_analysis(image, obama.encoding)
    assert fast.finding == finding
    if faces == 1:
        assert fast.faces == 1
        # another detector scale gives a slightly different box, landmarks and chip
        assert fast.distance == pytest.approx(distance, abs=0.1)


def test_a_burst_is_analysed_like_single_frames(webcam_frame, webcam_face, photo, obama):
    frames = head_turn_frames(webcam_frame, webcam_face.box, ("right", "left"), steps=2)
    frames += [photo("t1.jpg"), photo("mask_white.jpg"), photo("biden.jpg")]
    burst = analyse_burst(frames, obama.encoding)
    single = [analyse_frame(frame, obama.encoding) for frame in frames]
    assert [r.finding for r in burst] == [r.finding for r in single]
    assert [r.finding for r in burst][-3:] == ["several_faces", "no_face", "different_person"]
    for together, alone in zip(burst, single, strict=True):
        assert together.box == alone.box
        assert together.yaw == alone.yaw
        # dlib runs a batch of chips through its network in one go: on some CPUs the sums
        # round differently from one chip at a time (seen: 1e-6 apart; the tolerance is 0.6)
        assert together.detector["distances"] == pytest.approx(
            alone.detector["distances"], abs=1e-4
        )


def test_an_empty_burst_has_no_results(obama):
    assert analyse_burst([], obama.encoding) == ()


# -- the detector's resolution -----------------------------------------------------------------


def test_a_face_a_tenth_of_the_frame_is_still_found(photo, obama):
    result = analyse_frame(framed(photo, obama, 0.1), obama.encoding)
    assert result.finding == Finding.OK
    top, right, bottom, left = result.box
    assert 55 <= right - left <= 75


def test_a_large_frame_is_shrunk_for_the_detector_and_boxes_scaled_back(webcam_frame, obama):
    small = analyse_frame(webcam_frame, obama.encoding)
    large_frame = np.asarray(Image.fromarray(webcam_frame).resize((1280, 960)))
    large = analyse_frame(large_frame, obama.encoding)
    # both are scanned at 832 px wide: the webcam frame enlarged, the large one shrunk
    assert (small.detector["detect_scale"], large.detector["detect_scale"]) == (1.3, 0.65)
    assert large.finding == Finding.OK
    assert large.detector["image_size"] == [1280, 960]
    assert np.allclose(large.box, np.multiply(small.box, 2), atol=4)
    # the face is encoded from the full-resolution image, not from the detector's copy
    assert large.distance == pytest.approx(small.distance, abs=0.05)


def test_a_face_too_far_for_a_good_picture_is_found_and_reported_too_small(photo, obama):
    far = framed(photo, obama, 0.07)  # 45 px wide
    # found by the snapshots' detector (issue 16: faces from about 40 px) ...
    assert analyse_frame(far, obama.encoding).finding == Finding.OK
    # ... and the camera check, which asks the candidate to come closer
    boxes = locate_faces(far)
    assert len(boxes) == 1
    quality = frame_quality(far, boxes=boxes)
    assert quality.face_too_small
    assert quality.face_share < SMALL_BELOW
    assert quality == frame_quality(far)


@pytest.mark.parametrize(("share", "found"), [(0.0625, True), (0.04, False)])
def test_the_snapshot_detector_finds_faces_from_40_px(photo, obama, share, found):
    """40 px in a 640x480 frame is found; 26 px is not (so neither is detector noise)."""
    result = analyse_frame(framed(photo, obama, share), obama.encoding)
    assert (result.finding == Finding.OK) is found


# -- the camera check --------------------------------------------------------------------------


def test_a_good_frame_passes_the_camera_check(webcam_frame):
    quality = frame_quality(webcam_frame)
    assert (quality.too_dark, quality.faces, quality.face_too_small) == (False, 1, False)
    assert quality.brightness > DARK_BELOW
    assert quality.face_share == pytest.approx(1 / 3, abs=0.05)
    assert quality.to_dict()["box"] == quality.box


def test_a_dark_frame_is_too_dark(webcam_frame):
    dark = np.rint(webcam_frame * 0.25).astype(np.uint8)
    quality = frame_quality(dark)
    assert quality.too_dark
    assert quality.brightness == pytest.approx(frame_quality(webcam_frame).brightness / 4, rel=0.1)


def test_six_people_are_counted_by_the_camera_check(photo):
    quality = frame_quality(photo("t1.jpg"))
    assert quality.faces == 6
    widths = [right - left for _top, right, _bottom, left in locate_faces(photo("t1.jpg"))]
    assert quality.face_share == max(widths) / photo("t1.jpg").shape[1]


@pytest.mark.parametrize("name", ["mask_white.jpg", "mask_blue.jpg"])
def test_no_face_is_neither_too_small_nor_placed(photo, name):
    quality = frame_quality(photo(name))
    assert (quality.faces, quality.face_share, quality.face_too_small, quality.box) == (
        0,
        None,
        False,
        None,
    )


def test_the_encoder_runs_blas_on_one_thread_in_the_app(monkeypatch, webcam_frame, obama):
    """Not only the benchmark: the app's own analysis path limits BLAS to one thread while it
    encodes, and gives the threads back afterwards."""
    from threadpoolctl import threadpool_info

    def blas_threads() -> set[int]:
        return {i["num_threads"] for i in threadpool_info() if i["user_api"] == "blas"}

    seen = []
    real = face_resnet.encode

    def recording(chips, net):  # delegates to the real encoder, only noting the thread count
        seen.append(blas_threads())
        return real(chips, net)

    monkeypatch.setattr(face_resnet, "encode", recording)
    before = blas_threads()
    result = analyse_burst([webcam_frame], obama.encoding)
    assert result[0].matches
    assert seen
    assert all(threads == {1} for threads in seen)
    assert blas_threads() == before
