"""Renewals, their deliveries and card prints show in the examiners' daily report."""

from datetime import date, timedelta

from tests.renewal.conftest import make_nik
from ujisim.core.security import Role
from ujisim.exam import reports
from ujisim.proctoring.report_sources import flag_rates
from ujisim.renewal.models import AppState


def queues(db) -> dict:
    return {q.name: q for q in reports.pending_queues(db)}


def test_officer_print_and_delivery_queues_count_real_renewals(
    db, walk, clock, make_licence, make_user
):
    walk(AppState.PAID)  # waits for an officer
    clock.advance(hours=3)
    found = queues(db)
    assert (found["verification"].count, found["verification"].age) == (1, timedelta(hours=3))
    assert (found["print"].count, found["delivery"].count) == (0, 0)
    born = date(1985, 7, 2)
    other = make_user(Role.APPLICANT, nik=make_nik(born, female=True), date_of_birth=born)
    walk(AppState.APPROVED, user=other, lic=make_licence(other))  # a card job and an order
    found = queues(db)
    assert found["verification"].count == 1
    assert (found["print"].count, found["delivery"].count) == (1, 1)


def test_renewals_are_counted_per_local_day(db, walk, clock):
    walk(AppState.DOCUMENTS)
    start = clock() - timedelta(days=1)
    (renewals,) = [source for source in reports.daily_sources() if source.name == "renewals"]
    counts = renewals.fn(db, start, clock() + timedelta(days=1), "Asia/Jakarta")
    assert sum(counts.values()) == 1


def test_proctoring_rates_are_none_without_exams(db, clock):
    rates = flag_rates(db, clock() - timedelta(days=1), clock())
    assert list(rates.values()) == [None, None]
