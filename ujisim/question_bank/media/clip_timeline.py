"""Where everything of a clip is at a time: the ego's distance, speed and lateral place, each
actor's place, look and whether it is shown, and where the camera shows it (on screen or in a
mirror). ``static/js/clip_player.js``
computes the same with the same formulas (a browser test compares them), so the server can check
a clip's windows and draw its authoring timeline without playing it.

Positions follow ``clip_spec``: ``s`` metres along the road from the ego's start, ``x`` in road
half-widths; the projection is the still scenes' (``scene_roads``: a camera 2 m above the road,
focal length 450 px, horizon at row 135).
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass

import numpy as np

from .scene_objects import KINDS
from .scene_roads import CAM_H, CX, FOCAL, ROAD_TYPES, WIDTH, Y_HORIZON, pos_of_y

#: nearest and farthest depth (metres) drawn ahead: nearer is under the bonnet / dashboard
NEAR, FAR = 5.0, 180.0
#: how far behind us a mirror shows a road user (metres)
MIRROR_RANGE = 40.0
#: screen columns the pillars (A) or mirrors leave clear: an actor outside them is not "in view"
CLEAR = (40.0, WIDTH - 40.0)
#: what the ego may drive over (ground decals, a ball)
DRIVEN_OVER = {"puddle", "pothole", "sand", "oil", "speed_bump", "ball"}
VEHICLES = {"car", "parked_car", "truck", "bus", "angkot", "ambulance", "fire_engine", "police",
            "motorcycle", "bicycle", "funeral", "police_escort"}  # fmt: skip


#: road users that can hide another from the camera (street furniture and decals do not count)
ROAD_USERS = VEHICLES | {"pedestrian", "child", "police_officer", "animal", "cart", "train"}
#: the share of a window's road user's screen box a nearer, larger one must cover to hide it
HIDDEN_SHARE = 0.5


def speed_frames(ego: dict) -> list[tuple[float, float]]:
    """The ego's speed keyframes as (t, metres per second)."""
    speed = ego.get("speed", 0)
    frames = [[0, speed]] if not isinstance(speed, list) else speed
    return [(float(t), kmh / 3.6) for t, kmh in frames]


def cam_frames(ego: dict, half: float, default: float) -> list[tuple[float, float]]:
    """The ego's (the camera's) lateral keyframes as (t, metres from the centre line): ``x`` one
    number or keyframes ``[[t, x], ...]`` in road half-widths."""
    x = ego.get("x", default)
    frames = [[0, x]] if not isinstance(x, list) else x
    return [(float(t), value * half) for t, value in frames]


def _lerp(frames, t: float, column: int) -> float:
    """Linear between keyframes (``column`` of each), the first held before, the last after."""
    i = bisect_right([f[0] for f in frames], t)
    if i == 0:
        return frames[0][column]
    if i == len(frames):
        return frames[-1][column]
    (t0, *a), (t1, *b) = frames[i - 1], frames[i]
    u = (t - t0) / (t1 - t0)
    return a[column - 1] + (b[column - 1] - a[column - 1]) * u


@dataclass(frozen=True)
class Seen:
    """Where the camera shows an actor: ``where`` is "screen" or a mirror's side."""

    where: str
    depth: float
    x: float = 0.0
    y: float = 0.0
    #: pixels per metre at that place
    k: float = 0.0


