"""Blueprints are versioned by the admin page; holidays feed the working-day count."""

from datetime import date

from sqlalchemy import select

from tests.exam.conftest import BLUEPRINT_FORM
from ujisim.core.security import Role
from ujisim.exam import policy
from ujisim.exam.models import ExamBlueprint, Holiday


def test_a_change_makes_a_new_version(client, db, login):
    login(Role.ADMIN)
    assert "SIM A" in client.get("/admin/exam/").get_data(as_text=True)
    response = client.submit("/admin/exam/blueprint/C", BLUEPRINT_FORM)
    assert response.status_code == 302
    versions = db.scalars(
        select(ExamBlueprint)
        .where(ExamBlueprint.vehicle_class == "C")
        .order_by(ExamBlueprint.version)
    ).all()
    assert [(b.version, b.time_limit_s, b.counts) for b in versions] == [
        (1, 1800, {"persepsi_bahaya": 12, "wawasan": 9, "pengetahuan": 9}),
        (2, 1200, {"persepsi_bahaya": 10, "wawasan": 10, "pengetahuan": 10}),
    ]
    assert policy.current_blueprint(db, "C").version == 2
    assert policy.current_blueprint(db, "A").version == 1


def test_impossible_pass_mark_is_refused(client, db, login):
    login(Role.ADMIN)
    response = client.submit(
        "/admin/exam/blueprint/A", dict(BLUEPRINT_FORM, **{"bp-pass_mark": "31"})
    )
    assert response.status_code == 422
    assert "30" in response.get_data(as_text=True)
    assert policy.current_blueprint(db, "A").version == 1


def test_holidays(client, db, login):
    login(Role.ADMIN)
    assert (
        client.submit(
            "/admin/exam/holidays", {"h-day": "2026-12-25", "h-name": "Natal"}
        ).status_code
        == 302
    )
    assert (
        client.submit("/admin/exam/holidays", {"h-day": "2026-12-25", "h-name": "Lagi"}).status_code
        == 409
    )
    assert (
        client.submit("/admin/exam/holidays", {"h-day": "25/12", "h-name": "x"}).status_code == 422
    )
    holiday = db.scalars(select(Holiday)).one()
    assert holiday.day == date(2026, 12, 25)
    assert policy.add_working_days(db, date(2026, 12, 24), 1) == date(2026, 12, 28)
    assert client.submit(f"/admin/exam/holidays/{holiday.id}/delete").status_code == 302
    assert db.scalars(select(Holiday)).all() == []


def test_a_form_saved_twice_makes_one_version(client, db, login):
    login(Role.ADMIN)
    client.get("/admin/exam/")
    assert client.submit("/admin/exam/blueprint/A", BLUEPRINT_FORM).status_code == 302
    again = client.submit(
        "/admin/exam/blueprint/A", dict(BLUEPRINT_FORM, **{"bp-time_limit_min": "25"})
    )
    assert again.status_code == 409  # the form showed version 1; version 2 exists now
    page = again.get_data(as_text=True)
    assert 'name="bp-expected" type="hidden" value="2"' in page  # based on the new version
    assert [b.version for b in db.scalars(select(ExamBlueprint).where(
        ExamBlueprint.vehicle_class == "A"))] == [1, 2]  # fmt: skip
    assert policy.current_blueprint(db, "A").time_limit_s == 20 * 60
