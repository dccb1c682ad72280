"""The attempt state machine, the answer step log, grading and the sweeper.

created -> started -> submitted -> graded (passed | failed)
started -> timed_out -> graded
started <-> paused (proctoring re-checks; the clock stops while paused)
any open or finished state -> voided (examiner, with a reason)

Every move goes through core/workflow.py (``WORKFLOW`` below, with the hooks that stamp times).
"""

from __future__ import annotations

import functools
import json
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import bindparam, func, insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, make_transient_to_detached

from ujisim.core import audit, clock, workflow
from ujisim.core.db import UPSERT_INSERTS, new_public_id
from ujisim.core.errors import IllegalTransition, NotFoundError, ValidationError
from ujisim.exam import draw, signals
from ujisim.exam.analysis import stats_changed
from ujisim.exam.draw import draw_paper
from ujisim.exam.errors import AttemptClosed, BankEmpty, StaleForm
from ujisim.exam.models import (
    AnswerStep,
    Attempt,
    AttemptEvent,
    AttemptState,
    ExamBlueprint,
    Grade,
    PassRecord,
    PositionOpen,
)
from ujisim.exam.policy import Admission
from ujisim.question_bank.models import Item, ItemVersion, VersionState
from ujisim.question_bank.services import latest_bank_version

#: (from, to) -> verb (audit action ``exam.<verb>``)
TRANSITIONS: dict[tuple[AttemptState, AttemptState], str] = {
    (AttemptState.CREATED, AttemptState.STARTED): "start",
    (AttemptState.STARTED, AttemptState.SUBMITTED): "submit",
    (AttemptState.STARTED, AttemptState.TIMED_OUT): "time_out",
    (AttemptState.STARTED, AttemptState.PAUSED): "pause",
    (AttemptState.PAUSED, AttemptState.STARTED): "resume",
    (AttemptState.SUBMITTED, AttemptState.GRADED): "grade",
    (AttemptState.TIMED_OUT, AttemptState.GRADED): "grade",
    **{(state, AttemptState.VOIDED): "void" for state in AttemptState if state != "voided"},
}
WORKFLOW = workflow.register(
    workflow.Workflow(
        model=Attempt,
        field="state",
        states=AttemptState,
        transitions=TRANSITIONS,
        object_type="attempt",
        audit_prefix="exam",
        event=AttemptEvent,
        refusal=lambda a, b: _("This exam cannot go from %(a)s to %(b)s.", a=a, b=b),
    )
)


@WORKFLOW.on(AttemptState.STARTED)
def _on_start(session: Session, move: workflow.Move) -> None:
    attempt, now = move.obj, move.at
    if move.from_state == AttemptState.CREATED:
        attempt.started_at = now
        attempt.deadline_at = now + timedelta(seconds=attempt.blueprint.time_limit_s)
    elif move.from_state == AttemptState.PAUSED:  # the paused time is given back
        attempt.deadline_at += now - attempt.paused_at
        _give_back_item_time(session, attempt, now - attempt.paused_at)
        attempt.paused_at = None


@WORKFLOW.on(AttemptState.PAUSED)
def _on_pause(session: Session, move: workflow.Move) -> None:
    move.obj.paused_at = move.at


@WORKFLOW.on(AttemptState.SUBMITTED)
def _on_submit(session: Session, move: workflow.Move) -> None:
    move.obj.finished_at = move.at


@WORKFLOW.on(AttemptState.TIMED_OUT)
def _on_time_out(session: Session, move: workflow.Move) -> None:
    move.obj.finished_at = move.obj.deadline_at  # the sweeper may run later


@WORKFLOW.on(AttemptState.VOIDED)
def _on_void(session: Session, move: workflow.Move) -> None:
    move.obj.void_reason = move.reason
    if move.obj.finished_at is None:
        move.obj.finished_at = move.at


def advance(session: Session, attempt: Attempt, to: AttemptState, actor=None, reason: str = ""):
    """Move ``attempt`` to ``to`` through the workflow engine (table, hooks, event, audit)."""
    return workflow.advance(session, attempt, to, actor, reason)


