"""Charts as server-side SVG: no script, no CDN, no inline CSS (the CSP forbids it), only
presentation attributes. Built with ElementTree, so every label is escaped. Each chart is an
accessible image: ``role="img"`` labelled by its ``<title>`` and described by its ``<desc>``.
"""

from __future__ import annotations

import itertools
import math
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from markupsafe import Markup

SVG_NS = "http://www.w3.org/2000/svg"
WIDTH, HEIGHT = 640, 320
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 28, 48
INK, MUTED, GRID = "#1d2b36", "#5b6b78", "#d5dee4"
#: colour-blind safe (Okabe-Ito)
PALETTE = ["#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9"]
FLAGGED = "#d55e00"
#: 13 units: a chart is drawn 640 px wide on a desktop (one per row), so its text is 13 px
#: there (12 px at least; tests/e2e/test_analysis_charts.py measures it at 1280 px)
FONT = {"font-family": "DejaVu Sans, sans-serif", "font-size": "13", "fill": INK}


def _fmt(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


class Chart:
    """An SVG canvas with a plot area; ``x``/``y`` map data to pixels."""

    def __init__(self, chart_id: str, title: str, desc: str):
        self.root = ET.Element(
            "svg",
            {
                "xmlns": SVG_NS,
                "viewBox": f"0 0 {WIDTH} {HEIGHT}",
                "width": "100%",
                "role": "img",
                "aria-labelledby": f"{chart_id}-title {chart_id}-desc",
                "class": "chart",
                "id": chart_id,
            },
        )
        ET.SubElement(self.root, "title", id=f"{chart_id}-title").text = title
        ET.SubElement(self.root, "desc", id=f"{chart_id}-desc").text = desc
        self.left, self.right = LEFT, WIDTH - RIGHT
        self.top, self.bottom = TOP, HEIGHT - BOTTOM

    def el(self, tag: str, parent=None, text: str | None = None, **attrs) -> ET.Element:
        node = ET.SubElement(
            self.root if parent is None else parent,
            tag,
            {k.rstrip("_").replace("_", "-"): str(v) for k, v in attrs.items()},
        )
        if text is not None:
            node.text = text
        return node

    def text(self, x: float, y: float, label: str, anchor: str = "middle", **attrs) -> None:
        font = {k.replace("-", "_"): v for k, v in FONT.items()}
        self.el(
            "text", None, label, x=f"{x:.1f}", y=f"{y:.1f}", text_anchor=anchor, **{**font, **attrs}
        )

    def line(self, x1, y1, x2, y2, stroke=GRID, width=1, **attrs) -> None:
        self.el(
            "line",
            x1=f"{x1:.1f}",
            y1=f"{y1:.1f}",
            x2=f"{x2:.1f}",
            y2=f"{y2:.1f}",
            stroke=stroke,
            stroke_width=width,
            **attrs,
        )

    def y_axis(self, low: float, high: float, ticks: Sequence[float], label: str, fmt=_fmt):
        self.y = lambda v: self.bottom - (v - low) / ((high - low) or 1) * (self.bottom - self.top)
        for tick in ticks:
            py = self.y(tick)
            self.line(self.left, py, self.right, py)
            self.text(self.left - 6, py + 4, fmt(tick), anchor="end", class_="y-tick")
        self.text(
            14,
            (self.top + self.bottom) / 2,
            label,
            transform=f"rotate(-90 14 {(self.top + self.bottom) / 2:.1f})",
        )
        self.line(self.left, self.top, self.left, self.bottom, stroke=INK)

    def x_label(self, label: str) -> None:
        self.line(self.left, self.bottom, self.right, self.bottom, stroke=INK)
        self.text((self.left + self.right) / 2, HEIGHT - 8, label)

    def empty(self, message: str) -> Markup:
        self.text(WIDTH / 2, HEIGHT / 2, message, fill=MUTED)
        return self.svg()

    def svg(self) -> Markup:
        # ElementTree escapes every text node and attribute, so the markup is safe to inline
        return Markup(ET.tostring(self.root, encoding="unicode"))  # noqa: S704


def count_ticks(largest: int) -> list[int]:
    """Whole-number ticks from 0 for an axis that counts people (never 0.25 of a candidate):
    a step of 1, 2, 5, 10, 20, 50, ..., at most five steps, the last at or above ``largest``."""
    steps = (m * 10**e for e in itertools.count() for m in (1, 2, 5))
    step = next(s for s in steps if largest <= 5 * s)
    top = max(1, -(-largest // step)) * step
    return list(range(0, top + 1, step))


def _nice_max(value: float) -> float:
    if value <= 0:
        return 1
    magnitude = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def score_distribution(
    chart_id: str,
    histogram: Sequence[int],
    pass_mark: int | None,
    *,
    title: str,
    x_label: str,
    y_label: str,
    pass_label: str,
    empty: str,
) -> Markup:
    """Bars: candidates per total score 0..k, the pass mark as a dashed line."""
    desc = ", ".join(f"{score}: {count}" for score, count in enumerate(histogram) if count)
    chart = Chart(chart_id, title, desc or empty)
    if not any(histogram):
        return chart.empty(empty)
    ticks = count_ticks(max(histogram))
    chart.y_axis(0, ticks[-1], ticks, y_label, fmt=lambda v: f"{v:g}")
    chart.x_label(x_label)
    slot = (chart.right - chart.left) / len(histogram)
    for score, count in enumerate(histogram):
        x = chart.left + score * slot
        if count:
            y = chart.y(count)
            passed = pass_mark is not None and score >= pass_mark
            bar = chart.el(
                "rect",
                x=f"{x + 1:.1f}",
                y=f"{y:.1f}",
                width=f"{slot - 2:.1f}",
                height=f"{chart.bottom - y:.1f}",
                fill=PALETTE[2] if passed else PALETTE[0],
            )
            chart.el("title", bar, f"{score}: {count}")
        step = max(1, len(histogram) // 10)
        if score % step == 0 or score == len(histogram) - 1:
            chart.text(x + slot / 2, chart.bottom + 14, str(score))
    if pass_mark is not None and 0 <= pass_mark < len(histogram):
        px = chart.left + pass_mark * slot
        chart.line(px, chart.top, px, chart.bottom, stroke=FLAGGED, width=2, stroke_dasharray="5 3")
        # above the plot, where no bar reaches; towards the middle from the line
        left_half = px < (chart.left + chart.right) / 2
        chart.text(px + (4 if left_half else -4), chart.top - 8, pass_label,
                   anchor="start" if left_half else "end", fill=FLAGGED)  # fmt: skip
    return chart.svg()


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    label: str
    flagged: bool = False


def facility_discrimination(
    chart_id: str,
    points: Sequence[Point],
    *,
    title: str,
    x_label: str,
    y_label: str,
    empty: str,
    flagged_label: str,
) -> Markup:
    """Scatter: facility (0..1) against item-rest discrimination (-1..1); flagged items stand
    out by colour and shape (a square), the bands of the facility flags are shaded."""
    desc = f"{len(points)} items; {sum(p.flagged for p in points)} {flagged_label}"
    chart = Chart(chart_id, title, desc)
    if not points:
        return chart.empty(empty)
    low = min(-0.2, math.floor(min(p.y for p in points) * 5) / 5)
    chart.y_axis(low, 1.0, [v / 5 for v in range(round(low * 5), 6)], y_label)
    chart.x_label(x_label)

    def px(v: float) -> float:
        return chart.left + v * (chart.right - chart.left)

    for start, end in ((0, 0.2), (0.95, 1.0)):  # the too-hard and too-easy bands
        chart.el(
            "rect",
            x=f"{px(start):.1f}",
            y=f"{chart.top:.1f}",
            width=f"{px(end) - px(start):.1f}",
            height=f"{chart.bottom - chart.top:.1f}",
            fill=FLAGGED,
            fill_opacity="0.08",
        )
    chart.line(chart.left, chart.y(0), chart.right, chart.y(0), stroke=MUTED)
    for tick in (0, 0.2, 0.4, 0.6, 0.8, 1.0):
        chart.text(px(tick), chart.bottom + 14, _fmt(tick))
    for point in points:
        x, y = px(point.x), chart.y(point.y)
        if point.flagged:
            mark = chart.el(
                "rect", x=f"{x - 4:.1f}", y=f"{y - 4:.1f}", width="8", height="8", fill=FLAGGED
            )
        else:
            mark = chart.el(
                "circle", cx=f"{x:.1f}", cy=f"{y:.1f}", r="4", fill=PALETTE[0], fill_opacity="0.75"
            )
        chart.el("title", mark, f"{point.label}: {_fmt(point.x)}, {_fmt(point.y)}")
    return chart.svg()


def rate_lines(
    chart_id: str,
    series: dict[str, Sequence[tuple[date, float]]],
    *,
    title: str,
    y_label: str,
    x_label: str,
    empty: str,
) -> Markup:
    """Lines of rates (0..1) over days, one per series, with a legend."""
    days = sorted({d for values in series.values() for d, _ in values})
    desc = "; ".join(
        f"{name}: " + ", ".join(f"{d.isoformat()} {rate:.0%}" for d, rate in values)
        for name, values in series.items()
    )
    chart = Chart(chart_id, title, desc or empty)
    if not days:
        return chart.empty(empty)
    chart.y_axis(0, 1, [0, 0.25, 0.5, 0.75, 1], y_label, fmt=lambda v: f"{v:.0%}")
    chart.x_label(x_label)
    first, span = days[0], max((days[-1] - days[0]).days, 1)

    def px(d: date) -> float:
        if len(days) == 1:
            return (chart.left + chart.right) / 2
        return chart.left + (d - first).days / span * (chart.right - chart.left)

    for d in (days[0], days[-1]) if len(days) > 1 else days:
        chart.text(px(d), chart.bottom + 14, d.isoformat())
    for n, (name, values) in enumerate(series.items()):
        colour = PALETTE[n % len(PALETTE)]
        coords = [(px(d), chart.y(rate)) for d, rate in sorted(values)]
        if len(coords) > 1:
            chart.el(
                "polyline",
                points=" ".join(f"{x:.1f},{y:.1f}" for x, y in coords),
                fill="none",
                stroke=colour,
                stroke_width=2,
            )
        for (x, y), (d, rate) in zip(coords, sorted(values), strict=True):
            dot = chart.el("circle", cx=f"{x:.1f}", cy=f"{y:.1f}", r="3", fill=colour)
            chart.el("title", dot, f"{name} {d.isoformat()}: {rate:.0%}")
        lx = chart.left + 8 + n * 120
        chart.el("rect", x=f"{lx:.1f}", y=f"{chart.top:.1f}", width="10", height="10", fill=colour)
        chart.text(lx + 14, chart.top + 9, name, anchor="start")
    return chart.svg()


def bars(
    chart_id: str,
    values: dict[str, float | None],
    *,
    title: str,
    y_label: str,
    empty: str,
    missing: str,
) -> Markup:
    """Horizontal-label bars of rates (0..1); a value of None is written as ``missing``."""
    desc = "; ".join(
        f"{name}: {missing if v is None else f'{v:.1%}'}" for name, v in values.items()
    )
    chart = Chart(chart_id, title, desc or empty)
    if not values:
        return chart.empty(empty)
    known = [v for v in values.values() if v is not None]
    top = _nice_max(max(known)) if known and max(known) > 0 else 1
    top = min(top, 1) if known and max(known) <= 1 else top
    chart.y_axis(0, top, [top * i / 4 for i in range(5)], y_label, fmt=lambda v: f"{v:.0%}")
    chart.x_label("")
    slot = (chart.right - chart.left) / len(values)
    for n, (name, value) in enumerate(values.items()):
        x = chart.left + n * slot
        chart.text(x + slot / 2, chart.bottom + 14, name)
        if value is None:
            chart.text(x + slot / 2, (chart.top + chart.bottom) / 2, missing, fill=MUTED)
            continue
        y = chart.y(value)
        bar = chart.el(
            "rect",
            x=f"{x + slot * 0.2:.1f}",
            y=f"{y:.1f}",
            width=f"{slot * 0.6:.1f}",
            height=f"{chart.bottom - y:.1f}",
            fill=PALETTE[n % len(PALETTE)],
        )
        chart.el("title", bar, f"{name}: {value:.1%}")
    return chart.svg()
