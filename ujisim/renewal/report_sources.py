"""Renewals in the examiners' daily report (ujisim.exam.reports, through its signals): the
officers' verification queue, deliveries under way, renewals started per day, the holders'
ratings and comments on receipt (ujisim.exam.ratings) and the results of the satisfaction survey
(survey.py) in the service report."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ujisim.exam import ratings, reports, signals
from ujisim.renewal import survey
from ujisim.renewal.models import AppState, DeliveryOrder, OrderState, RenewalApplication

#: waiting for an officer: paid applications, and identity checks that failed three times
WAITING_FOR_OFFICER = (AppState.PAID, AppState.IDENTITY_REVIEW)
#: a delivery order is finished once the holder has the card
DELIVERY_DONE = (OrderState.DELIVERED, OrderState.PICKED_UP)


def verification_queue(session: Session) -> reports.QueueStatus:
    """Applications waiting for an officer; age from payment (or from the start when the
    identity check went to review before payment)."""
    waiting_since = func.coalesce(RenewalApplication.paid_at, RenewalApplication.created_at)
    count, oldest = session.execute(
        select(func.count(RenewalApplication.id), func.min(waiting_since)).where(
            RenewalApplication.state.in_(WAITING_FOR_OFFICER)
        )
    ).one()
    return reports.QueueStatus(count or 0, oldest)


def delivery_queue(session: Session) -> reports.QueueStatus:
    """Delivery orders whose card has not reached its holder yet."""
    count, oldest = session.execute(
        select(func.count(DeliveryOrder.id), func.min(DeliveryOrder.created_at)).where(
            DeliveryOrder.state.not_in(DELIVERY_DONE)
        )
    ).one()
    return reports.QueueStatus(count or 0, oldest)


def renewals_per_day(
    session: Session, start: datetime, end: datetime, zone: str
) -> dict[date, int]:
    """Renewal applications started per local day of ``zone``."""
    tz = ZoneInfo(zone)
    started = session.scalars(
        select(RenewalApplication.created_at).where(
            RenewalApplication.created_at >= start, RenewalApplication.created_at < end
        )
    )
    return dict(Counter(at.astimezone(tz).date() for at in started))


#: how many of the latest comments the service report shows
LATEST_COMMENTS = 10


def renewal_ratings(session: Session, start: datetime, end: datetime) -> ratings.Ratings:
    """The holders' ratings (1-5) of renewals completed in [start, end), and the latest
    comments."""
    completed = (
        RenewalApplication.completed_at >= start,
        RenewalApplication.completed_at < end,
        RenewalApplication.rating.is_not(None),
    )
    counts = dict(
        session.execute(
            select(RenewalApplication.rating, func.count())
            .where(*completed)
            .group_by(RenewalApplication.rating)
        ).all()
    )
    count = sum(counts.values())
    total = sum(score * n for score, n in counts.items())
    comments = session.execute(
        select(
            RenewalApplication.completed_at,
            RenewalApplication.rating,
            RenewalApplication.rating_comment,
        )
        .where(*completed, RenewalApplication.rating_comment.is_not(None))
        .order_by(RenewalApplication.completed_at.desc(), RenewalApplication.id.desc())
        .limit(LATEST_COMMENTS)
    ).all()
    return ratings.Ratings(
        count=count,
        mean=total / count if count else None,
        distribution={score: counts.get(score, 0) for score in ratings.SCALE},
        comments=[tuple(row) for row in comments],
    )


def rated(_sender) -> list[reports.Source]:
    """``exam.signals.report_ratings``: the holders' ratings of the online renewal."""
    return [reports.Source("renewal", _l("Online renewal"), renewal_ratings)]


def queues(_sender) -> list[reports.Source]:
    """``exam.signals.report_queues``: the officers' verification queue and the deliveries."""
    return [
        reports.Source("verification", _l("Renewal verification"), verification_queue),
        reports.Source("delivery", _l("Delivery"), delivery_queue),
    ]


def daily_counts(_sender) -> list[reports.Source]:
    """``exam.signals.report_daily_counts``: renewals started per day."""
    return [reports.Source("renewals", _l("Renewals"), renewals_per_day)]


def connect() -> None:
    """Answer the report's signals (idempotent: blinker keeps one connection per receiver)."""
    signals.report_queues.connect(queues)
    signals.report_daily_counts.connect(daily_counts)
    signals.report_ratings.connect(rated)
    signals.report_tables.connect(survey.tables)
