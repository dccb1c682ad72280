"""Mock exams: a paper drawn on the official blueprint in force (``mock_shape``, asked of the
exam domain through ``signals.mock_shape_wanted``), kept in the signed session cookie, graded on
the server; a logged-in applicant's answers join the practice history (practice_services.py).
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from ujisim.core import clock
from ujisim.core.db import new_public_id
from ujisim.core.signals import at_most_one
from ujisim.question_bank import practice_services, signals
from ujisim.question_bank.errors import PracticeUnavailable
from ujisim.question_bank.models import CLASSES, Category, ItemVersion, PracticeMode

_rng = random.SystemRandom()


@dataclass(frozen=True)
class MockShape:
    """What a mock paper copies of the official exam: questions per category, minutes, pass
    mark. It travels with the paper, so a blueprint changed meanwhile does not regrade it."""

    counts: dict[str, int]
    minutes: int
    pass_mark: int
    #: hazard-perception clips before the questions (the publish gate sizes the reserved clips
    #: by it; a mock paper has none)
    clips: int = 0

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def to_data(self) -> list:
        return [[self.counts[c] for c in Category], self.minutes, self.pass_mark]

    @classmethod
    def from_data(cls, data) -> MockShape:
        """The shape of ``to_data``; ValueError if it is not one."""
        try:
            counts, minutes, pass_mark = data
            counts = dict(zip(Category, (int(n) for n in counts), strict=True))
            minutes, pass_mark = int(minutes), int(pass_mark)
        except (TypeError, ValueError) as exc:
            raise ValueError("not a mock shape") from exc
        if min(counts.values()) < 0 or minutes < 1 or not 0 < pass_mark <= sum(counts.values()):
            raise ValueError("not a mock shape")
        return cls(counts, minutes, pass_mark)


#: the official default blueprint (shared/DOMAIN.md), used until the exam domain answers with
#: the blueprint in force (``signals.mock_shape_wanted``)
DEFAULT_SHAPE = MockShape(
    {Category.PERSEPSI_BAHAYA: 12, Category.WAWASAN: 9, Category.PENGETAHUAN: 9}, 30, 21
)


def mock_shape(session: Session, vehicle_class: str) -> MockShape:
    """The shape of the official exam of ``vehicle_class`` in force now: the exam domain says
    (the data flows question_bank -> exam, so practice asks through a signal)."""
    shape = at_most_one(signals.mock_shape_wanted.send(vehicle_class, session=session))
    return shape or DEFAULT_SHAPE


def draw_mock_paper(
    versions: list[ItemVersion],
    *,
    blueprint: dict[str, int] = DEFAULT_SHAPE.counts,
    rng: random.Random = _rng,
) -> list[practice_services.Question]:
    """A paper on the blueprint: each category's count drawn at random, shuffled together."""
    by_category: dict[str, list[ItemVersion]] = defaultdict(list)
    for version in versions:
        by_category[version.category].append(version)
    chosen: list[ItemVersion] = []
    for category, count in blueprint.items():
        pool = by_category[category]
        if len(pool) < count:
            raise PracticeUnavailable(
                _("The question bank does not have enough questions for a mock exam yet.")
            )
        chosen += rng.sample(pool, count)
    rng.shuffle(chosen)
    return [practice_services.shuffled(v, rng) for v in chosen]


@dataclass
class MockPaper:
    ref: str
    vehicle_class: str
    questions: list[practice_services.Question]
    started_at: datetime
    shape: MockShape = DEFAULT_SHAPE

    @property
    def deadline(self) -> datetime:
        return self.started_at + timedelta(minutes=self.shape.minutes)

    def to_data(self) -> dict:
        """A small JSON-able dict for the session cookie (about 400 bytes)."""
        return {
            "r": self.ref,
            "c": self.vehicle_class,
            "q": [q.encode() for q in self.questions],
            "s": self.started_at.isoformat(),
            "b": self.shape.to_data(),
        }


