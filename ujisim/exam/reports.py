"""Daily figures and pending queues, with sources that other domains provide.

What exists now is computed here: theory exams per day (graded, passed, pass rate, duration, by
class), the authoring review queue and the pass rate per Satpas office. Sources that belong to
later domains (renewals, the verification, print and delivery queues, proctoring flag rates,
the service tables) are placeholders, "not yet available" until their domain answers the
report's signal (``signals.report_queues`` and its siblings), connected in its ``init_app``::

    def queues(_sender) -> list[reports.Source]:
        return [reports.Source("print", _l("Print"), print_queue_status)]

    signals.report_queues.connect(queues)

Nothing here imports those domains (data flows one way: exam comes before them).
"""

from __future__ import annotations

import io
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ujisim.core import clock
from ujisim.core.exports import SafeCsvWriter
from ujisim.core.signals import answers
from ujisim.exam import classes, signals
from ujisim.exam.models import Attempt, AttemptState, ExamBlueprint
from ujisim.question_bank.models import ItemVersion, ReviewEvent, VersionState

#: the longest period one report covers
MAX_DAYS = 366
CLASSES = classes.CLASSES


@dataclass(frozen=True)
class QueueStatus:
    """How many things wait in a queue and since when the oldest waits."""

    count: int
    oldest_at: datetime | None


#: fn(session) -> QueueStatus
QueueProvider = Callable[[Session], QueueStatus]
#: fn(session, start_utc, end_utc, zone) -> {local day: count}
DailyProvider = Callable[[Session, datetime, datetime, str], dict[date, int]]
#: fn(session, start_utc, end_utc) -> {label: rate 0..1 or None}
RateProvider = Callable[[Session, datetime, datetime], dict[str, float | None]]


@dataclass
class Source:
    name: str
    label: object
    fn: Callable | None = None

    @property
    def available(self) -> bool:
        return self.fn is not None


def _sources(signal, placeholders: tuple[Source, ...]) -> list[Source]:
    """The report's sources of one kind: its placeholders in their order, each replaced by the
    provider a domain answers ``signal`` with under the same name, then the other providers by
    name. Two providers of one name are an error (which one would count is undefined)."""
    provided: dict[str, Source] = {}
    for found in answers(signal.send()):
        for source in found:
            if source.name in provided:
                raise RuntimeError(f"two report sources named {source.name!r}")
            provided[source.name] = source
    ordered = [provided.pop(p.name, p) for p in placeholders]
    return ordered + sorted(provided.values(), key=lambda source: source.name)


# -- what exists now -------------------------------------------------------------------------


def review_queue(session: Session) -> QueueStatus:
    """Item versions waiting for review; age from when each was submitted."""
    waiting = select(ItemVersion.id).where(ItemVersion.state == VersionState.IN_REVIEW)
    count = session.scalar(select(func.count()).select_from(waiting.subquery())) or 0
    if not count:
        return QueueStatus(0, None)
    submitted = session.scalar(
        select(func.min(ReviewEvent.at)).where(
            ReviewEvent.version_id.in_(waiting), ReviewEvent.action == "submitted"
        )
    )
    return QueueStatus(count, submitted)


def queue_sources() -> list[Source]:
    """The pending queues: the review queue, and the later domains' (``signals.report_queues``)."""
    return _sources(
        signals.report_queues,
        (
            Source("review", _l("Question review"), review_queue),
            Source("verification", _l("Renewal verification")),
            Source("print", _l("Print")),
            Source("delivery", _l("Delivery")),
        ),
    )


def daily_sources() -> list[Source]:
    """The per-day count columns (``signals.report_daily_counts``: renewals)."""
    return _sources(signals.report_daily_counts, (Source("renewals", _l("Renewals")),))


def rate_sources() -> list[Source]:
    """The families of rates (``signals.report_rates``: proctoring's flag rates)."""
    return _sources(signals.report_rates, (Source("proctoring", _l("Proctoring flag rates")),))


@dataclass(frozen=True)
class Table:
    """A table of the service report as a later domain fills it (text cells)."""

    caption: str
    columns: list[str]
    rows: list[list[str]]
    notes: list[str] = field(default_factory=list)


def service_tables(session: Session, start: date, end: date, zone: str) -> list[Table]:
    """The later domains' tables for the period (``signals.report_tables``: the survey)."""
    low, high = day_bounds(start, end, zone)
    return [s.fn(session, low, high) for s in _sources(signals.report_tables, ()) if s.available]


