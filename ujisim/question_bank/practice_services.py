"""Practice verbs: questions and mock papers drawn from the latest published bank, grading on
the server, the history of logged-in applicants and their weakest topics.

Nothing the browser sends is trusted. A quick-practice question travels as a token signed with
the app's secret (item version, option order, class, a random reference); a mock paper lives in
the signed session cookie. Options are shown shuffled and answered by their shown position; only
the server maps a position back to the option and the key. Verbs take the session first, flush
and never commit.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import cached_property

from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import case, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ujisim.core import clock
from ujisim.core.db import new_public_id
from ujisim.core.signals import at_most_one
from ujisim.question_bank import signals
from ujisim.question_bank.errors import PracticeInputError, PracticeTokenError, PracticeUnavailable
from ujisim.question_bank.models import (
    CLASSES,
    TOPICS,
    BankVersionItem,
    Category,
    ItemVersion,
    PracticeAnswer,
    PracticeMode,
)
from ujisim.question_bank.services import bank_item_versions, latest_bank_version


@dataclass(frozen=True)
class MockShape:
    """What a mock paper copies of the official exam: questions per category, minutes, pass
    mark. It travels with the paper, so a blueprint changed meanwhile does not regrade it."""

    counts: dict[str, int]
    minutes: int
    pass_mark: int

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


#: itsdangerous salt: keeps these tokens apart from other signed values of the app
QUESTION_SALT = "ujisim.practice.question"

_rng = random.SystemRandom()


# -- questions --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Question:
    """An item version as shown: ``order[position]`` is the option's index in authoring order."""

    version: ItemVersion
    order: tuple[int, ...]

    @cached_property
    def options(self) -> list[dict]:
        """The options in the order shown."""
        stored = self.version.options
        return [stored[i] for i in self.order]

    @property
    def key_position(self) -> int:
        return self.order.index(self.version.key_index)

    def is_correct(self, position: int) -> bool:
        return self.order[position] == self.version.key_index

    def valid_position(self, position: int) -> bool:
        return 0 <= position < len(self.order)

    def encode(self) -> str:
        """``"1234:2013"``: version id and option order, the compact form kept in a cookie."""
        return f"{self.version.id}:{''.join(map(str, self.order))}"


def shuffled(version: ItemVersion, rng: random.Random = _rng) -> Question:
    order = list(range(len(version.options)))
    rng.shuffle(order)
    return Question(version, tuple(order))


def published_pool(session: Session, vehicle_class: str) -> list[ItemVersion]:
    """The practice items of the latest published bank for one class (never a reserved one)."""
    bank = latest_bank_version(session)
    versions = bank_item_versions(session, bank, vehicle_class) if bank else []
    versions = [v for v in versions if v.practice]
    if not versions:
        raise PracticeUnavailable(
            _("No questions are published for SIM %(cls)s yet.", cls=vehicle_class)
        )
    return versions


def topic_counts(versions: list[ItemVersion]) -> list[tuple[str, int]]:
    """(topic, number of items) in the bank's topic order, topics without items left out."""
    counts = Counter(v.topic for v in versions)
    return [(topic, counts[topic]) for topic in TOPICS if counts[topic]]


def topic_items(versions: list[ItemVersion], topic: str) -> list[ItemVersion]:
    """The items of one topic, by item code."""
    return sorted((v for v in versions if v.topic == topic), key=lambda v: v.item.code)


def draw_question(
    versions: list[ItemVersion],
    *,
    topic: str = "",
    exclude: int | None = None,
    rng: random.Random = _rng,
) -> Question:
    """One random question (of ``topic`` if given), not the one just answered when possible."""
    pool = [v for v in versions if not topic or v.topic == topic]
    if not pool:
        raise PracticeUnavailable(_("There are no questions on this topic."))
    fresh = [v for v in pool if v.id != exclude] or pool
    return shuffled(rng.choice(fresh), rng)


def draw_mock_paper(
    versions: list[ItemVersion],
    *,
    blueprint: dict[str, int] = DEFAULT_SHAPE.counts,
    rng: random.Random = _rng,
) -> list[Question]:
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
    return [shuffled(v, rng) for v in chosen]


def _load_versions(session: Session, ids: list[int]) -> dict[int, ItemVersion]:
    """Versions by id, only practice items of some published bank (a token naming anything
    else, such as a reserved item, does not load)."""
    published = select(BankVersionItem.item_version_id).where(
        BankVersionItem.item_version_id.in_(ids)
    )
    rows = session.scalars(
        select(ItemVersion).where(ItemVersion.id.in_(published), ItemVersion.practice.is_(True))
    )
    return {v.id: v for v in rows}


def _decode_questions(
    session: Session, encoded: list[str], vehicle_class: str
) -> list[Question] | None:
    """The questions of ``encode()`` strings, or None if any of them does not fit."""
    try:
        pairs = [(int(vid), tuple(int(c) for c in order)) for vid, order in
                 (entry.split(":") for entry in encoded)]  # fmt: skip
    except (ValueError, AttributeError, TypeError):
        return None
    versions = _load_versions(session, [vid for vid, _order in pairs])
    questions = []
    for vid, order in pairs:
        version = versions.get(vid)
        if version is None or vehicle_class not in version.class_list:
            return None
        if sorted(order) != list(range(len(version.options))):
            return None
        questions.append(Question(version, order))
    return questions


# -- quick practice: one signed question ------------------------------------------------------


