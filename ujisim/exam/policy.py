"""Blueprints in force, working days, and who may start an exam when (age, open attempt,
retake allowance: Perpol 5/2021 Pasal 15(2) -- at most 2 retests within 14 working days counted
from the day after the fail; the 2022 Kapolri telegram allows the retest on the same day)."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import JSON, bindparam, func, select, type_coerce
from sqlalchemy.orm import Session

from ujisim.core import clock
from ujisim.core.db import UPSERT_INSERTS
from ujisim.exam import classes, draw, signals
from ujisim.exam.errors import NotEligible
from ujisim.exam.models import Attempt, AttemptState, ExamBlueprint, Holiday
from ujisim.question_bank.models import BankVersion
from ujisim.question_bank.practice_mock import DEFAULT_SHAPE, MockShape

#: the classes examined (exam/classes.py: A, C, C I, C II)
CLASSES = classes.CLASSES


def _newest_blueprint(session: Session, vehicle_class: str) -> ExamBlueprint | None:
    return session.scalars(
        select(ExamBlueprint)
        .where(ExamBlueprint.vehicle_class == vehicle_class)
        .order_by(ExamBlueprint.version.desc())
        .limit(1)
    ).first()


def practice_shape(session: Session, vehicle_class: str) -> MockShape:
    """The official paper of the class in force, as practice's mock exam copies it (reads only:
    a class without a blueprint yet has the defaults)."""
    blueprint = _newest_blueprint(session, vehicle_class)
    if blueprint is None:
        return DEFAULT_SHAPE
    minutes = max(1, round(blueprint.time_limit_s / 60))
    return MockShape(dict(blueprint.counts), minutes, blueprint.pass_mark, blueprint.clip_count)


def current_blueprint(session: Session, vehicle_class: str) -> ExamBlueprint:
    """The newest blueprint of the class, creating version 1 with the defaults if none."""
    blueprint = _newest_blueprint(session, vehicle_class)
    if blueprint is None:
        # Two first visits at once both get here: the second insert waits for the first and
        # then does nothing (no unique-constraint error), and both read the same version 1.
        insert = UPSERT_INSERTS[session.get_bind().dialect.name]
        session.execute(
            insert(ExamBlueprint)
            .values(
                vehicle_class=vehicle_class,
                version=1,
                min_age=classes.MIN_AGE.get(vehicle_class, 17),
                clip_count=current_app.config["EXAM_CLIPS"],
                clip_pass_percent=current_app.config["EXAM_CLIP_PASS_PERCENT"],
                created_at=clock.now(),
            )
            .on_conflict_do_nothing(index_elements=["vehicle_class", "version"])
        )
        blueprint = _newest_blueprint(session, vehicle_class)
    return blueprint


def local_today(zone: str = "Asia/Jakarta") -> date:
    return clock.now().astimezone(ZoneInfo(zone)).date()


def holidays_between(session: Session, start: date, end: date) -> set[date]:
    return set(session.scalars(select(Holiday.day).where(Holiday.day.between(start, end))))


def add_working_days(session: Session, start: date, days: int) -> date:
    """The ``days``-th working day after ``start`` (weekends and holidays skipped)."""
    horizon = start + timedelta(days=days * 2 + 30)
    off = holidays_between(session, start, horizon)
    day, counted = start, 0
    while counted < days:
        day += timedelta(days=1)
        if day.weekday() < 5 and day not in off:
            counted += 1
    return day


def age_on(born: date, day: date) -> int:
    return day.year - born.year - ((day.month, day.day) < (born.month, born.day))


@dataclass
class RetakeState:
    """Where a candidate stands after failing: the window and the retests used."""

    failed_on: date | None = None
    window_ends: date | None = None
    retests_used: int = 0


def retake_state(
    session: Session, user_id: int, blueprint: ExamBlueprint, zone: str
) -> RetakeState:
    """Walk the candidate's graded attempts of the class in order and find the current window."""
    attempts = session.scalars(
        select(Attempt)
        .where(
            Attempt.user_id == user_id,
            Attempt.vehicle_class == blueprint.vehicle_class,
            Attempt.state == AttemptState.GRADED,
        )
        .order_by(Attempt.finished_at)
    ).all()
    state = RetakeState()
    for attempt in attempts:
        day = attempt.finished_at.astimezone(ZoneInfo(zone)).date()
        in_window = state.window_ends is not None and day <= state.window_ends
        if attempt.passed:
            state = RetakeState()
        elif in_window and state.retests_used < blueprint.retake_max:
            state.retests_used += 1
        else:
            ends = add_working_days(session, day, blueprint.retake_window_days)
            state = RetakeState(failed_on=day, window_ends=ends, retests_used=0)
    return state


class BankRef(NamedTuple):
    """What a start reads of the latest bank version (the draw's pool is keyed by it)."""

    id: int
    number: int
    content_hash: str


@dataclass(frozen=True)
class Admission:
    """What an exam start needs, read in one round trip: the blueprint in force, the latest
    published bank (None before the first), the stored papers of the candidate's earlier
    attempts, which the draw avoids, and the items' exposure as read (draw.exposure_column)."""

    blueprint: ExamBlueprint
    bank: BankVersion | BankRef | None
    earlier_papers: tuple[str, ...]
    exposure_read: bytes | str | None = None


