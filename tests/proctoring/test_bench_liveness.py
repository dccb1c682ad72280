"""bench/liveness_bench.py: every attack on the identity burst fails every time, and the stand-in
for a live person passes (issue 16: 0 % for every attack, >= 95 % genuine; the bench gives 100 %).
The spliced recording (clips of the person following the prompts: real-time media, which the
check does not claim to stop) is reported apart under ``beyond_scope``; its rate is not asserted.
The suite runs the bench on 2 challenges per person (4 tries of each case; the bench's own
default is 6): about a second of face analysis per burst, the people in parallel; its time is
printed, not asserted."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from bench.liveness_bench import CASES

BENCH = Path(__file__).resolve().parents[2] / "bench" / "liveness_bench.py"
ATTACKS = tuple(case for case in CASES if case != "genuine")

#: attacks that only one check can stop, with the reason it gives
REASONS = {
    "prepared": "timing",
    "duplicate": "duplicate_frames",
    "mirror": "mirrored_frames",
    "accomplice": "different_person",
}


def test_every_attack_fails_and_the_live_stand_in_passes():
    done = subprocess.run(
        [sys.executable, str(BENCH), "--challenges", "2"],
        capture_output=True,
        text=True,
        timeout=900,
        check=True,
    )
    result = json.loads(done.stdout)
    cases = result["cases"]
    assert set(cases) == {"genuine", *ATTACKS}
    assert cases["genuine"]["tries"] >= 4
    assert cases["genuine"]["pass_rate"] >= 0.95, cases["genuine"]
    for attack in ATTACKS:
        assert cases[attack]["tries"] >= 4, (attack, cases[attack])
        assert cases[attack]["pass_rate"] == 0.0, (attack, cases[attack])
    for attack, reason in REASONS.items():
        assert cases[attack]["reasons"] == {reason: cases[attack]["tries"]}, cases[attack]
    assert result["attacks_that_pass"] == []
    assert result["targets"] == {
        "every_attack_0_percent": True,
        "genuine_at_least_95_percent": True,
    }
    # reported, apart from the attacks the check claims to stop; its rate is not a target
    beyond = result["beyond_scope"]
    assert set(beyond) == {"spliced"}
    assert beyond["spliced"]["tries"] >= 4, beyond["spliced"]
    assert {"pass_rate", "reasons", "why"} <= set(beyond["spliced"])
    assert "spliced" not in cases