@functools.cache
def _insert_attempt(dialect: str):
    """The attempt's INSERT (binds every column but the id; returns the id). On PostgreSQL it
    carries the exposure count and locks and returns the audit head for the record that
    follows (one round trip for the three). Every start runs this one statement, so its locks
    come in one order: PostgreSQL runs a data-modifying CTE that nothing reads after the main
    query, so the head (read by RETURNING) first, then the exposure rows in item-id order."""
    table = Attempt.__table__
    columns = [c.key for c in table.columns if c.key != "id"]
    statement = insert(table).values({c: bindparam(c) for c in columns})
    if dialect != "postgresql":
        return statement.returning(table.c.id)
    return statement.returning(table.c.id, *audit.locked_head()).add_cte(draw.exposure_cte())


#: the columns of an attempt that a start leaves empty
_EMPTY_AT_CREATION = (
    "started_at", "deadline_at", "paused_at", "finished_at", "score", "passed", "void_reason",
)  # fmt: skip


def create_attempt(
    session: Session,
    user,
    blueprint: ExamBlueprint,
    satpas: str | None = None,
    admission: Admission | None = None,
) -> Attempt:
    """Draw a paper from the latest bank version and create the attempt (state created),
    registered with the Satpas office ``satpas``. ``admission`` (from policy.admit) brings the
    bank version and the earlier papers already read."""
    bank = latest_bank_version(session) if admission is None else admission.bank
    if bank is None:
        raise BankEmpty(_("No question bank has been published yet."))
    seed = secrets.token_hex(16)
    paper = draw_paper(
        session, user_id=user.id, blueprint=blueprint, bank=bank, seed=seed,
        earlier_papers=None if admission is None else admission.earlier_papers,
        exposure_read=None if admission is None else admission.exposure_read,
        record_exposure=False,
        practice_share=current_app.config["EXAM_PRACTICE_SHARE"],
        refuse_demo=current_app.config["UJISIM_ENV"] == "production",
    )  # fmt: skip
    values = dict.fromkeys(_EMPTY_AT_CREATION) | {
        "public_id": new_public_id(),
        "user_id": user.id,
        "vehicle_class": blueprint.vehicle_class,
        "satpas": satpas,
        "blueprint_id": blueprint.id,
        "bank_version_id": bank.id,
        "seed": seed,
        "paper_json": json.dumps(paper, separators=(",", ":")),
        "state": AttemptState.CREATED,
        "created_at": clock.now(),
    }
    # Every start runs this: the drawn items' exposure count and the attempt's INSERT, past the
    # unit of work (a flush costs twice as much) and on PostgreSQL in one statement that also
    # locks the audit head for the record below; then the object joins the session as the row
    # it is, with nothing to load back.
    dialect = session.get_bind().dialect.name
    item_ids = draw.paper_items(session, bank, blueprint.vehicle_class, paper)
    params = values
    if dialect == "postgresql":
        params = values | {"ids": sorted(set(item_ids))}
    else:
        draw.count_exposure(session, item_ids)
    attempt = Attempt(**values, blueprint=blueprint)
    attempt.id, *head = session.connection().execute(_insert_attempt(dialect), params).one()
    make_transient_to_detached(attempt)
    session.add(attempt)
    details = {
        "class": blueprint.vehicle_class,
        "bank": bank.number,
        "blueprint": blueprint.version,
        "satpas": satpas,
    }
    audit.record(
        session, "exam.created", actor=user, object_type="attempt", object_id=attempt.public_id,
        data=details, head=tuple(head) or None,
    )  # fmt: skip
    return attempt


def lock_attempt(session: Session, attempt_id: int) -> Attempt:
    """Reload the attempt holding its row lock (PostgreSQL) for a state change."""
    session.expire_all()
    return session.scalars(_LOCK_BY_ID, {"id": attempt_id}).one()


