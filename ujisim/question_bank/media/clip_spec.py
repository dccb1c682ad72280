"""The hazard-perception clip spec: its vocabulary and ``validate_clip(spec)``, which returns the
list of problems of a spec (empty = valid). A clip is declarative data written in an item's YAML
under ``media: {clip: {...}}``; the browser animates it (``static/js/clip_player.js``) from the
package ``clip_package.package`` builds, and ``clip_timeline`` answers where everything is at a
time. No video file exists: the same spec always plays the same frames.

World and time
--------------
Time ``t`` is in seconds from the clip's start (0..``duration``). Places are in the road's own
frame: ``s`` metres along the road from where our vehicle (the ego) stands at ``t = 0``, and
``x`` across it in road half-widths, as in still scenes (-1 and 1 the road edges, 0 the centre
line; two-way: our lane about -0.5, the oncoming lane about 0.5; beyond +-1 the pavement or
verge). The camera is the driver's (A: behind the wheel, a right-hand-drive car) or the rider's
(C: behind the bars, with round mirrors) eye; what stands 5 to 180 m ahead is on screen, what is
up to 40 m behind shows in a mirror.

Vocabulary
----------
``title`` (required)  Indonesian description of the situation, not of the hazard.
``title_en``          the same in English (the publish gate refuses a clip without it).
``road``              as still scenes, without ``roundabout`` and ``hill_crest``:
                      ``two_way``, ``one_way``, ``residential``, ``toll``, ``intersection``,
                      ``t_junction``, ``side_road``, ``zebra_crossing``, ``railway_crossing``,
                      ``curve``.
``at``                metres (5..2000): where the junction / crossing of the road type begins.
``side``, ``center``, ``area``, ``time``, ``weather``: as still scenes.
``duration``          seconds, 20..60.
``ego``               ``x`` (-1..1, lateral, default per road type); ``speed``: km/h, either
                      one number or keyframes ``[[t, kmh], ...]`` (first at t 0, times rising,
                      0..120 km/h; linear between, the last held); ``signal``: keyframes
                      ``[[t, left | right | hazard | off], ...]`` (the lit indicator on the dash).
``actors``            at most 20 road users and things, each a mapping:
  ``id``              a name (``[a-z0-9_]``, 1..20 characters), unique in the clip; windows
                      name the actor whose hazard they score.
  ``kind``, ``color``, ``species``, ``shape``, ``text``, ``size``, ``facing``, ``state``,
                      ``label``, ``label_en``, ``motion``: as the objects of still scenes.
  ``path``            keyframes ``[[t, s, x], ...]`` (times rising, 0..duration; ``s`` -50..2500,
                      ``x`` -3..3); linear between them, the first held before and the last after
                      (one keyframe: the actor stands still).
  ``changes``         ``[{t: ..., state: ..., facing: ...}, ...]`` (times rising): from ``t`` on
                      the actor has that state (a list or one) and/or facing (brake lights, an
                      indicator, a traffic light's phase, a child turning to cross).
``windows``           one or two scoring windows ``{actor: id, start: t, end: t}``: from when the
                      hazard can first be seen developing to when we would have to brake hard
                      (1.5..10 s long, inside the clip, in order, not overlapping). The actor
                      must be on screen at the window's start and end; ``mirror: true`` lets
                      it be in a mirror instead (a hazard from behind: a motorcycle filtering,
                      an ambulance closing in).
"""

from __future__ import annotations

import re

from .clip_timeline import Timeline
from .scene_objects import KINDS
from .scene_spec import CHOICES, OBJECT_KEYS, _check_range, _is_num, _validate_object

CLIP_ROADS = (
    "two_way",
    "one_way",
    "residential",
    "toll",
    "intersection",
    "t_junction",
    "side_road",
    "zebra_crossing",
    "railway_crossing",
    "curve",
)
#: road types with a feature at ``at`` metres (a junction, a crossing)
FEATURED = {"intersection", "t_junction", "side_road", "zebra_crossing", "railway_crossing"}
TOP_KEYS = {"title", "title_en", "road", "at", "side", "center", "area", "time", "weather",
            "duration", "ego", "actors", "windows"}  # fmt: skip
