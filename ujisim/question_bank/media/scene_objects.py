"""Placeable objects of hazard-perception scenes (see ``scene_spec.py`` for the spec vocabulary).

Long because it is a catalogue: one short, independent drawing function per object kind (31 of
them) beside the ``KINDS`` table that names them and the SVG primitives they share.

Every object kind has one drawing function ``draw_<kind>(obj, place) -> (body, lights)``: ``body``
is SVG drawn in depth order with the scenery, ``lights`` (lamps, beacons, glows) is drawn above the
night/rain shading so it stays bright. ``place`` tells where the object stands on the screen
(``x``, ``y`` = ground contact point, ``k`` = pixels per metre at that depth, ``flat`` = how much
the ground plane is squashed vertically there). ``KINDS`` is the table of kinds: drawing function,
layer (``ground`` decals are drawn before anything upright), the facings and states it accepts.
Pure Python, deterministic, no external references.
"""

from __future__ import annotations

from dataclasses import dataclass, field


def escape(s: str) -> str:
    """Escape text for XML content and double-quoted attributes."""
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")


def fmt(v: float) -> str:
    text = f"{v:.1f}"
    return "0" if text == "-0.0" else text.removesuffix(".0")


def el(tag: str, content: str | None = None, **attrs) -> str:
    parts = [tag]
    for name, value in attrs.items():
        if value is None:
            continue
        value = (
            fmt(value) if isinstance(value, float | int) and not isinstance(value, bool) else value
        )
        attr = name.rstrip("_").replace("_", "-")
        parts.append(f'{attr}="{escape(str(value))}"')
    if content is None:
        return "<" + " ".join(parts) + "/>"
    return "<" + " ".join(parts) + ">" + content + f"</{tag}>"


def rect(x, y, w, h, fill, **kw) -> str:
    return el("rect", x=x, y=y, width=max(w, 0.1), height=max(h, 0.1), fill=fill, **kw)


def poly(points, fill, **kw) -> str:
    return el("polygon", points=" ".join(f"{fmt(a)},{fmt(b)}" for a, b in points), fill=fill, **kw)


def circ(cx, cy, r, fill, **kw) -> str:
    return el("circle", cx=cx, cy=cy, r=max(r, 0.1), fill=fill, **kw)


def ell(cx, cy, rx, ry, fill, **kw) -> str:
    return el("ellipse", cx=cx, cy=cy, rx=max(rx, 0.1), ry=max(ry, 0.1), fill=fill, **kw)


def line(x1, y1, x2, y2, stroke, width, **kw) -> str:
    return el("line", x1=x1, y1=y1, x2=x2, y2=y2, stroke=stroke, stroke_width=max(width, 0.1), **kw)


def text(x, y, s, size, fill="#111", **kw) -> str:
    kw.setdefault("font_family", "DejaVu Sans, Arial, sans-serif")
    kw.setdefault("text_anchor", "middle")
    return el("text", escape(s), x=x, y=y, font_size=max(size, 1.0), fill=fill, **kw)


def glow(cx, cy, r, color, strength=1.0) -> str:
    """A lamp: bright core with two soft halos (no gradients, so no ids are needed)."""
    return (
        circ(cx, cy, r * 3.2, color, opacity=0.12 * strength)
        + circ(cx, cy, r * 1.9, color, opacity=0.3 * strength)
        + circ(cx, cy, r, color)
    )


PALETTE = {
    "red": "#c0392b",
    "blue": "#2e5fa8",
    "white": "#eef0f2",
    "silver": "#b5bcc5",
    "black": "#2a2b30",
    "green": "#2f8f4e",
    "yellow": "#f2c12e",
    "orange": "#e67e22",
    "brown": "#8d5a3b",
    "grey": "#7f8790",
}
AMBER, RED_LAMP, HEAD_LAMP = "#ffb300", "#ff2a1a", "#fff6c8"


@dataclass(frozen=True)
class Place:
    x: float
    y: float
    k: float
    flat: float = 0.3
    night: bool = False
    color: str | None = None


@dataclass(frozen=True)
class Kind:
    draw: object
    label: str
    layer: str = "upright"
    facings: tuple[str, ...] = ("away", "toward", "left", "right")
    states: tuple[str, ...] = ()
    params: dict = field(default_factory=dict)
    box: tuple[float, float] = (1.0, 1.7)  # width, height in metres (for highlight rings)
    box_len: float = 1.0  # length seen from the side


def states_of(obj: dict) -> set[str]:
    state = obj.get("state", ())
    return {state} if isinstance(state, str) else set(state)


# --------------------------------------------------------------------------- vehicles

VEHICLE_STATES = ("brake", "signal_left", "signal_right", "hazard", "reverse", "high_beam")


@dataclass(frozen=True)
class Body:
    w: float
    h: float
    length: float
    color: str
    cabin: float = 0.45  # share of the height taken by the glasshouse (0 = box body)
    roof: float = 0.78  # roof width / body width seen from behind or in front
    window: str = "#1e2c3d"


def _wheels_end(x, y, w, k) -> str:
    return rect(x - w / 2 + 0.05 * k, y - 0.25 * k, 0.28 * k, 0.25 * k, "#151515") + rect(
        x + w / 2 - 0.33 * k, y - 0.25 * k, 0.28 * k, 0.25 * k, "#151515"
    )


