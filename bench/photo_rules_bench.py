"""The renewal photo check on one core: CPU time of ``photo_rules.check_photo`` for the compliant
passport photo and each one-fault variant (tests/renewal/photos.py, composed from the registry
test photos), split into the face detection and encoding the face match needs anyway
(``faces.reference_encoding``), the mirrored edge strips, and the rest of the rules; and whether
each photo got exactly the fault it was made for.

    .venv/bin/python bench/photo_rules_bench.py [--repeat 5] [--cpu 0]

Times are CPU seconds of this process (``time.process_time``), median of ``--repeat`` runs,
pinned to one CPU (the development machines are shared). Prints one JSON object. Target (issue
19, point 3): the rules add at most the cost of one more detection to the face match.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from flask import Flask  # noqa: E402
from flask_babel import Babel  # noqa: E402

from tests.renewal import photos  # noqa: E402
from ujisim.proctoring import faces  # noqa: E402
from ujisim.renewal import photo_rules  # noqa: E402


def cpu_ms(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.process_time()
        fn()
        times.append(time.process_time() - start)
    return round(statistics.median(times) * 1000, 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--cpu", type=int, default=0)
    args = parser.parse_args()
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {args.cpu})
    app = Flask("bench")
    Babel(app)
    cases = {"compliant": (photos.compliant_array, None)} | photos.VARIANTS
    result: dict = {"repeat": args.repeat, "photos": {}}
    with app.app_context():
        image = faces.load_image(photos.compliant())
        photo_rules.check_photo(image, 600, 800)  # models loaded
        box = faces.reference_encoding(image).box
        result["split_compliant_ms"] = {
            "detect_and_encode": cpu_ms(lambda: faces.reference_encoding(image), args.repeat),
            "edge_strips": cpu_ms(lambda: photo_rules.edge_faces(image, box), args.repeat),
            "whole_check": cpu_ms(lambda: photo_rules.check_photo(image, 600, 800), args.repeat),
        }
        for name, (make, code) in cases.items():
            array = make()
            analysed = faces.load_image(photos.jpeg(array))
            size = array.shape[1], array.shape[0]
            found = [f.code for f in photo_rules.check_photo(analysed, *size).faults]
            result["photos"][name] = {
                "ms": cpu_ms(
                    lambda a=analysed, s=size: photo_rules.check_photo(a, *s), args.repeat
                ),
                "faults": found,
                "as_made": (code in found) if code else found == [],
            }
    split = result["split_compliant_ms"]
    result["rules_over_detection_ms"] = round(split["whole_check"] - split["detect_and_encode"], 1)
    result["target_met"] = result["rules_over_detection_ms"] <= split["detect_and_encode"] and all(
        p["as_made"] for p in result["photos"].values()
    )
    print(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