ACTOR_KEYS = (OBJECT_KEYS - {"pos", "x", "mirror", "highlight"}) | {"id", "path", "changes"}
SIGNALS = ("left", "right", "hazard", "off")
ID_RE = re.compile(r"^[a-z0-9_]{1,20}$")
DURATION = (20, 60)
WINDOW_LENGTH = (1.5, 10.0)
MAX_ACTORS = 20


def _keyframes(problems, where, frames, width, duration) -> bool:
    """Check keyframes ``[[t, ...], ...]`` of ``width`` values with times rising inside the
    clip; True when they have that shape (their values are checked by the caller)."""
    if not isinstance(frames, list) or not frames:
        problems.append(f"{where}: must be a non-empty list of [t, ...] keyframes")
        return False
    last = -1.0
    for i, frame in enumerate(frames):
        if not isinstance(frame, list) or len(frame) != width or not _is_num(frame[0]):
            problems.append(f"{where}[{i}]: must be a list of {width} values, the time first")
            return False
        if not last < frame[0] <= duration:
            problems.append(f"{where}[{i}]: time {frame[0]} must rise and stay in 0..{duration}")
            return False
        last = frame[0]
    return True


def _validate_ego(ego, duration, problems: list[str]) -> None:
    if not isinstance(ego, dict):
        problems.append("ego: must be a mapping")
        return
    problems += [f"ego: unknown key {k!r}" for k in sorted(set(ego) - {"x", "speed", "signal"})]
    if "x" in ego:
        _check_range(problems, "ego.x", ego["x"], -1, 1)
    speed = ego.get("speed", 0)
    if _is_num(speed):
        _check_range(problems, "ego.speed", speed, 0, 120)
    elif _keyframes(problems, "ego.speed", speed, 2, duration):
        if speed[0][0] != 0:
            problems.append("ego.speed[0]: the first keyframe must be at t 0")
        for i, (_t, kmh) in enumerate(speed):
            _check_range(problems, f"ego.speed[{i}]", kmh, 0, 120)
    if "signal" in ego and _keyframes(problems, "ego.signal", ego["signal"], 2, duration):
        for i, (_t, signal) in enumerate(ego["signal"]):
            if signal not in SIGNALS:
                problems.append(f"ego.signal[{i}]: {signal!r} not one of {', '.join(SIGNALS)}")


def _validate_actor(i: int, actor, duration, problems: list[str]) -> str | None:
    """Check one actor; its id when it has a valid one."""
    where = f"actors[{i}]"
    if not isinstance(actor, dict):
        problems.append(f"{where}: must be a mapping")
        return None
    unknown = sorted(set(actor) - ACTOR_KEYS)
    problems += [f"{where}: unknown key {key!r}" for key in unknown]
    ident = actor.get("id")
    if not isinstance(ident, str) or not ID_RE.match(ident):
        problems.append(f"{where}: id must be 1..20 characters of a-z, 0-9 and _")
        ident = None
    else:
        where = f"actors[{i}] ({ident})"
    # the object's own keys, as a still scene checks them (at a placeholder place)
    still = {k: v for k, v in actor.items() if k in OBJECT_KEYS}
    found: list[str] = []
    _validate_object(i, {**still, "pos": 0.5, "x": 0}, found)
    problems += [f"{where}:{p.split(':', 1)[1]}" if ":" in p else p for p in found]
    path = actor.get("path")
    if _keyframes(problems, f"{where}.path", path, 3, duration):
        for j, (_t, s, x) in enumerate(path):
            _check_range(problems, f"{where}.path[{j}].s", s, -50, 2500)
            _check_range(problems, f"{where}.path[{j}].x", x, -3, 3)
    changes = actor.get("changes", [])
    kind = KINDS.get(actor.get("kind"))
    if not isinstance(changes, list):
        problems.append(f"{where}.changes: must be a list of {{t, state, facing}} mappings")
        return ident
    last = -1.0
    for j, change in enumerate(changes):
        here = f"{where}.changes[{j}]"
        if not isinstance(change, dict) or not set(change) <= {"t", "state", "facing"}:
            problems.append(f"{here}: must be a mapping of t with state and/or facing")
            continue
        t = change.get("t")
        if not _is_num(t) or not last < t <= duration:
            problems.append(f"{here}: t must rise and stay in 0..{duration}")
            continue
        last = t
        if kind is not None:
            probe = {"kind": actor["kind"], "pos": 0.5}
            probe.update({k: change[k] for k in ("state", "facing") if k in change})
            inner: list[str] = []
            _validate_object(j, probe, inner)
            problems += [f"{here}:{p.split(':', 1)[1]}" for p in inner]
    return ident


