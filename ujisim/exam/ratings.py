"""The service report beside the examiners' daily report: what the people served said of each
service (ratings 1-5 and comments), answered by the domains that serve them through
``signals.report_ratings`` (the renewal's receipt rating)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from ujisim.exam import signals
from ujisim.exam.reports import Source, _sources

#: the scale of a rating, best first
SCALE = (5, 4, 3, 2, 1)


@dataclass(frozen=True)
class Ratings:
    """What the people served said of a service in a period: how many rated it, the mean
    score, how many gave each score and the latest comments."""

    count: int
    #: None when nobody rated
    mean: float | None
    #: score -> how many gave it, every score of the scale present (best first)
    distribution: dict[int, int]
    #: (when, score, comment), newest first
    comments: list[tuple[datetime, int, str]]

    def share(self, score: int) -> float:
        return self.distribution.get(score, 0) / self.count if self.count else 0.0


#: fn(session, start_utc, end_utc) -> Ratings
RatingsProvider = Callable[[Session, datetime, datetime], Ratings]


def rating_sources() -> list[Source]:
    """The services rated (``signals.report_ratings``): the online renewal, and any other a
    domain adds."""
    return _sources(signals.report_ratings, (Source("renewal", _l("Online renewal")),))
