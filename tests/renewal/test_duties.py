"""Separation of duties for renewals (issue 17, point 3; ujisim/core/duties.py): no officer
verifies, decides or hands over their own renewal, and an officer whose own renewal is open
sees no staff page until it ends; every refusal is audited. Exams, cases and items:
tests/test_duties.py."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest

from tests.renewal.conftest import make_nik
from tests.support import audit_records
from ujisim.core import duties
from ujisim.core.security import Role
from ujisim.renewal import delivery, verification
from ujisim.renewal.models import AppState, RenewalApplication

OWN = "access.own_case_refused"
OPEN_RENEWAL = "access.staff_with_open_renewal_refused"


@pytest.fixture
def officer_holder(make_user):
    """An officer (examiner) who holds a SIM and renews it online; pages in Indonesian."""
    born = date(1988, 4, 2)
    return make_user(
        Role.APPLICANT, Role.EXAMINER, nik=make_nik(born), date_of_birth=born, locale="id"
    )


@pytest.fixture
def own(walk, make_licence, officer_holder):
    """``own(state)``: the officer's own renewal walked to ``state``."""
    licence = make_licence(officer_holder)
    return lambda state: walk(state, user=officer_holder, lic=licence)


@pytest.fixture
def colleague(make_user):
    return make_user(Role.EXAMINER, locale="en")


def test_an_officer_cannot_verify_their_own_renewal(db, signed_in, own, officer_holder, colleague):
    paid = own(AppState.PAID)
    me = signed_in(officer_holder)
    url = f"/examiner/renewals/{paid.public_id}"
    detail = me.get(url)
    assert detail.status_code == 403
    assert "Perpanjangan SIM Anda sendiri sedang berjalan." in detail.get_data(as_text=True)
    assert me.submit(url + "/approve", {"version": str(paid.version)}).status_code == 403
    form = {"reason": "data_mismatch", "note": "", "version": str(paid.version)}
    assert me.submit(url + "/reject", form).status_code == 403
    assert me.get("/examiner/renewals/").status_code == 403
    db.expire_all()
    assert db.get(RenewalApplication, paid.id).state == AppState.PAID
    records = audit_records(db, OPEN_RENEWAL, officer_holder)
    assert [(r.object_type, r.object_id) for r in records] == [("renewal", paid.public_id)] * 4
    # another officer approves it
    other = signed_in(colleague)
    assert other.get(url).status_code == 200
    assert other.submit(url + "/approve", {"version": str(paid.version)}).status_code == 303
    db.expire_all()
    assert db.get(RenewalApplication, paid.id).state == AppState.APPROVED


def test_an_ended_own_renewal_stays_closed_to_its_holder(
    db, signed_in, own, officer_holder, colleague
):
    application = own(AppState.PAID)
    verification.reject(db, application, colleague, "unclear_documents", "Foto buram")
    db.commit()
    me = signed_in(officer_holder)
    assert me.get("/examiner/renewals/").status_code == 200  # nothing of theirs is open now
    url = f"/examiner/renewals/{application.public_id}"
    refused = me.get(url)
    assert refused.status_code == 403
    assert "Ini perpanjangan SIM Anda sendiri." in refused.get_data(as_text=True)
    (record,) = audit_records(db, OWN, officer_holder)
    assert (record.object_type, record.object_id) == ("renewal", application.public_id)
    assert signed_in(colleague).get(url).status_code == 200


def test_the_holder_is_known_by_account_and_by_nik(db, own, officer_holder, colleague):
    approved = own(AppState.APPROVED)
    order = delivery.get_order(db, approved)
    assert duties.is_subject(db, officer_holder, approved)
    assert duties.is_subject(db, officer_holder, order)  # their card at the delivery desk
    assert not duties.is_subject(db, colleague, order)
    # another account of the same person (a staff account with the holder's NIK)
    same_person = SimpleNamespace(id=-1, nik=officer_holder.nik)
    assert duties.is_subject(db, same_person, approved)
    found = duties.open_business(db, officer_holder)
    assert (found.name, found.object_id) == ("renewal", approved.public_id)


def test_staff_pages_open_again_when_the_renewal_ends(db, signed_in, own, officer_holder):
    documents = own(AppState.DOCUMENTS)
    me = signed_in(officer_holder)
    assert me.get("/examiner/items/").status_code == 403
    me.submit(f"/perpanjangan/{documents.public_id}/batal", {"version": str(documents.version)})
    db.expire_all()
    assert db.get(RenewalApplication, documents.id).state == AppState.CANCELLED
    assert me.get("/examiner/items/").status_code == 200
    assert len(audit_records(db, OPEN_RENEWAL, officer_holder)) == 1
