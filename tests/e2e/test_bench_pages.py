"""bench/page_bench.py runs and prints its JSON (a smoke test: the baseline and the exam page,
loaded once each; no times are asserted)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench" / "page_bench.py"
pytestmark = pytest.mark.e2e


def test_the_bench_prints_one_json_object():
    done = subprocess.run(
        [sys.executable, str(BENCH), "--runs", "1", "--pages", "exam"],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    result = json.loads(done.stdout)
    assert result["profile"]["network"]["latency"] == 562.5
    assert result["profile"]["cpu_slowdown"] == 4
    exam = result["pages"]["exam"]
    # the page, its styles and scripts and the paper it fetches at least
    assert exam["requests"] >= 5
    assert exam["transfer_kb"] > result["pages"]["baseline_static_page"]["transfer_kb"]
    assert exam["interactive_ms"] > 0
    assert set(result["targets"]) == {"exam_transfer_kb", "exam_interactive_ms"}
