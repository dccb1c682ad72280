"""Audit explorer: search filters, the chain's verification status (a tampered row is named),
CSV export parsed back, and who may see it."""

from __future__ import annotations

import csv
import io

import pytest
from sqlalchemy import update

from ujisim.core import audit
from ujisim.core.security import Role


@pytest.fixture
def records(db, frozen_clock, make_user):
    """Four records on two days (frozen clock: 22 Nov 10:00 WIB, then 23 Nov 10:00 WIB)."""
    siti = make_user(Role.EXAMINER, email="siti@example.id")
    audit.record(db, "exam.created", actor=siti, object_type="attempt", object_id="AT1")
    audit.record(
        db,
        "exam.voided",
        actor=siti,
        object_type="attempt",
        object_id="AT1",
        data={"reason": "joki"},
    )
    frozen_clock.advance(days=1)
    audit.record(db, "bank.item_approved", object_type="item", object_id="RB-001")
    audit.record(db, "exam.created", object_type="attempt", object_id="AT2")
    db.commit()
    return siti


def search(client, **args) -> str:
    return client.get("/audit/", query_string=args).get_data(as_text=True)


def found(client, **args) -> str:
    """The results table only: the rest of the page (a CSRF token, the filter form's echo of the
    query) may hold the same letters by chance."""
    page = search(client, **args)
    start = page.find('<table id="records">')
    return page[start : page.index("</table>", start)] if start >= 0 else ""


@pytest.mark.parametrize(
    ("args", "present", "absent"),
    [
        ({"actor": "siti@"}, ["exam.voided"], ["bank.item_approved", "AT2"]),
        ({"action": "exam."}, ["exam.voided", "AT2"], ["bank.item_approved"]),
        ({"action": "bank"}, ["RB-001"], ["AT1", "AT2"]),
        ({"object_type": "attempt", "object_id": "AT1"}, ["exam.voided"], ["AT2", "RB-001"]),
        ({"from": "2026-11-23"}, ["RB-001", "AT2"], ["AT1"]),
        ({"to": "2026-11-22"}, ["AT1"], ["RB-001", "AT2"]),
    ],
)
def test_filters(client, login, records, args, present, absent):
    login(Role.EXAMINER)
    page = found(client, **args)
    for text in present:
        assert text in page, (args, text)
    for text in absent:
        assert text not in page, (args, text)


def test_actor_by_user_id(client, login, records):
    login(Role.ADMIN)
    page = found(client, actor=str(records.id))
    assert "exam.voided" in page
    assert "RB-001" not in page


def test_verification_status_and_a_tampered_row(client, db, login, records):
    login(Role.EXAMINER)  # the login itself is audited too
    page = search(client)
    assert 'class="status-ok"' in page
    target = db.scalars(
        audit.AuditRecord.__table__.select().where(audit.AuditRecord.action == "exam.voided")
    ).first()
    db.execute(
        update(audit.AuditRecord)
        .where(audit.AuditRecord.id == target)
        .values(data='{"reason":"salah ketik"}')
    )
    db.commit()
    seq = db.get(audit.AuditRecord, target).seq
    page = search(client)
    assert 'class="status-broken"' in page
    assert f"record {seq}" in page or f"catatan {seq}" in page


def test_csv_export(client, login, records):
    login(Role.EXAMINER)
    response = client.get("/audit/export.csv", query_string={"object_id": "AT1"})
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [r["action"] for r in rows] == ["exam.voided", "exam.created"]  # newest first
    assert rows[0]["actor"] == "siti@example.id"
    assert rows[0]["at_utc"] == "2026-11-22T03:00:00+00:00"
    assert rows[0]["data"] == '{"reason":"joki"}'
    assert len(rows[0]["hash"]) == 64


def test_bad_date_is_refused(client, login):
    login(Role.ADMIN)
    assert client.get("/audit/?from=22-11-2026").status_code == 422
