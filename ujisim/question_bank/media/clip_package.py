"""What the browser needs to play a clip: ``package(spec, vehicle_class, lang)`` turns a valid clip
spec into plain JSON data for ``static/js/clip_player.js``. No video, no image file: the road and
the scenery are drawn by the player; each road user is drawn once by the still scenes' own object
code (``scene_objects.KINDS``) as an SVG sprite at ``SPRITE_K`` pixels per metre, which the player
moves and scales from frame to frame; the sky, the ground and the car's or motorcycle's
foreground (``scene_cockpit``) are drawn once as SVG.

The package never holds the scoring windows: an official page must not tell where the hazards
are. ``practice_result`` pages get them after the clicks were sent.
"""

from __future__ import annotations

import json

from . import scene_cockpit, scene_roads
from .clip_spec import FEATURED
from .clip_timeline import DRIVEN_OVER, MIRROR_RANGE, VEHICLES, Timeline, speed_frames
from .scene_objects import KINDS, PALETTE, Place
from .scene_roads import GROUND, View, pos_of_depth, road_color
from .scenes import _defs, localized

#: pixels per metre at which sprites are drawn (the player scales them)
SPRITE_K = 10.0
#: kinds whose lights blink (indicators, hazard lights, beacons)
BEACONS = {"ambulance", "fire_engine", "police", "police_escort"}
BLINKING = {"signal_left", "signal_right", "hazard", "blink_yellow"}
#: how far across the road (half-widths) a still scene places things
STILL_X = 3
#: the cycling colours of still scenes (``View.place``)
CYCLE = ("silver", "red", "white", "blue", "black", "grey", "green")
#: the speedometer's centre and radius, the indicators' centre and gap (``scene_cockpit``)
DIALS = {"A": {"speedo": [380, 338, 24], "signal": [340, 322, 6]},
         "C": {"speedo": [320, 372, 26], "signal": [320, 344, 14]}}  # fmt: skip


def _still_view(spec: dict, vehicle_class: str) -> View:
    """A still scene's view of the clip's road (its junction out of sight) for the sky, the
    ground and the foreground."""
    road = spec.get("road", "two_way")
    still = {"title": spec["title"], "road": "two_way" if road in ("curve",) else road}
    still.update({k: spec[k] for k in ("area", "time", "weather", "side") if k in spec})
    x = spec.get("ego", {}).get("x")
    still["ego"] = {} if x is None else {"x": x[0][1] if isinstance(x, list) else x}
    still["road"] = road if road in ("two_way", "one_way", "residential", "toll") else "two_way"
    still.setdefault("area", scene_roads.ROAD_TYPES[road].area)
    return View(still, vehicle_class)


def _sprite(obj: dict, color: str, night: bool) -> dict:
    body, lights = KINDS[obj["kind"]].draw(obj, Place(0.0, 0.0, SPRITE_K, 0.25, night, color))
    states = obj.get("state", ())
    states = {states} if isinstance(states, str) else set(states)
    blink = bool(states & BLINKING) or (obj["kind"] in BEACONS and "off" not in states)
    return {"body": body, "lights": lights, "blink": blink}


def _behind(timeline: Timeline, ident: str) -> float | None:
    """The first time (every 0.5 s) the actor is shown in a mirror's range behind us, or
    None."""
    for step in range(int(timeline.duration * 2) + 1):
        s, _x = timeline.place(ident, step / 2)
        if -MIRROR_RANGE <= s - timeline.ego_s(step / 2) < 0 and timeline.shown(ident, step / 2):
            return step / 2
    return None


