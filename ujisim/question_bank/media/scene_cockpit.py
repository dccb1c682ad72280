"""The driver's or rider's foreground of a hazard-perception scene (``scenes.py``): a car's
windscreen pillars, dashboard, wheel, indicators, speedometer and interior and wing mirrors, or
a motorcycle's bars, grips, round mirrors and speedometer, and the objects seen in the mirrors.
"""

from __future__ import annotations

import math

from .scene_objects import KINDS, Place, circ, el, ell, line, poly, rect, text
from .scene_roads import GROUND, View, road_color

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
    inner.append(poly([(vx, hz), (vx - w * 1.2, y + h), (vx + w * 1.2, y + h)], road_color(view)))
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
