"""Indonesian traffic signs (rambu lalu lintas) drawn as SVG from plain geometry.

Every sign is built by this module from circles, polygons, paths and text: no image files
and no copied artwork. Shapes and colours follow the four groups of PM 13/2014:

* ``larangan`` (prohibition): white disc, red ring, black symbol, red diagonal bar where the
  sign uses one; special shapes for STOP (red octagon), "beri prioritas" (inverted
  triangle), "larangan masuk" (red disc with a white bar) and the railway cross.
* ``perintah`` (mandatory): blue disc, white symbol.
* ``peringatan`` (warning): yellow diamond, black border, black symbol.
* ``petunjuk`` (guidance): blue or green rectangular panel, white symbol or text.

``render_sign(sign_id, size)`` returns a standalone, deterministic SVG document, named (``<title>``
and ``aria-label``) in Indonesian or, with ``lang="en"``, in English: each sign has both names.

Long because it is a catalogue: the geometry of every sign of the bank (``SIGNS``), each a few
lines drawn with the shared shapes of its group, kept beside the registry that names them.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from xml.sax.saxutils import escape

RED = "#C8102E"
BLUE = "#0057A8"
YELLOW = "#FFD100"
GREEN = "#00733B"
BLACK = "#1A1A1A"
WHITE = "#FFFFFF"

GROUPS = ("larangan", "perintah", "peringatan", "petunjuk")
FONT = "DejaVu Sans, Arial, Helvetica, sans-serif"

Point = tuple[float, float]


@dataclass(frozen=True)
class SignDef:
    """One sign: identity, Indonesian and English names, group, legal basis and how to draw it."""

    id: str
    name_id: str
    name_en: str
    group: str
    legal_basis: str
    shape: str
    symbol: Callable[[], str] = field(repr=False, compare=False)
    slash: bool = False
    view: tuple[int, int] = (100, 100)

    def name(self, lang: str = "id") -> str:
        """The sign's name in ``lang`` ("id" or "en")."""
        return self.name_en if lang == "en" else self.name_id


# --------------------------------------------------------------------------- primitives


