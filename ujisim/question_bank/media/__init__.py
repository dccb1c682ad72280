"""Media for question-bank items, drawn by our own code (SVG)."""

from __future__ import annotations

import json
from functools import lru_cache

from ujisim.question_bank.media.clip_package import still_scene
from ujisim.question_bank.media.scenes import render_scene
from ujisim.question_bank.media.signs import render_sign


def render_media(
    media: dict, vehicle_class: str, *, official: bool = False, lang: str = "id"
) -> str:
    """The SVG of an item's media as a candidate of ``vehicle_class`` ("A" or "C") sees it.

    ``official``: the same drawing for an official paper, with no accessible name (no
    ``<title>``, no ``aria-label``): a sign's name or a scene's description could name the
    answer. Practice media keep their names. ``lang``: the language of the names and captions
    ("id" or "en": a sign's English name, a scene's ``title_en`` and ``label_en``)."""
    return _render(json.dumps(media, sort_keys=True), vehicle_class, official, lang)


@lru_cache(maxsize=512)
def _render(media_json: str, vehicle_class: str, official: bool, lang: str) -> str:
    # Drawing is deterministic, so the SVG of one (media, class) pair is computed once per process.

    media = json.loads(media_json)
    if "clip" in media:  # its first frame, where no player runs
        still = still_scene(media["clip"], vehicle_class)
        return render_scene(still, vehicle_class, named=not official, lang=lang)
    if "sign" in media:
        return render_sign(media["sign"], named=not official, lang=lang)
    return render_scene(media["scene"], vehicle_class, named=not official, lang=lang)


def svg_response(svg: str, cache_control: str):
    """An SVG image response that cannot run anything even when opened on its own."""
    from flask import Response

    response = Response(svg, mimetype="image/svg+xml")
    response.headers["Cache-Control"] = cache_control
    response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'"
    return response