def start_mock_paper(session: Session, vehicle_class: str) -> MockPaper:
    """Draw a new mock paper on the official blueprint in force from the latest published
    bank."""
    shape = mock_shape(session, vehicle_class)
    questions = draw_mock_paper(
        practice_services.published_pool(session, vehicle_class), blueprint=shape.counts
    )
    return MockPaper(new_public_id(), vehicle_class, questions, clock.now(), shape)


def load_mock_paper(session: Session, data) -> MockPaper | None:
    """The paper kept in the session, or None if there is none (or it no longer fits)."""
    if not isinstance(data, dict) or data.get("c") not in CLASSES:
        return None
    try:
        started = datetime.fromisoformat(data["s"])
        shape = MockShape.from_data(data["b"]) if "b" in data else DEFAULT_SHAPE
    except (KeyError, TypeError, ValueError):
        return None
    questions = practice_services.decode_questions(session, data.get("q") or [], data["c"])
    if not questions or not isinstance(data.get("r"), str):
        return None
    return MockPaper(data["r"], data["c"], questions, started, shape)


def parse_mock_answers(form, paper: MockPaper) -> list[int | None]:
    """The shown position chosen per question (None when unanswered) from fields q0, q1, ..."""
    answers: list[int | None] = []
    for index, question in enumerate(paper.questions):
        raw = form.get(f"q{index}")
        answers.append(None if raw in (None, "") else practice_services.parse_choice(raw, question))
    return answers


@dataclass
class MockResult:
    paper: MockPaper
    #: shown position chosen per question, None when unanswered
    answers: list[int | None]
    finished_at: datetime
    by_category: dict[str, tuple[int, int]] = field(init=False)

    def __post_init__(self) -> None:
        tally: dict[str, list[int]] = {c: [0, 0] for c in self.paper.shape.counts}
        for question, ok in zip(self.paper.questions, self.correct, strict=True):
            counts = tally.setdefault(question.version.category, [0, 0])
            counts[0] += ok
            counts[1] += 1
        self.by_category = {c: (ok, n) for c, (ok, n) in tally.items()}

    @property
    def correct(self) -> list[bool]:
        return [
            a is not None and q.is_correct(a)
            for q, a in zip(self.paper.questions, self.answers, strict=True)
        ]

    @property
    def score(self) -> int:
        return sum(self.correct)

    @property
    def answered(self) -> int:
        return sum(a is not None for a in self.answers)

    @property
    def passed(self) -> bool:
        return self.score >= self.paper.shape.pass_mark

    @property
    def minutes_used(self) -> int:
        return max(0, round((self.finished_at - self.paper.started_at).total_seconds() / 60))

    @property
    def over_time(self) -> bool:
        return self.finished_at > self.paper.deadline

    def to_data(self) -> dict:
        data = self.paper.to_data()
        data["a"] = "".join("-" if a is None else str(a) for a in self.answers)
        data["f"] = self.finished_at.isoformat()
        return data


def submit_mock_paper(
    session: Session, paper: MockPaper, answers: list[int | None], *, user=None
) -> MockResult:
    """Grade a mock paper; a logged-in applicant's answered questions join the history."""
    result = MockResult(paper, answers, clock.now())
    if user is not None:
        answered = [(q, a) for q, a in zip(paper.questions, answers, strict=True) if a is not None]
        practice_services.record_answers(
            session,
            user,
            answered,
            mode=PracticeMode.MOCK,
            vehicle_class=paper.vehicle_class,
            paper_ref=paper.ref,
        )
    return result


def load_mock_result(session: Session, data) -> MockResult | None:
    """A graded paper kept in the session for its review page, or None."""
    paper = load_mock_paper(session, data)
    if paper is None:
        return None
    raw = data.get("a")
    try:
        finished = datetime.fromisoformat(data["f"])
        answers = [None if c == "-" else int(c) for c in raw]
    except (KeyError, TypeError, ValueError):
        return None
    if len(answers) != len(paper.questions) or not all(
        a is None or q.valid_position(a) for q, a in zip(paper.questions, answers, strict=True)
    ):
        return None
    return MockResult(paper, answers, finished)
