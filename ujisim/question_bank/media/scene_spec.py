"""The hazard-perception scene spec: its vocabulary, and ``validate_scene(spec)``, which returns
the list of problems of a spec (empty = valid). The spec is declarative data written in the
question YAML under ``media: {scene: {...}}``; ``scenes.py`` draws it.

Spec vocabulary
---------------
``title`` (required)  Indonesian description, becomes the SVG ``<title>``; describe the scene,
                      not the answer.
``title_en``          the same description in English (the ``<title>`` a reader in English
                      gets); the publish gate refuses a scene without it.
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
                      must not give the answer away. ``label_en``: the caption in English.
"""

from __future__ import annotations

from .scene_objects import KINDS, PALETTE
from .scene_roads import ROAD_TYPES

TOP_KEYS = {
    "title",
    "title_en",
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
    "label_en",
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
    if "label_en" in obj and (
        "label" not in obj
        or not isinstance(obj["label_en"], str)
        or not 0 < len(obj["label_en"]) <= 40
    ):
        problems.append(f"{where}: label_en must be a text of 1..40 characters beside a label")
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
    if "title_en" in spec and (
        not isinstance(spec["title_en"], str) or not spec["title_en"].strip()
    ):
        problems.append("title_en: the English description must be a non-empty text")
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