def pass_rate_by_satpas(
    session: Session, start: date, end: date, zone: str
) -> dict[str, list[tuple[date, float]]]:
    """Pass rate per local day of each Satpas office's graded exams (days without exams of an
    office are left out; exams from before offices were recorded are not counted)."""
    low, high = day_bounds(start, end, zone)
    tz = ZoneInfo(zone)
    rows = session.execute(
        select(Attempt.satpas, Attempt.passed, Attempt.finished_at).where(
            Attempt.finished_at >= low,
            Attempt.finished_at < high,
            Attempt.state == AttemptState.GRADED,
            Attempt.satpas.is_not(None),
        )
    ).all()
    tallies: dict[str, dict[date, list[int]]] = {}
    for satpas, passed, finished_at in rows:
        tally = tallies.setdefault(satpas, {}).setdefault(finished_at.astimezone(tz).date(), [0, 0])
        tally[0] += 1
        tally[1] += bool(passed)
    return {
        satpas: [(day, p / n) for day, (n, p) in sorted(days.items())]
        for satpas, days in sorted(tallies.items())
    }


def groupings() -> list[Source]:
    """The groupings of the pass rate over time: the Satpas office, and any a later domain
    adds (``signals.report_groupings``)."""
    return _sources(
        signals.report_groupings, (Source("satpas", _l("Satpas office"), pass_rate_by_satpas),)
    )


# -- the daily report ------------------------------------------------------------------------


@dataclass
class DayRow:
    day: date
    exams: int = 0
    passed: int = 0
    duration_s: float = 0.0
    voided: int = 0
    by_class: dict[str, list[int]] = field(default_factory=lambda: {c: [0, 0] for c in CLASSES})
    #: per daily source: a count, or None when the source is not available
    extra: dict[str, int | None] = field(default_factory=dict)

    @property
    def pass_rate(self) -> float | None:
        return self.passed / self.exams if self.exams else None

    @property
    def average_duration_s(self) -> float | None:
        return self.duration_s / self.exams if self.exams else None


@dataclass
class QueueRow:
    name: str
    label: object
    available: bool
    count: int | None = None
    oldest_at: datetime | None = None
    age: timedelta | None = None


@dataclass
class DailyReport:
    start: date
    end: date
    zone: str
    days: list[DayRow]
    sources: list[Source]
    queues: list[QueueRow]
    generated_at: datetime

    @property
    def totals(self) -> DayRow:
        total = DayRow(self.end)
        for row in self.days:
            total.exams += row.exams
            total.passed += row.passed
            total.duration_s += row.duration_s
            total.voided += row.voided
            for c in CLASSES:
                total.by_class[c][0] += row.by_class[c][0]
                total.by_class[c][1] += row.by_class[c][1]
        for source in self.sources:
            values = [row.extra.get(source.name) for row in self.days]
            total.extra[source.name] = None if None in values else sum(values)
        return total


def day_bounds(start: date, end: date, zone: str) -> tuple[datetime, datetime]:
    """UTC instants of local midnight at ``start`` and after ``end``."""
    tz = ZoneInfo(zone)
    low = datetime.combine(start, time.min, tzinfo=tz).astimezone(UTC)
    high = datetime.combine(end + timedelta(days=1), time.min, tzinfo=tz).astimezone(UTC)
    return low, high


def pending_queues(session: Session) -> list[QueueRow]:
    """Every queue with its count and the age of its oldest entry."""
    now = clock.now()
    rows = []
    for source in queue_sources():
        if source.fn is None:
            rows.append(QueueRow(source.name, source.label, False))
            continue
        status = source.fn(session)
        age = now - status.oldest_at if status.oldest_at else None
        rows.append(QueueRow(source.name, source.label, True, status.count, status.oldest_at, age))
    return rows


def working_seconds(deadline_at: datetime, finished_at: datetime, limit_s: int) -> float:
    """Time a candidate spent on a finished exam, its pauses left out. Every resume moves the
    deadline on by the time paused (attempts.advance), so the time used is the limit less what
    was left at the finish: one formula for submitted, timed-out and paused-and-resumed exams."""
    return max(0.0, limit_s - (deadline_at - finished_at).total_seconds())