def _end_view(obj: dict, p: Place, b: Body, facing: str) -> tuple[str, str]:
    k, x, y = p.k, p.x, p.y
    w, h = b.w * k, b.h * k
    low = h * (1 - b.cabin)
    top = y - h
    out = [ell(x, y, w * 0.58, 0.18 * k, "#000", opacity=0.25), _wheels_end(x, y, w, k)]
    out.append(
        rect(
            x - w / 2,
            y - 0.18 * k - low,
            w,
            low,
            b.color,
            rx=0.12 * k,
            stroke="#222",
            stroke_width=0.6,
        )
    )
    if b.cabin > 0:
        rw = w * b.roof
        out.append(
            poly(
                [
                    (x - w * 0.47, y - low),
                    (x - rw / 2, top),
                    (x + rw / 2, top),
                    (x + w * 0.47, y - low),
                ],
                b.color,
            )
        )
        out.append(
            poly(
                [(x - w * 0.41, y - low - 0.06 * k), (x - rw / 2 + 0.08 * k, top + 0.1 * k)]
                + [(x + rw / 2 - 0.08 * k, top + 0.1 * k), (x + w * 0.41, y - low - 0.06 * k)],
                b.window,
            )
        )
    else:
        out.append(
            rect(
                x - w / 2,
                top,
                w,
                h - low + 0.02 * k,
                b.color,
                rx=0.1 * k,
                stroke="#222",
                stroke_width=0.6,
            )
        )
        win_top = top + (0.12 if facing == "away" else 0.25) * h
        out.append(rect(x - w * 0.42, win_top, w * 0.84, h * 0.28, b.window, rx=0.05 * k))
    out.append(
        rect(
            x - 0.26 * k,
            y - 0.62 * k,
            0.52 * k,
            0.14 * k,
            "#f4f4f4",
            stroke="#111",
            stroke_width=0.5,
        )
    )
    lamp_y, lamp_dx, lamp_r = y - low * 0.62 - 0.18 * k, w / 2 - 0.2 * k, 0.1 * k
    lights = []
    st = states_of(obj)
    if facing == "away":
        bright = "brake" in st or p.night
        for dx in (-lamp_dx, lamp_dx):
            out.append(rect(x + dx - 0.12 * k, lamp_y - 0.07 * k, 0.24 * k, 0.14 * k, "#8e1b12"))
            if bright:
                lights.append(
                    glow(x + dx, lamp_y, lamp_r * (1.5 if "brake" in st else 1), RED_LAMP)
                )
        if "reverse" in st:
            lights += [
                glow(x + dx * 0.7, lamp_y, lamp_r * 0.8, "#ffffff") for dx in (-lamp_dx, lamp_dx)
            ]
        left, right = -lamp_dx, lamp_dx
    else:
        for dx in (-lamp_dx, lamp_dx):
            out.append(
                ell(x + dx, lamp_y, 0.16 * k, 0.09 * k, "#e9edf0", stroke="#555", stroke_width=0.5)
            )
            if p.night or "high_beam" in st:
                lights.append(
                    glow(
                        x + dx,
                        lamp_y,
                        lamp_r * (3.0 if "high_beam" in st else 1.1),
                        HEAD_LAMP,
                        1.6 if "high_beam" in st else 1.0,
                    )
                )
        left, right = lamp_dx, -lamp_dx  # the vehicle's own left is on our right
    sides = {"signal_left": [left], "signal_right": [right], "hazard": [left, right]}
    for state, dxs in sides.items():
        if state in st:
            lights += [
                glow(
                    x + dx + (0.12 * k if dx > 0 else -0.12 * k),
                    lamp_y - 0.12 * k,
                    lamp_r * 1.2,
                    AMBER,
                )
                for dx in dxs
            ]
    return "".join(out), "".join(lights)


def _side_view(obj: dict, p: Place, b: Body, facing: str) -> tuple[str, str]:
    k, x, y = p.k, p.x, p.y
    length, h = b.length * k, b.h * k
    d = 1 if facing == "right" else -1  # +1: front on the right
    x0 = x - length / 2
    low = h * (1 - b.cabin)
    out = [ell(x, y, length * 0.52, 0.16 * k, "#000", opacity=0.25)]
    if b.cabin > 0:
        rear_x, front_x = (
            (x0 + length * 0.12, x0 + length * 0.72)
            if d > 0
            else (x0 + length * 0.88, x0 + length * 0.28)
        )
        out.append(
            poly(
                [
                    (rear_x, y - low),
                    (rear_x + d * 0.2 * length * 0.3, y - h),
                    (front_x - d * 0.12 * length, y - h),
                    (front_x, y - low),
                ],
                b.color,
            )
        )
        out.append(
            poly(
                [
                    (rear_x + d * 0.06 * length, y - low - 0.05 * k),
                    (rear_x + d * 0.09 * length, y - h + 0.1 * k),
                ]
                + [
                    (front_x - d * 0.14 * length, y - h + 0.1 * k),
                    (front_x - d * 0.05 * length, y - low - 0.05 * k),
                ],
                b.window,
            )
        )
        out.append(
            rect(
                x0,
                y - low - 0.15 * k,
                length,
                low,
                b.color,
                rx=0.15 * k,
                stroke="#222",
                stroke_width=0.6,
            )
        )
    else:
        out.append(
            rect(
                x0,
                y - h - 0.15 * k,
                length,
                h,
                b.color,
                rx=0.15 * k,
                stroke="#222",
                stroke_width=0.6,
            )
        )
        nwin = max(2, int(b.length / 1.6))
        for i in range(nwin):
            wx = x0 + length * (0.06 + 0.88 * i / nwin)
            out.append(
                rect(wx, y - h + 0.15 * k, length * 0.88 / nwin - 0.15 * k, h * 0.3, b.window)
            )
    for f in (0.18, 0.82):
        out.append(
            circ(x0 + length * f, y - 0.33 * k, 0.34 * k, "#151515")
            + circ(x0 + length * f, y - 0.33 * k, 0.14 * k, "#999")
        )
    front, rear = x0 + (length if d > 0 else 0), x0 + (0 if d > 0 else length)
    lights = []
    st = states_of(obj)
    if p.night:
        lights.append(glow(front - d * 0.1 * k, y - low * 0.7, 0.12 * k, HEAD_LAMP))
    if "brake" in st or "reverse" in st or p.night:
        lights.append(glow(rear + d * 0.1 * k, y - low * 0.7, 0.1 * k, RED_LAMP))
    if "reverse" in st:
        lights.append(glow(rear + d * 0.1 * k, y - low * 0.45, 0.1 * k, "#ffffff", 1.3))
    if obj.get("motion"):
        for i in range(3):
            yy = y - h * (0.3 + 0.2 * i)
            out.append(
                line(
                    rear - d * 0.3 * k,
                    yy,
                    rear - d * (1.2 + 0.3 * i) * k,
                    yy,
                    "#555",
                    0.08 * k,
                    opacity=0.7,
                )
            )
    return "".join(out), "".join(lights)


def vehicle(obj: dict, p: Place, b: Body) -> tuple[str, str]:
    facing = obj.get("facing", "away")
    if facing in ("left", "right"):
        return _side_view(obj, p, b, facing)
    return _end_view(obj, p, b, facing)


def _color(obj: dict, p: Place, default: str, cycle: bool = False) -> str:
    """The object's colour: its own, else the scene's cycling colour (cars), else the default."""
    return PALETTE.get(obj.get("color") or "", (p.color if cycle else None) or default)


def draw_car(obj, p):
    return vehicle(obj, p, Body(1.75, 1.5, 4.3, _color(obj, p, PALETTE["silver"], cycle=True)))