def _validate_windows(windows, ids: set[str], duration, problems: list[str]) -> None:
    if not isinstance(windows, list) or not 1 <= len(windows) <= 2:
        problems.append("windows: a clip scores one or two hazards (a list of 1 or 2 windows)")
        return
    end = 0.0
    for i, window in enumerate(windows):
        where = f"windows[{i}]"
        if (
            not isinstance(window, dict)
            or not {"actor", "start", "end"} <= set(window)
            or (set(window) - {"actor", "start", "end", "mirror"})
        ):
            problems.append(f"{where}: must be a mapping of actor, start, end (and mirror)")
            continue
        if not isinstance(window.get("mirror", False), bool):
            problems.append(f"{where}.mirror: must be true or false")
        if window["actor"] not in ids:
            problems.append(f"{where}: no actor {window['actor']!r}")
        start, stop = window["start"], window["end"]
        if not (_is_num(start) and _is_num(stop)):
            problems.append(f"{where}: start and end must be numbers (seconds)")
            continue
        if not end <= start < stop <= duration:
            problems.append(f"{where}: must lie in 0..{duration}, after the previous window")
        elif not WINDOW_LENGTH[0] <= stop - start <= WINDOW_LENGTH[1]:
            problems.append(
                f"{where}: {stop - start:g} s long; a window is {WINDOW_LENGTH[0]:g}.."
                f"{WINDOW_LENGTH[1]:g} s"
            )
        end = stop


def validate_clip(spec) -> list[str]:
    """Return the problems of a clip spec (an empty list when it is valid), its windows'
    visibility included (``clip_timeline.window_problems``)."""
    if not isinstance(spec, dict):
        return ["clip must be a mapping"]
    problems = [f"unknown key {key!r}" for key in sorted(set(spec) - TOP_KEYS)]
    for key in ("title", "title_en"):
        if (key == "title" or key in spec) and (
            not isinstance(spec.get(key), str) or not spec[key].strip()
        ):
            problems.append(f"{key}: a non-empty description is required")
    road = spec.get("road", "two_way")
    if road not in CLIP_ROADS:
        problems.append(f"road: {road!r} not one of {', '.join(CLIP_ROADS)}")
    if road in FEATURED:
        if "at" not in spec:
            problems.append(f"at: a {road} needs the metres to its junction or crossing")
        else:
            _check_range(problems, "at", spec["at"], 5, 2000)
    elif "at" in spec:
        problems.append(f"at: a {road} road has no junction or crossing")
    for key, allowed in CHOICES.items():
        if key in spec and spec[key] not in allowed:
            problems.append(f"{key}: {spec[key]!r} not one of {', '.join(allowed)}")
    duration = spec.get("duration")
    if not _is_num(duration) or not DURATION[0] <= duration <= DURATION[1]:
        problems.append(f"duration: {DURATION[0]}..{DURATION[1]} seconds")
        return problems
    _validate_ego(spec.get("ego", {}), duration, problems)
    actors = spec.get("actors")
    if not isinstance(actors, list) or not 1 <= len(actors) <= MAX_ACTORS:
        problems.append(f"actors: must be a list of 1..{MAX_ACTORS} actors")
        return problems
    ids: set[str] = set()
    for i, actor in enumerate(actors):
        ident = _validate_actor(i, actor, duration, problems)
        if ident in ids:
            problems.append(f"actors[{i}]: id {ident!r} is used twice")
        if ident:
            ids.add(ident)
    _validate_windows(spec.get("windows"), ids, duration, problems)
    if not problems:
        problems += Timeline(spec, "A").problems()
    return problems
