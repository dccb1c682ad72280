"""Hazard-perception clips on a slow phone (issue 21, point 2): the player's frame rate in
Chromium with the CPU slowed down 4x (``Emulation.setCPUThrottlingRate``, DevTools' "low-end
mobile"), against a page running the same requestAnimationFrame loop without drawing, under the
same throttling in the same run (the most frames the browser gives a page here).

For each clip measured: ``fps`` (frames drawn per second of wall time while the clip plays,
``--seconds`` of it from just before its first window, where most moves), the draw cost per
frame (``draw_ms_p50``/``p95``: ``Player.draw`` timed with performance.now(), in throttled
milliseconds) and the package the page downloads (``package_kb``, compact JSON: the player takes
nothing else). By default every shipped clip of both classes; ``--codes`` picks some.
Targets: every clip >= 30 fps at 4x slowdown; every package <= 50 KB.

    .venv/bin/python bench/clip_fps.py [--seconds 3] [--codes KA-031,KM-001]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
CPU_SLOWDOWN = 4
TARGET_FPS = 30
MAX_KB = 50
CHROMIUM = "/usr/bin/chromium"

PAGE = """<!doctype html><meta charset="utf-8"><body style="margin:0;background:#000">
<svg id="s" viewBox="0 0 640 400" width="390" height="244"></svg>
<script src="clip_player.js"></script>
<script>
window.measure = (pkg, from, seconds, draw) => new Promise((done) => {
  const svg = document.getElementById("s");
  const player = draw ? new window.ujisimClip.Player(svg, pkg, "b") : null;
  const costs = []; let frames = 0, t0 = null;
  function frame(now) {
    if (t0 === null) t0 = now;
    const t = from + (now - t0) / 1000;
    if (player) { const a = performance.now(); player.draw(t); costs.push(performance.now() - a); }
    frames += 1;
    if (now - t0 < seconds * 1000) requestAnimationFrame(frame);
    else done({frames, elapsed: (now - t0) / 1000, costs});
  }
  requestAnimationFrame(frame);
});
</script>"""


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] if ordered else 0.0


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--codes", default="", help="comma-separated item codes (default: all)")
    args = parser.parse_args(argv)

    from playwright.sync_api import sync_playwright

    from ujisim.question_bank.content import is_clip, load_dir
    from ujisim.question_bank.media.clip_package import package

    wanted = set(filter(None, args.codes.split(",")))
    items = [i for i in load_dir()[0] if is_clip(i.media) and (not wanted or i.code in wanted)]
    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as playwright:
        (Path(tmp) / "index.html").write_text(PAGE)
        player_js = ROOT / "ujisim" / "static" / "js" / "clip_player.js"
        (Path(tmp) / "clip_player.js").write_text(player_js.read_text())
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 390, "height": 844})
        cdp = page.context.new_cdp_session(page)
        cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
        page.goto(f"file://{tmp}/index.html")
        first = package(items[0].media["clip"], items[0].classes[0])
        idle = page.evaluate("([p, s]) => measure(p, 0, s, false)", [first, args.seconds])
        baseline = idle["frames"] / idle["elapsed"]
        clips = []
        for item in items:
            spec = item.media["clip"]
            for cls in item.classes:
                pkg = package(spec, cls)
                start = max(0.0, spec["windows"][0]["start"] - 1)
                run = page.evaluate("([p, f, s]) => measure(p, f, s, true)",
                                    [pkg, start, args.seconds])  # fmt: skip
                size = len(json.dumps(pkg, ensure_ascii=False, separators=(",", ":")).encode())
                clips.append({
                    "code": item.code, "class": cls,
                    "fps": round(run["frames"] / run["elapsed"], 1),
                    "draw_ms_p50": round(statistics.median(run["costs"]), 2),
                    "draw_ms_p95": round(percentile(run["costs"], 0.95), 2),
                    "package_kb": round(size / 1000, 1),
                })  # fmt: skip
        browser.close()
    slowest = min(clips, key=lambda c: c["fps"])
    result = {
        "cpu_slowdown": CPU_SLOWDOWN,
        "seconds_per_clip": args.seconds,
        "baseline_fps": round(baseline, 1),
        "clips_measured": len(clips),
        "min_fps": slowest["fps"],
        "min_fps_clip": f"{slowest['code']} {slowest['class']}",
        "median_fps": round(statistics.median(c["fps"] for c in clips), 1),
        "min_fps_to_baseline": round(slowest["fps"] / baseline, 2),
        "draw_ms_p95_max": max(c["draw_ms_p95"] for c in clips),
        "package_kb_max": max(c["package_kb"] for c in clips),
        "package_kb_median": round(statistics.median(c["package_kb"] for c in clips), 1),
        "targets": {"fps": TARGET_FPS, "package_kb": MAX_KB},
        "meets_targets": slowest["fps"] >= TARGET_FPS
        and max(c["package_kb"] for c in clips) <= MAX_KB,
        "clips": clips,
    }
    print(json.dumps(result, indent=1))
    return result


if __name__ == "__main__":
    main()