# The candidate's attempts, (class, state, passed, paper) each, as one JSON array: a scalar
# subquery, so that they come in the row of the blueprint in force.
_JSON_AGGREGATES = {
    "postgresql": (func.json_agg, func.json_build_array),
    "sqlite": (func.json_group_array, func.json_array),
}
_LATEST_BANK = select(BankVersion.id).order_by(BankVersion.number.desc()).limit(1)


@functools.cache
def _in_force_statement(dialect: str):
    """Every start runs this: built once, it only binds values."""
    aggregate, row = _JSON_AGGREGATES[dialect]
    attempts = (
        select(
            aggregate(row(Attempt.vehicle_class, Attempt.state, Attempt.passed, Attempt.paper_json))
        )
        .where(Attempt.user_id == bindparam("user_id"))
        .scalar_subquery()
    )
    return (
        select(
            ExamBlueprint,
            BankVersion.id,
            BankVersion.number,
            BankVersion.content_hash,
            type_coerce(attempts, JSON),
            draw.exposure_column(dialect),
        )
        .outerjoin(BankVersion, BankVersion.id == _LATEST_BANK.scalar_subquery())
        .where(ExamBlueprint.vehicle_class == bindparam("vehicle_class"))
        .order_by(ExamBlueprint.version.desc())
        .limit(1)
    )


def _in_force(session: Session, user_id: int, vehicle_class: str):
    """The class's blueprint in force, the latest bank version, the candidate's attempts as
    (class, state, passed, paper JSON), and the exposure column, in one query."""
    statement = _in_force_statement(session.get_bind().dialect.name)
    params = {"vehicle_class": vehicle_class, "user_id": user_id}
    row = session.execute(statement, params).first()
    if row is None:  # the class's first start: version 1 with the defaults
        current_blueprint(session, vehicle_class)
        row = session.execute(statement, params).first()
    blueprint, bank_id, number, content_hash, attempts, exposure = row
    bank = None if bank_id is None else BankRef(bank_id, number, content_hash)
    return blueprint, bank, attempts or [], exposure


def check_eligibility(session: Session, user, vehicle_class: str) -> ExamBlueprint:
    """The blueprint to sit, or NotEligible with the reason and the date they may try again."""
    return admit(session, user, vehicle_class).blueprint


def admit(session: Session, user, vehicle_class: str) -> Admission:
    """check_eligibility, with what the start goes on to need (see Admission)."""
    if vehicle_class not in CLASSES:
        raise NotEligible(_("Choose SIM A, C, C I or C II."))
    blueprint, bank, mine, exposure = _in_force(session, user.id, vehicle_class)
    today = local_today(user.timezone)
    if user.date_of_birth is None:
        raise NotEligible(_("Your account has no date of birth. Update your data first."))
    if age_on(user.date_of_birth, today) < blueprint.min_age:
        turns = user.date_of_birth.replace(year=user.date_of_birth.year + blueprint.min_age)
        raise NotEligible(
            _(
                "The minimum age for SIM %(cls)s is %(age)s. You may take the exam from %(day)s.",
                cls=classes.label(vehicle_class),
                age=blueprint.min_age,
                day=format_date(turns, "long"),
            )
        )
    # the upgrade rule (C I after 12 months of C, C II after 12 months of C I): the registry
    # above us answers
    for _receiver, refusal in signals.admission_wanted.send(
        vehicle_class, session=session, user=user, today=today
    ):
        if refusal is not None:
            raise refusal
    admission = Admission(blueprint, bank, tuple(paper for *_row, paper in mine), exposure)
    if any(state in (AttemptState.CREATED, AttemptState.STARTED, AttemptState.PAUSED)
           for _cls, state, _passed, _paper in mine):  # fmt: skip
        raise NotEligible(
            _("You already have an exam in progress. Continue it instead of starting a new one."),
            code="attempt_open",
        )
    if any(cls == vehicle_class and state == AttemptState.GRADED and passed
           for cls, state, passed, _paper in mine):  # fmt: skip
        raise NotEligible(
            _(
                "You have already passed the SIM %(cls)s theory exam.",
                cls=classes.label(vehicle_class),
            ),
            code="already_passed",
        )
    if not any(cls == vehicle_class and state == AttemptState.GRADED for cls, state, *_ in mine):
        return admission  # never graded in this class: no retake window applies
    retake = retake_state(session, user.id, blueprint, user.timezone)
    if retake.failed_on is None or today > retake.window_ends:
        return admission
    if retake.retests_used >= blueprint.retake_max:
        again = retake.window_ends + timedelta(days=1)
        raise NotEligible(
            _(
                "You have used both retests. You may apply again from %(day)s.",
                day=format_date(again, "long"),
            ),
            code="retakes_used",
        )
    if not blueprint.same_day_retest and today == retake.failed_on:
        again = add_working_days(session, today, 1)
        raise NotEligible(
            _("You may retake the exam from %(day)s.", day=format_date(again, "long")),
            code="retest_tomorrow",
        )
    return admission


def retest_info(session: Session, user, vehicle_class: str) -> RetakeState:
    """For the result page: the current retake window of the candidate."""
    blueprint = current_blueprint(session, vehicle_class)
    return retake_state(session, user.id, blueprint, user.timezone)
