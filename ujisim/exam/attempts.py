"""The attempt state machine, its creation and start, its clocks and the reads of its paper.

created -> started -> submitted -> graded (passed | failed)
started -> timed_out -> graded
started <-> paused (proctoring re-checks; the clock stops while paused)
any open or finished state -> voided (examiner, with a reason)

Every move goes through core/workflow.py (``WORKFLOW`` below, with the hooks that stamp times).
Saving answers (the step log, the AVIS windows) is in answers.py; submitting, grading,
regrading, voiding and the sweeper are in grading.py.
"""

from __future__ import annotations

import functools
import json
import secrets
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import bindparam, func, insert, select
from sqlalchemy.orm import Session, make_transient_to_detached

from ujisim.core import audit, clock, workflow
from ujisim.core.db import new_public_id
from ujisim.core.errors import NotFoundError
from ujisim.exam import clips, draw, signals
from ujisim.exam.draw import draw_paper
from ujisim.exam.errors import BankEmpty
from ujisim.exam.models import (
    AnswerStep,
    Attempt,
    AttemptEvent,
    AttemptState,
    ExamBlueprint,
    PositionOpen,
)
from ujisim.exam.policy import Admission
from ujisim.question_bank.models import Item, ItemVersion
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
        # the clip part's time comes on top of the questions' (the clips cannot be hurried)
        extra = clips.part_seconds(session, attempt.clips)
        attempt.deadline_at = now + timedelta(seconds=attempt.blueprint.time_limit_s + extra)
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
    language: str = "id",
) -> Attempt:
    """Draw a paper from the latest bank version and create the attempt (state created),
    registered with the Satpas office ``satpas``, its questions in ``language`` ("id" or "en").
    ``admission`` (from policy.admit) brings the bank version and the earlier papers already
    read."""
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
    drawn_clips = clips.draw_clips(
        session, blueprint, bank, seed, refuse_demo=current_app.config["UJISIM_ENV"] == "production"
    )
    values = dict.fromkeys(_EMPTY_AT_CREATION) | {
        "public_id": new_public_id(),
        "user_id": user.id,
        "vehicle_class": blueprint.vehicle_class,
        "satpas": satpas,
        "blueprint_id": blueprint.id,
        "bank_version_id": bank.id,
        "seed": seed,
        "language": language,
        "paper_json": json.dumps(paper, separators=(",", ":")),
        "clips_json": json.dumps(drawn_clips, separators=(",", ":")) if drawn_clips else None,
        "state": AttemptState.CREATED,
        "created_at": clock.now(),
    }
    # Every start runs this: the drawn items' exposure count and the attempt's INSERT, past the
    # unit of work (a flush costs twice as much) and on PostgreSQL in one statement that also
    # locks the audit head for the record below; then the object joins the session as the row
    # it is, with nothing to load back.
    dialect = session.get_bind().dialect.name
    item_ids = draw.paper_items(session, bank, blueprint.vehicle_class, paper)
    item_ids += clips.clip_item_ids(session, drawn_clips)
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
        "language": language,
    }
    audit.record(
        session, "exam.created", actor=user, object_type="attempt", object_id=attempt.public_id,
        data=details, head=tuple(head) or None,
    )  # fmt: skip
    return attempt


#: the attempt read fresh, holding its row lock (PostgreSQL) until the commit; every state change
#: and every answer save (answers.record_answer) runs it: built once, it only binds the id
LOCK_BY_ID = (
    select(Attempt)
    .where(Attempt.id == bindparam("id"))
    .with_for_update(of=Attempt)
    .execution_options(populate_existing=True)
)


def lock_attempt(session: Session, attempt_id: int) -> Attempt:
    """Reload the attempt holding its row lock (PostgreSQL) for a state change."""
    session.expire_all()
    return session.scalars(LOCK_BY_ID, {"id": attempt_id}).one()


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


def exam_language(attempt: Attempt) -> str:
    """The language of the attempt's questions, chosen at the start, in which the browser reads
    them aloud (a version without English is read from its Indonesian: ``ItemText.lang``)."""
    return attempt.language


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
    """The paper as text, exactly as drawn (positions, stems, options in the shown order), in
    the language the candidate chose (an English paper says so on its second line)."""
    language = "" if attempt.language == "id" else f"; language {attempt.language}"
    lines = [
        f"ujisim exam paper {attempt.public_id}",
        f"class {attempt.vehicle_class}; bank version id {attempt.bank_version_id}; "
        f"blueprint id {attempt.blueprint_id}; seed {attempt.seed}{language}",
        "",
    ]
    codes = item_codes(session, attempt)
    for position, (entry, version) in enumerate(
        zip(attempt.paper, paper_versions(session, attempt), strict=True)
    ):
        text = version.text(attempt.language)
        lines.append(f"{position + 1}. [{codes[position]} v{version.number}] {text.stem}")
        for shown, option in enumerate(text.shown(entry["o"])):
            lines.append(f"   {'ABCD'[shown]}. {option['text']}")
        lines.append("")
    return "\n".join(lines)
