"""Renewal jobs: expire unpaid virtual accounts (and their applications), and catch up delivery
orders whose card was printed."""

from ujisim.core import jobs
from ujisim.core.db import get_session


@jobs.task("renewal.expire_unpaid")
def expire_unpaid_job() -> int:
    from ujisim.renewal.payments import expire_unpaid

    session = get_session()
    expired = expire_unpaid(session)
    session.commit()
    return expired


@jobs.task("renewal.sync_printed")
def sync_printed_job() -> int:
    from ujisim.renewal.delivery import sync_printed

    session = get_session()
    moved = sync_printed(session)
    session.commit()
    return moved


def register() -> None:
    jobs.every(60, "renewal.expire_unpaid")
    jobs.every(60, "renewal.sync_printed")
