"""bench/exam_load.py runs and prints its JSON (a smoke test: no times are asserted)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench" / "exam_load.py"


def test_the_bench_prints_one_json_object():
    env = {k: v for k, v in os.environ.items() if k != "UJISIM_TEST_DATABASE_URL"}  # SQLite only
    done = subprocess.run(
        # a small run of every phase: 3 candidates over HTTP and 3 in process, no warm-up, 5
        # sequential /healthz per client, half a second of /healthz
        [sys.executable, str(BENCH), "--candidates", "3", "--bank", "400", "--seconds", "0.5",
         "--warmup", "0", "--overhead-requests", "5", "--in-process", "3"],
        capture_output=True,
        text=True,
        timeout=600,
        check=True,
        env=env,
    )  # fmt: skip
    result = json.loads(done.stdout)
    assert result["bank_items"] == 400
    (sqlite,) = result["results"]
    assert sqlite["backend"] == "sqlite"
    assert (sqlite["errors"], sqlite["error_kinds"]) == (0, [])
    assert sqlite["answer_save"]["requests"] == 3 * 30
    assert sqlite["answer_save_to_healthz_ratio"] > 0
    assert sqlite["exam_start_in_process"]["start_to_healthz_p50"] > 0
    assert set(sqlite["client_overhead"]["healthz_sequential_p50_ms"]) == {"http.client", "httpx"}
    assert sqlite["client_overhead"]["start_to_healthz_sequential_p50"] > 0
    assert set(sqlite["targets"]) == {
        "save_ratio_ge_0.5",
        "save_p99_le_50ms",
        "start_p50_le_10ms_http",
        "start_p50_le_10ms_in_process",
    }
