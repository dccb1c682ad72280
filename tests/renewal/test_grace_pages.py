"""Grace windows on the pages (issue 19, point 1): the administrator's table (add, edit, publish,
withdraw; every bad input with its own message and nothing saved), the start page's notice
during a closure (503; a JSON client gets the error shape with the reopening day) and the
telegram named when a grace window lets an expired SIM be renewed."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tests.conftest import DEFAULT_PASSWORD
from tests.renewal.conftest import TODAY
from ujisim.core.audit import AuditRecord
from ujisim.core.security import Role
from ujisim.renewal import closures
from ujisim.renewal.models import GraceStatus, GraceWindow

TELEGRAM = "ST/1234/XI/YAN.1.1/2026"
URL = "/admin/perpanjangan/dispensasi"


def form(**changes) -> dict:
    """A valid grace window form around TODAY (the frozen clock's day)."""
    values = {
        "name": "Libur nasional November",
        "closed_from": (TODAY - timedelta(days=12)).isoformat(),
        "closed_until": (TODAY - timedelta(days=3)).isoformat(),
        "expired_from": (TODAY - timedelta(days=20)).isoformat(),
        "expired_until": (TODAY - timedelta(days=10)).isoformat(),
        "renew_from": (TODAY - timedelta(days=2)).isoformat(),
        "renew_until": (TODAY + timedelta(days=5)).isoformat(),
        "telegram": TELEGRAM,
        "classes": "A, c",
        "online": "y",
        "counter": "y",
        "source": "https://example.id/berita",
    }
    values.update(changes)
    return {k: v for k, v in values.items() if v is not None}


def windows(db) -> int:
    return db.scalar(select(func.count()).select_from(GraceWindow))


@pytest.fixture
def admin(client, login, clock):
    return login(Role.ADMIN, locale="en")


def test_admin_adds_edits_and_publishes_a_window(db, client, admin):
    response = client.submit(URL, form())
    assert response.status_code == 303
    window = db.scalars(select(GraceWindow)).one()
    assert (window.status, window.classes, window.online) == (GraceStatus.DRAFT, "A,C", True)
    page = client.get(URL).get_data(as_text=True)
    assert TELEGRAM in page
    assert "Libur nasional November" in page

    edit = f"{URL}/{window.public_id}"
    assert client.get(edit).status_code == 200
    shown = str(window.version)
    assert f'name="expected" type="hidden" value="{shown}"' in client.get(edit).get_data(
        as_text=True
    )
    saved = client.submit(edit, form(name="Libur Natal", counter=None, expected=shown))
    assert saved.status_code == 303
    db.refresh(window)
    assert (window.name, window.counter) == ("Libur Natal", False)
    # the same form saved again from a second tab: refused, nothing changed
    stale = client.submit(edit, form(name="Dari tab lama", expected=shown), follow_redirects=True)
    assert "was changed meanwhile" in stale.get_data(as_text=True)
    db.refresh(window)
    assert window.name == "Libur Natal"

    assert client.submit(f"{edit}/publish").status_code == 303
    db.refresh(window)
    assert window.status == GraceStatus.PUBLISHED
    # a double click: the same answer, no second move on record
    page = client.submit(f"{edit}/publish", follow_redirects=True).get_data(as_text=True)
    assert "is published" in page
    published = db.scalar(
        select(func.count())
        .select_from(AuditRecord)
        .where(AuditRecord.action == "renewal.grace_published")
    )
    assert published == 1
    # a published window is not edited in place
    fresh = str(window.version)
    response = client.submit(edit, form(name="Changed", expected=fresh), follow_redirects=True)
    assert "Only a draft can be edited" in response.get_data(as_text=True)
    db.refresh(window)
    assert window.name == "Libur Natal"
    assert client.submit(f"{edit}/withdraw").status_code == 303
    db.refresh(window)
    assert window.status == GraceStatus.WITHDRAWN
    # publishing a withdrawn window is refused with the workflow's message
    page = client.submit(f"{edit}/publish", follow_redirects=True).get_data(as_text=True)
    assert "cannot go from withdrawn to published" in page


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"expired_until": (TODAY - timedelta(days=21)).isoformat()}, "last expiry date covered"),
        ({"renew_until": (TODAY - timedelta(days=3)).isoformat()}, "closes before it opens"),
        ({"closed_until": (TODAY - timedelta(days=13)).isoformat()}, "ends before it starts"),
        ({"renew_from": (TODAY - timedelta(days=3)).isoformat()}, "after the closure ends"),
        (
            {"closed_from": None, "closed_until": None, "renew_from": TODAY.isoformat()[:8] + "01"},
            "after the last expiry date it covers",
        ),
        ({"closed_until": ""}, "both days of the closure, or neither"),
        ({"classes": "A, Z9"}, "Unknown class: Z9"),
        ({"classes": " "}, "at least one class"),
        ({"online": None, "counter": None}, "at least one channel"),
        ({"telegram": "telegram 12"}, "A telegram number looks like"),
        ({"expired_from": "22/11/2026"}, "Enter a date as day, month and year"),
        ({"renew_until": ""}, "Enter a date as day, month and year"),
        ({"name": ""}, "Give the grace window a name"),
    ],
)
def test_every_bad_input_has_its_message(db, client, admin, changes, message):
    response = client.submit(URL, form(**changes))
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)
    assert windows(db) == 0


