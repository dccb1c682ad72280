"""A scene or clip spec as authors type it on the item or clip form: ``parse_scene`` and
``parse_clip`` read JSON or YAML (safely: no anchors, no deep nesting), ``scene_text`` and
``clip_text`` write a stored one back as YAML in the style of the bank's files."""

from __future__ import annotations

import json

import yaml
from flask_babel import lazy_gettext as _l

SCENE_MAX_DEPTH = 12
#: what a text nested too deeply or not a mapping is told, by the key its spec is under
TOO_DEEP = {"scene": _l("The scene is nested too deeply."),
            "clip": _l("The clip is nested too deeply.")}  # fmt: skip
NOT_A_MAPPING = {
    "scene": _l("Write the scene as a mapping, e.g. {title: ..., road: two_way}."),
    "clip": _l("Write the clip as a mapping, e.g. {title: ..., road: two_way, duration: 30, ...}."),
}


def parse_scene(text: str) -> dict:
    """A scene spec typed as JSON or YAML -> a JSON-safe mapping; ValueError names the problem."""
    return parse_spec(text, "scene")


def parse_clip(text: str) -> dict:
    """A clip spec typed as JSON or YAML (``clip_spec``'s vocabulary) -> a JSON-safe mapping."""
    return parse_spec(text, "clip")


def parse_spec(text: str, key: str) -> dict:
    """A spec typed as JSON or YAML, perhaps pasted with its ``key:`` line from a YAML file ->
    a JSON-safe mapping; ValueError names the problem.

    Refuses anchors/aliases and deep nesting before building anything, so a small text cannot
    expand into a huge document.
    """
    depth = 0
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                raise ValueError(_l("Anchors and aliases (& and *) are not allowed."))
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > SCENE_MAX_DEPTH:
                    raise ValueError(TOO_DEEP[key])
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 0
        raise ValueError(
            _l("Line %(line)s: %(problem)s", line=line, problem=getattr(exc, "problem", exc))
        ) from exc
    if isinstance(data, dict) and set(data) == {key}:
        data = data[key]  # pasted with its "scene:" or "clip:" key, as in the YAML files
    if not isinstance(data, dict):
        raise ValueError(NOT_A_MAPPING[key])
    try:
        return json.loads(json.dumps(data, ensure_ascii=False))
    except (TypeError, ValueError) as exc:
        raise ValueError(_l("Use only text, numbers, lists and mappings.")) from exc


def scene_text(scene: dict) -> str:
    """A stored scene as YAML in the style of the bank files: title first, objects one a line."""
    first = {k: scene[k] for k in ("title", "title_en") if k in scene}
    ordered = {**first, **scene}
    return yaml.safe_dump(ordered, allow_unicode=True, sort_keys=False, default_flow_style=None,
                          width=100)  # fmt: skip


#: the order a clip's keys are written in (clip_spec.py's, whatever order they are stored in)
CLIP_ORDER = ("title", "title_en", "road", "at", "side", "center", "area", "time", "weather",
              "duration", "ego", "actors", "windows")  # fmt: skip


def _ordered(mapping: dict, first, last=()) -> dict:
    """``mapping`` with the keys ``first`` leading and ``last`` closing, the others between."""
    keys = [k for k in first if k in mapping]
    keys += [k for k in mapping if k not in first and k not in last]
    return {k: mapping[k] for k in keys + [k for k in last if k in mapping]}


def clip_text(clip: dict) -> str:
    """A stored clip as YAML in the order its vocabulary is written (stored items have their
    keys sorted): each actor's id and kind first, its path and changes last; windows as
    ``{actor, start, end}``; keyframes one a line."""
    spec = _ordered(clip, CLIP_ORDER)
    if isinstance(spec.get("ego"), dict):
        spec["ego"] = _ordered(spec["ego"], ("x", "speed", "signal"))
    spec["actors"] = [
        {**_ordered(actor, ("id", "kind"), ("path", "changes")),
         **({"changes": [_ordered(c, ("t",)) for c in actor["changes"]]}
            if "changes" in actor else {})}
        for actor in spec.get("actors", [])
    ]  # fmt: skip
    spec["windows"] = [_ordered(w, ("actor", "start", "end")) for w in spec.get("windows", [])]
    return yaml.safe_dump(spec, allow_unicode=True, sort_keys=False, default_flow_style=None,
                          width=100)  # fmt: skip