def begin(session: Session, attempt: Attempt, actor) -> Attempt:
    """Start ``attempt`` (created -> started), holding its row lock, unless a domain above
    refuses: every receiver of ``signals.begin_requested`` is asked and the first refusal is
    raised (proctoring: consent, photo and identity check first). An attempt already started
    is returned as it is (a second click just goes on with it)."""
    attempt = lock_attempt(session, attempt.id)
    if attempt.state != AttemptState.CREATED:
        return attempt
    for _receiver, refusal in signals.begin_requested.send(attempt, session=session):
        if refusal is not None:
            raise refusal
    advance(session, attempt, AttemptState.STARTED, actor)
    return attempt


def paper_versions(session: Session, attempt: Attempt) -> list[ItemVersion]:
    """The item versions of the paper, in position order."""
    ids = [entry["v"] for entry in attempt.paper]
    found = {v.id: v for v in session.scalars(select(ItemVersion).where(ItemVersion.id.in_(ids)))}
    return [found[i] for i in ids]


def current_answers(session: Session, attempt: Attempt) -> dict[int, int | None]:
    """position -> the choice of its step with the highest client seq (derived, never stored)."""
    latest = (
        select(AnswerStep.position, func.max(AnswerStep.client_seq).label("seq"))
        .where(AnswerStep.attempt_id == attempt.id)
        .group_by(AnswerStep.position)
        .subquery()
    )
    rows = session.execute(
        select(AnswerStep.position, AnswerStep.choice)
        .join(
            latest,
            (AnswerStep.position == latest.c.position) & (AnswerStep.client_seq == latest.c.seq),
        )
        .where(AnswerStep.attempt_id == attempt.id)
    ).all()
    return {position: choice for position, choice in rows}


def last_seq(session: Session, attempt: Attempt) -> int:
    value = session.scalar(
        select(func.max(AnswerStep.client_seq)).where(AnswerStep.attempt_id == attempt.id)
    )
    return value or 0


def remaining_seconds(attempt: Attempt) -> float:
    if attempt.deadline_at is None:
        return float(attempt.blueprint.time_limit_s)
    reference = attempt.paused_at if attempt.state == AttemptState.PAUSED else clock.now()
    return max(0.0, (attempt.deadline_at - reference).total_seconds())


def past_grace(attempt: Attempt) -> bool:
    grace = timedelta(seconds=attempt.blueprint.grace_s)
    return attempt.deadline_at is not None and clock.now() > attempt.deadline_at + grace


def item_limit(attempt: Attempt) -> int | None:
    """Seconds per question in AVIS mode (None: no per-question limit)."""
    return attempt.blueprint.item_time_limit_s


def opened_positions(session: Session, attempt: Attempt) -> dict[int, datetime]:
    rows = session.execute(
        select(PositionOpen.position, PositionOpen.opened_at).where(
            PositionOpen.attempt_id == attempt.id
        )
    ).all()
    return dict(rows)


def item_remaining(attempt: Attempt, opened_at: datetime | None) -> float | None:
    """Seconds left on one question (AVIS mode), never more than the exam's own time."""
    limit = item_limit(attempt)
    if limit is None:
        return None
    if opened_at is None:
        return min(float(limit), remaining_seconds(attempt))
    now = (
        attempt.paused_at if attempt.state == AttemptState.PAUSED else clock.now()
    )  # paused: stopped
    left = (opened_at + timedelta(seconds=limit) - now).total_seconds()
    return max(0.0, min(left, remaining_seconds(attempt)))


def _give_back_item_time(session: Session, attempt: Attempt, paused: timedelta) -> None:
    """AVIS mode: a question whose window was still open when the exam paused gets the paused
    time back, as the exam's deadline does."""
    limit = item_limit(attempt)
    if limit is None:
        return
    for row in session.scalars(select(PositionOpen).where(PositionOpen.attempt_id == attempt.id)):
        if row.opened_at + timedelta(seconds=limit) > attempt.paused_at:
            row.opened_at += paused
    session.flush()


def open_position(session: Session, attempt: Attempt, position: int) -> datetime:
    """Record when a question was first shown (idempotent); its AVIS window starts there."""
    if not isinstance(position, int) or not 0 <= position < len(attempt.paper):
        raise ValidationError(_("There is no question %(n)s.", n=position), {"position": "range"})
    if attempt.state != AttemptState.STARTED:
        raise AttemptClosed(_("This exam no longer accepts answers."))
    existing = opened_positions(session, attempt).get(position)
    if existing is not None:
        return existing
    try:
        with session.begin_nested():
            row = PositionOpen(attempt_id=attempt.id, position=position, opened_at=clock.now())
            session.add(row)
    except IntegrityError:  # opened by a concurrent request (another tab)
        return opened_positions(session, attempt)[position]
    return row.opened_at