def draw_parked_car(obj, p):
    body, lights = vehicle(
        obj, p, Body(1.75, 1.5, 4.3, _color(obj, p, PALETTE["blue"], cycle=True))
    )
    if "door_open" in states_of(obj) and obj.get("facing", "away") in ("away", "toward"):
        # Indonesian cars are right-hand drive: the driver's door is on the car's right side.
        k, side = p.k, 1 if obj.get("facing", "away") == "away" else -1
        hinge = p.x + side * 0.85 * k
        tip = hinge + side * 0.95 * k
        body += poly(
            [
                (hinge, p.y - 0.3 * k),
                (tip, p.y - 0.22 * k),
                (tip, p.y - 1.0 * k),
                (hinge, p.y - 1.15 * k),
            ],
            _color(obj, p, PALETTE["blue"], cycle=True),
            stroke="#111",
            stroke_width=0.8,
        )
        body += poly(
            [
                (hinge, p.y - 0.85 * k),
                (tip, p.y - 0.8 * k),
                (tip, p.y - 1.0 * k),
                (hinge, p.y - 1.15 * k),
            ],
            "#1e2c3d",
        )
        body += _person(hinge + side * 0.4 * k, p.y, k, 1.65, "#3b6ea5", stride=False)
    return body, lights


def draw_truck(obj, p):
    b = Body(2.4, 3.3, 8.0, _color(obj, p, PALETTE["yellow"]), cabin=0)
    body, lights = vehicle(obj, p, b)
    if obj.get("facing", "away") == "away":
        k = p.k
        body += rect(
            p.x - 1.2 * k,
            p.y - 3.45 * k,
            2.4 * k,
            2.75 * k,
            "#9aa3ab",
            stroke="#444",
            stroke_width=0.8,
        )
        body += line(p.x, p.y - 3.4 * k, p.x, p.y - 0.75 * k, "#555", 0.05 * k)
        body += rect(
            p.x - 1.2 * k,
            p.y - 0.75 * k,
            2.4 * k,
            0.12 * k,
            "#d33",
            stroke="#fff",
            stroke_width=0.03 * k,
        )
    return body, lights


def draw_bus(obj, p):
    return vehicle(obj, p, Body(2.5, 3.3, 11.0, _color(obj, p, "#d7e3ee"), cabin=0))


def draw_angkot(obj, p):
    body, lights = vehicle(
        obj, p, Body(1.65, 1.85, 4.0, _color(obj, p, "#3aa0d8"), cabin=0.42, roof=0.9)
    )
    if obj.get("facing", "away") in ("away", "toward"):
        body += rect(p.x - 0.83 * p.k, p.y - 0.95 * p.k, 1.66 * p.k, 0.12 * p.k, "#f5f5f5")
    return body, lights


def _beacon(p: Place, top: float, colors: tuple[str, str], obj: dict) -> tuple[str, str]:
    k = p.k
    body = rect(p.x - 0.5 * k, top - 0.18 * k, 1.0 * k, 0.18 * k, "#333", rx=0.05 * k)
    if "off" in states_of(obj):
        return body, ""
    lights = glow(p.x - 0.3 * k, top - 0.1 * k, 0.12 * k, colors[0], 1.4) + glow(
        p.x + 0.3 * k, top - 0.1 * k, 0.12 * k, colors[1], 1.4
    )
    for side in (-1, 1):  # siren sound arcs
        for i in (1, 2):
            r = (0.35 + 0.3 * i) * k
            cx = p.x + side * 0.55 * k
            lights += el(
                "path",
                d=f"M{fmt(cx + side * r * 0.5)},{fmt(top - r * 0.8)} "
                f"q{fmt(side * r * 0.5)},{fmt(r * 0.6)} 0,{fmt(r * 1.2)}",
                fill="none",
                stroke=colors[0],
                stroke_width=max(0.06 * k, 0.8),
            )
    return body, lights


def draw_ambulance(obj, p):
    b = Body(1.85, 2.3, 5.0, "#f7f7f7", cabin=0.35, roof=0.95)
    body, lights = vehicle(obj, p, b)
    k = p.k
    if obj.get("facing", "away") in ("away", "toward"):
        cy = p.y - 1.55 * k
        body += rect(p.x - 0.9 * k, p.y - 1.05 * k, 1.8 * k, 0.13 * k, "#d62c1f")
        body += rect(p.x - 0.08 * k, cy - 0.25 * k, 0.16 * k, 0.5 * k, "#d62c1f") + rect(
            p.x - 0.25 * k, cy - 0.08 * k, 0.5 * k, 0.16 * k, "#d62c1f"
        )
    else:
        body += rect(p.x - 2.5 * k, p.y - 1.0 * k, 5.0 * k, 0.14 * k, "#d62c1f")
    top = p.y - b.h * k - (0.15 * k if obj.get("facing") in ("left", "right") else 0)
    extra_body, extra_lights = _beacon(p, top, ("#ff2020", "#2f6bff"), obj)
    return body + extra_body, lights + extra_lights


def draw_fire_engine(obj, p):
    b = Body(2.45, 3.1, 8.0, "#c8231b", cabin=0)
    body, lights = vehicle(obj, p, b)
    k = p.k
    if obj.get("facing", "away") in ("away", "toward"):
        body += rect(p.x - 1.0 * k, p.y - 3.35 * k, 2.0 * k, 0.2 * k, "#c9c9c9") + rect(
            p.x - 1.22 * k, p.y - 1.2 * k, 2.44 * k, 0.12 * k, "#f3d31b"
        )
    else:
        body += rect(p.x - 3.8 * k, p.y - 3.5 * k, 6.5 * k, 0.18 * k, "#c9c9c9")
    extra_body, extra_lights = _beacon(p, p.y - 3.35 * k, ("#ff2020", "#ff2020"), obj)
    return body + extra_body, lights + extra_lights


def draw_police(obj, p):
    body, lights = vehicle(obj, p, Body(1.8, 1.5, 4.5, "#f2f2f2"))
    k = p.k
    if obj.get("facing", "away") in ("away", "toward"):
        body += rect(p.x - 0.88 * k, p.y - 0.75 * k, 1.76 * k, 0.12 * k, "#1d3f8f")
    extra_body, extra_lights = _beacon(p, p.y - 1.55 * k, ("#2f6bff", "#ff2020"), obj)
    return body + extra_body, lights + extra_lights


# ----------------------------------------------------------------------- two-wheelers and people


