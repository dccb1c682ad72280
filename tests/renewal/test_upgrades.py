"""SIM C I and C II (issue 19, point 8): classes in the registry, the exam (the C test, their own
minimum ages, the upgrade rule from the registry), renewal (online, PNBP Rp 75.000) and cards.

The upgrade rule as attacks: a candidate without a SIM C, with a SIM C held 11 months, with an
expired or revoked SIM C, or with a SIM C belonging to another NIK is refused a C I exam; C II
needs C I (a SIM C alone is not enough)."""

import itertools
from datetime import date, timedelta

import pytest

from tests.exam.conftest import make_items
from ujisim.core.security import Role
from ujisim.exam import attempts, classes, policy
from ujisim.exam.errors import NotEligible
from ujisim.question_bank import services
from ujisim.renewal import eligibility, payments, registry
from ujisim.renewal.models import LicenceStatus

pytestmark = pytest.mark.both_backends
#: the frozen clock's day (tests/support.py FrozenClock: 22 November 2026, 10:00 WIB)
TODAY = date(2026, 11, 22)
NUMBERS = itertools.count(1)


@pytest.fixture
def c_bank(db):
    """A published bank with A and C items only (C I and C II have none of their own)."""
    services.import_contents(db, make_items())
    db.commit()


@pytest.fixture
def rider(make_user, frozen_clock):
    # born 5 July 1999 (NIK 317405 050799 0003): 27 years old
    return make_user(Role.APPLICANT, nik="3174050507990003", date_of_birth=date(1999, 7, 5))


def give(db, user, cls: str, issued: date, *, status=LicenceStatus.ACTIVE, number=None, nik=None):
    licence = registry.add_licence(
        db,
        number=number or f"3174{next(NUMBERS):08d}",
        licence_class=cls,
        holder_nik=nik or user.nik,
        holder_name=user.full_name,
        date_of_birth=user.date_of_birth,
        address="Jl. Melati No. 5, Jakarta Selatan",
        issued_on=issued,
        expires_on=issued + timedelta(days=5 * 365),
        satpas="Satpas Polda Metro Jaya",
        status=status,
    )
    db.commit()
    return licence


def refusal(db, user, cls: str) -> NotEligible:
    with pytest.raises(NotEligible) as caught:
        policy.check_eligibility(db, user, cls)
    return caught.value


def test_c_i_without_any_sim_c_is_refused(db, c_bank, rider):
    error = refusal(db, rider, "C1")
    assert error.code == "upgrade_missing"
    assert "SIM C I needs a valid SIM C held for at least 12 months" in error.message


def test_c_i_after_eleven_months_is_refused_with_the_day(db, c_bank, rider):
    give(db, rider, "C", TODAY - timedelta(days=335))
    error = refusal(db, rider, "C1")
    assert error.code == "upgrade_too_soon"
    assert "you may take the SIM C I exam from December 22, 2026" in error.message


def test_c_i_after_twelve_months_sits_the_c_test(db, c_bank, rider):
    give(db, rider, "C", date(2025, 11, 22))
    blueprint = policy.check_eligibility(db, rider, "C1")
    attempt = attempts.create_attempt(db, rider, blueprint)
    db.commit()
    assert (attempt.vehicle_class, blueprint.min_age) == ("C1", 18)
    # every question of the paper is a C item: the written test is the C test
    versions = attempts.paper_versions(db, attempt)
    assert len(versions) == blueprint.total
    assert all("C" in v.classes.split(",") for v in versions)


def test_a_renewed_sim_c_counts_from_its_first_issue(db, c_bank, rider):
    first = give(db, rider, "C", date(2020, 1, 10), status=LicenceStatus.REPLACED)
    give(db, rider, "C", date(2026, 10, 1), number=first.number)  # renewed last month
    assert policy.check_eligibility(db, rider, "C1").vehicle_class == "C1"


@pytest.mark.parametrize("status", [LicenceStatus.REVOKED, LicenceStatus.EXPIRED])
def test_a_sim_c_not_in_force_does_not_count(db, c_bank, rider, status):
    give(db, rider, "C", date(2023, 1, 10), status=status)
    assert refusal(db, rider, "C1").code == "upgrade_missing"


def test_an_expired_by_date_sim_c_does_not_count(db, c_bank, rider):
    give(db, rider, "C", TODAY - timedelta(days=5 * 365 + 1))  # expired yesterday
    assert refusal(db, rider, "C1").code == "upgrade_missing"


def test_somebody_elses_sim_c_does_not_count(db, c_bank, rider):
    give(db, rider, "C", date(2023, 1, 10), nik="3174054507990003")
    assert refusal(db, rider, "C1").code == "upgrade_missing"


def test_c_ii_needs_c_i_not_c(db, c_bank, rider):
    give(db, rider, "C", date(2020, 1, 10))
    error = refusal(db, rider, "C2")
    assert "SIM C II needs a valid SIM C I" in error.message
    give(db, rider, "C1", date(2025, 6, 1))
    assert policy.check_eligibility(db, rider, "C2").min_age == 19


def test_minimum_ages_are_18_for_c_i_and_19_for_c_ii(db, c_bank, make_user, frozen_clock):
    seventeen = make_user(Role.APPLICANT, nik="3174050507090003", date_of_birth=date(2009, 7, 5))
    give(db, seventeen, "C", date(2025, 7, 10))
    assert "The minimum age for SIM C I is 18" in refusal(db, seventeen, "C1").message
    eighteen = make_user(Role.APPLICANT, nik="3174050507080003", date_of_birth=date(2008, 7, 5))
    give(db, eighteen, "C", date(2025, 7, 10))
    assert policy.check_eligibility(db, eighteen, "C1").min_age == classes.MIN_AGE["C1"] == 18
    give(db, eighteen, "C1", date(2025, 7, 11))
    assert "The minimum age for SIM C II is 19" in refusal(db, eighteen, "C2").message


def test_the_classes_renew_online_at_rp_75000(db, make_user, frozen_clock):
    user = make_user(Role.APPLICANT, nik="3174050507990003", date_of_birth=date(1999, 7, 5))
    licence = give(db, user, "C1", TODAY + timedelta(days=30) - timedelta(days=5 * 365))
    found = eligibility.check_eligibility(db, user, licence.number, user.nik, user.date_of_birth)
    assert found.licence_class == "C1"
    assert payments.PNBP["C1"] == payments.PNBP["C2"] == 75_000


def test_the_register_import_reads_c_i_and_c_ii(db, tmp_path):
    header = ",".join(registry.CSV_COLUMNS)
    rows = [
        "317400000111,C I,3174050507990003,Budi,1999-07-05,Jakarta,Jl. A,,,2024-06-01,2029-06-01,"
        "Satpas Polda Metro Jaya,active",
        "317400000112,CII,3174050507990003,Budi,1999-07-05,Jakarta,Jl. A,,,2024-06-01,2029-06-01,"
        "Satpas Polda Metro Jaya,active",
    ]
    report = registry.import_csv(db, "\n".join([header, *rows]), tmp_path)
    assert not report.problems
    classes_in = {
        registry.get_current_licence(db, n).licence_class for n in ("317400000111", "317400000112")
    }
    assert classes_in == {"C1", "C2"}
