"""Hazard-perception traffic scenes drawn as SVG by our own code.

``render_scene(spec, vehicle_class, size=(640, 400)) -> str`` draws the scene described by
``spec`` (declarative data written in the question YAML under ``media: {scene: {...}}``) as seen
from behind a car's steering wheel (``vehicle_class="A"``: windscreen pillars, dashboard, wheel,
interior and wing mirrors; Indonesian cars are right-hand drive) or from behind a motorcycle's
handlebars (``"C"``: bars, grips, round mirrors, speedometer). ``validate_scene(spec)`` returns
the list of problems of a spec (empty = valid); ``render_scene`` raises ``ValueError`` on an
invalid spec. Output is a standalone, deterministic SVG (``xmlns``, ``viewBox="0 0 640 400"``,
``role="img"``, ``<title>``) with no scripts and no external references; ``size`` sets its
``width``/``height``. ``object_anchors(spec, vehicle_class)`` tells where each object stands on
the screen, so authors and tests can check that the hazard is inside the picture.

Modules: ``scene_objects`` (one drawing function per object kind, table ``KINDS``),
``scene_roads`` (projection, road types, scenery, the car/motorcycle foreground and mirrors).

Spec vocabulary
---------------
``title`` (required)  Indonesian description, becomes the SVG ``<title>``; describe the scene,
                      not the answer.
``road``              ``two_way`` (default; keep-left two-lane road, our lane on the left),
                      ``one_way`` (two lanes, all traffic going our way), ``residential``
                      (narrow street without markings, houses), ``toll`` (three lanes, left
                      shoulder, median barrier), ``intersection`` (crossroads), ``t_junction``
                      (our road ends at a cross road), ``side_road`` (a side road joins ours),
                      ``roundabout``, ``zebra_crossing``, ``railway_crossing`` (level crossing:
                      rails; add ``rail_gate`` and ``train`` objects), ``curve``, ``hill_crest``.
``at``                0.1..0.9: where the junction / crossing / roundabout / crest begins, in
                      the same depth scale as ``pos`` (defaults per road type, 0.3..0.62).
``zebra``             0.1..0.9: extra zebra-crossing markings at that depth on any road type.
``side``              ``left`` | ``right``: which way a ``curve`` bends or on which side a
                      ``side_road`` joins.
``center``            centre line of two-way roads: ``dashed`` | ``solid`` | ``double`` |
                      ``none``.
``area``              scenery: ``rural`` (trees, poles), ``urban`` (pavements, shophouses,
                      lamps), ``residential`` (houses), ``toll`` (open land, median lamps).
``time``              ``day`` (default) | ``night`` (dark, lamps glow, headlights on the road).
``weather``           ``clear`` (default) | ``rain`` (streaks, grey light, wipers in a car) |
                      ``fog``.
``ego``               our own vehicle: ``speed`` (km/h shown on the speedometer), ``signal``
                      (``left`` | ``right`` | ``hazard``: lit indicator on the dash), ``x``
                      (lateral position, -1..1, default per road type).
``objects``           list of placed objects (at most 25), each a mapping:
  ``kind``            see ``scene_objects.KINDS``: vehicles ``car``, ``parked_car`` (state
                      ``door_open`` opens the driver's door, on the car's right), ``truck``,
                      ``bus``, ``angkot``, ``motorcycle``, ``bicycle``, ``ambulance``,
                      ``fire_engine``, ``police`` (car with beacons), ``police_escort``
                      (escort motorcycles and the escorted car), ``funeral`` (hearse with
                      flag-carrying motorcycles), ``train`` (anchored at its nose), ``cart``;
                      people and animals ``pedestrian``, ``child``, ``police_officer``,
                      ``animal`` (``species``: cow, goat, dog, chicken), ``ball``; street
                      furniture ``traffic_light``, ``sign`` (placeholder: ``shape`` circle |
                      triangle | diamond | octagon | rect, ``color``, ``text`` of at most 8
                      characters), ``cone``, ``barrier``, ``warning_triangle``, ``rail_gate``,
                      ``fallen_tree``; ground decals ``puddle``, ``pothole``, ``sand``, ``oil``,
                      ``speed_bump`` (``size`` in metres).
  ``pos``             0..1 depth: 0 = just beyond our bonnet / front wheel (about 5 m), 0.5
                      about 10 m, 0.8 about 22 m, 1 = the horizon. Objects on a cross road stand
                      between ``at`` and about ``at`` + 0.2.
  ``x``               -3..3 lateral, in road half-widths: -1 and 1 are the road edges, 0 the
                      centre line (two-way: our lane about -0.5, oncoming lane about 0.5);
                      beyond +-1 is the pavement/verge or the arms of a cross road. Near objects
                      far to the right hide behind the pillar/mirror: keep x <= 0.5 at pos 0.3,
                      <= 1.2 at pos 0.6.
  ``facing``          ``away`` (we see its back), ``toward`` (its front), ``left`` / ``right``
                      (side view, moving across). Vehicles default to ``away`` in our half and
                      ``toward`` in the oncoming half of a two-way road.
  ``state``           a state or a list of states: vehicles ``brake``, ``signal_left``,
                      ``signal_right``, ``hazard``, ``reverse``, ``high_beam`` (+ ``on``/``off``
                      for beacons, ``passenger`` for motorcycles); traffic light ``red`` |
                      ``yellow`` | ``green`` | ``off`` | ``blink_yellow``; rail gate ``open`` |
                      ``closing`` | ``closed``; people ``umbrella``, ``phone``, ``arm_up``.
  ``color``           a ``scene_objects.PALETTE`` name (signs: red, blue, yellow, green, white).
  ``motion``          speed lines behind a side view.
  ``mirror``          ``left`` | ``right`` | ``rear``: seen in that mirror instead (``pos`` =
                      distance behind us); a motorcycle shows ``rear`` in its side mirror.
  ``label``           short caption (at most 40 characters); ``highlight``: dashed ring. Use
                      both only for what a small drawing cannot show (a siren, a horn); they
                      must not give the answer away.
"""

