"""Grace windows (dispensasi) and service closures (issue 19, point 1): a SIM that expired inside
a published grace window is renewed online while the window is open (the answer names the
telegram and the last day); one day outside, a draft or a withdrawn window, another class: the
old refusal; a counter-only window sends the holder to the counter; a closure of the online
service pauses starting a renewal (503 with the reopening day), not the renewals in progress."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests.renewal.conftest import TODAY
from tests.workflow_walk import pairs, walk
from ujisim.core.audit import AuditRecord
from ujisim.core.errors import UjisimError
from ujisim.renewal import application as apps
from ujisim.renewal import closures, documents, registry
from ujisim.renewal.eligibility import check_eligibility
from ujisim.renewal.errors import GraceNotDraft
from ujisim.renewal.models import AppState, GraceStatus, GraceWindow, LicenceStatus

pytestmark = pytest.mark.both_backends  # the subject is the database: SQLite and PostgreSQL

TELEGRAM = "ST/785/IV/YAN.1.1/2026"


@pytest.fixture
def make_window(db, clock):
    """A grace window around TODAY: SIMs expired 20 to 10 days ago, renewable from 2 days ago
    to 5 days ahead, online, class A and C; published unless ``status`` says otherwise."""

    def make(status: GraceStatus = GraceStatus.PUBLISHED, **fields) -> GraceWindow:
        values = {
            "name": "Lebaran test",
            "closed_from": TODAY - timedelta(days=12),
            "closed_until": TODAY - timedelta(days=3),
            "expired_from": TODAY - timedelta(days=20),
            "expired_until": TODAY - timedelta(days=10),
            "renew_from": TODAY - timedelta(days=2),
            "renew_until": TODAY + timedelta(days=5),
            "telegram": TELEGRAM,
            "classes": "A,C",
            "online": True,
            "counter": True,
            "source": "",
            **fields,
        }
        window = closures.add_window(db, None, **values)
        if status != GraceStatus.DRAFT:
            closures.publish(db, window, None)
        if status == GraceStatus.WITHDRAWN:
            closures.withdraw(db, window, None)
        db.commit()
        return window

    return make


def refused(db, user, licence) -> UjisimError:
    with pytest.raises(UjisimError) as caught:
        apps.start_application(db, user, licence.number, user.nik, user.date_of_birth)
    return caught.value


def test_expired_inside_a_published_window_renews_online(db, holder, make_licence, make_window):
    window = make_window()
    expired = make_licence(holder, expires_in_days=-15)
    application = apps.start_application(
        db, holder, expired.number, holder.nik, holder.date_of_birth
    )
    assert application.state == AppState.DOCUMENTS
    record = db.scalars(
        select(AuditRecord)
        .where(AuditRecord.action == "renewal.started")
        .order_by(AuditRecord.id.desc())
    ).first()
    data = json.loads(record.data)
    assert (data["grace_window"], data["telegram"]) == (window.public_id, TELEGRAM)
    message = closures.grace_message(window)
    assert TELEGRAM in message
    assert "November 27, 2026" in message


@pytest.mark.parametrize("stored", [LicenceStatus.ACTIVE, LicenceStatus.EXPIRED])
def test_a_grace_renewal_goes_through_to_the_new_card(
    db, holder, make_licence, make_window, walk, stored
):
    """Approval replaces the expired card (stored as expired by a register import, or active
    past its day) with a new one, as for a card still valid."""
    make_window()
    expired = make_licence(holder, expires_in_days=-15, status=stored)
    application = walk(AppState.APPROVED, lic=expired)
    assert application.state == AppState.APPROVED
    db.refresh(expired)
    assert expired.status == LicenceStatus.REPLACED
    assert registry.get_current_licence(db, expired.number).expires_on > TODAY


@pytest.mark.parametrize("days", [-21, -9])
def test_one_day_outside_the_expiry_range_is_refused(db, holder, make_licence, make_window, days):
    make_window()
    outside = make_licence(holder, expires_in_days=days)
    error = refused(db, holder, outside)
    assert error.code == "expired"
    assert "apply for a new SIM" in error.message


def test_the_day_after_the_window_closes_is_refused(db, clock, holder, make_licence, make_window):
    make_window()
    expired = make_licence(holder, expires_in_days=-15)
    clock.advance(days=5)  # the window's last day: still renewable
    assert check_eligibility(db, holder, expired.number, holder.nik, holder.date_of_birth)
    clock.advance(days=1)
    assert refused(db, holder, expired).code == "expired"


@pytest.mark.parametrize("status", [GraceStatus.DRAFT, GraceStatus.WITHDRAWN])
def test_a_window_not_in_force_is_ignored(db, holder, make_licence, make_window, status):
    make_window(status)
    expired = make_licence(holder, expires_in_days=-15)
    assert refused(db, holder, expired).code == "expired"


def test_a_class_not_covered_is_refused(db, holder, make_licence, make_window):
    make_window(classes="C")
    expired = make_licence(holder, expires_in_days=-15)  # SIM A
    assert refused(db, holder, expired).code == "expired"


def test_a_counter_only_window_sends_the_holder_to_the_counter(
    db, holder, make_licence, make_window
):
    make_window(online=False, counter=True)
    expired = make_licence(holder, expires_in_days=-15)
    error = refused(db, holder, expired)
    assert (error.code, error.status) == ("grace_counter", 403)
    assert "Satpas counter only" in error.message
    assert TELEGRAM in error.message
    assert "November 27, 2026" in error.message  # until the window's last day


def test_a_window_without_its_telegram_number_says_so(db, holder, make_licence, make_window):
    make_window(online=False, telegram="")
    error = refused(db, holder, make_licence(holder, expires_in_days=-15))
    assert "telegram number not known" in error.message


def test_an_online_window_not_open_yet_names_its_days(db, holder, make_licence, make_window):
    make_window(
        closed_from=None,
        closed_until=None,
        renew_from=TODAY + timedelta(days=2),
        renew_until=TODAY + timedelta(days=9),
    )
    error = refused(db, holder, make_licence(holder, expires_in_days=-15))
    assert error.code == "grace_not_open"
    assert "opens on November 24, 2026" in error.message


def test_a_closure_pauses_starting_an_online_renewal(db, holder, licence, make_window):
    window = make_window(
        closed_from=TODAY - timedelta(days=1),
        closed_until=TODAY + timedelta(days=2),
        renew_from=TODAY + timedelta(days=3),
        renew_until=TODAY + timedelta(days=10),
        expired_from=TODAY - timedelta(days=1),
        expired_until=TODAY + timedelta(days=2),
    )
    error = refused(db, holder, licence)
    assert (error.code, error.status) == ("renewal_paused", 503)
    assert error.fields["reopens_on"] == (TODAY + timedelta(days=3)).isoformat()
    assert "opens again on November 25, 2026" in error.message
    closures.withdraw(db, window, None)
    assert apps.start_application(db, holder, licence.number, holder.nik, holder.date_of_birth)


def test_a_counter_only_closure_does_not_pause_online(db, holder, licence, make_window):
    make_window(
        online=False,
        closed_from=TODAY - timedelta(days=1),
        closed_until=TODAY + timedelta(days=2),
        renew_from=TODAY + timedelta(days=3),
        expired_until=TODAY + timedelta(days=2),
    )
    assert apps.start_application(db, holder, licence.number, holder.nik, holder.date_of_birth)


def test_a_renewal_in_progress_carries_on_during_a_closure(
    db, clock, holder, licence, docs, make_window, face_work_once
):
    application = apps.start_application(
        db, holder, licence.number, holder.nik, holder.date_of_birth
    )
    make_window(
        closed_from=TODAY,
        closed_until=TODAY + timedelta(days=2),
        renew_from=TODAY + timedelta(days=3),
        renew_until=TODAY + timedelta(days=10),
        expired_until=TODAY + timedelta(days=2),
    )
    documents.submit_documents(db, application, actor=holder, **docs)
    assert application.state == AppState.IDENTITY


@pytest.mark.parametrize(("src", "dst"), pairs(GraceStatus))
def test_grace_window_table(db, make_window, src, dst):
    window = make_window(GraceStatus.DRAFT)
    walk(db, window, src, dst)


def test_only_a_draft_is_edited(db, make_window):
    window = make_window()
    values = {name: getattr(window, name) for name in closures.FIELDS} | {"name": "Changed"}
    with pytest.raises(GraceNotDraft):
        closures.edit_window(db, window, None, **values)
    closures.withdraw(db, window, None)
    closures.redraft(db, window, None)
    closures.edit_window(db, window, None, **values)
    assert window.name == "Changed"


def test_the_seeded_public_windows(db, clock):
    from ujisim.renewal.seed import seed_grace_windows

    seed_grace_windows(db)
    seed_grace_windows(db)  # idempotent
    windows = {w.name: w for w in closures.query_windows(db)}
    assert set(windows) == {"Lebaran 2024", "Lebaran 2025"}
    lebaran = windows["Lebaran 2025"]
    assert (lebaran.expired_from, lebaran.expired_until) == (date(2025, 3, 28), date(2025, 4, 7))
    assert (lebaran.renew_from, lebaran.renew_until) == (date(2025, 4, 8), date(2025, 4, 19))
    assert windows["Lebaran 2024"].renew_from == date(2024, 4, 16)
    for window in windows.values():
        assert window.status == GraceStatus.PUBLISHED
        assert window.telegram == ""  # not found in a public source: never made up
        assert closures.telegram_label(window) == "telegram number not known"
