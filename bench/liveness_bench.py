"""Attacks on the identity check's burst, built from real photos, against genuine tries.

    .venv/bin/python bench/liveness_bench.py

For each test person (frontal registry photos, tests/faces.py) and both challenge orders, the
bursts of each case go through the real decision (``proctoring.checks.analyse_burst`` and
``burst_reason``, the path of the exam and the renewal):

- ``genuine``: the person's own head turning in the challenged order (a synthetic turn of the
  photo, the stand-in for a live person used by the test suite);
- ``still``: the photo, unchanged; ``jitter``: the photo held in a hand (shifted and rotated by
  a few pixels and degrees each frame);
- ``loop``: a recording of the head turning left, right and left again, or right, left and
  right (each contains both orders);
- ``replay``: a burst recorded for an earlier challenge (either order) sent for the new one;
- ``mirror``: a turned photo alternated with its own mirror image;
- ``accomplice``: eight frames of the person's still photo and four of another person turning.

Prints JSON: the pass rate of each case with the reasons seen. Targets (issue 16): 0 % for every
attack, >= 95 % for genuine tries.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.faces import face_photo  # noqa: E402
from tests.proctoring.conftest import jpeg_bytes, webcam_crop  # noqa: E402
from tests.webcam import head_turn_frames  # noqa: E402
from ujisim.proctoring import checks, faces  # noqa: E402

#: people whose photo is frontal: the synthetic head turn (a cylinder warp, tests/webcam.py)
#: that stands in for a live person needs one (biden.jpg and Tom_Hanks_54745.png are turned by
#: themselves, so a warp of them does not swing to both sides)
PEOPLE = ("obama.jpg", "obama3.jpg")
#: the accomplice who turns as asked in the mixed burst
ACCOMPLICE = "biden.jpg"
CHALLENGES = (("left", "right"), ("right", "left"))
TOLERANCE = faces.DEFAULT_TOLERANCE


def person(name: str):
    """The webcam-framed photo of one person, its face box and reference encoding."""
    image = faces.load_image(face_photo(name).read_bytes())
    frame = webcam_crop(image, faces.reference_encoding(image).box)
    face = faces.reference_encoding(frame)
    return frame, face.box, faces.reference_encoding(image).encoding


def turning(frame, box, order) -> list[np.ndarray]:
    return head_turn_frames(frame, box, tuple(order), degrees=35, steps=3)[:12]


def jitter(frame: np.ndarray, rng: np.random.Generator) -> list[np.ndarray]:
    out = []
    for _ in range(12):
        moved = Image.fromarray(frame).rotate(
            float(rng.uniform(-3, 3)), translate=tuple(int(v) for v in rng.integers(-6, 7, 2))
        )
        out.append(np.asarray(moved))
    return out


def mirror(frame, box) -> list[np.ndarray]:
    turned = head_turn_frames(frame, box, ("left",), degrees=30, steps=1)[1]
    flipped = np.ascontiguousarray(turned[:, ::-1])
    return [frame] * 4 + [turned, flipped] * 4


def decide(frames: list[np.ndarray], encoding, challenge) -> str:
    burst = checks.analyse_burst([jpeg_bytes(f) for f in frames], encoding, challenge, TOLERANCE)
    return checks.burst_reason(burst)


def main() -> dict:
    rng = np.random.default_rng(16)
    people = {name: person(name) for name in PEOPLE}
    other_frame, other_box, _other = person(ACCOMPLICE)
    seen: dict[str, list[str]] = {}
    for frame, box, encoding in people.values():
        for challenge in CHALLENGES:
            loops = [("left", "right", "left"), ("right", "left", "right")]
            cases = {
                "genuine": turning(frame, box, challenge),
                "still": [frame] * 12,
                "jitter": jitter(frame, rng),
                "loop": [head_turn_frames(frame, box, o, degrees=35, steps=2)[:12] for o in loops],
                "replay": [turning(frame, box, earlier) for earlier in CHALLENGES],
                "mirror": mirror(frame, box),
                "accomplice": [frame] * 8 + turning(other_frame, other_box, challenge)[1:5],
            }
            for case, bursts in cases.items():
                for frames in bursts if case in ("loop", "replay") else [bursts]:
                    seen.setdefault(case, []).append(decide(frames, encoding, challenge))
    results = {
        case: {
            "tries": len(reasons),
            "pass_rate": round(reasons.count("ok") / len(reasons), 3),
            "reasons": dict(Counter(reasons)),
        }
        for case, reasons in seen.items()
    }
    attacks = {k: v for k, v in results.items() if k != "genuine"}
    result = {
        "people": list(PEOPLE),
        "accomplice": ACCOMPLICE,
        "cases": results,
        "targets": {
            "every_attack_0_percent": all(v["pass_rate"] == 0 for v in attacks.values()),
            "genuine_at_least_95_percent": results["genuine"]["pass_rate"] >= 0.95,
        },
        "attacks_that_pass": sorted(k for k, v in attacks.items() if v["pass_rate"] > 0),
    }
    print(json.dumps(result, indent=2))
    return result


if __name__ == "__main__":
    main()
