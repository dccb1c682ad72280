"""The exam page's JSON API (``api.py``): request and response bodies as pydantic models.
``api.py`` validates every request with them and ``openapi.py`` generates the document from them
(core/schemas.py: why pydantic, integers, errors). The bounds that depend on the attempt's paper
(how many questions, how many options) stay in ``answers.record_answer``."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from pydantic import ConfigDict, Field

from ujisim.core.schemas import (
    INTEGER_ERRORS,
    WHOLE,
    Problem,
    RequestModel,
    ResponseModel,
)
from ujisim.exam.answers import DEVICE, MAX_SEQ
from ujisim.exam.models import AttemptState

StateName = Literal[tuple(s.value for s in AttemptState)]


def _whole(name: str) -> Problem:
    return Problem("integer", _l("%(name)s must be a whole number.", name=name), *INTEGER_ERRORS)


POSITION = Annotated[
    int,
    Field(ge=0, description="the question's position on the paper, from 0"),
    WHOLE,
    _whole("position"),
    Problem(
        "range",
        lambda error: _("There is no question %(n)s.", n=error["input"]),
        "greater_than_equal",
    ),
]


class AnswerStep(RequestModel):
    """One answer step (append-only; the browser numbers its steps with ``seq``)."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"position": 0, "choice": 2, "seq": 17, "device": "k3x9",
                                         "age_ms": 40}]}
    )  # fmt: skip
    not_an_object = _l("Send the answer as a JSON object.")

    position: POSITION
    choice: Annotated[
        int | None,
        Field(ge=0, description="the option's index as shown, from 0; null clears the answer"),
        WHOLE,
        _whole("choice"),
        Problem("range", _l("That answer is not one of the options."), "greater_than_equal"),
    ] = None
    seq: Annotated[
        int,
        Field(ge=1, le=MAX_SEQ, description="the browser's number of this step, rising"),
        WHOLE,
        _whole("seq"),
        Problem("required", _l("The save is missing its sequence number."), "greater_than_equal"),
        Problem("range", _l("The sequence number is too large."), "less_than_equal"),
    ]
    device: Annotated[
        str | None,
        Field(pattern=f"^{DEVICE.pattern}$", description="the sending browser's id"),
        Problem("string", _l("%(name)s must be text.", name="device"), "string_type"),
        Problem("invalid", _l("The browser's id is not valid.")),
    ] = None
    age_ms: Annotated[
        int | None,
        Field(description="how long ago the answer was clicked, by the browser's clock (ms)"),
        WHOLE,
        _whole("age_ms"),
    ] = None


class OpenQuestion(RequestModel):
    """AVIS mode: the candidate sees this question; its own countdown starts."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"position": 3}]})
    not_an_object = _l("Send the answer as a JSON object.")

    position: POSITION


# --- responses ------------------------------------------------------------------------------


class Status(ResponseModel):
    """The attempt's state and clock."""

    state: StateName
    server_now: datetime
    deadline: datetime | None
    remaining_s: float = Field(ge=0)
    result_url: str | None = Field(description="the result page, once the attempt is closed")


class Question(ResponseModel):
    position: int = Field(ge=0)
    lang: Literal["id", "en"] = Field(
        description="the language of stem and options: the exam's, or Bahasa Indonesia for an "
        "item without that language"
    )
    stem: str
    options: list[str]
    media: str | None
    speech: str = Field(description="the stem and options read aloud by the server (audio)")


class Paper(Status):
    """The questions as the candidate sees them (positions only: no keys, no item ids)."""

    attempt: str
    vehicle_class: str
    language: Literal["id", "en"] = Field(
        description="the language the candidate chose for the questions at the start"
    )
    item_time_limit_s: int | None
    last_seq: int = Field(ge=0)
    csrf_token: str = Field(description="this session's token, for X-CSRFToken")
    questions: list[Question]
    answers: dict[str, int | None] = Field(description="position -> the choice held")
    item_remaining_s: dict[str, float] = Field(
        description="AVIS mode: seconds left on each question already shown (0: closed)"
    )


class Saved(Status):
    """``stored: false``: a repeat or stale seq (``repeat``, ``last_seq``), or a click that
    another browser's later answer overtook (``superseded``, ``held_choice``)."""

    saved: int
    stored: bool
    repeat: bool | None = None
    last_seq: int | None = None
    superseded: bool | None = None
    held_choice: int | None = None


class Opened(Status):
    item_remaining_s: float | None


# --- the clip part (exam/clip_api.py) -------------------------------------------------------

CLIP_NUMBER = Annotated[
    int,
    Field(ge=0, le=99, description="the clip's place in the attempt's clip part, from 0"),
    WHOLE,
    _whole("number"),
    Problem("range", _l("There is no such clip."), "greater_than_equal", "less_than_equal"),
]


class ClipStart(RequestModel):
    """Start (or restart) the next clip of the clip part."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"number": 0}]})
    not_an_object = _l("Send the clip as a JSON object.")

    number: CLIP_NUMBER
    key: Annotated[
        str | None,
        Field(pattern="^[A-Za-z0-9_-]{8,32}$",
              description="the page's id of this press of Start: sent again, no restart"),
        Problem("invalid", _l("The start's id is not valid.")),
    ] = None  # fmt: skip


class ClipClicks(RequestModel):
    """The clicks of a clip that has ended: milliseconds of the clip's own time, rising."""

    model_config = ConfigDict(json_schema_extra={"examples": [{"number": 0, "clicks": [7520]}]})
    not_an_object = _l("Send the clicks as a JSON object.")

    number: CLIP_NUMBER
    clicks: Annotated[
        list[int],
        Field(max_length=200, description="ms of the clip's time, rising"),
        Problem("invalid", _l("These clicks cannot come from the clip player. Watch the clip "
                              "again.")),
    ]  # fmt: skip


class ClipState(ResponseModel):
    number: int = Field(ge=0)
    started: bool = Field(description="started before: starting it again is a restart")
    finished: bool
    restarts: int = Field(ge=0)
    zeroed: bool = Field(description="scores 0 whatever the clicks (restarted too often)")


class ClipPart(Status):
    """The clip part: every clip's state, the next to watch (None: the part is done)."""

    total: int = Field(ge=0)
    next: int | None
    restarts_allowed: int = Field(ge=0)
    clips: list[ClipState]
    csrf_token: str = Field(description="this session's token, for X-CSRFToken")


class ClipStarted(Status):
    """The clip to play, without its scoring windows (``clip``: the player's package)."""

    number: int = Field(ge=0)
    total: int = Field(ge=1)
    restarts: int = Field(ge=0)
    zeroed: bool = Field(description="started once too often: it scores 0, go on to the next")
    clip: dict | None = Field(description="the clip as the player draws it (None when zeroed)")


class ClipSaved(Status):
    stored: bool = Field(description="false: a repeat of the clicks already held")
    next: int | None = Field(description="the next clip (None: the part is done)")
