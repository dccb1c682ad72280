"""Projection, road types and the road itself for ``scenes.py``.

The camera looks along the road from about 1.6 m above it; ``pos`` 0..1 maps linearly to screen
rows 300..155 (the horizon is row 150), lateral ``x`` is in road half-widths. ``View`` holds one
scene's geometry; ``backdrop`` and ``road`` draw its first layers, ``scene_scenery.scenery`` and
``scene_cockpit.overlay`` the scenery and the driver's / rider's foreground.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass

from .scene_objects import PALETTE, Place, ell, fmt, line, poly, rect

WIDTH, HEIGHT = 640, 400
CX, Y_HORIZON, CAM_H, FOCAL = 320.0, 135.0, 2.0, 450.0
Y_NEAR, Y_FAR = 315.0, 140.0  # screen rows of pos 0 and pos 1
POS_BOTTOM = (Y_NEAR - HEIGHT) / (Y_NEAR - Y_FAR)  # the pos of the bottom screen row (< 0)


@dataclass(frozen=True)
class RoadType:
    half: float = 3.5  # half width in metres
    lines: tuple = ((0.0, "dashed"),)
    ego_x: float = -0.5
    area: str = "rural"
    oncoming: bool = True
    feature: str = ""
    at: float = 0.45


ROAD_TYPES = {
    "two_way": RoadType(),
    "one_way": RoadType(area="urban", oncoming=False),
    "residential": RoadType(half=2.6, lines=(), ego_x=-0.4, area="residential"),
    "toll": RoadType(
        half=5.4,
        lines=((-1 / 3, "dashed"), (1 / 3, "dashed")),
        ego_x=-2 / 3,
        area="toll",
        oncoming=False,
        feature="toll",
    ),
    "intersection": RoadType(area="urban", feature="cross", at=0.55),
    "t_junction": RoadType(area="urban", feature="t", at=0.55),
    "side_road": RoadType(feature="side", at=0.4),
    "roundabout": RoadType(area="urban", feature="roundabout", at=0.35),
    "zebra_crossing": RoadType(area="urban", feature="zebra", at=0.3),
    "railway_crossing": RoadType(feature="rail", at=0.4),
    "curve": RoadType(lines=((0.0, "solid"),), feature="curve"),
    "hill_crest": RoadType(lines=((0.0, "solid"),), feature="crest", at=0.62),
}
# --------------------------------------------------------------------------- projection


def y_of(pos: float) -> float:
    return Y_NEAR - (Y_NEAR - Y_FAR) * pos


def pos_of_y(y: float) -> float:
    return (Y_NEAR - y) / (Y_NEAR - Y_FAR)


def k_of(y: float) -> float:
    """Pixels per metre on the ground row y."""
    return max(y - Y_HORIZON, 0.5) / CAM_H


def depth_of(pos: float) -> float:
    return CAM_H * FOCAL / max(y_of(pos) - Y_HORIZON, 0.5)


def pos_of_depth(d: float) -> float:
    return pos_of_y(Y_HORIZON + CAM_H * FOCAL / d)


class View:
    """Where things of one scene land on the screen."""

    def __init__(self, spec: dict, vehicle_class: str):
        self.spec = spec
        self.cls = vehicle_class
        self.road = ROAD_TYPES[spec.get("road", "two_way")]
        self.rname = spec.get("road", "two_way")
        self.at = spec.get("at", self.road.at)
        self.side = spec.get("side", "right" if self.road.feature == "curve" else "left")
        self.night = spec.get("time") == "night"
        self.weather = spec.get("weather", "clear")
        self.area = spec.get("area", self.road.area)
        ego = spec.get("ego", {})
        self.cam = ego.get("x", self.road.ego_x) * self.road.half
        self.end = self.at if self.road.feature == "crest" else 1.0
        digest = hashlib.sha256(
            (json.dumps(spec, sort_keys=True, ensure_ascii=False) + vehicle_class).encode()
        ).hexdigest()
        self.uid = "sc" + digest[:8]

    def bend(self, pos: float) -> float:
        if self.road.feature != "curve" or pos <= 0:
            return 0.0
        return (1 if self.side == "right" else -1) * 260 * pos * pos

    def sx(self, x_norm: float, pos: float) -> float:
        return CX + (x_norm * self.road.half - self.cam) * k_of(y_of(pos)) + self.bend(pos)

    def place(self, obj: dict, index: int) -> Place:
        pos, x = obj["pos"], obj.get("x", 0.0)
        y = y_of(pos)
        if self.road.feature == "crest" and pos > self.at:  # beyond the crest: sunk below it
            y = y_of(self.at) + (pos - self.at) * 160
        colors = ("silver", "red", "white", "blue", "black", "grey", "green")
        return Place(
            self.sx(x, pos),
            y,
            k_of(y_of(pos)),
            max(y_of(pos) - Y_HORIZON, 1) / FOCAL,
            self.night,
            PALETTE[colors[index % len(colors)]],
        )

    def strip(self, x0: float, x1: float, p0: float, p1: float, fill: str, n: int = 1, **kw) -> str:
        """A ground quad between lateral x0..x1 and depths p0..p1 (sampled n times for curves)."""
        steps = [p0 + (p1 - p0) * i / n for i in range(n + 1)]
        pts = [(self.sx(x0, p), y_of(p)) for p in steps] + [
            (self.sx(x1, p), y_of(p)) for p in reversed(steps)
        ]
        return poly(pts, fill, **kw)

    @property
    def lines(self) -> tuple:
        center = self.spec.get("center")
        if center is None or self.rname in ("toll", "residential"):
            return self.road.lines
        return () if center == "none" else ((0.0, center),)

    def junction(self) -> tuple[float, float]:
        """The depth range (pos) covered by the cross road / crossing of this road type."""
        width = {"cross": 8.0, "t": 8.0, "side": 7.0, "roundabout": 26.0, "zebra": 3.5, "rail": 3.0}
        d = depth_of(self.at)
        return self.at, pos_of_depth(d + width.get(self.road.feature, 0.0))


# --------------------------------------------------------------------------- backdrop and road

GROUND = {"rural": "#7da35b", "urban": "#a19d93", "residential": "#8eac68", "toll": "#8db066"}
SKYLINE = {"urban": "#8795a6", "residential": "#5f7f52", "rural": "#6c8f7d", "toll": "#7393a1"}


def backdrop(view: View) -> str:
    """Sky, the far skyline / hills and the ground plane."""
    ground_top = y_of(view.at) if view.road.feature == "crest" else Y_HORIZON
    out = [rect(0, 0, WIDTH, HEIGHT, f"url(#{view.uid}-sky)")]
    base = ground_top if view.road.feature == "crest" else Y_HORIZON
    color = SKYLINE[view.area]
    if view.area == "urban":
        for i in range(16):  # far buildings, fixed pattern
            w, h = 30 + (i * 17) % 25, 14 + (i * 29) % 34
            out.append(rect(i * 42 - 6, base - h, w, h + 1, color, opacity=0.8))
    else:
        pts = (
            [(0, base)]
            + [(i * 40, base - 10 - 16 * abs(math.sin(i * 1.3))) for i in range(17)]
            + [(WIDTH, base)]
        )
        out.append(poly(pts, color, opacity=0.85))
    out.append(rect(0, ground_top, WIDTH, HEIGHT - ground_top, GROUND[view.area]))
    return "".join(out)


def road_color(view: View) -> str:
    return "#4a4f56" if view.weather == "rain" else "#5c6067"


def _solid(
    view: View, x: float, p0: float, p1: float, w: float = 0.12, color: str = "#f4f4f4"
) -> str:
    half = w / 2 / view.road.half
    n = 24 if view.road.feature == "curve" else 1
    return view.strip(x - half, x + half, p0, p1, color, n)


def _dashed(view: View, x: float, spans: list[tuple[float, float]], w: float = 0.12) -> str:
    out = []
    d = 2.5
    while d < 140:
        p0, p1 = pos_of_depth(d), pos_of_depth(d + 3.0)
        for lo, hi in spans:
            a, b = max(p0, lo), min(p1, hi)
            if a < b:
                out.append(_solid(view, x, a, b, w))
        d += 8.0
    return "".join(out)


def _lane_lines(view: View, spans: list[tuple[float, float]]) -> str:
    out = []
    for x, style in view.lines:
        if style == "dashed":
            out.append(_dashed(view, x, spans))
        else:
            offsets = (-0.035, 0.035) if style == "double" else (0.0,)
            out += [_solid(view, x + o, lo, hi) for o in offsets for lo, hi in spans]
    if view.rname != "residential":
        for x in (-0.985, 0.985):
            out += [_solid(view, x, lo, hi, 0.15) for lo, hi in spans]
    return "".join(out)


def _band(
    view: View, p0: float, p1: float, x_from: float = 0, x_to: float = WIDTH, fill=None
) -> str:
    y0, y1 = y_of(p0), y_of(p1)
    return poly([(x_from, y0), (x_to, y0), (x_to, y1), (x_from, y1)], fill or road_color(view))


def _zebra(view: View, p0: float, p1: float) -> str:
    out, half = [], view.road.half
    x = -half + 0.3
    while x + 0.5 <= half:
        out.append(view.strip(x / half, (x + 0.5) / half, p0, p1, "#f7f7f7"))
        x += 1.0
    return "".join(out)


def _rails(view: View, p0: float) -> str:
    d = depth_of(p0)
    ballast = _band(view, p0, pos_of_depth(d + 3.0), fill="#6b6259")
    panel = view.strip(-1, 1, p0, pos_of_depth(d + 3.0), "#555a60")
    out = [ballast, panel]
    for off in (0.95, 2.02):
        y = y_of(pos_of_depth(d + off))
        out.append(rect(0, y - 1.6, WIDTH, 3.2, "#c9ccd1", stroke="#4d4f53", stroke_width=0.6))
    out.append(_solid(view, -0.5, pos_of_depth(d - 2.2), pos_of_depth(d - 1.9), 7.0 * 0.96))
    return "".join(out)


def _roundabout(view: View, p0: float) -> str:
    d = depth_of(p0)
    y_near, y_far = y_of(p0), y_of(pos_of_depth(d + 26))
    yc = y_of(pos_of_depth(d + 13))
    xc = view.sx(0, pos_of_y(yc))
    kc = k_of(yc)
    out = [_band(view, pos_of_depth(d + 9), pos_of_depth(d + 17))]
    out.append(ell(xc, (y_near + y_far) / 2, 17 * kc, (y_near - y_far) / 2, road_color(view)))
    i_near, i_far = y_of(pos_of_depth(d + 5)), y_of(pos_of_depth(d + 21))
    out.append(
        ell(
            xc,
            (i_near + i_far) / 2,
            9 * kc,
            (i_near - i_far) / 2,
            "#6f9c4f",
            stroke="#f2f2f2",
            stroke_width=4,
            stroke_dasharray="8,6",
        )
    )
    out.append(
        poly(
            [
                (xc - 0.8 * kc, yc),
                (xc - 0.35 * kc, yc - 7 * kc),
                (xc + 0.35 * kc, yc - 7 * kc),
                (xc + 0.8 * kc, yc),
            ],
            "#d9d2c3",
            stroke="#8a8275",
        )
    )
    out.append(_dashed_across(view, pos_of_depth(d - 0.6), -1, 0))
    return "".join(out)


def _dashed_across(view: View, p: float, x0: float, x1: float) -> str:
    y, k = y_of(p), k_of(y_of(p))
    a, b = view.sx(x0, p), view.sx(x1, p)
    return line(a, y, b, y, "#f4f4f4", 0.3 * k, stroke_dasharray=f"{fmt(0.6 * k)},{fmt(0.4 * k)}")


def _guard_rail(view: View, x: float) -> str:
    steps = [0.05 + 0.9 * i / 24 for i in range(25)]
    bottom = [(view.sx(x, p), y_of(p) - 0.4 * k_of(y_of(p))) for p in steps]
    top = [(view.sx(x, p), y_of(p) - 0.8 * k_of(y_of(p))) for p in steps]
    return poly(bottom + top[::-1], "#c9ced4", stroke="#7d848c", stroke_width=0.8)


def _median(view: View) -> str:
    steps = [POS_BOTTOM, view.end]
    out = [view.strip(1.06, 2.6, POS_BOTTOM, view.end, road_color(view))]
    bottom = [(view.sx(1.02, p), y_of(p)) for p in steps]
    top = [(view.sx(1.02, p), y_of(p) - 0.85 * k_of(y_of(p))) for p in steps]
    out.append(poly(bottom + top[::-1], "#b9b6ae", stroke="#8c8880", stroke_width=0.8))
    return "".join(out)


def road(view: View) -> str:
    """The road surface, its markings and the fixed features of the road type."""
    f = view.road.feature
    n = 24 if f == "curve" else 1
    j0, j1 = view.junction()
    out = []
    if view.area == "urban":  # pavements with kerbs
        for a, b in ((-1.45, -1.0), (1.0, 1.45)):
            out.append(view.strip(a, b, POS_BOTTOM, view.end, "#c4beb2", n))
    if f == "toll":
        out.append(view.strip(-1.45, -1.0, POS_BOTTOM, view.end, "#6c7077"))
        out.append(_median(view))
    top = j1 if f == "t" else view.end
    out.append(view.strip(-1, 1, POS_BOTTOM, top, road_color(view), n))
    spans = [(POS_BOTTOM, view.end)]
    if f in ("cross", "t", "roundabout"):
        out.append(_band(view, j0, j1))
        spans = [(POS_BOTTOM, j0)] + ([] if f == "t" else [(j1, view.end)])
        if f == "t":
            out.append(_band(view, j1, pos_of_depth(depth_of(j1) + 1.5), fill="#9a8f80"))
    if f == "side":
        y_edge = view.sx(-1 if view.side == "left" else 1, j0)
        out.append(_band(view, j0, j1, *((0, y_edge) if view.side == "left" else (y_edge, WIDTH))))
    if f in ("cross", "t"):
        mid = (j0 + j1) / 2
        out.append(line(0, y_of(mid), WIDTH, y_of(mid), "#f4f4f4", 1.6, stroke_dasharray="18,14"))
        out.append(
            _solid(
                view, -0.5, pos_of_depth(depth_of(j0) - 1.2), pos_of_depth(depth_of(j0) - 0.9), 3.4
            )
        )
    if f == "roundabout":
        out.append(_roundabout(view, j0))
    out.append(_lane_lines(view, spans))
    if f == "zebra":
        out.append(_zebra(view, j0, j1))
    if "zebra" in view.spec:  # extra zebra markings on any road type
        p = view.spec["zebra"]
        out.append(_zebra(view, p, pos_of_depth(depth_of(p) + 3.5)))
    if f == "rail":
        out.append(_rails(view, j0))
    if f == "curve":
        out.append(_guard_rail(view, -1.15 if view.side == "right" else 1.15))
    if f == "crest":
        out.append(rect(0, y_of(view.at) - 0.5, WIDTH, 1.5, "#3f5f35", opacity=0.5))
    return "".join(out)