def package(spec: dict, vehicle_class: str, lang: str = "id", *, official: bool = False) -> dict:
    """The clip as the player reads it (JSON-ready): timings in seconds, places in metres.
    ``official``: without its title (a description could name the hazard), as an official
    paper's pictures carry no name."""
    spec = localized_clip(spec, lang)
    timeline = Timeline(spec, vehicle_class)
    night = spec.get("time") == "night"
    view = _still_view(spec, vehicle_class)
    sprites: list[dict] = []
    keys: dict[str, int] = {}
    actors = []
    for index, actor in enumerate(spec["actors"]):
        color = PALETTE[CYCLE[index % len(CYCLE)]]
        looks = []
        times = [0.0] + [c["t"] for c in actor.get("changes", [])]
        times += [f[0] for f in actor["path"]]  # a vehicle's default facing follows its lane
        for t in sorted(set(times)):
            obj = timeline.look(actor["id"], t)
            key = json.dumps([obj, color], sort_keys=True)
            if key not in keys:
                keys[key] = len(sprites)
                sprites.append(_sprite(obj, color, night))
            if not looks or looks[-1][1] != keys[key]:
                looks.append([t, keys[key]])
        road = scene_roads.ROAD_TYPES[spec.get("road", "two_way")]
        shown = {
            "path": [[t, s, x * road.half] for t, s, x in actor["path"]],
            "looks": looks,
            "ground": KINDS[actor["kind"]].layer == "ground" or actor["kind"] in DRIVEN_OVER,
        }
        if "show" in actor:  # [from, until], null for an open end
            shown["show"] = actor["show"]
        behind = _behind(timeline, actor["id"])
        if behind is not None and actor["kind"] in VEHICLES:  # seen in a mirror: its front
            obj = {**timeline.look(actor["id"], behind), "facing": "toward"}
            key = json.dumps([obj, color], sort_keys=True)
            if key not in keys:
                keys[key] = len(sprites)
                sprites.append(_sprite(obj, color, night))
            shown["mirror"] = keys[key]
        actors.append(shown)
    road = timeline.road
    lines = view.lines if spec.get("road") not in ("curve",) else ((0.0, "solid"),)
    if "center" in spec and spec.get("road") not in ("toll", "residential"):
        lines = () if spec["center"] == "none" else ((0.0, spec["center"]),)
    return {
        "title": "" if official else spec["title"],
        "uid": view.uid,
        "cls": vehicle_class,
        "duration": float(spec["duration"]),
        "road": {
            "type": spec.get("road", "two_way"),
            "half": road.half,
            "lines": [[x * road.half, style] for x, style in lines],
            "feature": road.feature,
            "at": spec.get("at"),
            "side": spec.get("side", "right" if road.feature == "curve" else "left"),
            "area": spec.get("area", road.area),
            "oncoming": road.oncoming,
            "night": night,
            "weather": spec.get("weather", "clear"),
            "color": road_color(view),
            "ground": GROUND[spec.get("area", road.area)],
        },
        "ego": {
            "cam": [list(frame) for frame in timeline.cams],
            "speed": [[t, v] for t, v in speed_frames(spec.get("ego", {}))],
            "signal": spec.get("ego", {}).get("signal", []),
        },
        "actors": actors,
        "sprites": sprites,
        "spriteK": SPRITE_K,
        "backdrop": _defs(view) + scene_roads.backdrop(view),
        "cockpit": scene_cockpit.overlay(view, []),
        "mirrors": {side: list(g) for side, g in scene_cockpit.MIRRORS[vehicle_class].items()},
        "mirrorIds": {side: f"{view.uid}-m{side}" for side in scene_cockpit.MIRRORS[vehicle_class]},
        "dials": DIALS[vehicle_class],
    }


def localized_clip(spec: dict, lang: str) -> dict:
    """The clip as a reader of ``lang`` sees it (its title and its actors' captions)."""
    shown = localized({**spec, "objects": spec["actors"]}, lang)
    actors = shown.pop("objects")
    return {**shown, "actors": actors}


def still_scene(spec: dict, vehicle_class: str, t: float = 0.0) -> dict:
    """The clip at time ``t`` as a still scene spec (``scenes.render_scene`` draws it): the
    picture where no player runs (a QTI package's fallback, an examiner's list). Actors out of
    view or not shown are left out, and so are those beyond the still scenes' -3..3 across the
    road (far along a cross road's arm); one in a mirror is drawn there; a junction out of the
    still scenes' depth range is left out (a plain road of its kind). Our vehicle stands where
    its ``x`` puts it at ``t``."""
    timeline = Timeline(spec, vehicle_class)
    road = spec.get("road", "two_way")
    still = {k: spec[k] for k in ("title", "title_en", "side", "center", "area", "time",
                                  "weather") if k in spec}  # fmt: skip
    still["road"] = road
    if road in FEATURED:
        at = pos_of_depth(max(spec["at"] - timeline.ego_s(t), 0.5))
        if 0.1 <= at <= 0.9:
            still["at"] = round(at, 3)
        else:
            still["road"] = "two_way"
            still.setdefault("area", scene_roads.ROAD_TYPES[road].area)
    ego = {"speed": round(timeline.ego_speed(t))}
    if "x" in spec.get("ego", {}):
        ego["x"] = round(timeline.cam(t) / timeline.road.half, 3)
    if timeline.ego_signal(t) != "off":
        ego["signal"] = timeline.ego_signal(t)
    still["ego"] = ego
    objects = []
    for ident in timeline.actors:
        seen = timeline.seen(ident, t)
        if seen is None:
            continue
        look = timeline.look(ident, t)
        _s, x = timeline.place(ident, t)
        if abs(x) > STILL_X:
            continue
        pos = pos_of_depth(abs(seen.depth))
        obj = {**look, "pos": round(min(max(pos, 0.0), 1.0), 3), "x": round(x, 3)}
        if seen.where != "screen":
            obj["mirror"] = seen.where
        objects.append(obj)
    still["objects"] = objects[:25]
    return still
