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
verge, and at a junction the cross road's arms, out to +-12: 42 m on a road 7 m wide). The
camera is the driver's (A: behind the wheel, a right-hand-drive car) or the rider's
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
``ego``               ``x``: lateral, -1..1 (default per road type), either one number or
                      keyframes ``[[t, x], ...]`` as ``speed`` (moving over for an ambulance,
                      steering round an obstacle: the camera follows, and so do what is seen,
                      the mirrors and the collision check); ``speed``: km/h, either one number
                      or keyframes ``[[t, kmh], ...]`` (first at t 0, times rising, 0..120
                      km/h; linear between, the last held); ``signal``: keyframes
                      ``[[t, left | right | hazard | off], ...]`` (the lit indicator on the
                      dash; quote ``"off"``: YAML reads an unquoted off as false).
``actors``            at most 20 road users and things, each a mapping:
  ``id``              a name (``[a-z0-9_]``, 1..20 characters), unique in the clip; windows
                      name the actor whose hazard they score.
  ``kind``, ``color``, ``species``, ``shape``, ``text``, ``size``, ``facing``, ``state``,
                      ``label``, ``label_en``, ``motion``: as the objects of still scenes.
  ``path``            keyframes ``[[t, s, x], ...]`` (times rising, 0..duration; ``s`` -50..2500,
                      ``x`` -12..12: beyond +-3 only along a cross road's arm, which a still
                      picture of the clip leaves out); linear between them, the first held
                      before and the last after (one keyframe: the actor stands still).
  ``show``            ``[from, until]`` seconds, either null (open): the actor is there from
                      ``from`` (inclusive) to ``until`` (exclusive) only; outside it it is not
                      drawn, not seen, not in a mirror and runs into no one (a train or a car
                      on the cross road arriving, a passenger who boarded the bus, a car gone
                      down a side road). Appearing or leaving counts as the hazard developing.
  ``changes``         ``[{t: ..., state: ..., facing: ...}, ...]`` (times rising): from ``t`` on
                      the actor has that state (a list or one) and/or facing (brake lights, an
                      indicator, a traffic light's phase, a child turning to cross).
  ``state``           quote ``"on"`` and ``"off"`` (beacons, traffic lights): YAML reads them
                      unquoted as true and false, and the check says so.
``windows``           one or two scoring windows ``{actor: id, start: t, end: t}``: from when the
                      hazard can first be seen developing to when we would have to brake hard
                      (1.5..10 s long, inside the clip, in order, not overlapping). The actor
                      must be shown and on screen at the window's start and end; ``mirror:
                      true`` lets it be in a mirror instead (a hazard from behind: a
                      motorcycle filtering, an ambulance closing in). At the start it must not
                      be hidden behind a nearer, larger road user (a nearer one whose screen
                      box, from its kind's box in ``scene_objects.KINDS``, is larger and covers
                      half of its own or more): the problem says when it is first in sight,
                      where the window should start.
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
ACTOR_KEYS = (OBJECT_KEYS - {"pos", "x", "mirror", "highlight"}) | {"id", "path", "changes", "show"}
SIGNALS = ("left", "right", "hazard", "off")
ID_RE = re.compile(r"^[a-z0-9_]{1,20}$")
DURATION = (20, 60)
WINDOW_LENGTH = (1.5, 10.0)
MAX_ACTORS = 20
#: an actor's ``s`` (metres along the road) and ``x`` (road half-widths: the arms of a cross
#: road reach +-12; still scenes stop at +-3)
S_RANGE, X_RANGE = (-50, 2500), (-12, 12)


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


def _yaml_boolean(problems, where, value) -> bool:
    """True (and a problem saying to quote it) when a state arrived as a YAML boolean: YAML
    reads an unquoted ``on``, ``off``, ``yes`` or ``no`` as true or false."""
    found = [v for v in (value if isinstance(value, list) else [value]) if isinstance(v, bool)]
    if found:
        word = "on" if found[0] else "off"
        problems.append(
            f"{where}: {str(found[0]).lower()} is how YAML reads an unquoted {word} (or "
            f'{"yes" if found[0] else "no"}): quote the state, "{word}"'
        )
    return bool(found)


def _number_or_keyframes(problems, where, value, lo, hi, duration) -> None:
    """One number in lo..hi, or keyframes ``[[t, value], ...]`` from t 0 with each in lo..hi."""
    if _is_num(value):
        _check_range(problems, where, value, lo, hi)
    elif _keyframes(problems, where, value, 2, duration):
        if value[0][0] != 0:
            problems.append(f"{where}[0]: the first keyframe must be at t 0")
        for i, (_t, number) in enumerate(value):
            _check_range(problems, f"{where}[{i}]", number, lo, hi)


def _validate_ego(ego, duration, problems: list[str]) -> None:
    if not isinstance(ego, dict):
        problems.append("ego: must be a mapping")
        return
    problems += [f"ego: unknown key {k!r}" for k in sorted(set(ego) - {"x", "speed", "signal"})]
    if "x" in ego:
        _number_or_keyframes(problems, "ego.x", ego["x"], -1, 1, duration)
    _number_or_keyframes(problems, "ego.speed", ego.get("speed", 0), 0, 120, duration)
    if "signal" in ego and _keyframes(problems, "ego.signal", ego["signal"], 2, duration):
        for i, (_t, signal) in enumerate(ego["signal"]):
            if _yaml_boolean(problems, f"ego.signal[{i}]", signal):
                continue
            if signal not in SIGNALS:
                problems.append(f"ego.signal[{i}]: {signal!r} not one of {', '.join(SIGNALS)}")


def _validate_show(problems, where, show, duration) -> None:
    """``show: [from, until]``: seconds in 0..duration, either null, from before until."""
    if (
        not isinstance(show, list)
        or len(show) != 2
        or not all(v is None or _is_num(v) for v in show)
    ):
        problems.append(f"{where}.show: must be [from, until] (seconds, either may be null)")
    elif not all(v is None or 0 <= v <= duration for v in show):
        problems.append(f"{where}.show: times must lie in 0..{duration}")
    elif None not in show and not show[0] < show[1]:
        problems.append(f"{where}.show: from ({show[0]:g}) must come before until ({show[1]:g})")


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
    if _yaml_boolean(problems, f"{where}.state", still.get("state")):
        del still["state"]
    found: list[str] = []
    _validate_object(i, {**still, "pos": 0.5, "x": 0}, found)
    problems += [f"{where}:{p.split(':', 1)[1]}" if ":" in p else p for p in found]
    path = actor.get("path")
    if _keyframes(problems, f"{where}.path", path, 3, duration):
        for j, (_t, s, x) in enumerate(path):
            _check_range(problems, f"{where}.path[{j}].s", s, *S_RANGE)
            _check_range(problems, f"{where}.path[{j}].x", x, *X_RANGE)
    if "show" in actor:
        _validate_show(problems, where, actor["show"], duration)
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
            if _yaml_boolean(problems, f"{here}.state", probe.get("state")):
                del probe["state"]
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
