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
