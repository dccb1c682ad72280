"""The print queue's services on the real database: the transition table, enqueueing (one job per
document), claims, leases with the injectable clock, confirmations and reprints."""

from __future__ import annotations

import itertools
import json

import pytest
from sqlalchemy import select

from tests.certificates.print_support import plain_card, small_photo
from ujisim.certificates import print_documents, print_queue, stations
from ujisim.certificates.errors import NotLeaseHolder
from ujisim.certificates.models import JobKind, JobState, PrintJob
from ujisim.core.audit import AuditRecord, verify
from ujisim.core.errors import IllegalTransition, ValidationError
from ujisim.core.security import Role
from ujisim.exam import grading
from ujisim.exam.models import PassRecord

pytestmark = pytest.mark.both_backends  # the subject is the database: SQLite and PostgreSQL


def audit_actions(db, job) -> list[str]:
    rows = db.scalars(
        select(AuditRecord).where(AuditRecord.object_id == job.public_id).order_by(AuditRecord.seq)
    )
    return [r.action for r in rows]


@pytest.fixture
def station(make_station):
    return make_station("Stasiun A")[0]


@pytest.fixture
def other_station(make_station):
    return make_station("Stasiun B")[0]


def _put_in(db, job, state, holder):
    """Force ``job`` into ``state`` (set-up for walking the table), held by ``holder``."""
    job.state = state
    job.station_id = holder.id if state != JobState.READY else None
    job.lease_expires_at = None
    db.flush()


@pytest.mark.parametrize(("start", "to"), list(itertools.product(list(JobState), list(JobState))))
def test_transition_table(db, card_jobs, station, frozen_clock, start, to):
    job = card_jobs(1)[0]
    _put_in(db, job, start, station)
    before = audit_actions(db, job)
    verb = print_queue.TRANSITIONS.get((start, to))
    if verb is None:
        with pytest.raises(IllegalTransition):
            print_queue.advance(db, job, to, reason="why", holder=station)
        assert job.state == start
        assert audit_actions(db, job) == before
        return
    print_queue.advance(db, job, to, reason="why", holder=station)
    assert job.state == to
    assert audit_actions(db, job) == [*before, f"print.{verb}"]
    record = db.scalars(select(AuditRecord).order_by(AuditRecord.seq.desc())).first()
    data = json.loads(record.data)
    assert (data["from"], data["to"], data["station"]) == (start, to, station.public_id)
    assert record.actor_label == f"station:{station.public_id}"
    now = frozen_clock()
    if to == JobState.CLAIMED:
        assert (job.station_id, job.claimed_at, job.claims) == (station.id, now, 1)
        assert job.lease_expires_at == now + print_queue.timedelta(seconds=600)
    elif to == JobState.PRINTED:
        assert (job.printed_at, job.prints, job.lease_expires_at) == (now, 1, None)
    elif to == JobState.FAILED:
        assert (job.failed_at, job.fail_reason) == (now, "why")
    else:
        assert (job.station_id, job.lease_expires_at, job.fail_reason) == (None, None, None)
    assert verify(db).ok


def test_every_state_is_reachable_and_can_return_to_ready():
    reachable = {JobState.READY} | {to for (_from, to) in print_queue.TRANSITIONS}
    assert reachable == set(JobState)
    assert {frm for (frm, to) in print_queue.TRANSITIONS if to == JobState.READY} == {
        JobState.CLAIMED,
        JobState.PRINTED,
        JobState.FAILED,
    }


@pytest.mark.parametrize("verb_state", [JobState.FAILED])
def test_failing_and_reprinting_need_a_reason(db, card_jobs, station, verb_state):
    job = card_jobs(1)[0]
    print_queue.claim(db, station, 1)
    with pytest.raises(ValidationError):
        print_queue.mark_failed(db, job, station, "  ")
    print_queue.mark_failed(db, job, station, "kertas macet")
    with pytest.raises(ValidationError):
        print_queue.reprint(db, job, None, "")
    assert job.state == verb_state


def test_enqueue_card_is_idempotent_and_keeps_the_card(db, card_jobs):
    card = plain_card(7, signature=small_photo())
    first = print_documents.enqueue_card(db, card)
    again = print_documents.enqueue_card(db, card)
    assert first.id == again.id
    assert db.scalars(select(PrintJob)).all() == [first]
    assert (first.kind, first.state, first.document_key) == (
        JobKind.CARD,
        JobState.READY,
        f"card:{card.document_id}",
    )
    assert print_documents.card_of(db, first) == card  # fields, photo and signature round-trip
    assert audit_actions(db, first) == ["print.enqueued"]