from __future__ import annotations

from . import scene_roads
from .scene_objects import KINDS, PALETTE, Place, el, ell, escape, rect, text
from .scene_roads import CX, HEIGHT, ROAD_TYPES, WIDTH, Y_HORIZON, View, fmt, poly, y_of

TOP_KEYS = {
    "title",
    "road",
    "at",
    "side",
    "center",
    "area",
    "zebra",
    "time",
    "weather",
    "ego",
    "objects",
}
OBJECT_KEYS = {
    "kind",
    "pos",
    "x",
    "facing",
    "state",
    "color",
    "label",
    "highlight",
    "mirror",
    "species",
    "shape",
    "text",
    "size",
    "motion",
}
CHOICES = {
    "side": ("left", "right"),
    "center": ("dashed", "solid", "double", "none"),
    "area": ("rural", "urban", "residential", "toll"),
    "time": ("day", "night"),
    "weather": ("clear", "rain", "fog"),
}
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


# --------------------------------------------------------------------------- validation


def _is_num(v) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _check_range(problems, where, value, lo, hi):
    if not _is_num(value):
        problems.append(f"{where}: must be a number")
    elif not lo <= value <= hi:
        problems.append(f"{where}: {value} out of range {lo}..{hi}")


def _validate_object(i: int, obj, problems: list[str]) -> None:
    where = f"objects[{i}]"
    if not isinstance(obj, dict):
        problems.append(f"{where}: must be a mapping")
        return
    kind = KINDS.get(obj.get("kind"))
    if kind is None:
        problems.append(f"{where}: unknown kind {obj.get('kind')!r}")
        return
    where = f"{where} ({obj['kind']})"
    problems += [f"{where}: unknown key {key!r}" for key in sorted(set(obj) - OBJECT_KEYS)]
    _check_range(problems, f"{where}.pos", obj.get("pos"), 0, 1)
    _check_range(problems, f"{where}.x", obj.get("x", 0), -3, 3)
    if "facing" in obj and obj["facing"] not in kind.facings:
        problems.append(f"{where}: facing {obj['facing']!r} not one of {', '.join(kind.facings)}")
    states = obj.get("state", [])
    states = [states] if isinstance(states, str) else states
    if not isinstance(states, list) or any(s not in kind.states for s in states):
        problems.append(
            f"{where}: state {obj.get('state')!r} not allowed "
            f"(allowed: {', '.join(kind.states) or 'none'})"
        )
    for key, allowed in kind.params.items():
        if key in obj and obj[key] not in allowed:
            problems.append(f"{where}: {key} {obj[key]!r} not one of {', '.join(allowed)}")
    if "color" in obj and "color" not in kind.params and obj["color"] not in PALETTE:
        problems.append(f"{where}: unknown color {obj['color']!r}")
    if "text" in obj and (
        obj["kind"] != "sign" or not isinstance(obj["text"], str) or len(obj["text"]) > 8
    ):
        problems.append(f"{where}: text is only for signs, at most 8 characters")
    if "size" in obj:
        if kind.layer != "ground":
            problems.append(f"{where}: size is only for ground decals")
        _check_range(problems, f"{where}.size", obj["size"], 0.2, 12)
    if "label" in obj and (not isinstance(obj["label"], str) or not 0 < len(obj["label"]) <= 40):
        problems.append(f"{where}: label must be a text of 1..40 characters")
    for key in ("highlight", "motion"):
        if key in obj and not isinstance(obj[key], bool):
            problems.append(f"{where}: {key} must be true or false")
    if "mirror" in obj and obj["mirror"] not in ("left", "right", "rear"):
        problems.append(f"{where}: mirror must be left, right or rear")