class Timeline:
    """One clip (a valid spec) seen from one class's vehicle."""

    def __init__(self, spec: dict, vehicle_class: str):
        self.spec = spec
        self.cls = vehicle_class
        self.road = ROAD_TYPES[spec.get("road", "two_way")]
        self.duration = float(spec["duration"])
        ego = spec.get("ego", {})
        self.speeds = speed_frames(ego)
        self.cams = cam_frames(ego, self.road.half, self.road.ego_x)
        self.actors = {a["id"]: a for a in spec.get("actors", [])}
        # distance covered up to each speed keyframe (trapezoids)
        self._covered = [0.0]
        for (t0, v0), (t1, v1) in zip(self.speeds, self.speeds[1:], strict=False):
            self._covered.append(self._covered[-1] + (v0 + v1) / 2 * (t1 - t0))

    # ------------------------------------------------------------------ the ego

    def ego_speed(self, t: float) -> float:
        """km/h at ``t``."""
        return _lerp(self.speeds, t, 1) * 3.6

    def ego_s(self, t: float) -> float:
        """Metres travelled by ``t`` (speed linear between keyframes: exact trapezoids)."""
        i = bisect_right([f[0] for f in self.speeds], t) - 1
        if i < 0:
            return 0.0
        t0, v0 = self.speeds[i]
        v = _lerp(self.speeds, t, 1)
        return self._covered[i] + (v0 + v) / 2 * (t - t0)

    def ego_s_many(self, times: np.ndarray) -> np.ndarray:
        """``ego_s`` of many times at once (the same trapezoids)."""
        starts = np.array([f[0] for f in self.speeds])
        speeds = np.array([f[1] for f in self.speeds])
        i = np.clip(np.searchsorted(starts, times, side="right") - 1, 0, None)
        v = np.interp(times, starts, speeds)
        return np.array(self._covered)[i] + (speeds[i] + v) / 2 * (times - starts[i])

    def cam(self, t: float) -> float:
        """The camera's lateral place at ``t``: metres from the centre line (linear between the
        ego's ``x`` keyframes, the last held)."""
        return _lerp(self.cams, t, 1)

    def ego_signal(self, t: float) -> str:
        frames = self.spec.get("ego", {}).get("signal", [])
        i = bisect_right([f[0] for f in frames], t)
        return frames[i - 1][1] if i else "off"

    # ------------------------------------------------------------------ actors

    def place(self, ident: str, t: float) -> tuple[float, float]:
        """(s, x) of an actor at ``t``."""
        path = self.actors[ident]["path"]
        return _lerp(path, t, 1), _lerp(path, t, 2)

    def shown(self, ident: str, t: float) -> bool:
        """Whether the actor is there at ``t``: its ``show: [from, until]`` holds from ``from``
        (inclusive) to ``until`` (exclusive); a null end, or no ``show``, is open."""
        start, until = self.actors[ident].get("show") or (None, None)
        return (start is None or t >= start) and (until is None or t < until)

    def look(self, ident: str, t: float) -> dict:
        """The actor as a still-scene object (kind, state, facing ...) at ``t``, its changes
        applied; a vehicle without a facing faces away in our half of the road, toward us in
        the oncoming half (as still scenes)."""
        actor = self.actors[ident]
        obj = {k: v for k, v in actor.items() if k not in ("id", "path", "changes", "show")}
        for change in actor.get("changes", []):
            if change["t"] <= t:
                obj.update({k: v for k, v in change.items() if k != "t"})
        if "facing" not in obj:
            if obj["kind"] in VEHICLES:
                _s, x = self.place(ident, t)
                obj["facing"] = "toward" if self.road.oncoming and x > 0 else "away"
            else:
                facings = KINDS[obj["kind"]].facings
                obj["facing"] = "toward" if "toward" in facings else facings[0]
        return obj

    def seen(self, ident: str, t: float) -> Seen | None:
        """Where the camera shows the actor at ``t``, or None (not shown then, too far, under
        the dashboard, beside the road out of the frame, or behind us beyond the mirrors)."""
        if not self.shown(ident, t):
            return None
        s, x = self.place(ident, t)
        depth = s - self.ego_s(t)
        lateral = x * self.road.half - self.cam(t)
        if NEAR <= depth <= FAR:
            y = Y_HORIZON + CAM_H * FOCAL / depth
            k = (y - Y_HORIZON) / CAM_H
            sx = CX + lateral * k + self.bend(pos_of_y(y))
            if CLEAR[0] <= sx <= CLEAR[1]:
                return Seen("screen", depth, sx, y, k)
            return None
        if -MIRROR_RANGE <= depth < 0:
            side = self.mirror_side(lateral)
            return Seen(side, depth) if side else None
        return None

    def mirror_side(self, lateral: float) -> str | None:
        """The mirror that shows a road user ``lateral`` metres beside the camera."""
        if self.cls == "A":
            return "left" if lateral < -1.2 else "right" if lateral > 1.2 else "rear"
        return "left" if lateral < 0 else "right"

    def bend(self, pos: float) -> float:
        if self.road.feature != "curve" or pos <= 0:
            return 0.0
        return (1 if self.spec.get("side", "right") == "right" else -1) * 260 * pos * pos

    # ------------------------------------------------------------------ authoring checks

    def screen_box(self, ident: str, t: float) -> tuple[float, float, float, float] | None:
        """The actor's box on screen at ``t`` (left, top, right, bottom in pixels), from its
        kind's box in metres (``scene_objects.KINDS``; its length when seen side-on), or None
        when it is not on screen. A train is anchored at its nose, its carriages behind."""
        seen = self.seen(ident, t)
        if seen is None or seen.where != "screen":
            return None
        obj = self.look(ident, t)
        kind = KINDS[obj["kind"]]
        (w, h), k = kind.box, seen.k
        if obj["facing"] in ("left", "right"):
            w = max(w, kind.box_len)
        middle = seen.x
        if obj["kind"] == "train":
            middle -= (1 if obj["facing"] == "right" else -1) * w / 2 * k
        return (middle - w / 2 * k, seen.y - h * k, middle + w / 2 * k, seen.y)

    def hidden_by(self, ident: str, t: float) -> str | None:
        """The nearer, larger road user that hides the actor at ``t`` (its screen box covers at
        least ``HIDDEN_SHARE`` of the actor's), or None."""
        box = self.screen_box(ident, t)
        if box is None:
            return None
        area = (box[2] - box[0]) * (box[3] - box[1])
        depth = self.seen(ident, t).depth
        best, cover = None, HIDDEN_SHARE * area
        for other, actor in self.actors.items():
            if other == ident or actor["kind"] not in ROAD_USERS:
                continue
            near = self.screen_box(other, t)
            if near is None or self.seen(other, t).depth >= depth:
                continue
            if (near[2] - near[0]) * (near[3] - near[1]) <= area:
                continue
            overlap = max(min(box[2], near[2]) - max(box[0], near[0]), 0) * max(
                min(box[3], near[3]) - max(box[1], near[1]), 0
            )
            if overlap >= cover:
                best, cover = other, overlap
        return best

    def problems(self) -> list[str]:
        """What an author must mend beyond the spec's shape: windows out of view, hidden or
        over a hazard that does not develop, and the ego running into someone."""
        return (
            self.window_problems()
            + self.hidden_problems()
            + self.development_problems()
            + self.collisions()
        )

    def development_problems(self) -> list[str]:
        """A window scores a *developing* hazard: its actor moves (a path keyframe), changes (a
        state or facing) or appears or leaves (``show``) between 1 s before the window's start
        and its end."""
        problems = []
        for i, window in enumerate(self.spec.get("windows", [])):
            actor = self.actors[window["actor"]]
            times = [f[0] for f in actor["path"]] + [c["t"] for c in actor.get("changes", [])]
            times += [t for t in actor.get("show") or () if t is not None]
            if not any(window["start"] - 1 <= t <= window["end"] for t in times):
                problems.append(
                    f"windows[{i}]: nothing about {window['actor']} changes from 1 s before "
                    f"the window to its end (a path keyframe, a change or show): the hazard "
                    f"must be seen developing"
                )
        return problems

    def collisions(self) -> list[str]:
        """Every 0.1 s: an actor on the ground in our path within 3 m ahead of the camera's
        front (or 1 m behind it) means we ran into it. Decals (a puddle, a pothole) and a ball
        are driven over; an actor not shown then is not there."""
        problems = []
        grid = np.arange(int(self.duration * 10) + 1) / 10
        ego = self.ego_s_many(grid)
        cam = np.interp(grid, *zip(*self.cams, strict=True))
        for ident, actor in self.actors.items():
            if actor["kind"] in DRIVEN_OVER:
                continue
            times, s, x = (np.array(column, float) for column in zip(*actor["path"], strict=True))
            depth = np.interp(grid, times, s) - ego
            lateral = np.interp(grid, times, x) * self.road.half - cam
            start, until = actor.get("show") or (None, None)
            shown = (grid >= (-1 if start is None else start)) & (
                grid < (np.inf if until is None else until)
            )
            hit = np.flatnonzero(shown & (depth >= -1) & (depth <= 3) & (np.abs(lateral) < 1.4))
            if hit.size:
                problems.append(f"{ident}: our vehicle runs into it at t {grid[hit[0]]:g} s")
        return problems

    def window_problems(self) -> list[str]:
        """Each window's actor must be shown and on screen at the window's start and end (or,
        for a window marked ``mirror``, in a mirror the class has)."""
        problems = []
        for i, window in enumerate(self.spec.get("windows", [])):
            for edge in ("start", "end"):
                ident, t = window["actor"], window[edge]
                if not self.shown(ident, t):
                    show = ", ".join(
                        "null" if v is None else f"{v:g}" for v in self.actors[ident]["show"]
                    )
                    problems.append(
                        f"windows[{i}]: {ident} is not shown at the {edge} (t {t:g} s; its "
                        f"show: [{show}])"
                    )
                    continue
                seen = self.seen(ident, t)
                if seen is None or (seen.where != "screen" and not window.get("mirror")):
                    s, _x = self.place(ident, t)
                    problems.append(
                        f"windows[{i}]: {ident} is out of view at the {edge} "
                        f"(t {t:g} s, {s - self.ego_s(t):.1f} m ahead; on screen: {NEAR:g}.."
                        f"{FAR:g} m ahead inside the frame; a mirror window: up to "
                        f"{MIRROR_RANGE:g} m behind)"
                    )
        return problems

    def hidden_problems(self) -> list[str]:
        """A window starts when its hazard can be seen: its road user must not be hidden
        behind a nearer, larger one at the start (``hidden_by``). The problem says when it is
        first in sight, where the window could start."""
        problems = []
        for i, window in enumerate(self.spec.get("windows", [])):
            ident, start = window["actor"], window["start"]
            other = self.hidden_by(ident, start)
            if other is None:
                continue
            steps = np.arange(start, window["end"] + 1e-9, 0.1)
            clear = next(
                (round(float(t), 1) for t in steps
                 if self.screen_box(ident, t) and self.hidden_by(ident, t) is None),
                None,
            )  # fmt: skip
            then = f"first in sight at t {clear:g} s" if clear is not None else "hidden all along"
            problems.append(
                f"windows[{i}]: {ident} is hidden behind {other} at the start (t {start:g} s): "
                f"{then}; start the window when it can be seen"
            )
        return problems

    def rows(self, step: float = 1.0) -> list[dict]:
        """The authoring timeline: every ``step`` seconds the ego's speed and distance and each
        actor's distance ahead and where it is seen."""
        out = []
        n = int(self.duration / step)
        for i in range(n + 1):
            t = round(i * step, 3)
            actors = {}
            for ident in self.actors:
                s, x = self.place(ident, t)
                seen = self.seen(ident, t)
                actors[ident] = (round(s - self.ego_s(t), 1), x, seen.where if seen else "-")
            out.append({"t": t, "speed": round(self.ego_speed(t), 1),
                        "s": round(self.ego_s(t), 1), "actors": actors})  # fmt: skip
        return out
