"""Charts are valid SVG: parseable XML in the SVG namespace with a viewBox, an accessible
title, no script and no inline style (the CSP forbids both)."""

import xml.etree.ElementTree as ET
from datetime import date

import pytest

from ujisim.exam import charts

NS = "{http://www.w3.org/2000/svg}"


def parse(svg) -> ET.Element:
    root = ET.fromstring(str(svg))  # noqa: S314 (our own markup)
    assert root.tag == f"{NS}svg"
    assert root.get("viewBox") == f"0 0 {charts.WIDTH} {charts.HEIGHT}"
    assert root.get("role") == "img"
    title = root.find(f"{NS}title")
    assert title is not None
    assert title.text
    assert root.get("aria-labelledby").split()[0] == title.get("id")
    for node in root.iter():
        assert node.tag not in (f"{NS}script", f"{NS}style", f"{NS}foreignObject")
        assert "style" not in node.attrib
        assert not any(name.startswith("on") for name in node.attrib)
    return root


def test_score_distribution():
    histogram = [0] * 31
    histogram[18], histogram[21], histogram[25] = 2, 5, 1
    root = parse(
        charts.score_distribution(
            "s",
            histogram,
            21,
            title="Skor <A&C>",
            x_label="x",
            y_label="y",
            pass_label="lulus",
            empty="kosong",
        )
    )
    assert root.find(f"{NS}title").text == "Skor <A&C>"  # escaped, and read back intact
    bars = [r for r in root.iter(f"{NS}rect")]
    assert len(bars) == 3
    # bars at or above the pass mark have the "passed" colour
    assert {b.get("fill") for b in bars} == {charts.PALETTE[0], charts.PALETTE[2]}
    assert "21: 5" in root.find(f"{NS}desc").text


def test_facility_discrimination():
    points = [
        charts.Point(0.5, 0.4, "RB-001 v1"),
        charts.Point(0.98, -0.3, "RB-002 v2", flagged=True),
    ]
    root = parse(
        charts.facility_discrimination(
            "f", points, title="t", x_label="x", y_label="y", empty="e", flagged_label="ditandai"
        )
    )
    labels = [t.text for t in root.iter(f"{NS}title")]
    assert "RB-002 v2: 0.98, -0.3" in labels
    assert len(list(root.iter(f"{NS}circle"))) == 1  # the flagged one is a square


def test_rate_lines_and_bars():
    series = {
        "SIM A": [(date(2026, 11, 20), 0.5), (date(2026, 11, 21), 0.75)],
        "SIM C": [(date(2026, 11, 21), 1.0)],
    }
    root = parse(charts.rate_lines("p", series, title="t", y_label="y", x_label="x", empty="e"))
    assert len(list(root.iter(f"{NS}polyline"))) == 1
    assert "SIM A: 2026-11-20 50%" in root.find(f"{NS}desc").text
    root = parse(
        charts.bars(
            "b",
            {"wajah": 0.1, "tab": None},
            title="t",
            y_label="y",
            empty="e",
            missing="belum tersedia",
        )
    )
    assert "belum tersedia" in [t.text for t in root.iter(f"{NS}text")]


@pytest.mark.parametrize(
    "svg",
    [
        lambda: charts.score_distribution(
            "a", [0, 0], 1, title="t", x_label="x", y_label="y", pass_label="p", empty="Belum ada"
        ),
        lambda: charts.facility_discrimination(
            "b", [], title="t", x_label="x", y_label="y", empty="Belum ada", flagged_label="f"
        ),
        lambda: charts.rate_lines("c", {}, title="t", y_label="y", x_label="x", empty="Belum ada"),
        lambda: charts.bars("d", {}, title="t", y_label="y", empty="Belum ada", missing="m"),
    ],
)
def test_empty_charts_say_so(svg):
    root = parse(svg())
    assert "Belum ada" in [t.text for t in root.iter(f"{NS}text")]


@pytest.mark.parametrize(
    ("largest", "ticks"),
    [
        (0, [0, 1]),
        (1, [0, 1]),
        (2, [0, 1, 2]),
        (5, [0, 1, 2, 3, 4, 5]),
        (6, [0, 2, 4, 6]),
        (11, [0, 5, 10, 15]),
        (37, [0, 10, 20, 30, 40]),
        (999, [0, 200, 400, 600, 800, 1000]),
    ],
)
def test_a_count_of_candidates_has_whole_ticks(largest, ticks):
    """Issue 20, point 4: one candidate drew the axis 0, 0.25, 0.5, 0.75, 1."""
    assert charts.count_ticks(largest) == ticks


def test_the_score_distribution_labels_whole_candidates():
    histogram = [0] * 31
    histogram[25] = 1
    root = parse(
        charts.score_distribution(
            "s", histogram, 21, title="t", x_label="x", y_label="y", pass_label="p", empty="e"
        )
    )
    ticks = [t.text for t in root.iter(f"{NS}text") if t.get("class") == "y-tick"]
    assert ticks == ["0", "1"]