def validate_scene(spec) -> list[str]:
    """Return the problems of a scene spec (an empty list when it is valid)."""
    if not isinstance(spec, dict):
        return ["scene must be a mapping"]
    problems = [f"unknown key {key!r}" for key in sorted(set(spec) - TOP_KEYS)]
    if not isinstance(spec.get("title"), str) or not spec["title"].strip():
        problems.append("title: a non-empty Indonesian description is required")
    if spec.get("road", "two_way") not in ROAD_TYPES:
        problems.append(f"road: unknown road type {spec.get('road')!r}")
    for key in ("at", "zebra"):
        if key in spec:
            _check_range(problems, key, spec[key], 0.1, 0.9)
    for key, allowed in CHOICES.items():
        if key in spec and spec[key] not in allowed:
            problems.append(f"{key}: {spec[key]!r} not one of {', '.join(allowed)}")
    ego = spec.get("ego", {})
    if not isinstance(ego, dict):
        problems.append("ego: must be a mapping")
    else:
        problems += [
            f"ego: unknown key {key!r}" for key in sorted(set(ego) - {"speed", "signal", "x"})
        ]
        if "speed" in ego:
            _check_range(problems, "ego.speed", ego["speed"], 0, 160)
        if "x" in ego:
            _check_range(problems, "ego.x", ego["x"], -1, 1)
        if ego.get("signal", "left") not in ("left", "right", "hazard"):
            problems.append(f"ego.signal: {ego['signal']!r} not one of left, right, hazard")
    objects = spec.get("objects", [])
    if not isinstance(objects, list) or len(objects) > 25:
        problems.append("objects: must be a list of at most 25 objects")
        return problems
    for i, obj in enumerate(objects):
        _validate_object(i, obj, problems)
    return problems


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


def render_scene(
    spec: dict, vehicle_class: str, size: tuple[int, int] = (WIDTH, HEIGHT), *, named: bool = True
) -> str:
    """Render a scene spec as a standalone SVG seen from a car ("A") or a motorcycle ("C").
    ``named=False``: no ``<title>`` (the description could name the hazard) and element ids
    that do not derive from it; the drawing is the same."""
    if vehicle_class not in ("A", "C"):
        raise ValueError(f"vehicle_class must be 'A' or 'C', not {vehicle_class!r}")
    problems = validate_scene(spec)
    if problems:
        raise ValueError("invalid scene: " + "; ".join(problems))
    view = View(spec if named else {**spec, "title": ""}, vehicle_class)
    objects = spec.get("objects", [])
    ground, upright, marks = _objects(view, objects)
    # Roadside scenery stands beyond the kerb, so it never hides anything on the road: draw it
    # first (far to near), then the objects (far to near).
    upright = sorted(scene_roads.scenery(view), key=lambda item: (-item[0], item[1])) + sorted(
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
    parts.append(scene_roads.overlay(view, [o for o in objects if o.get("mirror")]))
    frame = {
        "xmlns": "http://www.w3.org/2000/svg",
        "viewBox": f"0 0 {WIDTH} {HEIGHT}",
        "width": str(size[0]),
        "height": str(size[1]),
        "role": "img",
    }
    if not named:
        return el("svg", "".join(parts), **frame)
    title = el("title", escape(spec["title"]), id=f"{view.uid}-title")
    return el("svg", title + "".join(parts), **frame, aria_labelledby=f"{view.uid}-title")


__all__ = ["KINDS", "ROAD_TYPES", "object_anchors", "render_scene", "validate_scene"]
