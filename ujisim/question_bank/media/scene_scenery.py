"""The scenery beside the road of a hazard-perception scene (``scenes.py``): trees and poles in
the country, shophouses, pavements and lamps in town, houses in a residential street, lamps on a
toll road's median, each placed in depth with the road's projection (``scene_roads.View``).
"""

from __future__ import annotations

from .scene_objects import ell, glow, line, poly, rect
from .scene_roads import View, k_of, pos_of_depth, y_of


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
