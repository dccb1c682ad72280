"""The audit chain detects any edited, deleted or re-signed record."""

import pytest

from ujisim.core import audit

pytestmark = pytest.mark.both_backends  # the subject is the database: SQLite and PostgreSQL


@pytest.fixture
def chain(db):
    for n in range(5):
        audit.record(db, "test.event", object_type="thing", object_id=n, data={"n": n, "teks": "ü"})
    db.commit()
    return db


def test_records_link_to_their_predecessor(chain):
    rows = chain.scalars(audit.select(audit.AuditRecord).order_by(audit.AuditRecord.seq)).all()
    assert [r.seq for r in rows] == [1, 2, 3, 4, 5]
    assert rows[0].prev_hash == audit.GENESIS
    for before, after in zip(rows, rows[1:], strict=False):
        assert after.prev_hash == before.hash
        assert after.hash == after.compute_hash()
    assert audit.verify(chain).ok


def test_cli_reports_ok(chain, runner):
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0
    assert "OK: 5 records" in result.output


@pytest.mark.parametrize(
    ("statement", "broken_at"),
    [
        ("UPDATE audit_record SET data = '{\"n\":99}' WHERE seq = 3", 3),
        ("UPDATE audit_record SET action = 'x' WHERE seq = 1", 1),
        ("UPDATE audit_record SET actor_label = 'someone' WHERE seq = 5", 5),
        ("DELETE FROM audit_record WHERE seq = 2", 2),
        ("DELETE FROM audit_record WHERE seq = 5", 5),  # the newest: caught by the signed head
        ("DELETE FROM audit_record WHERE seq >= 4", 4),
        ("UPDATE audit_head SET signature = 'ab' || substr(signature, 3)", 5),
    ],
)
def test_tampering_is_detected_and_named(chain, runner, statement, broken_at):
    chain.connection().exec_driver_sql(statement)
    chain.commit()
    result = audit.verify(chain)
    assert not result.ok
    assert result.broken_at == broken_at
    cli = runner.invoke(args=["audit", "verify"])
    assert cli.exit_code == 1
    assert f"BROKEN at record {broken_at}" in cli.output


def test_rewriting_a_record_and_its_hash_breaks_the_next_link(chain):
    row = chain.scalars(audit.select(audit.AuditRecord).where(audit.AuditRecord.seq == 2)).one()
    row.data = '{"n":42}'
    row.hash = row.compute_hash()  # the forger recomputes this record's hash ...
    chain.commit()
    result = audit.verify(chain)  # ... but record 3 still points at the old one
    assert (result.ok, result.broken_at) == (False, 3)


def test_head_signed_by_another_key_is_refused(chain, app):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from ujisim.core.secrets import SigningKey

    pem = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    app.extensions["ujisim.signing_key"] = SigningKey(pem)
    assert audit.verify(chain).reason == "head signature invalid"


def test_a_full_check_leaves_a_signed_checkpoint(chain):
    result = audit.check_chain(chain)
    chain.commit()
    checkpoint = audit.get_checkpoint(chain)
    assert result.ok
    assert (checkpoint.seq, checkpoint.ok, checkpoint.broken_at) == (5, True, None)
    assert checkpoint.hash == chain.get(audit.AuditHead, 1).hash


def test_after_a_checkpoint_only_newer_records_are_read(chain):
    audit.check_chain(chain)
    for n in range(3):
        audit.record(chain, "test.later", data={"n": n})
    chain.commit()
    result = audit.verify_since(chain, audit.get_checkpoint(chain))
    # the checkpoint's own record and the three after it; records 1-4 are not read
    assert (result.ok, result.since, result.walked, result.checked) == (True, 5, 4, 8)
    assert audit.verify(chain).walked == 8


@pytest.mark.parametrize(
    ("statement", "broken_at"),
    [
        ("UPDATE audit_record SET data = '{\"n\":99}' WHERE seq = 7", 7),
        ("UPDATE audit_record SET data = '{\"n\":99}' WHERE seq = 5", 5),  # the anchor itself
        ("DELETE FROM audit_record WHERE seq = 6", 6),
        ("DELETE FROM audit_record WHERE seq = 8", 8),
    ],
)
def test_incremental_check_names_a_break_after_the_checkpoint(chain, statement, broken_at):
    audit.check_chain(chain)
    for n in range(3):
        audit.record(chain, "test.later", data={"n": n})
    chain.commit()
    chain.connection().exec_driver_sql(statement)
    chain.commit()
    result = audit.verify_since(chain, audit.get_checkpoint(chain))
    assert (result.ok, result.broken_at) == (False, broken_at)


def test_a_full_check_of_a_broken_chain_keeps_the_good_prefix(chain):
    chain.connection().exec_driver_sql("UPDATE audit_record SET action = 'x' WHERE seq = 3")
    chain.commit()
    result = audit.check_chain(chain)
    checkpoint = audit.get_checkpoint(chain)
    assert not result.ok
    assert (checkpoint.ok, checkpoint.seq, checkpoint.broken_at) == (False, 2, 3)
    assert checkpoint.reason == "record content changed"
    # the page's check stays broken though nothing after the checkpoint changed
    verification, _checkpoint = audit.page_verification(chain)
    assert (verification.ok, verification.broken_at) == (False, 3)
