"""Every sign in the registry and every scene of the shipped bank, for each class that sees it,
decoded and drawn by real Chromium: each image loads, has its size, and paints pixels."""

import base64

import pytest

from ujisim.question_bank.content import load_dir
from ujisim.question_bank.media import render_media
from ujisim.question_bank.media.signs import SIGNS

pytestmark = pytest.mark.e2e

# For each image: did it decode, its natural size, and how many of a 64 x 64 copy's pixels are
# painted (alpha > 0) and how many distinct colours they have.
MEASURE = """
async () => {
  const out = [];
  for (const img of document.images) {
    try { await img.decode(); } catch (e) { out.push({id: img.id, ok: false}); continue; }
    const canvas = document.createElement("canvas");
    canvas.width = canvas.height = 64;
    const context = canvas.getContext("2d");
    context.drawImage(img, 0, 0, 64, 64);
    const data = context.getImageData(0, 0, 64, 64).data;
    let painted = 0;
    const colours = new Set();
    for (let i = 0; i < data.length; i += 4) {
      if (data[i + 3] === 0) continue;
      painted++;
      colours.add((data[i] >> 4) << 8 | (data[i + 1] >> 4) << 4 | (data[i + 2] >> 4));
    }
    out.push({id: img.id, ok: true, w: img.naturalWidth, h: img.naturalHeight,
              painted: painted, colours: colours.size});
  }
  return out;
}
"""


def media_to_draw() -> dict[str, str]:
    drawn = {f"sign-{sign_id}": render_media({"sign": sign_id}, "A") for sign_id in SIGNS}
    for item in load_dir()[0]:
        if item.media and "scene" in item.media:
            for cls in item.classes:
                drawn[f"scene-{item.code}-{cls}"] = render_media(item.media, cls)
    return drawn


def test_every_sign_and_scene_renders_in_chromium(browser):
    drawn = media_to_draw()
    assert sum(k.startswith("sign-") for k in drawn) >= 50
    assert sum(k.startswith("scene-") for k in drawn) >= 90
    encoded = {key: base64.b64encode(svg.encode()).decode() for key, svg in drawn.items()}
    images = "".join(
        f'<img id="{key}" src="data:image/svg+xml;base64,{data}">' for key, data in encoded.items()
    )
    page = browser.new_page()
    try:
        page.set_content(f"<!doctype html><html><body>{images}</body></html>")
        results = {r["id"]: r for r in page.evaluate(MEASURE)}
    finally:
        page.close()
    assert set(results) == set(drawn)
    failed = [key for key, r in results.items() if not r["ok"] or not r["w"] or not r["h"]]
    assert failed == []
    # a sign fills a good part of its square; a scene (sky, road, the cockpit) all of it
    signs = {key: r for key, r in results.items() if key.startswith("sign-")}
    scenes = {key: r for key, r in results.items() if key.startswith("scene-")}
    assert [key for key, r in signs.items() if r["painted"] < 0.3 * 64 * 64] == []
    assert [key for key, r in scenes.items() if r["painted"] < 64 * 64] == []
    assert [key for key, r in results.items() if r["colours"] < 3] == []