def test_a_pass_enqueues_one_certificate_job_and_a_regrade_none(db, passed_attempt, make_user):
    record = db.scalars(select(PassRecord)).one()
    job = db.scalars(select(PrintJob)).one()
    assert (job.kind, job.state, job.pass_record_id) == (
        JobKind.CERTIFICATE,
        JobState.READY,
        record.id,
    )
    assert job.title == "Rina Wulandari · SIM A 25/30"
    examiner = make_user()
    grading.regrade(db, passed_attempt, actor=examiner, reason="kunci diperbaiki")
    grading.regrade(db, passed_attempt, actor=examiner, reason="periksa ulang")
    db.commit()
    assert db.scalars(select(PrintJob)).all() == [job]
    assert print_documents.enqueue_certificate(db, record).id == job.id


def test_claim_takes_the_oldest_ready_jobs_once(db, card_jobs, station, other_station):
    jobs = card_jobs(5)
    first = print_queue.claim(db, station, 3)
    second = print_queue.claim(db, other_station, 3)
    assert [j.id for j in first] == [j.id for j in jobs[:3]]
    assert [j.id for j in second] == [j.id for j in jobs[3:]]
    assert print_queue.claim(db, station, 3) == []
    assert print_queue.query_ready(db) == []
    assert print_queue.query_held(db, other_station) == second


@pytest.mark.parametrize("limit", [0, -1, print_queue.MAX_CLAIM + 1])
def test_claim_limit_is_bounded(db, station, limit):
    with pytest.raises(ValidationError):
        print_queue.claim(db, station, limit)


def test_claim_by_kind(db, card_jobs, passed_attempt, station):
    cards = card_jobs(2)
    claimed = print_queue.claim(db, station, 10, kind=JobKind.CERTIFICATE)
    assert [j.kind for j in claimed] == [JobKind.CERTIFICATE]
    assert [j.id for j in print_queue.query_ready(db)] == [j.id for j in cards]


def test_a_claim_sent_again_with_its_key_takes_nothing_more(
    db, card_jobs, station, other_station, make_user
):
    print_shop_user = make_user(Role.PRINT_SHOP)
    jobs = card_jobs(8)
    first = print_queue.claim(db, station, 3, key="klaim-1")
    assert [j.id for j in first] == [j.id for j in jobs[:3]]
    # the same claim again (a retry after a lost response): the same jobs, nothing new claimed
    assert print_queue.claim(db, station, 3, key="klaim-1") == first
    assert [j.claims for j in jobs[:4]] == [1, 1, 1, 0]
    # the key is the holder's own: another holder's claim with it is a claim of its own
    other = print_queue.claim(db, other_station, 2, key="klaim-1")
    assert [j.id for j in other] == [j.id for j in jobs[3:5]]
    web = print_queue.claim(db, print_shop_user, 1, key="klaim-1", actor=print_shop_user)
    assert [j.id for j in web] == [jobs[5].id]
    # a new key is a new claim; a job given back no longer answers to the old key
    assert [j.id for j in print_queue.claim(db, station, 1, key="klaim-2")] == [jobs[6].id]
    print_queue.release(db, first[0], station)
    assert first[0].claim_key is None
    assert print_queue.claim(db, station, 3, key="klaim-1") == first[1:]
    assert [j.id for j in print_queue.query_ready(db)] == [jobs[0].id, jobs[7].id]


@pytest.mark.parametrize("key", ["", "a b", "x" * 65, "kunci\x00", "ключ"])
def test_a_bad_claim_key_is_refused_and_claims_nothing(db, card_jobs, station, key):
    card_jobs(1)
    with pytest.raises(ValidationError):
        print_queue.claim(db, station, 1, key=key)
    assert len(print_queue.query_ready(db)) == 1


def test_an_expired_lease_returns_the_job_to_the_queue(
    db, card_jobs, station, other_station, frozen_clock
):
    job = card_jobs(1)[0]
    print_queue.claim(db, station, 1)
    frozen_clock.advance(seconds=599)
    assert print_queue.query_ready(db) == []
    assert print_queue.claim(db, other_station, 1) == []
    frozen_clock.advance(seconds=1)  # the lease ends now
    assert print_queue.effective_state(job) == JobState.READY
    assert print_queue.query_ready(db) == [job]
    assert print_queue.claim(db, other_station, 1) == [job]
    assert (job.station_id, job.claims) == (other_station.id, 2)
    # the first station lost the job: its late confirmation is refused, nothing changes
    with pytest.raises(NotLeaseHolder):
        print_queue.mark_printed(db, job, station)
    print_queue.mark_printed(db, job, other_station)
    assert audit_actions(db, job) == [
        "print.enqueued",
        "print.claimed",
        "print.released",
        "print.claimed",
        "print.printed",
    ]
    released = db.scalars(select(AuditRecord).where(AuditRecord.action == "print.released")).one()
    assert json.loads(released.data)["reason"] == "lease expired"


