"""A scene spec as authors type it on the item form: ``parse_scene`` reads JSON or YAML (safely:
no anchors, no deep nesting), ``scene_text`` writes a stored scene back as YAML in the style of
the bank's files."""

from __future__ import annotations

import json

import yaml
from flask_babel import lazy_gettext as _l

SCENE_MAX_DEPTH = 12


def parse_scene(text: str) -> dict:
    """A scene spec typed as JSON or YAML -> a JSON-safe mapping; ValueError names the problem.

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
                    raise ValueError(_l("The scene is nested too deeply."))
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark else 0
        raise ValueError(
            _l("Line %(line)s: %(problem)s", line=line, problem=getattr(exc, "problem", exc))
        ) from exc
    if isinstance(data, dict) and set(data) == {"scene"}:
        data = data["scene"]  # pasted with its "scene:" key, as in the YAML files
    if not isinstance(data, dict):
        raise ValueError(_l("Write the scene as a mapping, e.g. {title: ..., road: two_way}."))
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
