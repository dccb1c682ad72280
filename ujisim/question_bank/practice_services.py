"""Practice verbs: questions drawn from the latest published bank, grading on the server, the
history of logged-in applicants and their weakest topics. Mock exams, built from these
questions, are in practice_mock.py.

Nothing the browser sends is trusted. A quick-practice question travels as a token signed with
the app's secret (item version, option order, class, a random reference); a mock paper lives in
the signed session cookie. Options are shown shuffled and answered by their shown position; only
the server maps a position back to the option and the key. Verbs take the session first, flush
and never commit.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass
from functools import cached_property

from flask_babel import gettext as _
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import case, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ujisim.core import clock
from ujisim.core.db import new_public_id
from ujisim.question_bank.errors import PracticeInputError, PracticeTokenError, PracticeUnavailable
from ujisim.question_bank.models import (
    CLASSES,
    TOPICS,
    BankVersionItem,
    ItemKind,
    ItemVersion,
    PracticeAnswer,
    PracticeClip,
    PracticeMode,
)
from ujisim.question_bank.services import bank_item_versions, latest_bank_version

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
    """The practice questions of the latest published bank for one class (never a reserved
    one; clips have their own pages)."""
    bank = latest_bank_version(session)
    versions = (
        bank_item_versions(session, bank, vehicle_class, kind=ItemKind.CHOICE) if bank else []
    )
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


def _load_versions(session: Session, ids: list[int]) -> dict[int, ItemVersion]:
    """Versions by id, only practice items of some published bank (a token naming anything
    else, such as a reserved item, does not load)."""
    published = select(BankVersionItem.item_version_id).where(
        BankVersionItem.item_version_id.in_(ids)
    )
    rows = session.scalars(
        select(ItemVersion).where(
            ItemVersion.id.in_(published),
            ItemVersion.practice.is_(True),
            ItemVersion.kind == ItemKind.CHOICE,
        )
    )
    return {v.id: v for v in rows}


def decode_questions(
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
    questions = decode_questions(session, [f"{payload.get('v')}:{payload.get('o')}"], payload["c"])
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


#: a clip watched in practice counts as answered right on the weak-topic page from this share of
#: its points (3 of 5: a reaction in the first three fifths of the window)
CLIP_GOOD_SHARE = 0.6


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
    on a tie the topic with more attempts first, then by class and topic name). A clip watched
    counts as one attempt, correct when it scored at least ``CLIP_GOOD_SHARE`` of its points."""
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
    good = PracticeClip.score >= CLIP_GOOD_SHARE * PracticeClip.max_score
    rows += session.execute(
        select(
            PracticeClip.vehicle_class,
            PracticeClip.topic,
            func.count(),
            func.sum(case((good, 1), else_=0)),
        )
        .where(PracticeClip.user_id == user.id)
        .group_by(PracticeClip.vehicle_class, PracticeClip.topic)
    ).all()
    totals: dict[tuple[str, str], list[int]] = {}
    for cls, topic, n, ok in rows:
        total = totals.setdefault((cls, topic), [0, 0])
        total[0] += int(n)
        total[1] += int(ok or 0)
    stats = [TopicStat(cls, topic, n, ok) for (cls, topic), (n, ok) in totals.items()]
    return sorted(stats, key=lambda s: (s.rate, -s.attempts, s.vehicle_class, s.topic))
