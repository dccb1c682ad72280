"""Every eligibility branch, each with its own code and message (service and page)."""

from datetime import date, timedelta

import pytest

from tests.renewal.conftest import make_nik
from ujisim.core.errors import UjisimError
from ujisim.core.security import Role
from ujisim.renewal import application as apps
from ujisim.renewal.eligibility import check_eligibility
from ujisim.renewal.models import LicenceStatus


def refused(db, user, number, nik=None, born=None) -> UjisimError:
    with pytest.raises(UjisimError) as caught:
        check_eligibility(db, user, number, nik or user.nik, born or user.date_of_birth)
    return caught.value


def test_inside_the_window_is_eligible(db, holder, licence):
    assert (
        check_eligibility(db, holder, licence.number, holder.nik, holder.date_of_birth) == licence
    )


def test_number_written_with_spaces_and_dashes_is_found(db, holder, licence):
    written = f"{licence.number[:4]}-{licence.number[4:8]} {licence.number[8:]}"
    assert check_eligibility(db, holder, written, holder.nik, holder.date_of_birth) == licence


def test_unknown_number(db, holder, licence):
    error = refused(db, holder, "999999999999")
    assert (error.code, error.status) == ("not_found", 404)
    assert "No SIM with this number" in error.message


def test_invalid_nik(db, holder, licence):
    error = refused(db, holder, licence.number, nik="12345")
    assert (error.code, error.status) == ("nik_invalid", 422)


def test_nik_of_somebody_else(db, holder, licence):
    other = make_nik(holder.date_of_birth)
    error = refused(db, holder, licence.number, nik=other)
    assert error.code == "account_mismatch"
    assert "not the one of your account" in error.message


def test_licence_of_another_person(db, clock, make_user, make_licence, holder):
    born = date(1980, 1, 2)
    other = make_user(Role.APPLICANT, nik=make_nik(born), date_of_birth=born)
    theirs = make_licence(other)
    error = refused(db, holder, theirs.number)
    assert error.code == "data_mismatch"
    assert "do not belong together" in error.message


def test_wrong_birth_date(db, holder, licence):
    error = refused(db, holder, licence.number, born=holder.date_of_birth + timedelta(days=1))
    assert error.code == "data_mismatch"


@pytest.mark.parametrize("cls", ["B1", "B2", "D"])
def test_other_classes_go_to_the_satpas(db, clock, holder, make_licence, cls):
    other = make_licence(holder, licence_class=cls)
    error = refused(db, holder, other.number)
    assert error.code == "class"
    assert f"SIM {cls}" in error.message


def test_revoked(db, clock, holder, make_licence):
    revoked = make_licence(holder, status=LicenceStatus.REVOKED)
    error = refused(db, holder, revoked.number)
    assert error.code == "revoked"
    assert "revoked" in error.message


@pytest.mark.parametrize("days", [-1, -400])
def test_expired_needs_a_new_sim(db, clock, holder, make_licence, days):
    expired = make_licence(holder, expires_in_days=days)
    error = refused(db, holder, expired.number)
    assert error.code == "expired"
    assert "apply for a new SIM" in error.message


def test_expiry_day_itself_is_still_renewable(db, clock, holder, make_licence):
    today = make_licence(holder, expires_in_days=0)
    assert check_eligibility(db, holder, today.number, holder.nik, holder.date_of_birth)


def test_too_early_names_the_opening_day(db, clock, holder, make_licence):
    early = make_licence(holder, expires_in_days=91)
    error = refused(db, holder, early.number)
    assert error.code == "too_early"
    opens = early.expires_on - timedelta(days=90)
    assert opens.strftime("%Y") in error.message
    assert "opens on" in error.message
    clock.advance(days=1)  # 90 days before expiry: the window is open
    assert check_eligibility(db, holder, early.number, holder.nik, holder.date_of_birth)


def test_open_renewal(db, holder, licence):
    apps.start_application(db, holder, licence.number, holder.nik, holder.date_of_birth)
    error = refused(db, holder, licence.number)
    assert error.code == "open_renewal"


def test_after_a_rejection_the_holder_may_apply_again(db, holder, licence, walk, make_user):
    from ujisim.renewal import verification

    application = walk(apps.AppState.PAID)
    verification.reject(db, application, make_user(Role.EXAMINER), "unclear_documents")
    assert check_eligibility(db, holder, licence.number, holder.nik, holder.date_of_birth)


# --- the page -------------------------------------------------------------------------------


@pytest.fixture
def logged_in(client, holder):
    from tests.conftest import DEFAULT_PASSWORD

    assert client.login(holder.email, DEFAULT_PASSWORD).status_code == 302
    return holder


def _start(client, number, nik, born):
    return client.submit(
        "/perpanjangan/mulai", {"number": number, "nik": nik, "date_of_birth": born.isoformat()}
    )


def test_page_starts_a_renewal(client, logged_in, licence):
    response = _start(client, licence.number, logged_in.nik, logged_in.date_of_birth)
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Dokumen dan pernyataan" in page or "Documents and declarations" in page


def test_page_shows_each_refusal_and_changes_nothing(client, db, logged_in, clock, make_licence):
    from sqlalchemy import func, select

    from ujisim.renewal.models import RenewalApplication

    expired = make_licence(logged_in, expires_in_days=-3)
    response = _start(client, expired.number, logged_in.nik, logged_in.date_of_birth)
    assert response.status_code == 403
    assert expired.number not in ("",)
    assert 'role="alert"' in response.get_data(as_text=True)
    assert db.scalar(select(func.count()).select_from(RenewalApplication)) == 0


def test_double_submit_continues_the_open_renewal(client, logged_in, licence):
    first = _start(client, licence.number, logged_in.nik, logged_in.date_of_birth)
    second = _start(client, licence.number, logged_in.nik, logged_in.date_of_birth)
    assert second.status_code == 303
    assert second.headers["Location"] == first.headers["Location"]
