"""The renewal API's answers (``api.py``: the identity check and availability) as pydantic
models, for its OpenAPI document (``openapi.py``); the camera check and a new try answer as the
exam's do (proctoring/schemas.py). Its requests are multipart camera frames, read by the
identity check itself (proctoring/identity_check.py)."""

from __future__ import annotations

from typing import Literal

from pydantic import ConfigDict, Field

from ujisim.core.schemas import ResponseModel
from ujisim.renewal.models import IdentityStatus


class CheckResult(ResponseModel):
    """The decision on a try's burst, the advice after a failed one and where to go next."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    decision: Literal["passed", "failed"]
    reason: str = Field(description="ok, or why the try failed (different_person, still, ...)")
    advice: str | None = Field(description="what to do differently, in the user's language")
    try_: int = Field(alias="try", ge=1)
    tries_left: int = Field(ge=0)
    identity: Literal[(*(s.value for s in IdentityStatus), "escalated")] = Field(
        description="the application's identity status; escalated: an officer decides now"
    )
    next_url: str


class Availability(ResponseModel):
    """Online renewal can be started today (during a closure the answer is 503 renewal_paused
    with ``fields.reopens_on``)."""

    online: Literal["open"]
    today: str = Field(description="the holder's local date, YYYY-MM-DD")