def _person(x, y, k, h, shirt, *, stride=False, arm_up=False, helmet=None, skin="#c68b5a") -> str:
    head = 0.13 * h * k
    out = []
    legs_top = y - 0.48 * h * k
    if stride:
        out += [
            line(x, legs_top, x - 0.18 * h * k, y, "#2d3440", 0.07 * h * k),
            line(x, legs_top, x + 0.16 * h * k, y, "#2d3440", 0.07 * h * k),
        ]
    else:
        out += [
            rect(x - 0.11 * h * k, legs_top, 0.09 * h * k, 0.48 * h * k, "#2d3440"),
            rect(x + 0.02 * h * k, legs_top, 0.09 * h * k, 0.48 * h * k, "#2d3440"),
        ]
    out.append(
        rect(x - 0.14 * h * k, y - 0.82 * h * k, 0.28 * h * k, 0.36 * h * k, shirt, rx=0.04 * h * k)
    )
    if arm_up:
        out.append(
            line(
                x + 0.12 * h * k,
                y - 0.78 * h * k,
                x + 0.3 * h * k,
                y - 1.05 * h * k,
                shirt,
                0.07 * h * k,
            )
        )
        out.append(circ(x + 0.31 * h * k, y - 1.07 * h * k, 0.04 * h * k, "#ffffff"))
    out.append(circ(x, y - 0.9 * h * k, head, skin))
    if helmet:
        out.append(
            el(
                "path",
                d=f"M{fmt(x - head * 1.15)},{fmt(y - 0.88 * h * k)}"
                f" a{fmt(head * 1.15)},{fmt(head * 1.2)} 0 0 1 {fmt(head * 2.3)},0 z",
                fill=helmet,
            )
        )
    return "".join(out)


def _rider_side(obj, p, bike_color, rider, wheel_r, bicycle) -> tuple[str, str]:
    k, x, y = p.k, p.x, p.y
    d = 1 if obj.get("facing") == "right" else -1
    out = [ell(x, y, 1.0 * k, 0.1 * k, "#000", opacity=0.25)]
    for f in (-0.65, 0.65):
        out.append(
            circ(
                x + f * k,
                y - wheel_r * k,
                wheel_r * k,
                "none",
                stroke="#151515",
                stroke_width=0.09 * k,
            )
        )
    frame = "#333" if bicycle else bike_color
    out.append(
        poly(
            [
                (x - 0.6 * k * d, y - 0.45 * k),
                (x + 0.55 * k * d, y - 0.8 * k),
                (x + 0.7 * k * d, y - 0.45 * k),
                (x - 0.2 * k * d, y - 0.35 * k),
            ],
            frame,
        )
    )
    out.append(
        _person(x - 0.05 * k * d, y - 0.45 * k, k, 1.2, rider, helmet=None if bicycle else "#222")
    )
    lights = (
        glow(x + 0.8 * k * d, y - 0.8 * k, 0.08 * k, HEAD_LAMP) if p.night and not bicycle else ""
    )
    if obj.get("motion"):
        for i in range(3):
            yy = y - (0.4 + 0.35 * i) * k
            out.append(
                line(
                    x - d * 1.1 * k,
                    yy,
                    x - d * (1.8 + 0.3 * i) * k,
                    yy,
                    "#555",
                    0.06 * k,
                    opacity=0.7,
                )
            )
    return "".join(out), lights


def _rider_end(x, y, k, *, rider, bike_color, helmet, bicycle, facing) -> str:
    """A two-wheeler and its rider seen from behind or in front."""
    out = [ell(x, y, 0.45 * k, 0.1 * k, "#000", opacity=0.25)]
    out.append(rect(x - 0.08 * k, y - 0.6 * k, 0.16 * k, 0.6 * k, "#151515", rx=0.07 * k))
    if bicycle:
        out.append(line(x - 0.28 * k, y - 1.0 * k, x + 0.28 * k, y - 1.0 * k, "#333", 0.05 * k))
    else:
        out.append(
            poly(
                [
                    (x - 0.2 * k, y - 0.5 * k),
                    (x + 0.2 * k, y - 0.5 * k),
                    (x + 0.3 * k, y - 0.9 * k),
                    (x - 0.3 * k, y - 0.9 * k),
                ],
                bike_color,
            )
        )
        out.append(line(x - 0.42 * k, y - 1.08 * k, x + 0.42 * k, y - 1.08 * k, "#222", 0.06 * k))
        for s in (-1, 1):  # handlebar mirrors
            out.append(
                line(
                    x + s * 0.33 * k, y - 1.08 * k, x + s * 0.4 * k, y - 1.35 * k, "#222", 0.03 * k
                )
            )
            out.append(ell(x + s * 0.42 * k, y - 1.38 * k, 0.07 * k, 0.05 * k, "#222"))
    for s in (-1, 1):  # thighs and arms
        out.append(
            line(
                x + s * 0.12 * k,
                y - 0.95 * k,
                x + s * 0.24 * k,
                y - 0.62 * k,
                "#2d3440",
                0.12 * k,
                stroke_linecap="round",
            )
        )
        out.append(
            line(
                x + s * 0.2 * k,
                y - 1.4 * k,
                x + s * 0.38 * k,
                y - 1.1 * k,
                rider,
                0.1 * k,
                stroke_linecap="round",
            )
        )
    out.append(
        poly(
            [
                (x - 0.17 * k, y - 0.92 * k),
                (x + 0.17 * k, y - 0.92 * k),
                (x + 0.24 * k, y - 1.45 * k),
                (x - 0.24 * k, y - 1.45 * k),
            ],
            rider,
        )
    )
    out.append(circ(x, y - 1.6 * k, 0.15 * k, helmet or "#c68b5a"))
    if helmet and facing == "toward":
        out.append(rect(x - 0.1 * k, y - 1.63 * k, 0.2 * k, 0.07 * k, "#4a6b8a"))
    return "".join(out)


def _rider_view(obj, p, *, bike_color, rider, wheel_r, bicycle=False) -> tuple[str, str]:
    facing = obj.get("facing", "away")
    if facing in ("left", "right"):
        return _rider_side(obj, p, bike_color, rider, wheel_r, bicycle)
    k, x, y = p.k, p.x, p.y
    st = states_of(obj)
    parts = []
    if "passenger" in st:
        parts.append(
            _rider_end(
                x,
                y - 0.12 * k,
                k,
                rider="#7a4f9a",
                bike_color=bike_color,
                helmet="#c0392b",
                bicycle=bicycle,
                facing=facing,
            )
        )
    rider_part = _rider_end(
        x,
        y,
        k,
        rider=rider,
        bike_color=bike_color,
        helmet=None if bicycle else "#23262b",
        bicycle=bicycle,
        facing=facing,
    )
    parts = [rider_part] + parts if facing == "away" else parts + [rider_part]
    lights = []
    lamp_y = y - 0.8 * k
    if bicycle:
        return "".join(parts), ""
    if facing == "away":
        parts.append(rect(x - 0.1 * k, lamp_y - 0.05 * k, 0.2 * k, 0.1 * k, "#8e1b12"))
        parts.append(rect(x - 0.11 * k, y - 0.66 * k, 0.22 * k, 0.1 * k, "#f4f4f4"))
        if p.night or "brake" in st:
            lights.append(glow(x, lamp_y, 0.07 * k * (1.6 if "brake" in st else 1), RED_LAMP))
        left, right = -0.36 * k, 0.36 * k
    else:
        lights.append(glow(x, y - 0.98 * k, 0.09 * k, HEAD_LAMP, 0.6 if not p.night else 1.0))
        left, right = 0.36 * k, -0.36 * k
    for state, dxs in {
        "signal_left": [left],
        "signal_right": [right],
        "hazard": [left, right],
    }.items():
        if state in st:
            lights += [glow(x + dx, lamp_y, 0.07 * k, AMBER) for dx in dxs]
    return "".join(parts), "".join(lights)


