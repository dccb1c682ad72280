"""Certificates jobs: catch up the delivery orders whose card was printed."""

from ujisim.certificates import renewal_cards
from ujisim.core import jobs
from ujisim.core.db import get_session


@jobs.task("renewal.sync_printed")  # the name it had when renewal ran it
def sync_printed_job() -> int:
    session = get_session()
    moved = renewal_cards.sync_printed(session)
    session.commit()
    return moved


def register() -> None:
    jobs.every(60, "renewal.sync_printed")
