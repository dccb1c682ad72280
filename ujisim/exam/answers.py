"""Answering: the answer step log and the AVIS per-question windows of a started attempt.

An answer is never overwritten: each save appends a step (``record_answer``) and the current
answer of a position is derived from its steps (attempts.current_answers). Within one browser
the client's seq orders the clicks; between browsers the later click wins. In AVIS mode a
question's own window opens when it is first shown (``open_position``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import bindparam, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ujisim.core import clock
from ujisim.core.db import UPSERT_INSERTS
from ujisim.core.errors import ValidationError
from ujisim.exam import attempts
from ujisim.exam.errors import AttemptClosed
from ujisim.exam.models import AnswerStep, Attempt, AttemptState, PositionOpen


def open_position(session: Session, attempt: Attempt, position: int) -> datetime:
    """Record when a question was first shown (idempotent); its AVIS window starts there."""
    if not isinstance(position, int) or not 0 <= position < len(attempt.paper):
        raise ValidationError(_("There is no question %(n)s.", n=position), {"position": "range"})
    if attempt.state != AttemptState.STARTED:
        raise AttemptClosed(_("This exam no longer accepts answers."))
    existing = attempts.opened_positions(session, attempt).get(position)
    if existing is not None:
        return existing
    try:
        with session.begin_nested():
            row = PositionOpen(attempt_id=attempt.id, position=position, opened_at=clock.now())
            session.add(row)
    except IntegrityError:  # opened by a concurrent request (another tab)
        return attempts.opened_positions(session, attempt)[position]
    return row.opened_at


def _check_item_window(session: Session, attempt: Attempt, position: int) -> None:
    limit = attempts.item_limit(attempt)
    if limit is None:
        return
    opened_at = attempts.opened_positions(session, attempt).get(position)
    if opened_at is None:
        opened_at = open_position(session, attempt, position)
    grace = timedelta(seconds=attempt.blueprint.grace_s)
    if clock.now() > opened_at + timedelta(seconds=limit) + grace:
        raise AttemptClosed(
            _("The time for this question is up; the answer was not saved."), code="item_time_up"
        )


# Every answer save runs these: built once, they only bind values.
_STEP_INSERTS = {
    name: insert(AnswerStep.__table__)
    .on_conflict_do_nothing(index_elements=["attempt_id", "client_seq"])
    .returning(AnswerStep.__table__.c.id)
    for name, insert in UPSERT_INSERTS.items()
}


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
    return SaveResult(
        client_seq, False, repeat=repeat, last_seq=attempts.last_seq(session, attempt)
    )


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
        session.execute(attempts.LOCK_BY_ID, {"id": attempt.id}).one()
    if attempt.state == AttemptState.PAUSED:
        raise AttemptClosed(_("The exam is paused. Complete the identity check to continue."),
                            code="paused")  # fmt: skip
    if attempt.state != AttemptState.STARTED:
        raise AttemptClosed(_("This exam no longer accepts answers."))
    if attempts.past_grace(attempt):
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
        return SaveResult(client_seq, False, last_seq=attempts.last_seq(session, attempt),
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