def draw_motorcycle(obj, p):
    return _rider_view(obj, p, bike_color=_color(obj, p, "#30343b"), rider="#3f6fb0", wheel_r=0.3)


def draw_bicycle(obj, p):
    return _rider_view(
        obj, p, bike_color="#333", rider=_color(obj, p, "#2f8f4e"), wheel_r=0.34, bicycle=True
    )


def _walker(obj, p, h, shirt) -> tuple[str, str]:
    facing = obj.get("facing", "toward")
    st = states_of(obj)
    body = _person(
        p.x,
        p.y,
        p.k,
        h,
        _color(obj, p, shirt),
        stride=facing in ("left", "right"),
        arm_up="arm_up" in st,
    )
    body = ell(p.x, p.y, 0.3 * p.k, 0.07 * p.k, "#000", opacity=0.25) + body
    if "umbrella" in st:
        top = p.y - 1.15 * h * p.k
        body += el(
            "path",
            d=f"M{fmt(p.x - 0.5 * p.k)},{fmt(top)} "
            f"a{fmt(0.5 * p.k)},{fmt(0.35 * p.k)} 0 0 1 {fmt(p.k)},0 z",
            fill="#7a2e8e",
        )
        body += line(p.x, top, p.x, p.y - 0.7 * h * p.k, "#333", 0.03 * p.k)
    if "phone" in st:
        body += rect(p.x + 0.05 * p.k, p.y - 0.95 * h * p.k, 0.08 * p.k, 0.13 * p.k, "#111")
    return body, ""


def draw_pedestrian(obj, p):
    return _walker(obj, p, 1.65, "#d35400")


def draw_child(obj, p):
    return _walker(obj, p, 1.1, "#e84393")


def draw_police_officer(obj, p):
    body = ell(p.x, p.y, 0.3 * p.k, 0.07 * p.k, "#000", opacity=0.25)
    body += _person(p.x, p.y, p.k, 1.72, "#8a6d3b", arm_up=True)
    body += rect(p.x - 0.24 * p.k, p.y - 1.4 * p.k, 0.48 * p.k, 0.5 * p.k, "#d7f21f", opacity=0.9)
    body += rect(p.x - 0.2 * p.k, p.y - 1.82 * p.k, 0.4 * p.k, 0.12 * p.k, "#f4f4f4")
    return body, ""


def draw_ball(obj, p):
    k, r = p.k, 0.12 * p.k
    body = ell(p.x, p.y, r, r * 0.3, "#000", opacity=0.25) + circ(
        p.x, p.y - r, r, "#f5f5f5", stroke="#222", stroke_width=max(0.02 * k, 0.5)
    )
    body += circ(p.x, p.y - r, r * 0.45, "#c0392b")
    d = -1 if obj.get("facing") == "right" else 1
    for i in range(3):
        yy = p.y - r * (0.4 + 0.6 * i)
        body += line(
            p.x + d * r * 1.4, yy, p.x + d * r * (2.6 + 0.4 * i), yy, "#333", max(0.02 * k, 0.6)
        )
    return body, ""


ANIMALS = {  # species: (length, height, colour)
    "cow": (2.1, 1.35, "#8d6e63"),
    "goat": (1.1, 0.8, "#e8e2d6"),
    "dog": (0.9, 0.6, "#c69c6d"),
    "chicken": (0.35, 0.38, "#b5651d"),
}


def draw_animal(obj, p):
    length, h, color = ANIMALS[obj.get("species", "goat")]
    k, x, y = p.k, p.x, p.y
    facing = obj.get("facing", "left")
    d = -1 if facing == "left" else 1
    if facing in (
        "away",
        "toward",
    ):  # end-on: a narrow body with the head on top (toward) or hidden
        w = length * 0.32
        out = [ell(x, y, w * k, 0.08 * k, "#000", opacity=0.25)]
        out += [
            rect(x + s * w * 0.45 * k - 0.04 * k, y - h * 0.5 * k, 0.08 * k, h * 0.5 * k, "#4e3b30")
            for s in (-1, 1)
        ]
        out.append(
            ell(
                x,
                y - h * 0.62 * k,
                w * 0.7 * k,
                h * 0.25 * k,
                color,
                stroke="#3e2c23",
                stroke_width=0.8,
            )
        )
        if facing == "toward":
            out.append(
                ell(
                    x,
                    y - h * 0.85 * k,
                    w * 0.35 * k,
                    h * 0.16 * k,
                    color,
                    stroke="#3e2c23",
                    stroke_width=0.8,
                )
            )
        return "".join(out), ""
    bx, by = x, y - h * 0.6 * k
    out = [ell(x, y, length * 0.55 * k, 0.08 * k, "#000", opacity=0.25)]
    for f in (-0.36, -0.24, 0.24, 0.36):
        out.append(
            line(
                x + f * length * k,
                by,
                x + f * length * k,
                y,
                "#4e3b30",
                max(0.05 * length * k, 0.8),
            )
        )
    out.append(
        ell(bx, by, length * 0.42 * k, h * 0.22 * k, color, stroke="#3e2c23", stroke_width=0.8)
    )
    hx, hy = x + d * length * 0.5 * k, y - h * 0.88 * k
    out.append(
        line(bx + d * length * 0.3 * k, by, hx, hy, color, h * 0.16 * k, stroke_linecap="round")
    )
    out.append(
        ell(
            hx + d * length * 0.05 * k,
            hy,
            length * 0.12 * k,
            h * 0.1 * k,
            color,
            stroke="#3e2c23",
            stroke_width=0.8,
        )
    )
    out.append(
        line(
            hx - d * 0.02 * k,
            hy - h * 0.08 * k,
            hx - d * 0.08 * length * k,
            hy - h * 0.22 * k,
            "#3e2c23",
            max(0.03 * k, 0.8),
        )
    )
    out.append(
        line(
            bx - d * length * 0.42 * k,
            by - h * 0.05 * k,
            bx - d * length * 0.5 * k,
            by + h * 0.15 * k,
            "#3e2c23",
            max(0.03 * k, 0.8),
        )
    )
    return "".join(out), ""


