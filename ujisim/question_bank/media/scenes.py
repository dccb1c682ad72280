"""Hazard-perception traffic scenes drawn as SVG by our own code.

``render_scene(spec, vehicle_class, size=(640, 400)) -> str`` draws the scene described by
``spec`` (declarative data written in the question YAML under ``media: {scene: {...}}``) as seen
from behind a car's steering wheel (``vehicle_class="A"``: windscreen pillars, dashboard, wheel,
interior and wing mirrors; Indonesian cars are right-hand drive) or from behind a motorcycle's
handlebars (``"C"``: bars, grips, round mirrors, speedometer). ``render_scene`` raises
``ValueError`` on a spec in which ``scene_spec.validate_scene`` finds problems. Output is a
standalone, deterministic SVG (``xmlns``, ``viewBox="0 0 640 400"``, ``role="img"``,
``<title>``) with no scripts and no external references; ``size`` sets its ``width``/``height``;
``lang="en"`` draws its English description and captions (``title_en``, ``label_en``) where the
spec has them.
``object_anchors(spec, vehicle_class)`` tells where each object stands on the screen, so authors
and tests can check that the hazard is inside the picture.

Modules: ``scene_spec`` (the spec's vocabulary and its validation), ``scene_objects`` (one
drawing function per object kind, table ``KINDS``), ``scene_roads`` (projection, road types,
the road), ``scene_scenery`` (what stands beside it), ``scene_cockpit`` (the car/motorcycle
foreground and mirrors).
"""

from __future__ import annotations

from . import scene_cockpit, scene_roads, scene_scenery
from .scene_objects import KINDS, Place, el, ell, escape, rect, text
from .scene_roads import CX, HEIGHT, ROAD_TYPES, WIDTH, Y_HORIZON, View, fmt, poly, y_of
from .scene_spec import validate_scene

VEHICLE_KINDS = {
    "car",
    "parked_car",
    "truck",
    "bus",
    "angkot",
    "ambulance",
    "fire_engine",
    "police",
    "motorcycle",
    "bicycle",
    "funeral",
    "police_escort",
}


# --------------------------------------------------------------------------- road and scenery


def _default_facing(view: View, obj: dict) -> str:
    kind = KINDS[obj["kind"]]
    if obj["kind"] in VEHICLE_KINDS:
        if obj.get("mirror"):
            return "toward"
        return "toward" if view.road.oncoming and obj.get("x", 0) > 0 else "away"
    return "toward" if "toward" in kind.facings else kind.facings[0]


def _objects(view: View, objects: list[dict]) -> tuple[list, list, list]:
    """Split objects into ground decals, depth-sorted upright items and highlight/label marks."""
    ground, upright, marks = [], [], []
    for i, raw in enumerate(objects):
        if raw.get("mirror"):
            continue
        obj = {**raw, "facing": raw.get("facing") or _default_facing(view, raw)}
        place = view.place(obj, i)
        body, lights = KINDS[obj["kind"]].draw(obj, place)
        if view.road.feature == "crest" and obj["pos"] > view.at:
            body = el("g", body, clip_path=f"url(#{view.uid}-crest)")
            lights = el("g", lights, clip_path=f"url(#{view.uid}-crest)")
        item = (obj["pos"], -abs(obj.get("x", 0)), body, lights)
        (ground if KINDS[obj["kind"]].layer == "ground" else upright).append(item)
        marks.append(_mark(obj, place))
    return ground, upright, marks


def object_anchors(spec: dict, vehicle_class: str) -> list[tuple[str, float, float]]:
    """Screen points (kind, x, y) where the non-mirror objects of a valid spec stand.

    Lets authors and tests check that a hazard is inside the picture (0..640 x 0..400).
    """
    view = View(spec, vehicle_class)
    anchors = []
    for i, obj in enumerate(spec.get("objects", [])):
        if not obj.get("mirror"):
            place = view.place(
                {**obj, "facing": obj.get("facing") or _default_facing(view, obj)}, i
            )
            anchors.append((obj["kind"], place.x, place.y))
    return anchors


def _mark(obj: dict, p: Place) -> str:
    w, h = KINDS[obj["kind"]].box
    if obj.get("facing") in ("left", "right"):
        w = max(w, KINDS[obj["kind"]].box_len)
    out = ""
    cy = p.y - h * p.k / 2
    if obj.get("highlight"):
        out += ell(
            p.x,
            cy,
            w * p.k * 0.75 + 10,
            h * p.k * 0.7 + 10,
            "none",
            stroke="#ffd400",
            stroke_width=3,
            stroke_dasharray="8,5",
        )
    if obj.get("label"):
        label = obj["label"]
        tw = 6.6 * len(label) + 12
        ty = max(p.y - h * p.k - 16, 14)
        out += rect(
            p.x - tw / 2,
            ty - 12,
            tw,
            18,
            "#ffffff",
            rx=4,
            opacity=0.9,
            stroke="#333",
            stroke_width=0.8,
        )
        out += text(p.x, ty + 1.5, label, 11.5, "#111")
    return out