def daily_report(session: Session, start: date, end: date, zone: str) -> DailyReport:
    """Exams per local day in ``zone`` from ``start`` to ``end`` (inclusive): graded, passed,
    pass rate, average duration (start to finish, paused time left out), voided; the daily
    count columns of the later domains; queues."""
    if end < start:
        start, end = end, start
    start = max(start, end - timedelta(days=MAX_DAYS - 1))
    low, high = day_bounds(start, end, zone)
    tz = ZoneInfo(zone)
    days = {
        start + timedelta(days=n): DayRow(start + timedelta(days=n))
        for n in range((end - start).days + 1)
    }
    rows = session.execute(
        select(
            Attempt.state,
            Attempt.vehicle_class,
            Attempt.passed,
            Attempt.started_at,
            Attempt.deadline_at,
            Attempt.finished_at,
            ExamBlueprint.time_limit_s,
        )
        .join(ExamBlueprint, Attempt.blueprint_id == ExamBlueprint.id)
        .where(
            Attempt.finished_at >= low,
            Attempt.finished_at < high,
            Attempt.state.in_([AttemptState.GRADED, AttemptState.VOIDED]),
        )
    ).all()
    for state, vehicle_class, passed, started_at, deadline_at, finished_at, limit_s in rows:
        row = days[finished_at.astimezone(tz).date()]
        if state == AttemptState.VOIDED:
            row.voided += 1
            continue
        row.exams += 1
        row.passed += bool(passed)
        if started_at is not None:
            row.duration_s += working_seconds(deadline_at, finished_at, limit_s)
        tally = row.by_class.setdefault(vehicle_class, [0, 0])
        tally[0] += 1
        tally[1] += bool(passed)
    sources = daily_sources()
    for source in sources:
        counts = source.fn(session, low, high, zone) if source.fn else None
        for row in days.values():
            row.extra[source.name] = None if counts is None else counts.get(row.day, 0)
    return DailyReport(
        start, end, zone, list(days.values()), sources, pending_queues(session), clock.now()
    )


def pass_rate_series(report: DailyReport) -> dict[str, list[tuple[date, float]]]:
    """Pass rate per class per day (days without exams of that class are left out)."""
    series: dict[str, list[tuple[date, float]]] = {}
    for c in CLASSES:
        points = [
            (r.day, r.by_class[c][1] / r.by_class[c][0])
            for r in report.days
            if r.by_class.get(c, [0])[0]
        ]
        if points:
            series[f"SIM {c}"] = points
    return series


def rates(session: Session, report: DailyReport) -> dict[str, float | None] | None:
    """The rate families merged ({label: rate}); None if none is available."""
    low, high = day_bounds(report.start, report.end, report.zone)
    merged: dict[str, float | None] = {}
    available = False
    for source in rate_sources():
        if source.fn is not None:
            available = True
            merged.update(source.fn(session, low, high))
    return merged if available else None


# -- exports ---------------------------------------------------------------------------------


def _iso(value: datetime | None) -> str:
    return value.astimezone(UTC).isoformat(timespec="seconds") if value else ""


def _rate(value: float | None) -> str:
    return "" if value is None else f"{value:.4f}"


def daily_csv(report: DailyReport) -> str:
    """One row per day; ISO dates; empty cells where a source is not yet available."""
    out = io.StringIO()
    writer = SafeCsvWriter(out)
    writer.writerow(
        [
            "date",
            "exams",
            "passed",
            "pass_rate",
            "average_duration_s",
            "voided",
            *(f"exams_{c}" for c in CLASSES),
            *(f"passed_{c}" for c in CLASSES),
            *(s.name for s in report.sources),
        ]
    )
    for row in report.days:
        duration = row.average_duration_s
        writer.writerow(
            [
                row.day.isoformat(),
                row.exams,
                row.passed,
                _rate(row.pass_rate),
                "" if duration is None else f"{duration:.1f}",
                row.voided,
                *(row.by_class[c][0] for c in CLASSES),
                *(row.by_class[c][1] for c in CLASSES),
                *("" if row.extra[s.name] is None else row.extra[s.name] for s in report.sources),
            ]
        )
    return out.getvalue()


def queues_csv(report: DailyReport) -> str:
    """One row per queue: count, oldest entry (ISO, UTC), age in seconds, availability."""
    out = io.StringIO()
    writer = SafeCsvWriter(out)
    writer.writerow(["queue", "available", "count", "oldest_at_utc", "age_s"])
    for q in report.queues:
        writer.writerow(
            [
                q.name,
                "yes" if q.available else "no",
                "" if q.count is None else q.count,
                _iso(q.oldest_at),
                "" if q.age is None else int(q.age.total_seconds()),
            ]
        )
    return out.getvalue()
