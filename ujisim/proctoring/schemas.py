"""The JSON parts of the proctoring API (``api.py``: browser events and the status the exam page
polls) as pydantic models. ``api.py`` validates the event body with them and ``openapi.py``
generates the document from them (core/schemas.py: why pydantic, errors). The multipart frame
uploads (camera check, identity check, snapshots) are not described here."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from flask_babel import lazy_gettext as _l
from pydantic import ConfigDict, Field

from ujisim.core.schemas import Problem, RequestModel, ResponseModel
from ujisim.exam.models import AttemptState
from ujisim.proctoring.models import IdentityStatus
from ujisim.proctoring.observations import EVENT_TYPES

EventType = Literal[EVENT_TYPES]


class BrowserEvent(RequestModel):
    """Something the exam page saw happen (weighed into the case's risk)."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"type": "tab_hidden", "client_at": "2026-11-22T03:00Z"}]}
    )
    not_an_object = _l("Send the event as a JSON object.")

    type: Annotated[EventType, Problem("choice", _l("Unknown event type."))]
    client_at: Annotated[
        str | None,
        Field(description="the browser's time of the event, as it reports it (kept as text)"),
    ] = None


class ProctorStatus(ResponseModel):
    """The attempt's state, the case's risk and its newest warning."""

    state: Literal[tuple(s.value for s in AttemptState)]
    risk: float = Field(ge=0)
    warning: str | None
    warned_at: datetime | None
    identity: Literal[tuple(s.value for s in IdentityStatus)]
    recheck_url: str | None = Field(description="the identity check to pass, while paused")
    interval_s: int = Field(description="seconds between snapshots")
    csrf_token: str = Field(description="this session's token, for X-CSRFToken")


# --- the identity check's answers (the exam's and the renewal's: one script serves both) ----


class CameraCheck(ResponseModel):
    """The camera check of one preview frame: the first problem the person can fix, or "ok"."""

    problem: Literal["ok", "too_dark", "no_face", "several_faces", "face_too_small"]
    brightness: float
    faces: int = Field(ge=0)
    face_share: float | None = Field(description="the face's share of the frame")


class Challenge(ResponseModel):
    """A try of the identity check: its id, the actions to ask for, their schedule, and where
    to send the burst of frames."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    check: str = Field(description="the try's public id")
    actions: list[str]
    looks: list[int] = Field(description="ms looking at the camera before and after each action")
    action_ms: int
    nonce: str = Field(description="sent back with the frames")
    interval_ms: int = Field(description="ms between frames")
    frames: int = Field(description="at most this many frames")
    try_: int = Field(alias="try", ge=1)
    max_tries: int = Field(ge=1)
    frames_url: str