def test_an_expired_lease_nobody_took_can_still_be_confirmed(db, card_jobs, station, frozen_clock):
    job = card_jobs(1)[0]
    print_queue.claim(db, station, 1)
    frozen_clock.advance(hours=2)
    print_queue.mark_printed(db, job, station)
    assert (job.state, job.prints) == (JobState.PRINTED, 1)


def test_mark_printed_is_idempotent_for_the_holder_only(db, card_jobs, station, other_station):
    job = card_jobs(1)[0]
    with pytest.raises(NotLeaseHolder):
        print_queue.mark_printed(db, job, station)  # never claimed
    print_queue.claim(db, station, 1)
    with pytest.raises(NotLeaseHolder):
        print_queue.mark_printed(db, job, other_station)
    print_queue.mark_printed(db, job, station)
    printed_at = job.printed_at
    print_queue.mark_printed(db, job, station)
    assert (job.state, job.prints, job.printed_at) == (JobState.PRINTED, 1, printed_at)
    assert audit_actions(db, job).count("print.printed") == 1
    with pytest.raises(NotLeaseHolder):
        print_queue.mark_printed(db, job, other_station)
    with pytest.raises(NotLeaseHolder):
        print_queue.mark_failed(db, job, station, "terlambat")  # printed is final for the holder


def test_a_user_holds_a_lease_apart_from_stations(db, card_jobs, station, make_user):
    from ujisim.core.security import Role

    shop = make_user(Role.PRINT_SHOP)
    job = card_jobs(1)[0]
    print_queue.claim(db, shop, 1, actor=shop)
    assert (job.user_id, job.station_id) == (shop.id, None)
    with pytest.raises(NotLeaseHolder):
        print_queue.mark_printed(db, job, station)
    print_queue.mark_printed(db, job, shop, actor=shop)
    record = db.scalars(select(AuditRecord).order_by(AuditRecord.seq.desc())).first()
    assert (record.action, record.actor_id) == ("print.printed", shop.id)


def test_release_and_reprint(db, card_jobs, station, admin):
    job = card_jobs(1)[0]
    print_queue.claim(db, station, 1)
    print_queue.release(db, job, station)
    assert (job.state, job.station_id) == (JobState.READY, None)
    with pytest.raises(NotLeaseHolder):
        print_queue.release(db, job, station)
    with pytest.raises(IllegalTransition):
        print_queue.reprint(db, job, admin, "belum dicetak")
    print_queue.claim(db, station, 1)
    print_queue.mark_printed(db, job, station)
    print_queue.reprint(db, job, admin, "kartu rusak saat dilaminasi")
    assert (job.state, job.prints, job.claims) == (JobState.READY, 1, 2)
    print_queue.claim(db, station, 1)
    print_queue.mark_printed(db, job, station)
    assert (job.state, job.prints) == (JobState.PRINTED, 2)
    record = db.scalars(select(AuditRecord).where(AuditRecord.action == "print.reprint")).one()
    assert (record.actor_id, json.loads(record.data)["reason"]) == (
        admin.id,
        "kartu rusak saat dilaminasi",
    )


def test_station_tokens_are_hashed_and_revocable(db, admin, frozen_clock):
    station, token = stations.create_station(db, "Percetakan Braga", admin)
    assert token.startswith("ujp_")
    assert len(token) > 40
    assert station.token_hash == stations.hash_token(token) != token
    assert token not in json.dumps([station.name, station.token_hint, station.token_hash])
    assert stations.find_station(db, token) == station
    assert stations.find_station(db, token + "x") is None
    assert stations.find_station(db, "ujp_\x00") is None
    stations.revoke_station(db, station, admin)
    assert station.revoked_at == frozen_clock()
    assert stations.find_station(db, token) is None
    with pytest.raises(ValidationError):
        stations.create_station(db, "   ", admin)
    actions = db.scalars(select(AuditRecord.action).order_by(AuditRecord.seq)).all()
    assert actions[-2:] == ["print.station_created", "print.station_revoked"]
