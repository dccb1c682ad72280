"""bench/face_bench.py runs and prints its JSON (a smoke test: no times are asserted)."""

from __future__ import annotations

import json
import os

from bench.face_bench import FRAMES_PER_HOUR, bench_frames, main


def test_the_bench_frames_are_640x480_and_named():
    reference, frames = bench_frames()  # made once per worker: the run below reads them again
    assert len(reference) == 128
    names = [name for name, _frame in frames]
    assert len(set(names)) == len(names) >= 20
    assert all(frame.shape == (480, 640, 3) for name, frame in frames if name != "background")
    assert {
        "second_person",
        "second_person_far",
        "padded:t1.jpg",
        "masked:biden.jpg",
        "head_turn:0",
    } <= set(names)


def test_the_bench_prints_one_json_object(capsys):
    # in this process (the frames and the models are the worker's already): the bench pins
    # itself to one CPU, so the CPUs this worker had are given back after it
    cpus = os.sched_getaffinity(0)
    try:
        main(["--repeat", "1", "--frames", "3"])
    finally:
        os.sched_setaffinity(0, cpus)
    result = json.loads(capsys.readouterr().out)
    assert result["frames"] == 3
    assert result["decisions"] == "3/3"
    assert result["decisions_agree"] is True
    assert set(result["targets"]) == {
        "p50_le_60ms",
        "speedup_ge_3x",
        "same_decisions",
        "faces_from_40px",
        "cpu_s_per_candidate_hour_le_12",
    }
    assert all(isinstance(v, bool) for v in result["targets"].values())
    hour = result["cpu_s_per_candidate_hour"]
    assert hour["interval_s"] * FRAMES_PER_HOUR == 3600
    assert hour["fast"] > 0
    assert result["smallest_face_px"]["naive"] <= result["smallest_face_px"]["fast"]
    assert result["machine"]["pinned"].startswith("cpu ")
