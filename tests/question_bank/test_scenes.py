"""Hazard-perception scenes (ujisim/question_bank/media/scenes.py) and the bahaya_*.yaml items.

Every scene used by an item validates, renders for each class it is used in as well-formed,
deterministic, self-contained SVG, keeps its objects inside the picture, and has its English text
without it changing the Indonesian drawing; the schema of the items themselves is checked by the
bank loader (test_bank_engine.py).
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET  # noqa: S405 - parses SVG that our own code generated
from collections import Counter

import pytest

from ujisim.question_bank.content import is_clip, load_dir
from ujisim.question_bank.media.scene_spec import validate_scene
from ujisim.question_bank.media.scenes import (
    KINDS,
    ROAD_TYPES,
    object_anchors,
    render_scene,
)

HAZARD = [i for i in load_dir()[0] if i.category == "persepsi_bahaya" and not is_clip(i.media)]
ITEMS = [(item.code, item) for item in HAZARD]
USES = [(item.code, cls) for item in HAZARD for cls in item.classes]
SCENES = {item.code: item.media["scene"] for item in HAZARD}
SVG = "{http://www.w3.org/2000/svg}"


def _normalise(text: str) -> str:
    return " ".join(text.split()).casefold()


def _parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - our own generated markup, not untrusted input


def test_there_are_hazard_items():
    assert len(HAZARD) >= 90
    assert len(ITEMS) >= 90


@pytest.mark.parametrize("code", sorted(SCENES))
def test_scene_validates(code):
    assert validate_scene(SCENES[code]) == []


@pytest.mark.parametrize(("code", "cls"), USES)
def test_scene_renders_well_formed_and_deterministic(code, cls):
    spec = SCENES[code]
    svg = render_scene(spec, cls)
    assert svg == render_scene(spec, cls), "output must be deterministic"
    root = _parse(svg)
    assert root.tag == f"{SVG}svg"
    assert root.get("viewBox") == "0 0 640 400"
    assert root.get("role") == "img"
    title = root.find(f"{SVG}title")
    assert title is not None
    assert title.text == spec["title"]
    assert "<script" not in svg
    assert not re.search(r"\b(xlink:)?href=", svg)
    assert svg.count("http://") == 1, "the only URL is the SVG namespace"
    ids = [el.get("id") for el in root.iter() if el.get("id")]
    assert len(ids) == len(set(ids)), "ids must be unique"


@pytest.mark.parametrize(("code", "cls"), USES)
def test_objects_stand_inside_the_picture(code, cls):
    for kind, x, y in object_anchors(SCENES[code], cls):
        assert 0 <= x <= 640, f"{code}/{cls}: {kind} is off-screen at x={x:.0f}"
        assert 0 <= y <= 400, f"{code}/{cls}: {kind} is off-screen at y={y:.0f}"


@pytest.mark.parametrize(("code", "cls"), USES)
def test_the_english_text_leaves_the_indonesian_drawing_as_it_was(code, cls):
    """Every scene is described in English too, and its captions are short enough to fit where
    the Indonesian ones are drawn; the Indonesian picture is the one drawn without the English."""
    spec = SCENES[code]
    objects = spec.get("objects", [])
    indonesian = {k: v for k, v in spec.items() if k != "title_en"}
    indonesian["objects"] = [{k: v for k, v in o.items() if k != "label_en"} for o in objects]
    assert render_scene(spec, cls) == render_scene(indonesian, cls)
    english = _parse(render_scene(spec, cls, lang="en"))
    assert english.find(f"{SVG}title").text == spec["title_en"]
    texts = set(english.itertext())
    for obj in (o for o in objects if "label" in o):
        assert 0 < len(obj["label_en"]) <= len(obj["label"]), f"{code}: {obj['label_en']!r}"
        assert obj["label_en"] in texts
        assert obj["label"] not in texts


@pytest.mark.parametrize("code", sorted(SCENES))
def test_car_and_motorcycle_views_differ(code):
    assert render_scene(SCENES[code], "A") != render_scene(SCENES[code], "C")


def test_every_road_type_and_kind_renders_for_both_classes():
    for road in ROAD_TYPES:
        objects = [
            {"kind": kind, "pos": 0.3 + 0.02 * i, "x": -1.2 + 0.1 * i}
            for i, kind in enumerate(sorted(KINDS))
        ]
        spec = {"title": f"Uji {road} & <semua> objek", "road": road, "objects": objects[:25]}
        spec_night = {**spec, "time": "night", "weather": "rain", "objects": objects[25:]}
        for scene in (spec, spec_night, {**spec, "weather": "fog", "objects": []}):
            assert validate_scene(scene) == []
            a, c = render_scene(scene, "A"), render_scene(scene, "C")
            assert a != c
            for svg in (a, c):
                assert _parse(svg).find(f"{SVG}title").text == scene["title"]


def test_size_sets_width_and_height():
    root = _parse(render_scene({"title": "Jalan"}, "A", size=(320, 200)))
    assert (root.get("width"), root.get("height")) == ("320", "200")


def test_mirror_objects_are_drawn():
    spec = {"title": "Spion", "objects": [{"kind": "motorcycle", "pos": 0.2, "mirror": "left"}]}
    empty = {"title": "Spion"}
    for cls in ("A", "C"):
        assert render_scene(spec, cls) != render_scene(empty, cls)


@pytest.mark.parametrize(
    ("spec", "fragment"),
    [
        ({"title": "x", "objects": [{"kind": "dragon", "pos": 0.5}]}, "unknown kind"),
        ({"title": "x", "objects": [{"kind": "car", "pos": 1.5}]}, "out of range"),
        ({"title": "x", "objects": [{"kind": "car", "pos": -0.1}]}, "out of range"),
        ({"title": "x", "objects": [{"kind": "car", "pos": 0.5, "x": 9}]}, "out of range"),
        ({"title": "x", "objects": [{"kind": "car"}]}, "must be a number"),
        ({"title": "x", "objects": [{"kind": "car", "pos": 0.5, "wings": 2}]}, "unknown key"),
        ({"title": "x", "objects": [{"kind": "car", "pos": 0.5, "facing": "up"}]}, "facing"),
        ({"title": "x", "objects": [{"kind": "car", "pos": 0.5, "state": "fly"}]}, "state"),
        (
            {"title": "x", "objects": [{"kind": "traffic_light", "pos": 0.5, "state": "blue"}]},
            "state",
        ),
        ({"title": "x", "objects": [{"kind": "animal", "pos": 0.5, "species": "lion"}]}, "species"),
        ({"title": "x", "objects": [{"kind": "car", "pos": 0.5, "size": 2}]}, "size"),
        ({"title": "x", "road": "motorway"}, "unknown road type"),
        ({"title": "x", "at": 0.99}, "out of range"),
        ({"title": "x", "time": "dusk"}, "time"),
        ({"title": "x", "ego": {"speed": 500}}, "out of range"),
        ({"title": "x", "ego": {"signal": "up"}}, "ego.signal"),
        ({"title": "x", "sky": "blue"}, "unknown key"),
        ({"road": "two_way"}, "title"),
        ({"title": "x", "objects": "car"}, "objects"),
        ("not a mapping", "mapping"),
    ],
)
def test_validate_scene_reports_problems(spec, fragment):
    problems = validate_scene(spec)
    assert problems, f"no problem found in {spec!r}"
    assert any(fragment in problem for problem in problems), problems


def test_render_rejects_invalid_spec_and_class():
    with pytest.raises(ValueError, match="unknown kind"):
        render_scene({"title": "x", "objects": [{"kind": "dragon", "pos": 0.5}]}, "A")
    with pytest.raises(ValueError, match="vehicle_class"):
        render_scene({"title": "x"}, "B")


# --------------------------------------------------------------------------- the YAML items


def test_stems_and_scenes_distinct():
    scenes = Counter(json.dumps(s, sort_keys=True, ensure_ascii=False) for s in SCENES.values())
    assert [scene for scene, n in scenes.items() if n > 1] == []
    titles = Counter(s["title"] for s in SCENES.values())
    assert [title for title, n in titles.items() if n > 1] == []


def test_difficulty_and_class_spread():
    assert {item.difficulty for item in HAZARD} == {1, 2, 3}
    assert {item.classes for item in HAZARD} == {("A",), ("C",), ("A", "C")}
