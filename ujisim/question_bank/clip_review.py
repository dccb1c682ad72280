"""What examiners see of a clip while writing and reviewing it (the authoring preview and the clip
editor): the timeline player's data (``static/js/clip_preview.js``: the package candidates'
players get, and the scoring windows, which a candidate's page never holds before the clicks),
and the publish gate's clip checks for each class (``clip_lint``): what does not play as
written, and the package's size against the player's budget.
"""

from __future__ import annotations

from dataclasses import dataclass

from ujisim.core.i18n import LANGUAGES
from ujisim.question_bank.clip_lint import MAX_BYTES, clip_size
from ujisim.question_bank.media.clip_package import package
from ujisim.question_bank.media.clip_timeline import Timeline
from ujisim.question_bank.models import CLASSES


@dataclass(frozen=True)
class ClassCheck:
    """The gate's clip checks of one class (``clip_lint.clip_flags``)."""

    cls: str
    #: the clip is for this class, so the gate judges it
    used: bool
    #: ``Timeline.problems``: windows out of view or over nothing developing, collisions
    problems: tuple[str, ...]
    #: bytes of the larger package of the two languages, as the gate weighs it
    size: int

    @property
    def too_big(self) -> bool:
        return self.size > MAX_BYTES

    @property
    def refused(self) -> bool:
        """The gate refuses to publish the clip for this class."""
        return self.used and bool(self.problems or self.too_big)


def class_checks(spec: dict, classes) -> list[ClassCheck]:
    """The gate's clip checks for every class, marked with whether ``classes`` holds it (the
    others tell an author what adding the class would take)."""
    return [
        ClassCheck(
            cls=cls,
            used=cls in classes,
            problems=tuple(Timeline(spec, cls).problems()),
            size=max(clip_size(spec, cls, lang) for lang in LANGUAGES),
        )
        for cls in CLASSES
    ]


def player_data(spec: dict, vehicle_class: str, lang: str) -> dict:
    """The preview player's data: the package and the windows (seconds, with their actor)."""
    windows = [
        {"actor": w["actor"], "start": w["start"], "end": w["end"], "mirror": bool(w.get("mirror"))}
        for w in spec["windows"]
    ]
    return {"clip": package(spec, vehicle_class, lang), "windows": windows}


def clip_view(version, vehicle_class: str | None, lang: str) -> dict:
    """What the preview and the editor show of a clip version: the player's data for
    ``vehicle_class`` (the version's first class by default) and the checks of every class."""
    spec = version.media["clip"]
    vehicle_class = vehicle_class or version.class_list[0]
    return {
        "cls": vehicle_class,
        "data": player_data(spec, vehicle_class, lang),
        "checks": class_checks(spec, version.class_list),
        "limit": MAX_BYTES,
    }
