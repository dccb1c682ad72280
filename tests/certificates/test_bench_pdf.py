"""bench/pdf_bench.py runs and prints its JSON (a smoke test: no times are asserted)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench" / "pdf_bench.py"


def test_the_bench_prints_one_json_object():
    # in a child process: the bench pins itself to one CPU, which must not slow the test run
    done = subprocess.run(
        [sys.executable, str(BENCH), "--certificates", "3", "--cards", "2", "--batch", "12",
         "--minimal", "5"],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )  # fmt: skip
    result = json.loads(done.stdout)
    assert result["machine"]["fonts_embedded"] is True
    assert result["certificate"]["count"] == 3
    assert result["card"]["count"] == 2
    assert (result["imposed_batch"]["cards"], result["imposed_batch"]["sheets"]) == (12, 4)
    for part in ("certificate", "card", "imposed_batch"):
        assert result[part]["ratio_to_minimal_page"] > 0
    assert isinstance(result["certificate"]["meets_target"], bool)
    assert isinstance(result["imposed_batch"]["meets_target"], bool)