@pytest.mark.parametrize("role", [Role.APPLICANT, Role.EXAMINER])
def test_only_administrators(client, login, role):
    login(role, locale="en")
    assert client.get(URL).status_code == 403
    assert client.submit(URL, form()).status_code == 403


# --- the holder's start page ----------------------------------------------------------------


@pytest.fixture
def logged_in(client, holder):
    assert client.login(holder.email, DEFAULT_PASSWORD).status_code == 302
    return holder


@pytest.fixture
def closure(db, clock):
    window = closures.add_window(
        db,
        None,
        name="Lebaran test",
        closed_from=TODAY - timedelta(days=1),
        closed_until=TODAY + timedelta(days=2),
        expired_from=TODAY - timedelta(days=1),
        expired_until=TODAY + timedelta(days=2),
        renew_from=TODAY + timedelta(days=3),
        renew_until=TODAY + timedelta(days=14),
        telegram="",
        classes="A,C",
        online=True,
        counter=True,
        source="",
    )
    closures.publish(db, window, None)
    db.commit()
    return window


def _start(client, holder, number, **kwargs):
    data = {"number": number, "nik": holder.nik, "date_of_birth": holder.date_of_birth.isoformat()}
    return client.submit("/perpanjangan/mulai", data, **kwargs)


def test_the_start_page_shows_the_closure_and_refuses_to_start(client, logged_in, licence, closure):
    page = client.get("/perpanjangan/").get_data(as_text=True)
    assert 'id="closure-notice"' in page
    assert "opens again on November 25, 2026" in page
    response = _start(client, logged_in, licence.number)
    assert response.status_code == 503
    assert "Online renewal is paused" in response.get_data(as_text=True)


def test_a_json_client_gets_503_with_the_reopening_day(client, logged_in, licence, closure):
    response = _start(client, logged_in, licence.number, headers={"Accept": "application/json"})
    assert response.status_code == 503
    error = response.get_json()["error"]
    assert error["code"] == "renewal_paused"
    assert error["fields"]["reopens_on"] == "2026-11-25"


def test_the_availability_api(client, logged_in, db, closure):
    response = client.get("/api/v1/renewal/availability")
    assert response.status_code == 503
    error = response.get_json()["error"]
    assert (error["code"], error["fields"]["reopens_on"]) == ("renewal_paused", "2026-11-25")
    assert "opens again on November 25, 2026" in error["message"]
    closures.withdraw(db, closure, None)
    db.commit()
    response = client.get("/api/v1/renewal/availability")
    assert response.status_code == 200
    assert response.get_json() == {"online": "open", "today": "2026-11-22"}


def test_starting_inside_a_grace_window_names_the_telegram(
    db, client, logged_in, make_licence, clock
):
    window = closures.add_window(
        db,
        None,
        name="Lebaran test",
        closed_from=None,
        closed_until=None,
        expired_from=TODAY - timedelta(days=20),
        expired_until=TODAY - timedelta(days=10),
        renew_from=TODAY - timedelta(days=2),
        renew_until=TODAY + timedelta(days=5),
        telegram=TELEGRAM,
        classes="A",
        online=True,
        counter=False,
        source="",
    )
    closures.publish(db, window, None)
    db.commit()
    expired = make_licence(logged_in, expires_in_days=-15)
    response = _start(client, logged_in, expired.number, follow_redirects=True)
    page = response.get_data(as_text=True)
    assert TELEGRAM in page
    assert "until November 27, 2026" in page


def test_the_sandbox_page_shows_the_reminder_texts(db, client, admin, holder, make_licence):
    from ujisim.renewal import reminders

    holder.phone = "081298765432"
    db.commit()
    licence = make_licence(holder, expires_in_days=7)
    reminders.send_reminders(db, TODAY)
    db.commit()
    page = client.get("/admin/perpanjangan/sandbox-pesan").get_data(as_text=True)
    assert "081298765432" in page
    assert licence.number in page
    assert "http://localhost/perpanjangan/" in page