def _check_item_window(session: Session, attempt: Attempt, position: int) -> None:
    limit = item_limit(attempt)
    if limit is None:
        return
    opened_at = opened_positions(session, attempt).get(position)
    if opened_at is None:
        opened_at = open_position(session, attempt, position)
    grace = timedelta(seconds=attempt.blueprint.grace_s)
    if clock.now() > opened_at + timedelta(seconds=limit) + grace:
        raise AttemptClosed(
            _("The time for this question is up; the answer was not saved."), code="item_time_up"
        )


_STEP_INSERTS = {
    name: insert(AnswerStep.__table__)
    .on_conflict_do_nothing(index_elements=["attempt_id", "client_seq"])
    .returning(AnswerStep.__table__.c.id)
    for name, insert in UPSERT_INSERTS.items()
}


# Every answer save runs these: built once, they only bind values.
_LOCK_BY_ID = (
    select(Attempt)
    .where(Attempt.id == bindparam("id"))
    .with_for_update(of=Attempt)
    .execution_options(populate_existing=True)
)
#: the newest step of a position
_NEWEST_STEP = (
    select(
        AnswerStep.client_seq,
        AnswerStep.choice,
        AnswerStep.device,
        func.coalesce(AnswerStep.clicked_at, AnswerStep.server_at).label("clicked_at"),
    )
    .where(
        AnswerStep.attempt_id == bindparam("attempt_id"),
        AnswerStep.position == bindparam("position"),
    )
    .order_by(AnswerStep.client_seq.desc())
    .limit(1)
)
DEVICE = re.compile(r"[A-Za-z0-9_-]{1,32}")
MAX_SEQ = 2**31 - 1  # the column is a 32-bit integer on PostgreSQL
#: a click older than this counts as this old (no exam lasts a day)
MAX_AGE_MS = 24 * 3600 * 1000


@dataclass
class SaveResult:
    seq: int
    stored: bool  # False when the seq was a repeat or older than the position's latest
    #: not stored, but this very answer is already held under this seq (a retry whose first
    #: response was lost): the browser may count it as saved
    repeat: bool = False
    #: the attempt's highest seq, sent back when not stored so the browser can renumber
    last_seq: int | None = None
    #: not stored for good: another browser answered this question after this click, and
    #: ``held_choice`` (the server's answer) stays
    superseded: bool = False
    held_choice: int | None = None


def _not_stored(
    session: Session, attempt: Attempt, position: int, choice: int | None, client_seq: int
) -> SaveResult:
    held = session.execute(
        select(AnswerStep.position, AnswerStep.choice).where(
            AnswerStep.attempt_id == attempt.id, AnswerStep.client_seq == client_seq
        )
    ).first()
    repeat = held is not None and tuple(held) == (position, choice)
    return SaveResult(client_seq, False, repeat=repeat, last_seq=last_seq(session, attempt))


