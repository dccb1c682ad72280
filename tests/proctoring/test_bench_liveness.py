"""bench/liveness_bench.py: the attacks the burst analysis refuses fail every time, and the
stand-in for a live person passes every time. (The loop and replay attacks still pass some
tries: issue 16's timed challenge is what stops them; the bench prints their rates.)"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench" / "liveness_bench.py"


def test_the_refused_attacks_never_pass_and_the_live_stand_in_always_does():
    done = subprocess.run(
        [sys.executable, str(BENCH)], capture_output=True, text=True, timeout=600, check=True
    )
    cases = json.loads(done.stdout)["cases"]
    assert cases["genuine"]["pass_rate"] == 1.0
    for attack in ("still", "jitter", "mirror", "accomplice"):
        assert cases[attack]["tries"] >= 4
        assert cases[attack]["pass_rate"] == 0.0, (attack, cases[attack])
    assert cases["mirror"]["reasons"] == {"mirrored_frames": cases["mirror"]["tries"]}
    assert cases["accomplice"]["reasons"] == {"different_person": cases["accomplice"]["tries"]}