def draw_cart(obj, p):
    k, x, y = p.k, p.x, p.y
    out = [
        ell(x, y, 0.9 * k, 0.1 * k, "#000", opacity=0.25),
        rect(
            x - 0.8 * k,
            y - 1.2 * k,
            1.6 * k,
            0.7 * k,
            "#b5651d",
            stroke="#5a3210",
            stroke_width=0.8,
        ),
    ]
    out.append(rect(x - 0.9 * k, y - 1.9 * k, 1.8 * k, 0.12 * k, "#2e86c1"))
    out += [
        circ(x + f * k, y - 0.25 * k, 0.25 * k, "none", stroke="#222", stroke_width=0.06 * k)
        for f in (-0.5, 0.5)
    ]
    out.append(_person(x + 1.05 * k, y, k, 1.6, "#7f8c8d"))
    return "".join(out), ""


def _group(obj, p, members) -> tuple[str, str]:
    """Draw several member objects (far ones first): members = [(kind, dx_m, dpos_scale, extra)]."""
    bodies, lights = [], []
    for kind, dx, scale, extra in members:
        q = Place(p.x + dx * p.k, p.y - (1 - scale) * 40, p.k * scale, p.flat, p.night, p.color)
        sub = {**obj, "kind": kind, **extra}
        b, li = KINDS[kind].draw(sub, q)
        bodies.append(b)
        lights.append(li)
    return "".join(bodies), "".join(lights)


def _flag(x, y, k, color) -> str:
    return line(x, y, x, y - 1.0 * k, "#444", 0.04 * k) + poly(
        [(x, y - 1.0 * k), (x + 0.45 * k, y - 0.88 * k), (x, y - 0.74 * k)], color
    )


def draw_funeral(obj, p):
    side = obj.get("facing", "away")
    if side in ("left", "right"):
        d = -1 if side == "right" else 1
        members = [
            ("motorcycle", d * 7.5, 1.0, {}),
            ("motorcycle", d * 5.0, 1.0, {}),
            ("ambulance", 0, 1.0, {"state": "on"}),
        ]
    else:
        members = [
            ("motorcycle", -0.9, 0.72, {}),
            ("motorcycle", 0.9, 0.72, {}),
            ("ambulance", 0, 0.85, {}),
            ("motorcycle", -0.8, 1.0, {}),
            ("motorcycle", 0.8, 1.0, {}),
        ]
    body, lights = _group(obj, p, members)
    for kind, dx, scale, _ in members:
        if kind == "motorcycle":
            q = p.k * scale
            body += _flag(p.x + dx * p.k + 0.25 * q, p.y - (1 - scale) * 40 - 1.3 * q, q, "#f1c40f")
    return body, lights


def draw_police_escort(obj, p):
    side = obj.get("facing", "toward")
    if side in ("left", "right"):
        d = 1 if side == "right" else -1
        members = [
            ("car", -d * 5.5, 1.0, {"color": "black"}),
            ("police", -d * 0.5, 1.0, {}),
            ("motorcycle", d * 4.0, 1.0, {"color": "white"}),
        ]
    else:
        members = [
            ("car", 0, 0.7, {"color": "black"}),
            ("motorcycle", -0.8, 1.0, {"color": "white"}),
            ("motorcycle", 0.8, 1.0, {"color": "white"}),
        ]
    body, lights = _group(obj, p, members)
    for kind, dx, scale, _ in members:
        if kind == "motorcycle":
            q = p.k * scale
            lights += glow(
                p.x + dx * p.k, p.y - (1 - scale) * 40 - 1.05 * q, 0.1 * q, "#2f6bff", 1.4
            )
    return body, lights


def draw_train(obj, p):
    """A locomotive and two carriages; (x, y) is the front of the locomotive."""
    k, x, y = p.k, p.x, p.y
    d = 1 if obj.get("facing", "left") == "right" else -1
    out = []
    for i in range(3):  # the locomotive first, carriages trailing behind it
        cx = x - d * (10.2 + i * 20.5) * k
        out.append(
            rect(
                cx - 10 * k,
                y - 3.9 * k,
                20 * k,
                3.4 * k,
                "#e9ecef" if i else "#f0b323",
                stroke="#333",
                stroke_width=0.8,
                rx=0.4 * k,
            )
        )
        out.append(rect(cx - 10 * k, y - 1.5 * k, 20 * k, 0.35 * k, "#2c5aa0"))
        for j in range(6):
            out.append(rect(cx - 9 * k + j * 3.1 * k, y - 3.3 * k, 2.2 * k, 1.1 * k, "#1e2c3d"))
        out += [circ(cx + f * k, y - 0.35 * k, 0.4 * k, "#151515") for f in (-7, -5.5, 5.5, 7)]
    return "".join(out), glow(x - d * 0.4 * k, y - 2.2 * k, 0.2 * k, HEAD_LAMP, 1.3)


# --------------------------------------------------------------------------- street furniture


LIGHT_COLORS = {"red": (0, "#ff2a1a"), "yellow": (1, "#ffc400"), "green": (2, "#22e05a")}


def draw_traffic_light(obj, p):
    k, x, y = p.k, p.x, p.y
    state = obj.get("state", "red")
    state = state if isinstance(state, str) else "red"
    top = y - 3.4 * k
    out = [
        rect(x - 0.06 * k, top, 0.12 * k, 3.4 * k, "#4a4f55"),
        rect(x - 0.25 * k, top - 0.2 * k, 0.5 * k, 1.3 * k, "#1b1d20", rx=0.08 * k),
    ]
    lights = []
    for name, (i, color) in LIGHT_COLORS.items():
        cy = top + 0.15 * k + i * 0.4 * k
        lit = state == name or (state == "blink_yellow" and name == "yellow")
        out.append(circ(x, cy, 0.14 * k, color if lit else "#3a3d42"))
        if lit:
            lights.append(glow(x, cy, 0.14 * k, color, 1.2))
    return "".join(out), "".join(lights)


SIGN_COLORS = {
    "red": "#d0021b",
    "blue": "#1f5fbf",
    "yellow": "#f7c600",
    "green": "#1e8a3c",
    "white": "#ffffff",
}


