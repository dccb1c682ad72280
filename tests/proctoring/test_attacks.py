"""Attacks on the identity check that the burst analysis refuses (issue 16): frames of another
person mixed into the candidate's burst count neither for the identity nor for the head turns."""

from __future__ import annotations

import numpy as np
import pytest

from tests.proctoring.conftest import jpeg_bytes
from ujisim.proctoring import checks
from ujisim.proctoring.faces import DEFAULT_TOLERANCE


@pytest.mark.parametrize("challenge", [("left", "right"), ("right", "left")])
def test_the_candidates_turning_burst_passes(burst, obama, challenge):
    result = checks.analyse_burst(burst(challenge), obama.encoding, challenge, DEFAULT_TOLERANCE)
    assert checks.burst_reason(result) == "ok"


@pytest.mark.parametrize("challenge", [("left", "right"), ("right", "left")])
def test_a_still_photo_mixed_with_an_accomplice_turning_fails(
    burst, obama, webcam_frame, challenge
):
    # 8 frames of the candidate's still photo, then 4 of another person turning as asked
    # (before: 8 of 12 frames matched, over the 60 % share, and the turns were the accomplice's)
    accomplice = burst(challenge, who="impostor")
    for turning in (accomplice[1:5], accomplice[4:8], accomplice[8:12]):
        frames = [jpeg_bytes(webcam_frame)] * 8 + turning
        result = checks.analyse_burst(frames, obama.encoding, challenge, DEFAULT_TOLERANCE)
        assert checks.burst_reason(result) == "different_person"
        # and the accomplice's frames give the liveness check no turn to count (after the
        # baseline, the yaws are the candidate's frames only)
        matching = sorted(r.yaw for r in result.identity.frames if r.matches)
        assert sorted(result.liveness.yaws[1:]) == matching
        assert not result.liveness.passed


def test_one_frame_of_another_person_fails_the_burst(burst, obama, impostor_frame):
    frames = burst(("left", "right"))
    mixed = [*frames[:11], jpeg_bytes(impostor_frame)]
    result = checks.analyse_burst(mixed, obama.encoding, ("left", "right"), DEFAULT_TOLERANCE)
    assert checks.burst_reason(result) == "different_person"


@pytest.mark.parametrize("challenge", [("left", "right"), ("right", "left")])
def test_a_photo_alternated_with_its_mirror_image_fails(
    webcam_frame, webcam_face, obama, challenge
):
    # a photo of the head turned one way and the same file mirrored: the face matches and the
    # yaw swings to both sides, with nobody moving
    from tests.webcam import head_turn_frames

    turned = head_turn_frames(webcam_frame, webcam_face.box, ("left",), degrees=30, steps=1)[1]
    mirror = np.ascontiguousarray(turned[:, ::-1])
    frames = [jpeg_bytes(webcam_frame)] * 4 + [jpeg_bytes(turned), jpeg_bytes(mirror)] * 4
    result = checks.analyse_burst(frames, obama.encoding, challenge, DEFAULT_TOLERANCE)
    assert result.identity.passed  # it is his face in every frame ...
    assert result.mirrored is not None  # ... but one frame is another's mirror image
    assert checks.burst_reason(result) == "mirrored_frames"


def test_a_live_turning_burst_has_no_mirrored_frames(burst, obama):
    for challenge in (("left", "right"), ("right", "left")):
        result = checks.analyse_burst(burst(challenge), obama.encoding, challenge, 0.6)
        assert result.mirrored is None
