"""Sign drawings and the sign-based question files (rambu, marka, apill).

Checks that every sign in ``SIGNS`` renders to well-formed, self-contained, deterministic SVG
with the shape and colours of its PM 13/2014 group; that every ``{sign: ID}`` used anywhere in
the question bank exists; and that rambu.yaml, marka.yaml and apill.yaml follow the schema in
ujisim/question_bank/data/README.md.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections import Counter

import pytest

from ujisim.question_bank.content import load_dir
from ujisim.question_bank.media.signs import (
    BLACK,
    BLUE,
    GREEN,
    GROUPS,
    RED,
    SIGNS,
    WHITE,
    YELLOW,
    render_sign,
)

SVG_NS = "http://www.w3.org/2000/svg"
FORBIDDEN_SVG = ("<script", "href", "url(", "<image", "<foreignobject", "javascript:")

# Shapes each group may use and the first element each shape draws.
GROUP_SHAPES = {
    "larangan": {"disc", "disc_red", "octagon", "triangle_down", "cross"},
    "perintah": {"disc_blue"},
    "peringatan": {"diamond"},
    "petunjuk": {"panel_blue", "panel_blue_wide", "panel_green"},
}


def _tag(element: ET.Element) -> str:
    return element.tag.removeprefix(f"{{{SVG_NS}}}")


def _xml(svg: str) -> ET.Element:
    """Parse SVG text that our own renderer produced (trusted input)."""
    return ET.fromstring(svg)  # noqa: S314


def _parse(sign_id: str) -> ET.Element:
    return _xml(render_sign(sign_id))


def _drawables(root: ET.Element) -> list[ET.Element]:
    return [child for child in root if _tag(child) != "title"]


def _points(element: ET.Element) -> list[tuple[float, float]]:
    pairs = element.get("points", "").split()
    return [tuple(float(v) for v in pair.split(",")) for pair in pairs]


def _normalise(text: str) -> str:
    return " ".join(text.split()).casefold()


# --------------------------------------------------------------------------- registry


def test_registry_size_and_groups():
    assert len(SIGNS) >= 55
    assert {sign.group for sign in SIGNS.values()} == set(GROUPS)
    for sign_id, sign in SIGNS.items():
        assert sign.id == sign_id
        assert re.fullmatch(r"[a-z][a-z0-9_]*", sign_id), sign_id
        assert sign.group in GROUPS, sign_id
        assert sign.name_id.strip(), sign_id
        assert sign.legal_basis.startswith("PM 13/2014"), sign_id


def test_names_are_distinct():
    names = Counter(_normalise(sign.name_id) for sign in SIGNS.values())
    assert [name for name, n in names.items() if n > 1] == []


def test_special_shapes_exist():
    assert SIGNS["stop"].shape == "octagon"
    assert SIGNS["beri_prioritas"].shape == "triangle_down"
    assert SIGNS["larangan_masuk"].shape == "disc_red"
    assert SIGNS["silang_kereta_api"].shape == "cross"


# --------------------------------------------------------------------------- rendering


@pytest.mark.parametrize("sign_id", sorted(SIGNS))
def test_sign_renders_standalone_svg(sign_id):
    svg = render_sign(sign_id)
    root = _xml(svg)
    assert root.tag == f"{{{SVG_NS}}}svg"
    assert root.get("role") == "img"
    assert re.fullmatch(r"0 0 \d+ \d+", root.get("viewBox", ""))
    title = root.find(f"{{{SVG_NS}}}title")
    assert title is not None
    assert title.text == SIGNS[sign_id].name_id
    assert _tag(root[0]) == "title"
    lowered = svg.lower()
    for needle in FORBIDDEN_SVG:
        assert needle not in lowered, f"{sign_id} contains {needle}"
    assert lowered.count("http") == 1  # only the xmlns declaration
    assert len(_drawables(root)) >= 1


@pytest.mark.parametrize("sign_id", sorted(SIGNS))
def test_sign_is_deterministic(sign_id):
    assert render_sign(sign_id) == render_sign(sign_id)
    assert render_sign(sign_id, 96) == render_sign(sign_id, 96)


@pytest.mark.parametrize("sign_id", sorted(SIGNS))
def test_group_shape_and_colour(sign_id):
    sign = SIGNS[sign_id]
    assert sign.shape in GROUP_SHAPES[sign.group], sign_id
    first = _drawables(_parse(sign_id))[0]
    tag, fill, stroke = _tag(first), first.get("fill"), first.get("stroke")
    if sign.shape == "disc":
        assert (tag, fill, stroke) == ("circle", WHITE, RED)
    elif sign.shape == "disc_red":
        assert (tag, fill) == ("circle", RED)
    elif sign.shape == "disc_blue":
        assert (tag, fill) == ("circle", BLUE)
    elif sign.shape == "octagon":
        assert (tag, fill, len(_points(first))) == ("polygon", RED, 8)
    elif sign.shape == "triangle_down":
        points = _points(first)
        assert (tag, fill, len(points)) == ("polygon", RED, 3)
        apex = max(points, key=lambda p: p[1])
        assert sum(1 for p in points if p[1] < apex[1]) == 2  # one corner at the bottom
    elif sign.shape == "cross":
        assert (tag, fill) == ("g", None)
        assert first[0].get("fill") == RED
    elif sign.shape == "diamond":
        assert (tag, fill, stroke, len(_points(first))) == ("polygon", YELLOW, BLACK, 4)
    else:  # petunjuk panels
        assert tag == "rect"
        assert fill == (GREEN if sign.shape == "panel_green" else BLUE)


@pytest.mark.parametrize("sign_id", sorted(SIGNS))
def test_symbol_ink_matches_group(sign_id):
    sign = SIGNS[sign_id]
    colours = {
        value
        for element in _parse(sign_id).iter()
        for value in (element.get("fill"), element.get("stroke"))
        if value and value != "none"
    }
    ink, foreign = {
        "perintah": (WHITE, BLACK),
        "peringatan": (BLACK, BLUE),
        "larangan": (RED, BLUE),
        "petunjuk": (WHITE, YELLOW),
    }[sign.group]
    assert ink in colours
    assert foreign not in colours


@pytest.mark.parametrize("sign_id", sorted(SIGNS))
def test_slash_only_where_declared(sign_id):
    last = _drawables(_parse(sign_id))[-1]
    has_slash = _tag(last) == "line" and last.get("stroke") == RED
    assert has_slash == SIGNS[sign_id].slash


def test_prohibition_slashes_are_used():
    slashed = {sid for sid, sign in SIGNS.items() if sign.slash}
    for sign_id in ("larangan_parkir", "larangan_berhenti", "larangan_putar_balik"):
        assert sign_id in slashed
    assert "batas_kecepatan_40" not in slashed
    assert "akhir_kecepatan_minimum_60" in slashed


def test_size_sets_pixel_dimensions():
    root = _xml(render_sign("stop", 200))
    assert (root.get("width"), root.get("height")) == ("200", "200")
    wide = _xml(render_sign("petunjuk_jurusan", 160))
    assert (wide.get("width"), wide.get("height")) == ("160", "100")


def test_bad_arguments_are_rejected():
    with pytest.raises(KeyError):
        render_sign("tidak_ada")
    for size in (0, -5, 1.5, True):
        with pytest.raises(ValueError, match="positive integer"):
            render_sign("stop", size)


# --------------------------------------------------------------------------- question files


def test_rambu_covers_every_group():
    rambu = [i for i in load_dir()[0] if i.topic == "rambu"]
    used = {i.media["sign"] for i in rambu if i.media and "sign" in i.media}
    assert {SIGNS[sign_id].group for sign_id in used} == set(GROUPS)
    assert len(used) > len(rambu) / 2