def draw_sign(obj, p):
    k, x, y = p.k, p.x, p.y
    shape, color = obj.get("shape", "circle"), SIGN_COLORS[obj.get("color", "red")]
    cy, r = y - 2.5 * k, 0.38 * k
    out = [rect(x - 0.04 * k, cy, 0.08 * k, 2.5 * k, "#7b8188")]
    label_fill = "#111"
    if shape == "circle":
        out.append(
            circ(
                x,
                cy,
                r,
                "#fff" if color == SIGN_COLORS["red"] else color,
                stroke=color,
                stroke_width=0.09 * k,
            )
        )
        label_fill = "#fff" if color != SIGN_COLORS["red"] else "#111"
    elif shape == "triangle":
        out.append(
            poly(
                [(x, cy - r * 1.1), (x + r * 1.1, cy + r * 0.8), (x - r * 1.1, cy + r * 0.8)],
                "#fff",
                stroke=SIGN_COLORS["red"],
                stroke_width=0.08 * k,
            )
        )
    elif shape == "diamond":
        out.append(
            poly(
                [(x, cy - r * 1.2), (x + r * 1.2, cy), (x, cy + r * 1.2), (x - r * 1.2, cy)],
                SIGN_COLORS["yellow"],
                stroke="#111",
                stroke_width=0.04 * k,
            )
        )
    elif shape == "octagon":
        pts = [
            (x + r * c, cy + r * s)
            for c, s in (
                (0.41, -1),
                (1, -0.41),
                (1, 0.41),
                (0.41, 1),
                (-0.41, 1),
                (-1, 0.41),
                (-1, -0.41),
                (-0.41, -1),
            )
        ]
        out.append(poly(pts, SIGN_COLORS["red"], stroke="#fff", stroke_width=0.04 * k))
        label_fill = "#fff"
    else:  # rect
        out.append(
            rect(x - r * 1.2, cy - r, r * 2.4, r * 2, color, stroke="#fff", stroke_width=0.04 * k)
        )
        label_fill = "#fff" if color != SIGN_COLORS["white"] else "#111"
    if obj.get("text"):
        out.append(
            text(
                x,
                cy + r * 0.3,
                obj["text"],
                r * min(0.8, 2.6 / len(obj["text"])),
                label_fill,
                font_weight="bold",
            )
        )
    return "".join(out), ""


def draw_cone(obj, p):
    k, x, y = p.k, p.x, p.y
    body = rect(x - 0.22 * k, y - 0.05 * k, 0.44 * k, 0.05 * k, "#222")
    body += poly(
        [
            (x - 0.16 * k, y - 0.05 * k),
            (x - 0.04 * k, y - 0.72 * k),
            (x + 0.04 * k, y - 0.72 * k),
            (x + 0.16 * k, y - 0.05 * k),
        ],
        "#ff6a00",
    )
    body += poly(
        [
            (x - 0.11 * k, y - 0.3 * k),
            (x - 0.08 * k, y - 0.45 * k),
            (x + 0.08 * k, y - 0.45 * k),
            (x + 0.11 * k, y - 0.3 * k),
        ],
        "#ffffff",
    )
    return body, ""


def draw_barrier(obj, p):
    k, x, y = p.k, p.x, p.y
    out = [
        rect(x - 0.8 * k, y - 1.0 * k, 0.08 * k, 1.0 * k, "#555"),
        rect(x + 0.72 * k, y - 1.0 * k, 0.08 * k, 1.0 * k, "#555"),
    ]
    out.append(
        rect(x - 0.9 * k, y - 1.0 * k, 1.8 * k, 0.3 * k, "#ffffff", stroke="#333", stroke_width=0.5)
    )
    out += [
        poly(
            [
                (x + (-0.9 + 0.36 * i) * k, y - 0.7 * k),
                (x + (-0.72 + 0.36 * i) * k, y - 1.0 * k),
                (x + (-0.54 + 0.36 * i) * k, y - 1.0 * k),
                (x + (-0.72 + 0.36 * i) * k, y - 0.7 * k),
            ],
            "#d0021b",
        )
        for i in range(5)
    ]
    return "".join(out), ""


def draw_warning_triangle(obj, p):
    k, x, y = p.k, p.x, p.y
    body = poly(
        [(x, y - 0.45 * k), (x + 0.27 * k, y), (x - 0.27 * k, y)],
        "none",
        stroke="#e3120b",
        stroke_width=0.07 * k,
    )
    return body, glow(x, y - 0.15 * k, 0.03 * k, "#ff4d2e", 0.8) if p.night else ""


def draw_rail_gate(obj, p):
    """Level-crossing barrier on a post at the road side; the arm reaches across the road."""
    k, x, y = p.k, p.x, p.y
    st = states_of(obj)
    d = 1 if x < 0 else -1  # the arm points toward the road centre
    out = [
        rect(x - 0.12 * k, y - 1.3 * k, 0.24 * k, 1.3 * k, "#333"),
        rect(x - 0.06 * k, y - 3.2 * k, 0.12 * k, 3.2 * k, "#555"),
    ]
    # crossbuck (St Andrew's cross)
    for s in (-1, 1):
        out.append(
            line(
                x - 0.55 * k,
                y - 3.0 * k - s * 0.3 * k,
                x + 0.55 * k,
                y - 3.0 * k + s * 0.3 * k,
                "#d0021b",
                0.14 * k,
            )
        )
    pivot = (x, y - 1.0 * k)
    if "open" in st:
        end = (x + d * 0.3 * k, y - 5.0 * k)
    elif "closing" in st:
        end = (x + d * 2.8 * k, y - 3.8 * k)
    else:
        end = (x + d * 4.0 * k, y - 1.0 * k)
    out.append(line(*pivot, *end, "#ffffff", 0.14 * k, stroke_linecap="round"))
    out.append(
        line(*pivot, *end, "#d0021b", 0.14 * k, stroke_dasharray=f"{fmt(0.4 * k)},{fmt(0.4 * k)}")
    )
    lights = ""
    lamp_y = y - 2.3 * k
    out += [circ(x + s * 0.22 * k, lamp_y, 0.12 * k, "#3a1010") for s in (-1, 1)]
    if "open" not in st:
        lights = glow(x - 0.22 * k, lamp_y, 0.12 * k, RED_LAMP, 1.3) + glow(
            x + 0.22 * k, lamp_y, 0.12 * k, RED_LAMP, 0.6
        )
    return "".join(out), lights


def draw_fallen_tree(obj, p):
    k, x, y = p.k, p.x, p.y
    out = [
        poly(
            [
                (x - 3.0 * k, y - 0.2 * k),
                (x + 2.0 * k, y - 0.45 * k),
                (x + 2.0 * k, y - 0.05 * k),
                (x - 3.0 * k, y + 0.05 * k),
            ],
            "#6d4c2f",
        )
    ]
    out += [
        ell(x + dx * k, y - 0.7 * k, 0.9 * k, 0.6 * k, "#2e7d32", opacity=0.95)
        for dx in (1.8, 2.6, 2.2)
    ]
    return "".join(out), ""