@dataclass(frozen=True)
class QuickQuestion:
    question: Question
    vehicle_class: str
    #: random reference: answering the same token twice stores one answer
    ref: str
    #: the topic the applicant chose to practise ("" for all)
    topic: str = ""


def new_quick_question(
    versions: list[ItemVersion], vehicle_class: str, *, topic: str = "", exclude: int | None = None
) -> QuickQuestion:
    """A random question for quick practice from ``versions`` (see published_pool)."""
    question = draw_question(versions, topic=topic, exclude=exclude)
    return QuickQuestion(question, vehicle_class, new_public_id(), topic)


def sign_question(quick: QuickQuestion, secret: str) -> str:
    """The token the answer form carries; only this server can make one."""
    payload = {
        "v": quick.question.version.id,
        "o": "".join(map(str, quick.question.order)),
        "c": quick.vehicle_class,
        "r": quick.ref,
        "t": quick.topic,
    }
    return URLSafeSerializer(secret, salt=QUESTION_SALT).dumps(payload)


def read_question(session: Session, token: str, secret: str) -> QuickQuestion:
    """The question behind a token; PracticeTokenError if it was forged or does not fit."""
    refused = PracticeTokenError(
        _(
            "This question could not be checked: the form was changed or did not come from "
            "this site. Nothing was saved. Open a new question and try again."
        )
    )
    try:
        payload = URLSafeSerializer(secret, salt=QUESTION_SALT).loads(token or "")
    except BadSignature:
        raise refused from None
    if not isinstance(payload, dict) or payload.get("c") not in CLASSES:
        raise refused
    questions = _decode_questions(session, [f"{payload.get('v')}:{payload.get('o')}"], payload["c"])
    ref, topic = payload.get("r"), payload.get("t", "")
    if not questions or not isinstance(ref, str) or topic not in ("", *TOPICS):
        raise refused
    return QuickQuestion(questions[0], payload["c"], ref, topic)


def parse_choice(raw: str | None, question: Question) -> int:
    """The shown position the applicant chose; PracticeInputError when missing or not an option."""
    if raw is None or raw == "":
        raise PracticeInputError(_("Choose one of the answers."))
    try:
        position = int(raw)
    except ValueError:
        position = -1
    if not question.valid_position(position):
        raise PracticeInputError(_("That answer is not one of the options."))
    return position


# -- history ----------------------------------------------------------------------------------


def record_answers(
    session: Session,
    user,
    answers: list[tuple[Question, int]],
    *,
    mode: PracticeMode,
    vehicle_class: str,
    paper_ref: str,
) -> int:
    """Store (question, chosen position) pairs as the user's practice history; returns the count
    of new rows. Answers already stored under ``paper_ref`` (a resent form) are not stored again.
    """
    stored = set(
        session.scalars(
            select(PracticeAnswer.item_version_id).where(
                PracticeAnswer.user_id == user.id, PracticeAnswer.paper_ref == paper_ref
            )
        )
    )
    now = clock.now()
    rows = [
        PracticeAnswer(
            user_id=user.id,
            item_version_id=question.version.id,
            paper_ref=paper_ref,
            vehicle_class=vehicle_class,
            chosen_option=question.order[position],
            correct=question.is_correct(position),
            mode=mode,
            topic=question.version.topic,
            category=question.version.category,
            answered_at=now,
        )
        for question, position in answers
        if question.version.id not in stored
    ]
    if not rows:
        return 0
    try:
        with session.begin_nested():
            session.add_all(rows)
            session.flush()
    except IntegrityError:
        # The same form sent twice at once: the other request stored these answers.
        return 0
    return len(rows)


@dataclass(frozen=True)
class TopicStat:
    vehicle_class: str
    topic: str
    attempts: int
    correct: int

    @property
    def rate(self) -> float:
        return self.correct / self.attempts if self.attempts else 0.0

    @property
    def percent(self) -> int:
        return round(100 * self.rate)


def query_weak_topics(session: Session, user) -> list[TopicStat]:
    """Per class and topic: attempts and correct answers, weakest first (lowest correct rate;
    on a tie the topic with more attempts first, then by class and topic name)."""
    rows = session.execute(
        select(
            PracticeAnswer.vehicle_class,
            PracticeAnswer.topic,
            func.count(),
            func.sum(case((PracticeAnswer.correct, 1), else_=0)),
        )
        .where(PracticeAnswer.user_id == user.id)
        .group_by(PracticeAnswer.vehicle_class, PracticeAnswer.topic)
    ).all()
    stats = [TopicStat(cls, topic, int(n), int(ok or 0)) for cls, topic, n, ok in rows]
    return sorted(stats, key=lambda s: (s.rate, -s.attempts, s.vehicle_class, s.topic))


# -- mock exam: paper in the signed session cookie --------------------------------------------


@dataclass
class MockPaper:
    ref: str
    vehicle_class: str
    questions: list[Question]
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
    questions = draw_mock_paper(published_pool(session, vehicle_class), blueprint=shape.counts)
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
    questions = _decode_questions(session, data.get("q") or [], data["c"])
    if not questions or not isinstance(data.get("r"), str):
        return None
    return MockPaper(data["r"], data["c"], questions, started, shape)


def parse_mock_answers(form, paper: MockPaper) -> list[int | None]:
    """The shown position chosen per question (None when unanswered) from fields q0, q1, ..."""
    answers: list[int | None] = []
    for index, question in enumerate(paper.questions):
        raw = form.get(f"q{index}")
        answers.append(None if raw in (None, "") else parse_choice(raw, question))
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
        record_answers(
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