def _weather(view: View) -> str:
    out = ""
    if view.weather == "fog":
        out += rect(0, 0, WIDTH, HEIGHT, f"url(#{view.uid}-fog)")
    if view.weather == "rain":
        out += rect(0, 0, WIDTH, HEIGHT, "#5d6b78", opacity=0.18)
        streaks = []
        for i in range(110):  # fixed pseudo-random pattern: deterministic output
            x, y = (i * 73 + 17) % WIDTH, (i * 151 + 29) % HEIGHT
            streaks.append(f"M{x},{y} l-4,14")
        out += el(
            "path",
            d=" ".join(streaks),
            stroke="#dfe8f0",
            stroke_width=1.2,
            opacity=0.55,
            fill="none",
        )
    return out


def _defs(view: View) -> str:
    uid = view.uid
    sky = (
        ("#0b1020", "#1b2338")
        if view.night
        else (("#8d99a6", "#c3ccd4") if view.weather != "clear" else ("#6fa8dc", "#d6ebf7"))
    )
    out = el(
        "linearGradient",
        el("stop", offset="0", stop_color=sky[0]) + el("stop", offset="1", stop_color=sky[1]),
        id=f"{uid}-sky",
        x1="0",
        y1="0",
        x2="0",
        y2="1",
    )
    out += el(
        "linearGradient",
        el("stop", offset="0", stop_color="#ffffff", stop_opacity="0.78")
        + el("stop", offset="1", stop_color="#ffffff", stop_opacity="0.05"),
        id=f"{uid}-fog",
        x1="0",
        y1=fmt(Y_HORIZON / HEIGHT),
        x2="0",
        y2=fmt(290 / HEIGHT),
    )
    cone = poly(
        [
            (CX - 40, Y_HORIZON + 35),
            (CX + 40, Y_HORIZON + 35),
            (CX + 330, HEIGHT),
            (CX - 330, HEIGHT),
        ],
        "#7a7a7a",
    )
    out += el("mask", rect(0, 0, WIDTH, HEIGHT, "#ffffff") + cone, id=f"{uid}-night")
    out += el(
        "clipPath",
        rect(0, 0, WIDTH, y_of(view.at) if view.road.feature == "crest" else HEIGHT, "#fff"),
        id=f"{uid}-crest",
    )
    return el("defs", out)


def localized(spec: dict, lang: str) -> dict:
    """The spec as a reader of ``lang`` sees it: in English its English description and
    captions where it has them, else the Indonesian; without the ``*_en`` keys either way (so
    adding English leaves the Indonesian drawing as it was)."""
    english = lang == "en"
    objects = []
    for obj in spec.get("objects", []):
        shown = {k: v for k, v in obj.items() if k != "label_en"}
        if english and "label_en" in obj:
            shown["label"] = obj["label_en"]
        objects.append(shown)
    title = spec.get("title_en", spec["title"]) if english else spec["title"]
    shown = {k: v for k, v in spec.items() if k != "title_en"}
    return {**shown, "title": title, **({"objects": objects} if "objects" in spec else {})}


def render_scene(
    spec: dict,
    vehicle_class: str,
    size: tuple[int, int] = (WIDTH, HEIGHT),
    *,
    named: bool = True,
    lang: str = "id",
) -> str:
    """Render a scene spec as a standalone SVG seen from a car ("A") or a motorcycle ("C").
    ``named=False``: no ``<title>`` (the description could name the hazard) and element ids
    that do not derive from it; the drawing is the same. ``lang``: the language of the
    description and captions ("id" or "en", see ``localized``)."""
    if vehicle_class not in ("A", "C"):
        raise ValueError(f"vehicle_class must be 'A' or 'C', not {vehicle_class!r}")
    problems = validate_scene(spec)
    if problems:
        raise ValueError("invalid scene: " + "; ".join(problems))
    objects = spec.get("objects", [])
    english = lang == "en" and (
        (named and "title_en" in spec) or any("label_en" in o for o in objects)
    )
    spec = localized(spec, lang)
    view = View(spec if named else {**spec, "title": ""}, vehicle_class)
    objects = spec.get("objects", [])
    ground, upright, marks = _objects(view, objects)
    # Roadside scenery stands beyond the kerb, so it never hides anything on the road: draw it
    # first (far to near), then the objects (far to near).
    upright = sorted(scene_scenery.scenery(view), key=lambda item: (-item[0], item[1])) + sorted(
        upright, key=lambda item: (-item[0], item[1])
    )
    parts = [_defs(view), scene_roads.backdrop(view), scene_roads.road(view)]
    parts += [item[2] for item in sorted(ground, key=lambda item: -item[0])]
    parts += [item[2] for item in upright]
    if view.night:
        parts.append(
            rect(0, 0, WIDTH, HEIGHT, "#03050b", opacity=0.6, mask=f"url(#{view.uid}-night)")
        )
    parts.append(_weather(view))
    parts += [item[3] for item in ground + upright]
    parts += marks
    parts.append(scene_cockpit.overlay(view, [o for o in objects if o.get("mirror")]))
    frame = {
        "xmlns": "http://www.w3.org/2000/svg",
        "viewBox": f"0 0 {WIDTH} {HEIGHT}",
        "width": str(size[0]),
        "height": str(size[1]),
        "role": "img",
        **({"lang": "en"} if english else {}),
    }
    if not named:
        return el("svg", "".join(parts), **frame)
    title = el("title", escape(spec["title"]), id=f"{view.uid}-title")
    return el("svg", title + "".join(parts), **frame, aria_labelledby=f"{view.uid}-title")


__all__ = ["KINDS", "ROAD_TYPES", "object_anchors", "render_scene"]
