"""Audit explorer: search filters, the chain's verification status (a tampered row is named),
CSV export parsed back, and who may see it."""

from __future__ import annotations

import csv
import io
import re

import pytest
from sqlalchemy import update

from ujisim.core import audit, exports
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


# -- incremental verification -----------------------------------------------------------------

VERIFIED = re.compile(r'<p id="verification" role="status" data-since="(\d+)" data-walked="(\d+)">')


def status(page: str) -> tuple[str, int, int]:
    """("ok" | "broken", records trusted from the checkpoint, records the page read)."""
    since, walked = VERIFIED.search(page).groups()
    return ("ok" if 'class="status-ok"' in page else "broken"), int(since), int(walked)


def tamper(db, seq: int) -> None:
    db.execute(
        update(audit.AuditRecord).where(audit.AuditRecord.seq == seq).values(data='{"x":"y"}')
    )
    db.commit()


def head_seq(db) -> int:
    return db.get(audit.AuditHead, 1).seq


def test_without_a_full_check_the_page_walks_everything(client, db, login, records):
    login(Role.EXAMINER)
    page = search(client)
    assert status(page) == ("ok", 0, head_seq(db))
    assert 'id="full-check"' in page
    assert audit.get_checkpoint(db) is None  # a page view writes nothing


def test_the_page_shows_a_tamper_after_the_last_checkpoint(client, db, login, records, runner):
    login(Role.EXAMINER)
    assert runner.invoke(args=["audit", "verify"]).exit_code == 0
    checkpoint = audit.get_checkpoint(db)
    assert (checkpoint.ok, checkpoint.seq) == (True, head_seq(db))
    page = search(client)
    # the page names when the whole chain was last verified (frozen clock: 23 Nov, 10.00 WIB)
    assert "23 Nov 2026, 10.00" in page[page.index('id="full-check"') :]
    assert status(page) == ("ok", checkpoint.seq, 1)  # only the checkpoint's own record
    for n in range(3):
        audit.record(db, "exam.created", object_type="attempt", object_id=f"NEW{n}")
    db.commit()
    assert status(search(client)) == ("ok", checkpoint.seq, 4)
    tamper(db, checkpoint.seq + 2)
    page = search(client)
    assert status(page)[0] == "broken"
    seq = checkpoint.seq + 2
    assert f"record {seq}" in page or f"catatan {seq}" in page


def test_an_older_edit_is_caught_by_the_full_check(client, db, login, records, runner):
    login(Role.EXAMINER)
    response = client.submit("/audit/verify")  # the page's button: the job (eager in tests)
    assert response.status_code == 303
    assert audit.get_checkpoint(db).ok
    tamper(db, 2)
    # the page reads only the records after the checkpoint, so it cannot see this one yet ...
    assert status(search(client))[0] == "ok"
    # ... the CLI walks everything ...
    cli = runner.invoke(args=["audit", "verify"])
    assert cli.exit_code == 1
    assert "BROKEN at record 2" in cli.output
    # ... and leaves its finding for the page
    checkpoint = audit.get_checkpoint(db)
    assert (checkpoint.ok, checkpoint.broken_at, checkpoint.seq) == (False, 2, 1)
    page = search(client)
    assert status(page)[0] == "broken"
    assert "record 2" in page or "catatan 2" in page


def test_a_checkpoint_moved_by_hand_is_not_trusted(client, db, login, records, runner):
    login(Role.EXAMINER)
    tamper(db, 2)
    assert runner.invoke(args=["audit", "verify"]).exit_code == 1
    # the forger moves the checkpoint to the head and marks it good, to hide record 2
    head = db.get(audit.AuditHead, 1)
    db.execute(
        update(audit.AuditCheckpoint).values(
            seq=head.seq, hash=head.hash, ok=True, broken_at=None, reason=""
        )
    )
    db.commit()
    assert audit.get_checkpoint(db) is None  # the signature no longer fits
    page = search(client)
    assert status(page) == ("broken", 0, 1)  # the whole chain walked, stopped at record 2
    assert "record 2" in page or "catatan 2" in page


def test_the_full_check_runs_on_a_schedule():
    from ujisim.core import jobs

    assert jobs.PERIODIC[audit.FULL_CHECK_JOB] == audit.FULL_CHECK_PERIOD_S == 3600


# -- CSV safety ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+62 812", "'+62 812"),
        ("-1+1", "'-1+1"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("siti@example.id", "siti@example.id"),
        ("a=b", "a=b"),
        ("", ""),
        (-5, -5),
        (0.25, 0.25),
        (None, None),
    ],
)
def test_spreadsheet_safe(value, cell):
    assert exports.spreadsheet_safe(value) == cell


def test_csv_export_defuses_formulas(client, db, login, records):
    login(Role.EXAMINER)
    audit.record(db, "exam.created", object_type="attempt", object_id='=HYPERLINK("http://x")')
    audit.record(db, "@evil", object_type="+thing", object_id="-2+3")
    db.commit()
    response = client.get("/audit/export.csv", query_string={"action": "@evil"})
    (row,) = csv.DictReader(io.StringIO(response.get_data(as_text=True)))
    assert (row["action"], row["object_type"], row["object_id"]) == ("'@evil", "'+thing", "'-2+3")
    response = client.get("/audit/export.csv", query_string={"object_type": "attempt"})
    cells = {r["object_id"] for r in csv.DictReader(io.StringIO(response.get_data(as_text=True)))}
    assert '\'=HYPERLINK("http://x")' in cells
    assert "AT1" in cells  # ordinary text unchanged
