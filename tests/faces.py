"""Face photos for tests, taken from registry packages rather than the repository.

``face_photo("obama.jpg")`` downloads the package that holds the photo once with
``pip download --no-deps`` into ``.cache/test-faces/`` (git-ignored), checks the archive's sha256,
extracts only the named file, checks its sha256 too, and returns its path. Later calls reuse the
cache. The photos are never committed.

Sources (shared/DESIGN.md): the face_recognition 1.3.0 sdist (tests/test_images) and the
insightface 2.1 wheel (insightface/data/images). Note that insightface's ``mask_*.jpg`` are pictures
of face masks on their own (insightface pastes them onto faces), so they serve as "no face" images.

``memoise_face_work(monkeypatch)``: the app's two costly pure face functions (a burst's analysis,
a reference photo's encoding) memoised by their inputs for one test, for tests whose subject is
not the face work but who pass through it (a fixture enrolling the candidate, a check passed on
the way to a started exam).
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import subprocess
import sys
import tarfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np

CACHE = Path(__file__).resolve().parent.parent / ".cache" / "test-faces"


@dataclass(frozen=True)
class Package:
    requirement: str
    filename: str
    sha256: str
    #: pip options choosing the sdist or the wheel
    pip_options: tuple[str, ...]
    #: folder of the photos inside the archive
    folder: str


FACE_RECOGNITION = Package(
    requirement="face_recognition==1.3.0",
    filename="face_recognition-1.3.0.tar.gz",
    sha256="5e5efdd1686aa566af0d3cc1313b131e4b197657a8ffd03669e6d3fad92705ec",
    # --no-build-isolation: pip prepares the sdist's metadata with the venv's setuptools
    # instead of fetching a fresh one
    pip_options=("--no-binary", ":all:", "--no-build-isolation"),
    folder="face_recognition-1.3.0/tests/test_images",
)
INSIGHTFACE = Package(
    requirement="insightface==2.1",
    filename="insightface-2.1-py3-none-any.whl",
    sha256="dcd58ee79d99d689572477315f3149353afd65a36dc575f597cbb217a7bde399",
    pip_options=("--only-binary", ":all:"),
    folder="insightface/data/images",
)

#: photo name -> (package, sha256 of the file)
PHOTOS: dict[str, tuple[Package, str]] = {
    "obama.jpg": (
        FACE_RECOGNITION,
        "0930e3aa8cae5920329c0c8cbc6a2ab70f47b0e67b432875beaa95cbf7e741f6",
    ),
    "obama2.jpg": (
        FACE_RECOGNITION,
        "a7efcc907375274796f39646510704aa86672d59f6d5469d69af3c85590976a6",
    ),
    "obama3.jpg": (
        FACE_RECOGNITION,
        "76ac6bf97c36dc2da0ad16a537d6a5ac1b10f48d49aac29a0cca9a17cdbc3ca3",
    ),
    "obama_partial_face.jpg": (
        FACE_RECOGNITION,
        "c2d1f09e7ef3042352b41e41286e6eb0522f64f88308be13886991b95db52117",
    ),
    "biden.jpg": (
        FACE_RECOGNITION,
        "3c17508bb91554c637a2eabddfae790e5bb1caba93130814fc2ac50be9760c4c",
    ),
    # obama2 as an RGBA PNG
    "32bit.png": (
        FACE_RECOGNITION,
        "44dca895a7d635a4aedddd91a4f37af9a8a5b44e66154282a24645a757b5f627",
    ),
    # six people
    "t1.jpg": (
        INSIGHTFACE,
        "47f682e945b659f93a9e490b9c9c4a2a864abe64dace9e1a2893845ddfd69489",
    ),
    # a 112x112 aligned face crop
    "Tom_Hanks_54745.png": (
        INSIGHTFACE,
        "8545da294e8c7c79911169c3915fed8528f1960cd0ed99b92453788ca4275083",
    ),
    "mask_white.jpg": (
        INSIGHTFACE,
        "3adee6ba6680d26197bbea95deb9d335252d01c2c51ead23e01af9784c310aa6",
    ),
    "mask_blue.jpg": (
        INSIGHTFACE,
        "a55ec2b181de4143af27c441852ebb4bbd364fb0e0b9c46bb17631c59bc4c840",
    ),
}


class PhotoError(RuntimeError):
    """A test photo could not be fetched or does not have the expected content."""


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@contextmanager
def _locked(cache: Path) -> Iterator[None]:
    # pytest-xdist workers may ask for the same photo at once: one downloads, the others wait.
    cache.mkdir(parents=True, exist_ok=True)
    with (cache / ".lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _download(package: Package, dest: Path) -> Path:
    archive = dest / package.filename
    if not archive.exists():
        command = [
            sys.executable, "-m", "pip", "download", "--no-deps", "--quiet",
            "--disable-pip-version-check", *package.pip_options,
            "--dest", str(dest), package.requirement,
        ]  # fmt: skip
        done = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
        if done.returncode != 0 or not archive.exists():
            raise PhotoError(
                f"could not download {package.requirement} for the test photos "
                f"(is the package index reachable?):\n{done.stderr.strip()[-2000:]}"
            )
    actual = sha256_of(archive)
    if actual != package.sha256:
        raise PhotoError(
            f"{archive} has sha256 {actual}, expected {package.sha256}; the package on the index "
            f"is not the one the tests were written for. Delete the file to download it again."
        )
    return archive


def _read_member(archive: Path, member: str) -> bytes:
    if archive.name.endswith(".tar.gz"):
        with tarfile.open(archive) as tar:
            f = tar.extractfile(member)
            if f is None:
                raise PhotoError(f"{member} is not a file in {archive}")
            return f.read()
    with zipfile.ZipFile(archive) as wheel:
        return wheel.read(member)


def face_photo(name: str, *, cache: Path = CACHE) -> Path:
    """The path of a checked test photo, downloading and extracting it on first use."""
    if name not in PHOTOS:
        raise KeyError(f"unknown test photo {name!r}; known: {', '.join(sorted(PHOTOS))}")
    package, expected = PHOTOS[name]
    path = cache / name
    with _locked(cache):
        if path.exists() and sha256_of(path) == expected:
            return path
        archive = _download(package, cache / "dist")
        data = _read_member(archive, f"{package.folder}/{name}")
        actual = hashlib.sha256(data).hexdigest()
        if actual != expected:
            raise PhotoError(f"{name} in {archive.name} has sha256 {actual}, expected {expected}")
        partial = path.with_name(path.name + ".part")
        partial.write_bytes(data)
        os.replace(partial, path)
    return path


def all_face_photos(*, cache: Path = CACHE) -> dict[str, Path]:
    return {name: face_photo(name, cache=cache) for name in PHOTOS}


# -- the face work of tests whose subject it is not -------------------------------------------

#: results of ``analyse_burst`` and ``reference_encoding`` by their inputs, for the worker
_ANALYSED: dict[tuple, object] = {}
_ENCODED: dict[tuple, object] = {}


def _real():
    from ujisim.proctoring import bursts, faces

    return bursts.analyse_burst, faces.reference_encoding


#: the functions themselves, whatever a test puts in their place
ANALYSE_BURST, REFERENCE_ENCODING = _real()


def analyse_burst_once(frames, times, encoding, challenge, tolerance, elapsed_ms):
    """``bursts.analyse_burst`` (the real face library on every frame: seconds) memoised by its
    inputs. It is a pure function of the frames, their times, the reference encoding, the
    challenge (its nonce too: the result names it), the tolerance and the arrival time, so the
    same inputs again get the worker's earlier result and any other input the real analysis.
    A refusal (ValidationError) is not kept."""
    reference = np.asarray(encoding, dtype=np.float64).tobytes()
    key = (tuple(frames), tuple(times), reference, challenge, tolerance, elapsed_ms)
    if key not in _ANALYSED:
        result = ANALYSE_BURST(
            list(frames), list(times), encoding, challenge, tolerance, elapsed_ms
        )
        result.keep.flags.writeable = False  # shared between tests
        _ANALYSED[key] = result
    return _ANALYSED[key]


def reference_encoding_once(image, **options):
    """``faces.reference_encoding`` (full resolution, upsampled: about half a second for a test
    photo) memoised by the image's pixels and the options, as ``analyse_burst_once``. A
    refusal (no face, several faces) is not kept."""
    pixels = np.ascontiguousarray(image)
    key = (pixels.shape, str(pixels.dtype), hashlib.sha256(pixels.data).digest())
    key += tuple(sorted(options.items()))
    if key not in _ENCODED:
        _ENCODED[key] = REFERENCE_ENCODING(pixels, **options)
    face = _ENCODED[key]
    return type(face)(list(face.encoding), face.box, face.encoder)


def memoise_face_work(monkeypatch) -> None:
    """For the test of ``monkeypatch``: the app's ``bursts.analyse_burst`` and
    ``faces.reference_encoding`` (called through their modules by the API, the services and
    the renewal's documents) memoised by their inputs."""
    from ujisim.proctoring import bursts, faces

    monkeypatch.setattr(bursts, "analyse_burst", analyse_burst_once)
    monkeypatch.setattr(faces, "reference_encoding", reference_encoding_once)
