"""bench/cue_bots.py on the shipped bank: no test-wise bot passes 5 % of official papers
(2,000 papers per class through the real draw; the bench's own default is 5,000), and a
candidate who knows every key passes.

Run in this process (the bench's main, with its own throwaway SQLite database). Measured
2026-12-07: 2,000 papers draw as many distinct items as 5,000 (194 of class A, 199 of C); the
worst bot passes 0.2 % of them (0.12 % of 5,000); a bot whose true pass rate were 6 % would show
under 5 % on 2,000 papers with a chance of about 3 % (the draw and the scores are seeded)."""

from __future__ import annotations

import json

from bench.cue_bots import main

PAPERS = 2000


def test_no_bot_that_knows_no_rule_passes_the_shipped_bank(capsys):
    returned = main(["--papers", str(PAPERS)])
    result = json.loads(capsys.readouterr().out)
    assert result == json.loads(json.dumps(returned))
    for cls in ("A", "C"):
        found = result["classes"][cls]
        assert found["papers"] == PAPERS
        bots = found["bots"]
        assert bots["keys"]["mean_score"] == found["questions"] == 30
        assert bots["guess"]["pass_rate"] == 0
        for bot in ("longest", "shortest", "shortest_excluded", "stem_words", "model"):
            for name in (bot, f"memorised+{bot}"):
                assert bots[name]["pass_rate"] < 0.05, (cls, name, bots[name])
        assert found["practice_items_on_papers"] == 0
        assert found["enemy_pairs_on_papers"] == 0
    assert all(result["targets"].values()), result["targets"]