def record_answer(
    session: Session,
    attempt: Attempt,
    *,
    position: int,
    choice: int | None,
    client_seq: int,
    locked: bool = False,
    device: str | None = None,
    age_ms: int | None = None,
) -> SaveResult:
    """Append an answer step. Repeats and stale seqs change nothing; late saves are refused.
    ``locked``: the caller read the attempt with get_attempt(lock=True) in this transaction.

    ``device``: the sending browser's id; ``age_ms``: how long ago the answer was clicked, by
    that browser's own clock (so its skew does not matter; an offline queue sends it late).
    Within one browser the seq orders the clicks. Between browsers the later click wins: a
    step clicked before the question's newest step from another browser (or one sent without
    a device) changes nothing and says ``superseded``, with the answer held."""
    paper = attempt.paper
    if not isinstance(position, int) or not 0 <= position < len(paper):
        raise ValidationError(_("There is no question %(n)s.", n=position), {"position": "range"})
    if choice is not None and (
        not isinstance(choice, int) or not 0 <= choice < len(paper[position]["o"])
    ):
        raise ValidationError(_("That answer is not one of the options."), {"choice": "range"})
    if not isinstance(client_seq, int) or isinstance(client_seq, bool) or client_seq < 1:
        raise ValidationError(_("The save is missing its sequence number."), {"seq": "required"})
    if client_seq > MAX_SEQ:
        raise ValidationError(_("The sequence number is too large."), {"seq": "range"})
    if device is not None and not DEVICE.fullmatch(device):
        raise ValidationError(_("The browser's id is not valid."), {"device": "invalid"})
    # Hold the attempt's row lock (PostgreSQL) until the commit: a submit running at the same
    # moment then either grades after this step or makes this save see the attempt closed.
    # (SQLite: the request's BEGIN IMMEDIATE already serialises writers.)
    if not locked:
        session.execute(_LOCK_BY_ID, {"id": attempt.id}).one()
    if attempt.state == AttemptState.PAUSED:
        raise AttemptClosed(_("The exam is paused. Complete the identity check to continue."),
                            code="paused")  # fmt: skip
    if attempt.state != AttemptState.STARTED:
        raise AttemptClosed(_("This exam no longer accepts answers."))
    if past_grace(attempt):
        raise AttemptClosed(_("Time is up. Answers sent after the end of the exam do not count."),
                            code="time_up")  # fmt: skip
    _check_item_window(session, attempt, position)
    now = clock.now()
    clicked_at = now - timedelta(milliseconds=min(max(0, age_ms or 0), MAX_AGE_MS))
    held = session.execute(_NEWEST_STEP, {"attempt_id": attempt.id, "position": position}).first()
    newest = None if held is None else held.client_seq
    if (
        held is not None
        and device is not None
        and held.device != device
        and (held.client_seq, held.choice) != (client_seq, choice)
        and clicked_at < held.clicked_at
    ):
        return SaveResult(client_seq, False, last_seq=last_seq(session, attempt),
                          superseded=True, held_choice=held.choice)  # fmt: skip
    if newest is not None and client_seq <= newest:
        return _not_stored(session, attempt, position, choice, client_seq)
    # A retry of the same seq (or a twin from a second tab) is dropped by the unique constraint
    # without an error and without a savepoint round trip.
    inserted = session.execute(
        _STEP_INSERTS[session.get_bind().dialect.name],
        {"attempt_id": attempt.id, "position": position, "choice": choice,
         "client_seq": client_seq, "server_at": now, "device": device,
         "clicked_at": clicked_at if device is not None else None},
    )  # fmt: skip
    if inserted.first() is None:  # nothing returned: the seq was already there
        return _not_stored(session, attempt, position, choice, client_seq)
    return SaveResult(client_seq, True)


def submit(session: Session, attempt: Attempt, actor=None) -> Attempt:
    """Close and grade. A second, concurrent submit finds it graded and changes nothing."""
    attempt = lock_attempt(session, attempt.id)
    if attempt.state in (AttemptState.GRADED, AttemptState.VOIDED):
        return attempt
    if attempt.state == AttemptState.STARTED and past_grace(attempt):
        advance(session, attempt, AttemptState.TIMED_OUT, actor)
    elif attempt.state == AttemptState.STARTED:
        advance(session, attempt, AttemptState.SUBMITTED, actor)
    elif attempt.state == AttemptState.PAUSED:  # the page keeps its unsent answers and waits
        raise AttemptClosed(_("The exam is paused. Complete the identity check to continue."),
                            code="paused")  # fmt: skip
    elif attempt.state not in (AttemptState.SUBMITTED, AttemptState.TIMED_OUT):
        raise AttemptClosed(_("This exam cannot be submitted now."))
    grade(session, attempt, actor=actor, reason="initial")
    advance(session, attempt, AttemptState.GRADED, actor)
    return attempt


