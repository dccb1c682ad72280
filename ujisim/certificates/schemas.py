"""The print-shop API's request and response bodies and queries as pydantic models: ``api.py``
validates every request with them and ``openapi.py`` generates the document from them (see
core/schemas.py for why pydantic and how integers and errors are handled)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from flask_babel import lazy_gettext as _l
from pydantic import AfterValidator, Field

from ujisim.certificates.models import JobKind, JobState
from ujisim.certificates.print_queue import MAX_CLAIM
from ujisim.certificates.printing import MAX_BATCH
from ujisim.core.schemas import QUERY_INT, WHOLE, Problem, RequestModel, ResponseModel

#: a job's public id (as in the paths)
JOB_ID_PATTERN = r"^[A-Za-z0-9_-]{1,40}$"
MAX_LIST = 200
MAX_REASON = 500

KindName = Literal[tuple(k.value for k in JobKind)]
StateName = Literal[tuple(s.value for s in JobState)]
KIND = Problem("choice", _l("kind must be certificate or card."))


def _different(ids: list[str]) -> list[str]:
    if len(set(ids)) != len(ids):
        raise ValueError("the same job twice")
    return ids


# --- requests -------------------------------------------------------------------------------


class JobListQuery(RequestModel):
    """``GET /print/jobs``: which ready jobs to list."""

    kind: Annotated[KindName | None, KIND] = None
    limit: Annotated[
        int,
        Field(ge=1, le=MAX_LIST),
        QUERY_INT,
        Problem("range", _l("%(name)s must be a whole number from %(low)s to %(high)s.",
                            name="limit", low=1, high=MAX_LIST)),
    ] = 50  # fmt: skip


class BatchQuery(RequestModel):
    """``GET /print/batch.pdf``: the card jobs to impose."""

    jobs: Annotated[
        list[Annotated[str, Field(pattern=JOB_ID_PATTERN)]],
        Field(
            min_length=1,
            max_length=MAX_BATCH,
            description="comma-separated ids of different claimed card jobs",
            json_schema_extra={"uniqueItems": True},
        ),
        AfterValidator(_different),
        Problem("count", _l("Name 1 to %(n)s different card jobs.", n=MAX_BATCH)),
    ]


class ClaimRequest(RequestModel):
    """``POST /print/jobs/claim`` (the body may be left out: every field has a default)."""

    limit: Annotated[
        int,
        Field(ge=1, le=MAX_CLAIM),
        WHOLE,
        Problem("range", _l("%(name)s must be a whole number from %(low)s to %(high)s.",
                            name="limit", low=1, high=MAX_CLAIM)),
    ] = 10  # fmt: skip
    kind: Annotated[KindName | None, KIND] = None


class FailRequest(RequestModel):
    """``POST /print/jobs/{id}/failed``."""

    reason: Annotated[
        str,
        # at least one character that is not a space
        Field(max_length=MAX_REASON, pattern=r"\S"),
        Problem("required", _l("Give the reason the job failed (at most 500 characters).")),
    ]


# --- responses ------------------------------------------------------------------------------


class Job(ResponseModel):
    """A print job as a station sees it."""

    id: str = Field(description="unguessable public id")
    kind: KindName
    state: StateName = Field(description="a claimed job whose lease has expired is shown as ready")
    title: str
    created_at: datetime
    claimed_at: datetime | None
    lease_expires_at: datetime | None
    printed_at: datetime | None
    failed_at: datetime | None
    fail_reason: str | None
    claims: int = Field(ge=0)
    yours: bool = Field(description="this station holds (or held) the job")
    document_url: str = Field(description="path of the job's PDF")
    serial: str | None = Field(
        description="a card job this station holds: the serial of the copy its claim prints "
        "(on the card and in its QR); otherwise null"
    )


class JobList(ResponseModel):
    jobs: list[Job]
    server_now: datetime


class ClaimResult(ResponseModel):
    jobs: list[Job] = Field(max_length=MAX_CLAIM)
    lease_seconds: int = Field(ge=1)
    server_now: datetime


class Station(ResponseModel):
    id: str
    name: str
    created_at: datetime
    last_used_at: datetime | None