def _n(value: float) -> str:
    """Format a number compactly and deterministically (at most two decimals)."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def _attrs(attrs: dict[str, object]) -> str:
    parts = []
    for key, value in attrs.items():
        text = _n(value) if isinstance(value, (int, float)) else str(value)
        parts.append(f'{key.replace("_", "-")}="{escape(text, {chr(34): "&quot;"})}"')
    return " ".join(parts)


def _el(tag: str, **attrs: object) -> str:
    return f"<{tag} {_attrs(attrs)}/>"


def _pts(points: Sequence[Point]) -> str:
    return " ".join(f"{_n(x)},{_n(y)}" for x, y in points)


def _circle(cx: float, cy: float, r: float, **style: object) -> str:
    return _el("circle", cx=cx, cy=cy, r=r, **style)


def _rect(x: float, y: float, w: float, h: float, **style: object) -> str:
    return _el("rect", x=x, y=y, width=w, height=h, **style)


def _poly(points: Sequence[Point], **style: object) -> str:
    return _el("polygon", points=_pts(points), **style)


def _path(d: str, **style: object) -> str:
    return _el("path", d=d, **style)


def _line(p: Point, q: Point, ink: str, width: float, cap: str = "round") -> str:
    return _el(
        "line",
        x1=p[0],
        y1=p[1],
        x2=q[0],
        y2=q[1],
        stroke=ink,
        stroke_width=width,
        stroke_linecap=cap,
    )


def _stroke(ink: str, width: float) -> dict[str, object]:
    return {
        "fill": "none",
        "stroke": ink,
        "stroke_width": width,
        "stroke_linecap": "round",
        "stroke_linejoin": "round",
    }


def _text(x: float, y: float, content: str, size: float, ink: str, anchor: str = "middle") -> str:
    attrs = _attrs(
        {
            "x": x,
            "y": y,
            "fill": ink,
            "font_family": FONT,
            "font_size": size,
            "font_weight": "bold",
            "text_anchor": anchor,
        }
    )
    return f"<text {attrs}>{escape(content)}</text>"


def _place(svg: str, cx: float = 50, cy: float = 50, scale: float = 1.0) -> str:
    """Move a symbol designed around (50, 50) to (cx, cy) and scale it."""
    if (cx, cy, scale) == (50, 50, 1.0):
        return svg
    dx, dy = cx - 50 * scale, cy - 50 * scale
    return f'<g transform="translate({_n(dx)} {_n(dy)}) scale({_n(scale)})">{svg}</g>'


def _rotate(svg: str, degrees: float, cx: float = 50, cy: float = 50) -> str:
    return f'<g transform="rotate({_n(degrees)} {_n(cx)} {_n(cy)})">{svg}</g>'


# --------------------------------------------------------------------------- arrows


def _unit(dx: float, dy: float) -> Point:
    length = math.hypot(dx, dy)
    return dx / length, dy / length


def _head(tip: Point, direction: Point, ink: str, length: float, half: float) -> str:
    ux, uy = _unit(*direction)
    bx, by = tip[0] - ux * length, tip[1] - uy * length
    return _poly(
        [tip, (bx - uy * half, by + ux * half), (bx + uy * half, by - ux * half)], fill=ink
    )


def _head_base(tip: Point, direction: Point, length: float) -> Point:
    ux, uy = _unit(*direction)
    return tip[0] - ux * length, tip[1] - uy * length


def _arrow(points: Sequence[Point], ink: str, width: float = 9) -> str:
    """Straight-segment arrow; the last point is the tip."""
    length, half = width * 1.6, width * 1.25
    *body, before, tip = points
    direction = (tip[0] - before[0], tip[1] - before[1])
    shaft = [*body, before, _head_base(tip, direction, length - 1)]
    d = "M" + " L".join(f"{_n(x)} {_n(y)}" for x, y in shaft)
    return _path(d, **_stroke(ink, width)) + _head(tip, direction, ink, length, half)


def _curved_arrow(start_d: str, ctrl: Point, tip: Point, ink: str, width: float = 9) -> str:
    """Arrow whose last segment is a quadratic curve from ``start_d`` via ``ctrl`` to ``tip``."""
    length, half = width * 1.6, width * 1.25
    direction = (tip[0] - ctrl[0], tip[1] - ctrl[1])
    bx, by = _head_base(tip, direction, length - 1)
    d = f"{start_d} Q{_n(ctrl[0])} {_n(ctrl[1])} {_n(bx)} {_n(by)}"
    return _path(d, **_stroke(ink, width)) + _head(tip, direction, ink, length, half)


def _u_turn(ink: str, width: float = 9) -> str:
    """U-turn for left-hand traffic: up on the left, over the top, down on the right."""
    length = width * 1.6
    tip = (63.0, 70.0)
    base_y = tip[1] - length + 1
    d = f"M37 84 V44 A13 13 0 0 1 63 44 V{_n(base_y)}"
    return _path(d, **_stroke(ink, width)) + _head(tip, (0, 1), ink, length, width * 1.25)


def _turn(ink: str, side: str) -> str:
    """Arrow going up, then turning left or right."""
    if side == "kiri":
        return _arrow([(60, 84), (60, 48), (24, 48)], ink)
    return _arrow([(40, 84), (40, 48), (76, 48)], ink)


def _straight(ink: str) -> str:
    return _arrow([(50, 84), (50, 16)], ink)


def _straight_or(ink: str, side: str) -> str:
    if side == "kiri":
        return _arrow([(58, 84), (58, 16)], ink) + _curved_arrow("M58 70", (58, 46), (24, 44), ink)
    return _arrow([(42, 84), (42, 16)], ink) + _curved_arrow("M42 70", (42, 46), (76, 44), ink)


def _left_or_right(ink: str) -> str:
    return _arrow([(50, 84), (50, 46), (20, 46)], ink) + _arrow([(50, 46), (80, 46)], ink)


def _keep(ink: str, side: str) -> str:
    if side == "kiri":
        return _arrow([(70, 26), (30, 72)], ink, 10)
    return _arrow([(30, 26), (70, 72)], ink, 10)


def _roundabout(ink: str, width: float = 7.5) -> str:
    """Three arrows turning clockwise (left-hand traffic) around the centre."""
    r, parts = 21.0, []
    head_len = width * 1.6
    for k in range(3):
        start = math.radians(-80 + 120 * k)
        tip_angle = start + math.radians(92)
        end = tip_angle - (head_len - 3) / r
        p0 = (50 + r * math.cos(start), 50 + r * math.sin(start))
        p1 = (50 + r * math.cos(end), 50 + r * math.sin(end))
        tip = (50 + r * math.cos(tip_angle), 50 + r * math.sin(tip_angle))
        d = f"M{_n(p0[0])} {_n(p0[1])} A{_n(r)} {_n(r)} 0 0 1 {_n(p1[0])} {_n(p1[1])}"
        tangent = (-math.sin(tip_angle), math.cos(tip_angle))
        parts.append(_path(d, **_stroke(ink, width)))
        parts.append(_head(tip, tangent, ink, head_len, width * 1.25))
    return "".join(parts)


# --------------------------------------------------------------------------- vehicles & people


def _car(ink: str, bg: str) -> str:
    """Passenger car seen from the side, facing right."""
    body = (
        "M18 60 V52 Q18 47 24 46 L33 45 L41 35 Q43 33 47 33 H61 Q64 33 66 35 L74 45 "
        "Q82 46 82 52 V60 Z"
    )
    return (
        _path(body, fill=ink)
        + _path("M37 45 L43 37.5 H52 V45 Z", fill=bg)
        + _path("M56 37.5 H62 L68 45 H56 Z", fill=bg)
        + _wheel(31, 61, 7.5, ink, bg)
        + _wheel(69, 61, 7.5, ink, bg)
    )


def _wheel(cx: float, cy: float, r: float, ink: str, bg: str) -> str:
    return _circle(cx, cy, r, fill=ink, stroke=bg, stroke_width=1.5) + _circle(
        cx, cy, r * 0.38, fill=bg
    )


def _car_rear(cx: float, ink: str, bg: str) -> str:
    """Small car seen from behind, centred on x = cx."""
    return (
        _path(f"M{_n(cx - 9)} 47 L{_n(cx - 7)} 37 H{_n(cx + 7)} L{_n(cx + 9)} 47 Z", fill=ink)
        + _rect(cx - 6, 39.5, 12, 6, fill=bg)
        + _rect(cx - 13, 46, 26, 15, rx=3, fill=ink)
        + _rect(cx - 12, 59, 6, 8, rx=1.5, fill=ink)
        + _rect(cx + 6, 59, 6, 8, rx=1.5, fill=ink)
    )


def _motorcycle(ink: str, bg: str) -> str:
    """Motorcycle with rider, side view, facing right."""
    ring = _stroke(ink, 4.5)
    return (
        _circle(26, 66, 11, **ring)
        + _circle(74, 66, 11, **ring)
        + _line((26, 66), (44, 60), ink, 5)
        + _poly([(34, 52), (44, 45), (64, 45), (71, 52), (62, 62), (42, 62)], fill=ink)
        + _line((74, 66), (66, 39), ink, 5)
        + _line((61, 37), (70, 37), ink, 4.5)
        + _circle(47, 19, 6.5, fill=ink)
        + _line((46, 28), (43, 43), ink, 8)
        + _line((46, 31), (63, 38), ink, 5)
        + _path("M43 43 L56 47 L54 58", **_stroke(ink, 6.5))
    )


def _truck(ink: str, bg: str) -> str:
    """Goods vehicle (truck), side view, facing right."""
    return (
        _rect(14, 30, 46, 28, fill=ink)
        + _path("M62 38 H73 Q76 38 78 41 L85 50 V58 H62 Z", fill=ink)
        + _path("M66 41.5 H72 L78 50 H66 Z", fill=bg)
        + _rect(14, 57, 71, 4, fill=ink)
        + _wheel(27, 63, 7, ink, bg)
        + _wheel(72, 63, 7, ink, bg)
    )


def _bus(ink: str, bg: str) -> str:
    """Bus, side view, facing right."""
    windows = "".join(_rect(20 + 13 * i, 38, 9, 9, rx=1, fill=bg) for i in range(4))
    return (
        _rect(14, 32, 72, 28, rx=4, fill=ink)
        + windows
        + _rect(73, 38, 9, 12, rx=1, fill=bg)
        + _wheel(29, 61, 7, ink, bg)
        + _wheel(71, 61, 7, ink, bg)
    )


def _bicycle(ink: str) -> str:
    """Bicycle, side view, facing right."""
    ring = _stroke(ink, 4)
    frame = "M28 64 L47 64 L41 44 Z M47 64 L64 46 L41 44 M64 46 L72 64 M61 38 L64 46"
    return (
        _circle(28, 64, 13, **ring)
        + _circle(72, 64, 13, **ring)
        + _path(frame, **_stroke(ink, 4))
        + _line((35, 41), (46, 41), ink, 4.5)
        + _line((58, 37), (66, 36), ink, 4.5)
    )


def _figure(ink: str, cx: float = 50, cy: float = 50, scale: float = 1.0) -> str:
    """Walking person, about 60 units tall at scale 1, facing right."""
    limbs = _stroke(ink, 7)
    person = (
        _circle(52, 22, 7, fill=ink)
        + _path("M51 33 L47 55", **limbs)
        + _path("M50 37 L40 48 M51 37 L62 46", **_stroke(ink, 5.5))
        + _path("M47 55 L38 78 M47 55 L58 77", **limbs)
    )
    return _place(person, cx, cy, scale)


def _children(ink: str) -> str:
    return _figure(ink, 38, 54, 0.78) + _figure(ink, 64, 60, 0.62)


def _horn(ink: str) -> str:
    """Trumpet-shaped horn with sound waves."""
    waves = "M66 40 Q72 50 66 60 M73 33 Q83 50 73 67"
    return _path("M20 44 H33 L58 29 V71 L33 56 H20 Z", fill=ink) + _path(waves, **_stroke(ink, 4))


def _cow(ink: str) -> str:
    legs = "".join(_rect(x, 56, 5, 16, fill=ink) for x in (36, 44, 62, 70))
    return (
        _rect(34, 40, 42, 20, rx=7, fill=ink)
        + legs
        + _path("M36 44 L24 40 L20 48 L26 54 L36 52 Z", fill=ink)
        + _path("M25 40 L21 33 M28 40 L31 34", **_stroke(ink, 3))
        + _path("M76 44 Q82 50 80 60", **_stroke(ink, 3))
    )


def _locomotive(ink: str) -> str:
    wheels = "".join(_circle(x, 66, 6, fill=ink) for x in (30, 46, 64))
    return (
        _rect(22, 44, 38, 18, rx=2, fill=ink)
        + _rect(56, 32, 20, 30, rx=2, fill=ink)
        + _rect(28, 32, 8, 12, fill=ink)
        + _rect(25, 28, 14, 5, fill=ink)
        + _poly([(22, 62), (14, 70), (24, 70)], fill=ink)
        + wheels
    )


def _fence(ink: str) -> str:
    """Railway gate: posts and two rails."""
    posts = "".join(
        _poly([(x, 66), (x, 38), (x + 3, 34), (x + 6, 38), (x + 6, 66)], fill=ink)
        for x in (22, 34, 47, 60, 72)
    )
    return posts + _rect(18, 42, 64, 5, fill=ink) + _rect(18, 56, 64, 5, fill=ink)


def _traffic_light() -> str:
    return (
        _rect(37, 18, 26, 64, rx=6, fill=BLACK)
        + _circle(50, 31, 7, fill=RED)
        + _circle(50, 50, 7, fill=YELLOW)
        + _circle(50, 69, 7, fill="#00A651")
    )


def _zebra(ink: str, y: float = 74, h: float = 8) -> str:
    return "".join(_rect(24 + 11 * i, y, 7, h, fill=ink) for i in range(5))


# --------------------------------------------------------------------------- symbols per sign


def _word(text: str, size: float, ink: str, y: float = 50) -> Callable[[], str]:
    return lambda: _text(50, y + size * 0.36, text, size, ink)


def _limit_marks(ink: str, axis: str) -> str:
    if axis == "v":
        return _poly([(40, 16), (60, 16), (50, 27)], fill=ink) + _poly(
            [(40, 84), (60, 84), (50, 73)], fill=ink
        )
    return _poly([(16, 40), (16, 60), (27, 50)], fill=ink) + _poly(
        [(84, 40), (84, 60), (73, 50)], fill=ink
    )


def _motor_vehicles(ink: str, bg: str) -> str:
    return _place(_car(ink, bg), 50, 30, 0.6) + _place(_motorcycle(ink, bg), 50, 67, 0.5)


def _two_cars() -> str:
    return _car_rear(34, BLACK, WHITE) + _car_rear(66, RED, WHITE)


def _curve(ink: str, side: str) -> str:
    if side == "kiri":
        return _curved_arrow("M58 78 L58 56", (58, 34), (30, 32), ink)
    return _curved_arrow("M42 78 L42 56", (42, 34), (70, 32), ink)


def _double_curve(ink: str) -> str:
    return _curved_arrow("M56 80 Q56 62 46 54 Q36 46 40 36", (42, 30), (52, 24), ink, 8)


def _crossroads(ink: str) -> str:
    return _rect(45, 20, 10, 60, fill=ink) + _rect(20, 45, 60, 10, fill=ink)


def _t_junction(ink: str) -> str:
    return _rect(20, 28, 60, 10, fill=ink) + _rect(45, 28, 10, 52, fill=ink)


def _side_left(ink: str) -> str:
    return _rect(48, 20, 10, 60, fill=ink) + _rect(22, 45, 30, 10, fill=ink)


def _narrowing(ink: str) -> str:
    lines = "M34 82 V60 L43 46 V18 M66 82 V60 L57 46 V18"
    return _path(lines, **_stroke(ink, 6))


def _slope(ink: str, down: bool) -> str:
    if down:
        wedge, label_x = [(20, 36), (80, 68), (20, 68)], 64
    else:
        wedge, label_x = [(20, 68), (80, 36), (80, 68)], 36
    return _poly(wedge, fill=ink) + _text(label_x, 44, "10%", 13, ink)


def _slippery(ink: str) -> str:
    skid = "M34 78 Q40 70 34 62 M50 78 Q56 70 50 62"
    return _place(_car(ink, YELLOW), 54, 42, 0.6) + _path(skid, **_stroke(ink, 4))


def _bump(ink: str) -> str:
    return _path("M18 66 H34 Q50 40 66 66 H82", **_stroke(ink, 5)) + _path(
        "M34 66 Q50 40 66 66 Z", fill=ink
    )


def _two_way(ink: str) -> str:
    return _arrow([(40, 78), (40, 22)], ink, 8) + _arrow([(60, 22), (60, 78)], ink, 8)


def _exclamation(ink: str) -> str:
    return _path("M46 22 H54 L52 58 H48 Z", fill=ink) + _circle(50, 68, 5.5, fill=ink)


def _ped_crossing(ink: str) -> str:
    return _figure(ink, 50, 44, 0.8) + _zebra(ink)


def _uturn_panel() -> str:
    return _u_turn(WHITE, 10)


def _dead_end() -> str:
    return _rect(43, 34, 14, 50, fill=WHITE) + _rect(22, 18, 56, 16, fill=RED)


def _fuel_pump() -> str:
    return (
        _rect(18, 14, 64, 72, rx=4, fill=WHITE)
        + _rect(30, 28, 26, 48, rx=2, fill=BLACK)
        + _rect(34, 33, 18, 11, fill=WHITE)
        + _path(
            "M56 40 H63 Q66 40 66 43 V62 Q66 66 70 66 Q73 66 73 62 V36 L68 30",
            **_stroke(BLACK, 3.5),
        )
    )


def _parking_motor() -> str:
    return _text(50, 52, "P", 46, WHITE) + _place(_motorcycle(WHITE, BLUE), 50, 72, 0.42)


def _crossing_panel() -> str:
    return (
        _poly([(50, 12), (88, 82), (12, 82)], fill=WHITE)
        + _figure(BLACK, 50, 54, 0.5)
        + _zebra(BLACK, 72, 5)
    )


def _one_way() -> str:
    return _arrow([(16, 50), (84, 50)], WHITE, 11)


def _direction_panel() -> str:
    return (
        _arrow([(24, 48), (24, 18)], WHITE, 6)
        + _text(42, 42, "Bogor", 20, WHITE, "start")
        + _arrow([(36, 74), (14, 74)], WHITE, 6)
        + _text(42, 81, "Depok", 20, WHITE, "start")
    )


def _street_name() -> str:
    return _text(100, 38, "Jl. Merdeka", 22, WHITE)


# --------------------------------------------------------------------------- backgrounds


def _bg_disc() -> str:
    return _circle(50, 50, 43.5, fill=WHITE, stroke=RED, stroke_width=9)


def _bg_disc_red() -> str:
    return _circle(50, 50, 47, fill=RED, stroke=WHITE, stroke_width=2) + _rect(
        16, 42, 68, 16, fill=WHITE
    )


def _bg_disc_blue() -> str:
    return _circle(50, 50, 47, fill=BLUE, stroke=WHITE, stroke_width=2)


def _bg_octagon() -> str:
    points = [
        (
            50 + 47 * math.cos(math.radians(22.5 + 45 * k)),
            50 + 47 * math.sin(math.radians(22.5 + 45 * k)),
        )
        for k in range(8)
    ]
    return _poly(points, fill=RED, stroke=WHITE, stroke_width=3) + _text(50, 61, "STOP", 28, WHITE)


def _bg_triangle_down() -> str:
    outer = [(4.0, 10.0), (96.0, 10.0), (50.0, 90.0)]
    cx, cy = 50.0, sum(p[1] for p in outer) / 3
    inner = [(cx + 0.66 * (x - cx), cy + 0.66 * (y - cy)) for x, y in outer]
    return _poly(outer, fill=RED, stroke=RED, stroke_width=4, stroke_linejoin="round") + _poly(
        inner, fill=WHITE
    )


def _arm(length: float, width: float) -> list[Point]:
    half, tip = length / 2, width / 2
    return [
        (50 - half, 50),
        (50 - half + tip, 50 - tip),
        (50 + half - tip, 50 - tip),
        (50 + half, 50),
        (50 + half - tip, 50 + tip),
        (50 - half + tip, 50 + tip),
    ]


def _bg_cross() -> str:
    outer, inner = _arm(112, 20), _arm(100, 11)
    return (
        _rotate(_poly(outer, fill=RED), 45)
        + _rotate(_poly(outer, fill=RED), -45)
        + _rotate(_poly(inner, fill=WHITE), 45)
        + _rotate(_poly(inner, fill=WHITE), -45)
    )


def _bg_diamond() -> str:
    points = [(50, 3), (97, 50), (50, 97), (3, 50)]
    return _poly(points, fill=YELLOW, stroke=BLACK, stroke_width=4, stroke_linejoin="round")


def _panel(fill: str, w: int, h: int) -> str:
    return _rect(1.5, 1.5, w - 3, h - 3, rx=7, fill=fill) + _rect(
        5.5, 5.5, w - 11, h - 11, rx=4.5, fill="none", stroke=WHITE, stroke_width=2.5
    )


def _bg_panel_blue_wide() -> str:
    return _rect(2, 24, 96, 52, rx=6, fill=BLUE) + _rect(
        5.5, 27.5, 89, 45, rx=4, fill="none", stroke=WHITE, stroke_width=2.5
    )


_BACKGROUNDS: dict[str, Callable[[int, int], str]] = {
    "disc": lambda w, h: _bg_disc(),
    "disc_red": lambda w, h: _bg_disc_red(),
    "disc_blue": lambda w, h: _bg_disc_blue(),
    "octagon": lambda w, h: _bg_octagon(),
    "triangle_down": lambda w, h: _bg_triangle_down(),
    "cross": lambda w, h: _bg_cross(),
    "diamond": lambda w, h: _bg_diamond(),
    "panel_blue": lambda w, h: _panel(BLUE, w, h),
    "panel_blue_wide": lambda w, h: _bg_panel_blue_wide(),
    "panel_green": lambda w, h: _panel(GREEN, w, h),
}

_SLASH = _line((22.1, 22.1), (77.9, 77.9), RED, 8, cap="butt")


def _nothing() -> str:
    return ""


# --------------------------------------------------------------------------- registry

_BASIS_LARANGAN = "PM 13/2014 Pasal 11 ayat (2) huruf {} dan Pasal 13 (rambu larangan)"
_BASIS_BATAS = "PM 13/2014 (rambu larangan, batas {}); warna menurut Pasal 13"
_BASIS_PERINTAH = "PM 13/2014 (rambu perintah; warna menurut Pasal 17)"
_BASIS_PERINGATAN = "PM 13/2014 Pasal 8{} (rambu peringatan)"
_BASIS_PETUNJUK = "PM 13/2014 (rambu petunjuk)"


def _larangan(
    sign_id: str, name: str, name_en: str, huruf: str, symbol: Callable[[], str], slash: bool
) -> SignDef:
    basis = _BASIS_LARANGAN.format(huruf)
    return SignDef(sign_id, name, name_en, "larangan", basis, "disc", symbol, slash)


def _perintah(
    sign_id: str, name: str, name_en: str, symbol: Callable[[], str], slash: bool = False
) -> SignDef:
    return SignDef(sign_id, name, name_en, "perintah", _BASIS_PERINTAH, "disc_blue", symbol, slash)


def _peringatan(
    sign_id: str, name: str, name_en: str, huruf: str, symbol: Callable[[], str]
) -> SignDef:
    basis = _BASIS_PERINGATAN.format(f" huruf {huruf}" if huruf else "")
    return SignDef(sign_id, name, name_en, "peringatan", basis, "diamond", symbol)


def _petunjuk(
    sign_id: str,
    name: str,
    name_en: str,
    symbol: Callable[[], str],
    shape: str = "panel_blue",
    view: tuple[int, int] = (100, 100),
) -> SignDef:
    basis = _BASIS_PETUNJUK
    return SignDef(sign_id, name, name_en, "petunjuk", basis, shape, symbol, False, view)


def _pasal12(huruf: str) -> str:
    return f"PM 13/2014 Pasal 12 ayat (1) huruf {huruf} (larangan berjalan terus)"


_K, _W = BLACK, WHITE

_DEFS: list[SignDef] = [
    # ---- larangan
    SignDef(
        "stop",
        "Larangan berjalan terus, wajib berhenti sesaat (STOP)",
        "Stop briefly before going on (STOP)",
        "larangan",
        _pasal12("a"),
        "octagon",
        _nothing,
    ),
    SignDef(
        "beri_prioritas",
        "Larangan berjalan terus, wajib memberi prioritas kepada arus dari arah lain",
        "Give way to traffic from other directions",
        "larangan",
        _pasal12("b"),
        "triangle_down",
        _nothing,
    ),
    SignDef(
        "silang_kereta_api",
        "Larangan berjalan terus pada perlintasan sebidang kereta api jalur tunggal",
        "Single-track level crossing: stop before going on",
        "larangan",
        _pasal12("e"),
        "cross",
        _nothing,
    ),
    SignDef(
        "larangan_masuk",
        "Larangan masuk bagi kendaraan bermotor maupun tidak bermotor",
        "No entry for motor and non-motor vehicles",
        "larangan",
        _BASIS_LARANGAN.format("b"),
        "disc_red",
        _nothing,
    ),
    _larangan(
        "larangan_masuk_kendaraan_bermotor",
        "Larangan masuk bagi kendaraan bermotor",
        "No entry for motor vehicles",
        "b",
        lambda: _motor_vehicles(_K, _W),
        True,
    ),
    _larangan(
        "larangan_masuk_mobil",
        "Larangan masuk bagi mobil penumpang",
        "No entry for passenger cars",
        "b",
        lambda: _car(_K, _W),
        True,
    ),
    _larangan(
        "larangan_masuk_sepeda_motor",
        "Larangan masuk bagi sepeda motor",
        "No entry for motorcycles",
        "b",
        lambda: _motorcycle(_K, _W),
        True,
    ),
    _larangan(
        "larangan_masuk_truk",
        "Larangan masuk bagi mobil barang (truk)",
        "No entry for goods vehicles (lorries)",
        "b",
        lambda: _truck(_K, _W),
        True,
    ),
    _larangan(
        "larangan_masuk_bus",
        "Larangan masuk bagi bus",
        "No entry for buses",
        "b",
        lambda: _bus(_K, _W),
        True,
    ),
    _larangan(
        "larangan_masuk_sepeda",
        "Larangan masuk bagi sepeda",
        "No entry for bicycles",
        "b",
        lambda: _bicycle(_K),
        True,
    ),
    _larangan(
        "larangan_masuk_pejalan_kaki",
        "Larangan masuk bagi pejalan kaki",
        "No entry for pedestrians",
        "b",
        lambda: _figure(_K),
        True,
    ),
    _larangan("larangan_parkir", "Larangan parkir", "No parking", "c", _word("P", 52, _K), True),
    _larangan(
        "larangan_berhenti", "Larangan berhenti", "No stopping", "c", _word("S", 52, _K), True
    ),
    _larangan(
        "larangan_belok_kiri",
        "Larangan belok kiri",
        "No left turn",
        "d",
        lambda: _turn(_K, "kiri"),
        True,
    ),
    _larangan(
        "larangan_belok_kanan",
        "Larangan belok kanan",
        "No right turn",
        "d",
        lambda: _turn(_K, "kanan"),
        True,
    ),
    _larangan(
        "larangan_putar_balik",
        "Larangan memutar balik",
        "No U-turn",
        "d",
        lambda: _u_turn(_K),
        True,
    ),
    _larangan(
        "larangan_mendahului",
        "Larangan mendahului kendaraan lain",
        "No overtaking",
        "d",
        _two_cars,
        False,
    ),
    _larangan(
        "larangan_klakson",
        "Larangan membunyikan isyarat suara (klakson)",
        "No sounding of horns",
        "e",
        lambda: _horn(_K),
        True,
    ),
    SignDef(
        "batas_kecepatan_40",
        "Batas kecepatan maksimum 40 km/jam",
        "Maximum speed 40 km/h",
        "larangan",
        _BASIS_BATAS.format("kecepatan") + "; PM 111/2015",
        "disc",
        _word("40", 38, _K),
    ),
    SignDef(
        "batas_tinggi",
        "Larangan masuk bagi kendaraan yang tingginya lebih dari 3,5 meter",
        "No entry for vehicles over 3.5 metres high",
        "larangan",
        _BASIS_BATAS.format("tinggi kendaraan"),
        "disc",
        lambda: _limit_marks(_K, "v") + _text(50, 57, "3,5 m", 19, _K),
    ),
    SignDef(
        "batas_lebar",
        "Larangan masuk bagi kendaraan yang lebarnya lebih dari 2,1 meter",
        "No entry for vehicles over 2.1 metres wide",
        "larangan",
        _BASIS_BATAS.format("lebar kendaraan"),
        "disc",
        lambda: _limit_marks(_K, "h") + _text(50, 55, "2,1 m", 14, _K),
    ),
    SignDef(
        "batas_berat",
        "Larangan masuk bagi kendaraan yang beratnya lebih dari 10 ton",
        "No entry for vehicles over 10 tonnes",
        "larangan",
        _BASIS_BATAS.format("berat kendaraan"),
        "disc",
        _word("10 t", 28, _K),
    ),
    # ---- perintah
    _perintah("wajib_lurus", "Perintah mengikuti arah lurus", "Ahead only", lambda: _straight(_W)),
    _perintah("wajib_belok_kiri", "Perintah belok kiri", "Turn left", lambda: _turn(_W, "kiri")),
    _perintah(
        "wajib_belok_kanan", "Perintah belok kanan", "Turn right", lambda: _turn(_W, "kanan")
    ),
    _perintah(
        "wajib_lurus_atau_kiri",
        "Perintah memilih arah lurus atau belok kiri",
        "Ahead or turn left",
        lambda: _straight_or(_W, "kiri"),
    ),
    _perintah(
        "wajib_lurus_atau_kanan",
        "Perintah memilih arah lurus atau belok kanan",
        "Ahead or turn right",
        lambda: _straight_or(_W, "kanan"),
    ),
    _perintah(
        "wajib_kiri_atau_kanan",
        "Perintah memilih arah belok kiri atau belok kanan",
        "Turn left or turn right",
        lambda: _left_or_right(_W),
    ),
    _perintah(
        "wajib_lajur_kiri",
        "Perintah melewati bagian jalan sebelah kiri",
        "Keep left",
        lambda: _keep(_W, "kiri"),
    ),
    _perintah(
        "wajib_lajur_kanan",
        "Perintah melewati bagian jalan sebelah kanan",
        "Keep right",
        lambda: _keep(_W, "kanan"),
    ),
    _perintah(
        "wajib_bundaran",
        "Perintah mengikuti arah bundaran",
        "Follow the roundabout",
        lambda: _roundabout(_W),
    ),
    _perintah(
        "jalur_sepeda_motor",
        "Perintah menggunakan jalur atau lajur khusus sepeda motor",
        "Route or lane for motorcycles only",
        lambda: _motorcycle(_W, BLUE),
    ),
    _perintah(
        "jalur_sepeda",
        "Perintah menggunakan jalur atau lajur khusus sepeda",
        "Route or lane for bicycles only",
        lambda: _bicycle(_W),
    ),
    _perintah(
        "jalur_pejalan_kaki",
        "Perintah menggunakan jalur khusus pejalan kaki",
        "Route for pedestrians only",
        lambda: _figure(_W),
    ),
    _perintah(
        "kecepatan_minimum_60",
        "Batas kecepatan minimum 60 km/jam",
        "Minimum speed 60 km/h",
        _word("60", 38, _W),
    ),
    _perintah(
        "akhir_kecepatan_minimum_60",
        "Batas akhir kecepatan minimum 60 km/jam",
        "End of minimum speed 60 km/h",
        _word("60", 38, _W),
        slash=True,
    ),
    # ---- peringatan
    _peringatan(
        "tikungan_kiri",
        "Peringatan tikungan ke kiri",
        "Bend to the left ahead",
        "a",
        lambda: _curve(_K, "kiri"),
    ),
    _peringatan(
        "tikungan_kanan",
        "Peringatan tikungan ke kanan",
        "Bend to the right ahead",
        "a",
        lambda: _curve(_K, "kanan"),
    ),
    _peringatan(
        "tikungan_ganda",
        "Peringatan tikungan ganda, diawali ke kiri",
        "Double bend ahead, first to the left",
        "a",
        lambda: _double_curve(_K),
    ),
    _peringatan(
        "persimpangan_empat",
        "Peringatan persimpangan empat",
        "Crossroads ahead",
        "",
        lambda: _crossroads(_K),
    ),
    _peringatan(
        "persimpangan_tiga",
        "Peringatan persimpangan tiga (bentuk T)",
        "T-junction ahead",
        "",
        lambda: _t_junction(_K),
    ),
    _peringatan(
        "persimpangan_tiga_kiri",
        "Peringatan persimpangan tiga sisi kiri",
        "Side road joining from the left ahead",
        "",
        lambda: _side_left(_K),
    ),
    _peringatan(
        "jalan_menyempit",
        "Peringatan penyempitan jalan di kedua sisi",
        "Road narrows on both sides ahead",
        "",
        lambda: _narrowing(_K),
    ),
    _peringatan(
        "turunan_curam",
        "Peringatan turunan curam",
        "Steep descent ahead",
        "b",
        lambda: _slope(_K, True),
    ),
    _peringatan(
        "tanjakan_curam",
        "Peringatan tanjakan curam",
        "Steep climb ahead",
        "b",
        lambda: _slope(_K, False),
    ),
    _peringatan(
        "jalan_licin",
        "Peringatan permukaan jalan yang licin",
        "Slippery road surface ahead",
        "c",
        lambda: _slippery(_K),
    ),
    _peringatan(
        "alat_pembatas_kecepatan",
        "Peringatan permukaan jalan cembung atau alat pembatas kecepatan",
        "Hump or speed bump ahead",
        "c",
        lambda: _bump(_K),
    ),
    _peringatan(
        "apill_di_depan",
        "Peringatan pengaturan persinyalan (APILL) di depan",
        "Traffic lights (APILL) ahead",
        "d",
        _traffic_light,
    ),
    _peringatan(
        "jalan_dua_arah",
        "Peringatan lalu lintas dua arah",
        "Two-way traffic ahead",
        "",
        lambda: _two_way(_K),
    ),
    _peringatan(
        "bundaran_di_depan",
        "Peringatan bundaran di depan",
        "Roundabout ahead",
        "",
        lambda: _roundabout(_K, 7),
    ),
    _peringatan(
        "hati_hati",
        "Peringatan hati-hati (bahaya lain)",
        "Caution (other danger)",
        "",
        lambda: _exclamation(_K),
    ),
    _peringatan(
        "perlintasan_ka_berpintu",
        "Peringatan perlintasan sebidang kereta api dengan pintu",
        "Level crossing with gates ahead",
        "",
        lambda: _fence(_K),
    ),
    _peringatan(
        "perlintasan_ka_tanpa_pintu",
        "Peringatan perlintasan sebidang kereta api tanpa pintu",
        "Level crossing without gates ahead",
        "",
        lambda: _locomotive(_K),
    ),
    _peringatan(
        "penyeberangan_pejalan_kaki",
        "Peringatan banyak pejalan kaki menggunakan fasilitas penyeberangan",
        "Many pedestrians using a crossing ahead",
        "f",
        lambda: _ped_crossing(_K),
    ),
    _peringatan(
        "banyak_anak",
        "Peringatan banyak lalu lintas pejalan kaki anak-anak",
        "Many children on foot ahead",
        "f",
        lambda: _children(_K),
    ),
    _peringatan(
        "banyak_sepeda",
        "Peringatan banyak lalu lintas sepeda",
        "Many cyclists ahead",
        "f",
        lambda: _place(_bicycle(_K), 50, 50, 0.82),
    ),
    _peringatan(
        "hewan_ternak",
        "Peringatan banyak hewan ternak melintas",
        "Livestock crossing ahead",
        "f",
        lambda: _cow(_K),
    ),
    _peringatan(
        "kendaraan_berat",
        "Peringatan banyak lalu lintas kendaraan berat",
        "Much heavy-vehicle traffic ahead",
        "e",
        lambda: _place(_truck(_K, YELLOW), 50, 50, 0.78),
    ),
    # ---- petunjuk
    _petunjuk(
        "tempat_parkir", "Petunjuk lokasi tempat parkir", "Parking place", _word("P", 70, _W)
    ),
    _petunjuk(
        "parkir_sepeda_motor",
        "Petunjuk lokasi tempat parkir sepeda motor",
        "Motorcycle parking place",
        _parking_motor,
    ),
    _petunjuk(
        "spbu",
        "Petunjuk lokasi stasiun pengisian bahan bakar (SPBU)",
        "Filling station (SPBU)",
        _fuel_pump,
    ),
    _petunjuk(
        "jalan_satu_arah", "Petunjuk jalan satu arah", "One-way road", _one_way, "panel_blue_wide"
    ),
    _petunjuk("jalan_buntu", "Petunjuk jalan buntu", "Dead end", _dead_end),
    _petunjuk("lokasi_putar_balik", "Petunjuk lokasi putar balik", "U-turn place", _uturn_panel),
    _petunjuk(
        "halte_bus",
        "Petunjuk lokasi pemberhentian bus (halte)",
        "Bus stop (halte)",
        lambda: _place(_bus(_W, BLUE), 50, 50, 0.85),
    ),
    _petunjuk(
        "lokasi_penyeberangan",
        "Petunjuk lokasi penyeberangan pejalan kaki",
        "Pedestrian crossing place",
        _crossing_panel,
    ),
    _petunjuk(
        "petunjuk_jurusan",
        "Petunjuk jurusan (arah ke kota atau kawasan)",
        "Direction sign (to towns or areas)",
        _direction_panel,
        "panel_green",
        (160, 100),
    ),
    _petunjuk(
        "nama_jalan", "Papan nama jalan", "Street name sign", _street_name, "panel_green", (200, 60)
    ),
]


def _build_registry(defs: list[SignDef]) -> dict[str, SignDef]:
    registry: dict[str, SignDef] = {}
    for sign in defs:
        if sign.id in registry:
            raise ValueError(f"duplicate sign id: {sign.id}")
        if sign.group not in GROUPS or sign.shape not in _BACKGROUNDS:
            raise ValueError(f"bad group or shape for sign {sign.id}")
        registry[sign.id] = sign
    return registry


SIGNS: dict[str, SignDef] = _build_registry(_DEFS)


def render_sign(sign_id: str, size: int = 160, *, named: bool = True, lang: str = "id") -> str:
    """Return a standalone SVG document for ``sign_id``; ``size`` is the longer side in px.
    ``named=False``: no ``<title>`` or ``aria-label`` (an official paper must not name the
    sign); the drawing is the same. ``lang``: the language of the name ("id" or "en"; an
    English one says so with ``lang="en"``)."""
    if sign_id not in SIGNS:
        raise KeyError(f"unknown sign id: {sign_id!r}")
    if not isinstance(size, int) or isinstance(size, bool) or size <= 0:
        raise ValueError("size must be a positive integer")
    sign = SIGNS[sign_id]
    w, h = sign.view
    scale = size / max(w, h)
    body = _BACKGROUNDS[sign.shape](w, h) + sign.symbol() + (_SLASH if sign.slash else "")
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" '
        f'width="{_n(w * scale)}" height="{_n(h * scale)}" role="img"'
    )
    if not named:
        return f"{head}>{body}</svg>"
    name = sign.name(lang)
    label = escape(name, {chr(34): "&quot;"})
    marked = ' lang="en"' if lang == "en" else ""  # an Indonesian drawing keeps its bytes
    return f'{head}{marked} aria-label="{label}"><title>{escape(name)}</title>{body}</svg>'
