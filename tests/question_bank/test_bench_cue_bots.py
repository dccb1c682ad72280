"""bench/cue_bots.py on the shipped bank: no test-wise bot passes 5 % of official papers
(5,000 papers per class through the real draw), and a candidate who knows every key passes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parents[2] / "bench" / "cue_bots.py"


def test_no_bot_that_knows_no_rule_passes_the_shipped_bank():
    done = subprocess.run(
        [sys.executable, str(BENCH), "--papers", "5000"],
        capture_output=True, text=True, timeout=900, check=True,
    )  # fmt: skip
    result = json.loads(done.stdout)
    for cls in ("A", "C"):
        found = result["classes"][cls]
        assert found["papers"] == 5000
        bots = found["bots"]
        assert bots["keys"]["mean_score"] == found["questions"] == 30
        assert bots["guess"]["pass_rate"] == 0
        for bot in ("longest", "shortest", "shortest_excluded", "stem_words", "model"):
            for name in (bot, f"memorised+{bot}"):
                assert bots[name]["pass_rate"] < 0.05, (cls, name, bots[name])
        assert found["practice_items_on_papers"] == 0
        assert found["enemy_pairs_on_papers"] == 0
    assert all(result["targets"].values()), result["targets"]
