"""The publish gate's rules for hazard-perception clips (``lint.lint_items`` sends clips here,
questions to the option rules). A clip must play as written for every class it is for (a window
seen through a motorcycle's mirror may not be in a car's), fit the player's budget (``MAX_BYTES``
of package per class and language: the player downloads nothing else), and have its English.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from ujisim.question_bank.lint_flags import ERROR, Flag
from ujisim.question_bank.media.clip_package import package
from ujisim.question_bank.media.clip_timeline import Timeline

#: the most a clip's package may weigh (bytes of JSON), per class and language
MAX_BYTES = 50_000


def clip_size(spec: dict, vehicle_class: str, lang: str) -> int:
    """Bytes of the package the player gets (compact JSON, UTF-8)."""
    data = package(spec, vehicle_class, lang)
    return len(json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode())


def clip_flags(items: Sequence) -> list[Flag]:
    """Every flag of the clips among ``items`` (``ItemContent``s whose media is a clip)."""
    flags = []
    for item in items:
        spec = item.media["clip"]
        if not spec.get("title_en") or any(
            a.get("label") and not a.get("label_en") for a in spec["actors"]
        ):
            flags.append(Flag("translation_media", ERROR, (item.code,)))
        for cls in item.classes:
            for problem in Timeline(spec, cls).problems():
                flags.append(
                    Flag("clip_play", ERROR, (item.code,), {"cls": cls, "problem": problem})
                )
            size = max(clip_size(spec, cls, lang) for lang in ("id", "en"))
            if size > MAX_BYTES:
                params = {"cls": cls, "kb": round(size / 1000), "limit": MAX_BYTES // 1000}
                flags.append(Flag("clip_size", ERROR, (item.code,), params))
    return flags
