"""Projection, roads, scenery and the driver's / rider's foreground for ``scenes.py``.

The camera looks along the road from about 1.6 m above it; ``pos`` 0..1 maps linearly to screen
rows 300..155 (the horizon is row 150), lateral ``x`` is in road half-widths. ``View`` holds one
scene's geometry; ``backdrop``, ``road``, ``scenery`` and ``overlay`` draw its layers.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass

from .scene_objects import KINDS, PALETTE, Place, circ, el, ell, fmt, glow, line, poly, rect, text

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


def _road_color(view: View) -> str:
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
    return poly([(x_from, y0), (x_to, y0), (x_to, y1), (x_from, y1)], fill or _road_color(view))


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
    out.append(ell(xc, (y_near + y_far) / 2, 17 * kc, (y_near - y_far) / 2, _road_color(view)))
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
    out = [view.strip(1.06, 2.6, POS_BOTTOM, view.end, _road_color(view))]
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
    out.append(view.strip(-1, 1, POS_BOTTOM, top, _road_color(view), n))
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


# --------------------------------------------------------------------------- scenery


def _tree(view: View, x: float, pos: float) -> str:
    px, y, k = view.sx(x, pos), y_of(pos), k_of(y_of(pos))
    return rect(px - 0.15 * k, y - 2.2 * k, 0.3 * k, 2.2 * k, "#6d4c2f") + ell(
        px, y - 3.4 * k, 1.5 * k, 1.5 * k, "#3f7d3a"
    )


def _pole(view: View, x: float, pos: float) -> str:
    px, y, k = view.sx(x, pos), y_of(pos), k_of(y_of(pos))
    return rect(px - 0.08 * k, y - 7 * k, 0.16 * k, 7 * k, "#8b8f94") + rect(
        px - 0.7 * k, y - 6.6 * k, 1.4 * k, 0.12 * k, "#6f7378"
    )


def _lamp(view: View, x: float, pos: float) -> tuple[str, str]:
    px, y, k = view.sx(x, pos), y_of(pos), k_of(y_of(pos))
    arm = -1 if x > 0 else 1
    body = rect(px - 0.07 * k, y - 7 * k, 0.14 * k, 7 * k, "#7b8086") + line(
        px, y - 7 * k, px + arm * 1.3 * k, y - 7.1 * k, "#7b8086", 0.12 * k
    )
    lights = glow(px + arm * 1.3 * k, y - 6.95 * k, 0.16 * k, "#ffe9a8", 1.2) if view.night else ""
    return body, lights


def _facade(
    view: View, x: float, p0: float, p1: float, height: float, color: str, house: bool
) -> str:
    """A building front along the road between depths p0 (near) and p1 (far)."""
    a, b = (view.sx(x, p0), y_of(p0)), (view.sx(x, p1), y_of(p1))
    ka, kb = k_of(a[1]), k_of(b[1])
    top_a, top_b = (a[0], a[1] - height * ka), (b[0], b[1] - height * kb)
    out = [poly([a, b, top_b, top_a], color, stroke="#555", stroke_width=0.6)]
    if house:
        ridge, back = 1.8, 0.9 if x > 0 else -0.9  # the roof slopes up and away from the road
        out.append(
            poly(
                [
                    top_a,
                    top_b,
                    (top_b[0] + back * kb, top_b[1] - ridge * kb),
                    (top_a[0] + back * ka, top_a[1] - ridge * ka),
                ],
                "#b5533c",
                stroke="#6e2f22",
                stroke_width=0.6,
            )
        )
    floors = 1 if house else int(height // 3.2)
    for fl in range(floors):
        for bay in range(3):
            t0, t1 = 0.1 + bay * 0.3, 0.28 + bay * 0.3
            h0, h1 = (
                (0.0 if house and bay == 1 else 1.0) + fl * 3.2,
                (2.1 if house else 2.4) + fl * 3.2,
            )
            quad = [
                (a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t - h * (ka + (kb - ka) * t))
                for t, h in ((t0, h0), (t1, h0), (t1, h1), (t0, h1))
            ]
            out.append(poly(quad, "#6b4a32" if house and bay == 1 else "#2d3b4b", opacity=0.85))
    return "".join(out)


def scenery(view: View) -> list[tuple]:
    """Roadside items as (pos, -|x|, body, lights), to be depth-sorted with the objects."""
    j0, j1 = view.junction()
    f = view.road.feature

    def free(p0: float, p1: float = None) -> bool:
        p1 = p0 if p1 is None else p1
        if p1 > view.end - 0.02:
            return False
        if f in ("cross", "t", "side", "roundabout", "rail") and p1 > j0 - 0.06 and p0 < j1 + 0.04:
            return f == "side" and False
        return not (f == "t" and p1 >= j1)

    items = []
    slots = [pos_of_depth(d) for d in (5.5, 11, 17, 24, 33, 45, 62, 90)]
    if view.area in ("rural", "toll"):
        for i, p in enumerate(slots):
            for side in (-1, 1):
                x = (
                    side
                    * (1.75 + 0.35 * ((i + (side > 0)) % 2))
                    * (1.35 if view.area == "toll" else 1)
                )
                if free(p) and (i + (side > 0)) % 3 != 2:
                    items.append((p, -abs(x), _tree(view, x, p), ""))
        poles = [pos_of_depth(d) for d in (8, 28, 70)]
        if view.area == "rural":
            items += [(p, -1.4, _pole(view, -1.4, p), "") for p in poles if free(p)]
        else:
            items += [(p, -1.07, _pole(view, 1.07, p), "") for p in poles if free(p)]
    else:
        house = view.area == "residential"
        x = 1.35 if house else 1.55
        colors = ("#e8d8b0", "#cfe0e8", "#f0c9a0", "#d9e6c3", "#e6cfd9")
        step, length = (11.0, 7.5) if house else (13.0, 12.0)
        for i in range(12):
            d0 = 3.0 + i * step
            p0, p1 = pos_of_depth(d0), pos_of_depth(d0 + length)
            for side in (-1, 1):
                if free(p0, p1):
                    h = 3.6 if house else 7.0 + 3.0 * ((i + side) % 2)
                    items.append(
                        (
                            p0,
                            -x,
                            _facade(view, side * x, p0, p1, h, colors[(i + side) % 5], house),
                            "",
                        )
                    )
        if not house:
            for d in (7, 20, 45):
                p = pos_of_depth(d)
                if free(p):
                    items.append((p, -1.2, *_lamp(view, -1.2, p)))
                    items.append((p, -1.2, *_lamp(view, 1.2, p)))
    return items


# ----------------------------------------------------------------------- driver's / rider's view

MIRRORS = {  # class -> side -> (x, y, w, h, ellipse?)
    "A": {
        "left": (8, 226, 84, 54, False),
        "right": (548, 230, 84, 56, False),
        "rear": (214, 30, 150, 40, False),
    },
    "C": {"left": (30, 168, 88, 56, True), "right": (522, 168, 88, 56, True)},
}


def _mirror(view: View, side: str, geom: tuple, objects: list[dict]) -> str:
    x, y, w, h, oval = geom
    cid = f"{view.uid}-m{side}"
    shape = (
        ell(x + w / 2, y + h / 2, w / 2, h / 2, "#fff") if oval else rect(x, y, w, h, "#fff", rx=8)
    )
    sky = "#1b2338" if view.night else "#b9d3e6"
    hz = y + h * 0.42
    vx = x + w * (0.7 if side == "left" else 0.3 if side == "right" else 0.5)
    inner = [
        rect(x, y, w, h, sky),
        rect(x, hz, w, h, "#40444a" if view.night else GROUND[view.area]),
    ]
    inner.append(poly([(vx, hz), (vx - w * 1.2, y + h), (vx + w * 1.2, y + h)], _road_color(view)))
    inner.append(
        line(
            vx,
            hz,
            vx + (w * 0.5 if side != "right" else -w * 0.5),
            y + h,
            "#eee",
            1.5,
            stroke_dasharray="6,5",
        )
    )
    lights = []
    for obj in sorted(objects, key=lambda o: -o["pos"]):
        gy = hz + (1 - obj["pos"]) * (h * 0.55) + 2
        k = (gy - hz) / 0.9
        gx = vx + (obj.get("x", 0) * view.road.half - view.cam) * k * 0.45
        body, light = KINDS[obj["kind"]].draw(
            {**obj, "facing": obj.get("facing", "toward")}, Place(gx, gy, k, 0.2, view.night)
        )
        inner.append(body)
        lights.append(light)
    if view.cls == "A" and side != "rear":  # our own car's flank on the inner edge
        bx = x + w - 16 if side == "left" else x
        inner.append(rect(bx, y, 16, h, "#9aa1aa", opacity=0.9))
    clip = el("clipPath", shape, id=cid)
    frame = (
        ell(x + w / 2, y + h / 2, w / 2 + 5, h / 2 + 5, "#1b1c1f")
        if oval
        else rect(x - 5, y - 5, w + 10, h + 10, "#1b1c1f", rx=11)
    )
    return (
        el("defs", clip)
        + frame
        + el("g", "".join(inner) + "".join(lights), clip_path=f"url(#{cid})")
    )


def _speedometer(view: View, cx: float, cy: float, r: float) -> str:
    ego = view.spec.get("ego", {})
    speed = ego.get("speed", 0)
    out = [circ(cx, cy, r, "#0e1013", stroke="#6d737b", stroke_width=1.5)]
    for v in range(0, 161, 20):
        a = math.radians(225 - 270 * v / 160)
        out.append(
            line(
                cx + r * 0.78 * math.cos(a),
                cy - r * 0.78 * math.sin(a),
                cx + r * 0.93 * math.cos(a),
                cy - r * 0.93 * math.sin(a),
                "#e8e8e8",
                1.2,
            )
        )
    a = math.radians(225 - 270 * min(speed, 160) / 160)
    out.append(line(cx, cy, cx + r * 0.8 * math.cos(a), cy - r * 0.8 * math.sin(a), "#ff5a36", 2))
    if "speed" in ego:
        out.append(text(cx, cy + r * 0.62, str(speed), r * 0.42, "#ffffff", font_weight="bold"))
    return "".join(out)


def _indicators(view: View, cx: float, cy: float, gap: float) -> str:
    signal = view.spec.get("ego", {}).get("signal")
    out = []
    for d, name in ((-1, "left"), (1, "right")):
        lit = signal in (name, "hazard")
        tip = cx + d * (gap + 9)
        pts = [(tip, cy), (tip - d * 8, cy - 6), (tip - d * 8, cy + 6)]
        out.append(poly(pts, "#34e05a" if lit else "#2b3a2f"))
        if lit:
            out.append(circ(tip - d * 4, cy, 9, "#34e05a", opacity=0.25))
    return "".join(out)


def _car_overlay(view: View) -> str:
    dark, edge = "#24272c", "#3b4047"
    out = [el("path", d="M0,0 H640 V24 Q320,44 0,24 Z", fill=dark)]
    out.append(poly([(0, 40), (52, 26), (74, 30), (20, 308), (0, 316)], dark))
    out.append(poly([(640, 40), (586, 24), (556, 28), (612, 312), (640, 314)], dark))
    if view.weather == "rain":
        out.append(
            line(120, 300, 300, 190, "#111", 5, stroke_linecap="round")
            + line(380, 300, 560, 200, "#111", 5, stroke_linecap="round")
        )
    out.append(
        el(
            "path",
            d="M0,318 C150,300 470,298 640,312 L640,400 L0,400 Z",
            fill="#1e2125",
            stroke=edge,
            stroke_width=2,
        )
    )
    out.append(el("path", d="M250,346 Q250,312 340,310 Q430,312 430,346 Z", fill="#141619"))
    out.append(
        _speedometer(view, 380, 338, 24)
        + circ(300, 338, 20, "#0e1013", stroke="#6d737b", stroke_width=1.5)
    )
    out.append(_indicators(view, 340, 322, 6))
    out.append(rect(120, 334, 70, 14, "#2c3036", rx=4) + rect(40, 346, 60, 10, "#2c3036", rx=4))
    out.append(circ(340, 468, 150, "none", stroke="#111214", stroke_width=24))
    out.append(
        circ(340, 468, 44, "#18191c")
        + poly([(200, 448), (300, 448), (320, 478), (200, 488)], "#18191c")
    )
    out.append(poly([(480, 448), (380, 448), (360, 478), (480, 488)], "#18191c"))
    out.append(rect(284, 20, 12, 12, dark))
    return "".join(out)


def _bike_overlay(view: View) -> str:
    out = [line(150, 334, 80, 222, "#1b1c1f", 5), line(490, 334, 560, 222, "#1b1c1f", 5)]
    out.append(
        el(
            "path",
            d="M40,362 Q190,318 320,334 Q450,318 600,362",
            fill="none",
            stroke="#202226",
            stroke_width=16,
            stroke_linecap="round",
        )
    )
    for x, d in ((70, 1), (570, -1)):
        out.append(ell(x, 360, 40, 17, "#121315"))
        out.append(ell(x + d * 8, 350, 34, 22, "#6b4a32") + ell(x + d * 30, 338, 12, 9, "#5e412c"))
        out.append(line(x + d * 50, 336, x + d * 110, 326, "#9aa0a6", 4, stroke_linecap="round"))
    out.append(
        el(
            "path",
            d="M238,400 L252,338 Q320,318 388,338 L402,400 Z",
            fill="#1f2226",
            stroke="#3a3f46",
            stroke_width=2,
        )
    )
    out.append(_speedometer(view, 320, 372, 26))
    out.append(_indicators(view, 320, 344, 14))
    return "".join(out)


def overlay(view: View, mirror_objects: list[dict]) -> str:
    """The car's interior (A) or the motorcycle's handlebars (C), with the mirrors' contents."""
    out = [_car_overlay(view) if view.cls == "A" else _bike_overlay(view)]
    for side, geom in MIRRORS[view.cls].items():
        objs = [o for o in mirror_objects if o["mirror"] == side]
        if view.cls == "C":  # no interior mirror on a motorcycle: show it in the side mirror
            objs += [
                o
                for o in mirror_objects
                if o["mirror"] == "rear" and (o.get("x", 0) < 0) == (side == "left")
            ]
        out.append(_mirror(view, side, geom, objs))
    return "".join(out)