def _key_version(session: Session, version: ItemVersion, use_current: bool) -> ItemVersion:
    """The version whose key counts: the paper's own, or (regrade) the item's active version."""
    if not use_current:
        return version
    active = session.scalars(
        select(ItemVersion).where(
            ItemVersion.item_id == version.item_id, ItemVersion.state == VersionState.ACTIVE
        )
    ).first()
    return active or version


def grade(session: Session, attempt: Attempt, *, actor=None, reason: str) -> Grade:
    """Score the current answers; a regrade uses each item's active (corrected) key."""
    regrade = reason != "initial"
    answers = current_answers(session, attempt)
    versions = paper_versions(session, attempt)
    by_category: dict[str, list[int]] = {}
    keys_used, score = [], 0
    for position, (entry, version) in enumerate(zip(attempt.paper, versions, strict=True)):
        key_version = _key_version(session, version, regrade)
        keys_used.append(key_version.id)
        tally = by_category.setdefault(version.category, [0, 0])
        tally[1] += 1
        choice = answers.get(position)
        if choice is None:
            continue
        chosen = version.options[entry["o"][choice]]["text"]
        if any(o["text"] == chosen and o.get("key") for o in key_version.options):
            tally[0] += 1
            score += 1
    number = 1 + (session.scalar(select(func.count()).where(Grade.attempt_id == attempt.id)) or 0)
    passed = score >= attempt.blueprint.pass_mark
    row = Grade(
        attempt_id=attempt.id,
        number=number,
        score=score,
        total=len(versions),
        passed=passed,
        by_category_json=json.dumps(by_category, sort_keys=True),
        key_versions_json=json.dumps(keys_used),
        reason=reason,
        actor_id=getattr(actor, "id", None),
        at=clock.now(),
    )
    session.add(row)
    attempt.score, attempt.passed = score, passed
    _update_pass_record(session, attempt, row)
    session.flush()
    stats_changed(session)  # item analysis folds this grade in after the commit
    if regrade:
        audit.record(session, "exam.regraded", actor=actor, object_type="attempt",
                     object_id=attempt.public_id, data={"score": score, "passed": passed,
                                                        "reason": reason})  # fmt: skip
    return row


def _update_pass_record(session: Session, attempt: Attempt, row: Grade) -> None:
    record = session.scalars(select(PassRecord).where(PassRecord.attempt_id == attempt.id)).first()
    if row.passed and record is None:
        record = PassRecord(
            attempt_id=attempt.id,
            user_id=attempt.user_id,
            vehicle_class=attempt.vehicle_class,
            score=row.score,
            total=row.total,
            passed_at=row.at,
        )  # fmt: skip
        session.add(record)
        signals.passed.send(attempt, session=session, record=record)  # certificates: print job
    elif row.passed and record is not None:
        record.score, record.revoked_at = row.score, None
    elif record is not None and record.revoked_at is None:
        record.revoked_at = row.at


def latest_grade_number(session: Session, attempt: Attempt) -> int:
    """The number of the attempt's newest grade (0: not graded yet)."""
    value = session.scalar(select(func.max(Grade.number)).where(Grade.attempt_id == attempt.id))
    return value or 0


def regrade(
    session: Session, attempt: Attempt, *, actor, reason: str, expected: int | None = None
) -> Grade:
    """Grade a graded attempt again with the items' current keys; the old grade stays.

    ``expected`` is the newest grade number the examiner saw: a repeat of the same form (a
    double click, a second examiner) finds a newer grade and changes nothing."""
    if not reason.strip():
        raise ValidationError(_("Give a reason for the regrade."), {"reason": "required"})
    attempt = lock_attempt(session, attempt.id)
    if attempt.state != AttemptState.GRADED:
        raise IllegalTransition(_("Only a graded exam can be regraded."))
    if expected is not None and latest_grade_number(session, attempt) != expected:
        raise StaleForm(
            _(
                "This exam was regraded in the meantime (perhaps by a second click). "
                "Nothing was changed: check the grades below before regrading again."
            )
        )
    return grade(session, attempt, actor=actor, reason=reason.strip())