# --------------------------------------------------------------------------- ground decals


def _patch(p: Place, size: float, fill: str, **kw) -> str:
    rx = size / 2 * p.k
    return ell(p.x, p.y, rx, max(rx * p.flat, 1.0), fill, **kw)


def draw_puddle(obj, p):
    size = obj.get("size", 2.5)
    body = _patch(p, size, "#6f8ca3", opacity=0.85) + _patch(
        Place(p.x - 0.2 * p.k, p.y - 1, p.k, p.flat), size * 0.5, "#c9dbe8", opacity=0.5
    )
    return body, ""


def draw_pothole(obj, p):
    size = obj.get("size", 0.9)
    return _patch(p, size * 1.15, "#8a8d91") + _patch(p, size, "#1c1d1f"), ""


def draw_sand(obj, p):
    size = obj.get("size", 2.0)
    body = _patch(p, size, "#c8a96b", opacity=0.9)
    for i in range(9):  # gravel dots on a fixed pattern
        dx, dy = (
            ((i * 37) % 17 - 8) / 8 * 0.4 * size,
            ((i * 23) % 11 - 5) / 5 * 0.25 * size * p.flat,
        )
        body += circ(p.x + dx * p.k, p.y + dy * p.k, max(0.04 * p.k, 0.6), "#8d6e3f")
    return body, ""


def draw_oil(obj, p):
    size = obj.get("size", 1.6)
    return _patch(p, size, "#1d1b22", opacity=0.85) + _patch(
        p, size * 0.5, "#6a4c93", opacity=0.45
    ), ""


def draw_speed_bump(obj, p):
    size = obj.get("size", 7.0)
    w, h = size * p.k, max(0.3 * p.k * p.flat * 2, 2.0)
    out = [rect(p.x - w / 2, p.y - h, w, h, "#222")]
    n = 10
    out += [rect(p.x - w / 2 + i * w / n, p.y - h, w / n / 2, h, "#f5c400") for i in range(n)]
    return "".join(out), ""


VEHICLE_FACINGS = ("away", "toward", "left", "right")
KINDS: dict[str, Kind] = {
    "car": Kind(draw_car, "mobil", states=VEHICLE_STATES, box=(1.8, 1.5), box_len=4.3),
    "parked_car": Kind(
        draw_parked_car,
        "mobil parkir",
        states=VEHICLE_STATES + ("door_open",),
        box=(2.4, 1.5),
        box_len=4.3,
    ),
    "truck": Kind(draw_truck, "truk", states=VEHICLE_STATES, box=(2.4, 3.4), box_len=8.0),
    "bus": Kind(draw_bus, "bus", states=VEHICLE_STATES, box=(2.5, 3.3), box_len=11.0),
    "angkot": Kind(draw_angkot, "angkot", states=VEHICLE_STATES, box=(1.7, 1.9), box_len=4.0),
    "ambulance": Kind(
        draw_ambulance,
        "ambulans",
        states=VEHICLE_STATES + ("off", "on"),
        box=(1.9, 2.5),
        box_len=5.0,
    ),
    "fire_engine": Kind(
        draw_fire_engine,
        "mobil pemadam kebakaran",
        states=VEHICLE_STATES + ("off", "on"),
        box=(2.5, 3.4),
        box_len=8.0,
    ),
    "police": Kind(
        draw_police,
        "mobil polisi",
        states=VEHICLE_STATES + ("off", "on"),
        box=(1.8, 1.7),
        box_len=4.5,
    ),
    "motorcycle": Kind(
        draw_motorcycle,
        "sepeda motor",
        states=VEHICLE_STATES + ("passenger",),
        box=(0.9, 1.7),
        box_len=2.0,
    ),
    "bicycle": Kind(draw_bicycle, "sepeda", box=(0.8, 1.8), box_len=1.9),
    "pedestrian": Kind(draw_pedestrian, "pejalan kaki", states=("umbrella", "phone", "arm_up")),
    "child": Kind(draw_child, "anak", states=("umbrella", "arm_up"), box=(0.7, 1.2)),
    "police_officer": Kind(draw_police_officer, "polisi lalu lintas", facings=("toward",)),
    "ball": Kind(draw_ball, "bola", facings=("left", "right"), box=(0.5, 0.4), box_len=0.5),
    "animal": Kind(
        draw_animal,
        "hewan",
        facings=("left", "right", "away", "toward"),
        params={"species": tuple(ANIMALS)},
        box=(1.0, 1.4),
        box_len=2.0,
    ),
    "cart": Kind(draw_cart, "gerobak", facings=("away",), box=(2.2, 1.9)),
    "funeral": Kind(draw_funeral, "iring-iringan jenazah", box=(3.0, 2.5), box_len=14.0),
    "police_escort": Kind(
        draw_police_escort, "kendaraan dikawal polisi", box=(3.0, 1.8), box_len=12.0
    ),
    "train": Kind(
        draw_train, "kereta api", facings=("left", "right"), box=(20.0, 4.0), box_len=20.0
    ),
    "traffic_light": Kind(
        draw_traffic_light,
        "lampu lalu lintas",
        facings=("toward",),
        states=("red", "yellow", "green", "off", "blink_yellow"),
        box=(0.6, 3.6),
    ),
    "sign": Kind(
        draw_sign,
        "rambu",
        facings=("toward",),
        params={
            "shape": ("circle", "triangle", "diamond", "octagon", "rect"),
            "color": tuple(SIGN_COLORS),
        },
    ),
    "cone": Kind(draw_cone, "kerucut", facings=("toward",)),
    "barrier": Kind(draw_barrier, "pembatas pekerjaan jalan", facings=("toward",)),
    "warning_triangle": Kind(draw_warning_triangle, "segitiga pengaman", facings=("toward",)),
    "rail_gate": Kind(
        draw_rail_gate,
        "palang pintu kereta",
        facings=("toward",),
        states=("open", "closing", "closed"),
        box=(1.2, 3.4),
    ),
    "fallen_tree": Kind(draw_fallen_tree, "pohon tumbang", facings=("toward",), box=(6.0, 1.4)),
    "puddle": Kind(draw_puddle, "genangan air", layer="ground", facings=("toward",)),
    "pothole": Kind(draw_pothole, "lubang jalan", layer="ground", facings=("toward",)),
    "sand": Kind(draw_sand, "pasir/kerikil", layer="ground", facings=("toward",)),
    "oil": Kind(draw_oil, "tumpahan oli", layer="ground", facings=("toward",)),
    "speed_bump": Kind(draw_speed_bump, "polisi tidur", layer="ground", facings=("toward",)),
}