def void(session: Session, attempt: Attempt, *, actor, reason: str) -> None:
    """An examiner voids an attempt (any state); its pass, if any, is revoked."""
    if not reason.strip():
        raise ValidationError(_("Give the reason for voiding this exam."), {"reason": "required"})
    attempt = lock_attempt(session, attempt.id)
    advance(session, attempt, AttemptState.VOIDED, actor, reason.strip())
    record = session.scalars(select(PassRecord).where(PassRecord.attempt_id == attempt.id)).first()
    if record is not None and record.revoked_at is None:
        record.revoked_at = clock.now()


def deletion_guard(session: Session, user) -> str | None:
    """Why ``user``'s account cannot be deleted yet: an attempt not graded or voided."""
    unfinished = session.scalar(
        select(func.count())
        .select_from(Attempt)
        .where(
            Attempt.user_id == user.id,
            Attempt.state.not_in([AttemptState.GRADED, AttemptState.VOIDED]),
        )
    )
    if unfinished:
        return _("An exam of this account is still open; it must be finished or voided first.")
    return None


#: the states in which an attempt is still going on (its candidate may still answer)
OPEN_STATES = (AttemptState.CREATED, AttemptState.STARTED, AttemptState.PAUSED)


def open_attempt_of(session: Session, user) -> str | None:
    """The public id of an attempt of ``user`` still open (created, started or paused), or None:
    while it is, the user sees no staff page with the bank, keys or replays (core.duties)."""
    return session.scalars(
        select(Attempt.public_id)
        .where(Attempt.user_id == user.id, Attempt.state.in_([str(s) for s in OPEN_STATES]))
        .limit(1)
    ).first()


def sweep(session: Session) -> int:
    """Close every started attempt whose deadline (plus grace) has passed; grade it."""
    overdue = session.scalars(
        select(Attempt.id).where(
            Attempt.state == AttemptState.STARTED, Attempt.deadline_at < clock.now()
        )
    ).all()
    closed = 0
    for attempt_id in overdue:
        attempt = lock_attempt(session, attempt_id)
        if attempt.state == AttemptState.STARTED and past_grace(attempt):
            advance(session, attempt, AttemptState.TIMED_OUT)
            grade(session, attempt, reason="initial")
            advance(session, attempt, AttemptState.GRADED)
            closed += 1
    return closed


_BY_PUBLIC_ID = select(Attempt).where(Attempt.public_id == bindparam("public_id"))
#: read fresh, holding the row lock (PostgreSQL) until the commit
_BY_PUBLIC_ID_LOCKED = _BY_PUBLIC_ID.with_for_update(of=Attempt).execution_options(
    populate_existing=True
)


def get_attempt(session: Session, public_id: str, *, lock: bool = False) -> Attempt:
    """The attempt; ``lock``: read fresh, holding its row lock (PostgreSQL) until the commit."""
    statement = _BY_PUBLIC_ID_LOCKED if lock else _BY_PUBLIC_ID
    attempt = session.scalars(statement, {"public_id": public_id}).first()
    if attempt is None:
        raise NotFoundError(_("This exam does not exist."))
    return attempt


def item_codes(session: Session, attempt: Attempt) -> list[str]:
    """Item codes per position (examiner views and the paper render only)."""
    versions = paper_versions(session, attempt)
    codes = dict(
        session.execute(
            select(Item.id, Item.code).where(Item.id.in_({v.item_id for v in versions}))
        ).all()
    )
    return [codes[v.item_id] for v in versions]


def render_paper(session: Session, attempt: Attempt) -> str:
    """The paper as text, exactly as drawn (positions, stems, options in the shown order)."""
    lines = [
        f"ujisim exam paper {attempt.public_id}",
        f"class {attempt.vehicle_class}; bank version id {attempt.bank_version_id}; "
        f"blueprint id {attempt.blueprint_id}; seed {attempt.seed}",
        "",
    ]
    codes = item_codes(session, attempt)
    for position, (entry, version) in enumerate(
        zip(attempt.paper, paper_versions(session, attempt), strict=True)
    ):
        lines.append(f"{position + 1}. [{codes[position]} v{version.number}] {version.stem}")
        for shown, original in enumerate(entry["o"]):
            lines.append(f"   {'ABCD'[shown]}. {version.options[original]['text']}")
        lines.append("")
    return "\n".join(lines)
