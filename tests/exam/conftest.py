"""Exam fixtures: a small published bank built in code, candidates, attempts."""

from __future__ import annotations

import functools
from datetime import date

import pytest

from ujisim.core.security import Role
from ujisim.exam import answers, attempts, policy
from ujisim.question_bank.content import ItemContent, Option
from ujisim.question_bank.translation import Translation

#: a valid blueprint form as the admin page sends it (version 1 seen)
BLUEPRINT_FORM = {
    "bp-persepsi_bahaya": "10", "bp-wawasan": "10", "bp-pengetahuan": "10",
    "bp-time_limit_min": "20", "bp-pass_mark": "21", "bp-item_time_limit_s": "",
    "bp-retake_max": "2", "bp-retake_window_days": "14", "bp-same_day_retest": "y",
    "bp-min_age": "17", "bp-grace_s": "10", "bp-clip_count": "0", "bp-clip_pass_percent": "59",
    "bp-expected": "1",
}  # fmt: skip


PREFIX = {"persepsi_bahaya": "HZ", "wawasan": "WW", "pengetahuan": "PG"}
TOPICS = {
    "persepsi_bahaya": ["perilaku_etika", "hak_utama"],
    "wawasan": ["perilaku_etika", "keadaan_darurat", "kecepatan"],
    "pengetahuan": ["rambu", "surat_sanksi"],
}


@functools.cache
def a_scene() -> dict:
    from tests.question_bank.conftest import shipped_bank

    return next(i.media for i in shipped_bank()[0] if i.category == "persepsi_bahaya")


def make_items(per_category: int = 20, classes=("A", "C"), practice=False) -> list[ItemContent]:
    """``per_category`` items of each category, spread over a few topics; key always first;
    reserved for official exams unless ``practice``; each in Bahasa Indonesia and English."""
    items = []
    for category, topics in TOPICS.items():
        for n in range(per_category):
            code = f"{PREFIX[category]}-{n + 1:03d}"
            items.append(
                ItemContent(
                    code=code,
                    classes=classes,
                    category=category,
                    topic=topics[n % len(topics)],
                    stem=f"Soal {category} nomor {n + 1}: apa yang benar?",
                    options=(
                        Option(f"Benar {n}", True),
                        Option(f"Salah {n} satu"),
                        Option(f"Salah {n} dua"),
                        Option(f"Salah {n} tiga"),
                    ),
                    explanation="Penjelasan.",
                    legal_basis="UU 22/2009 Pasal 106",
                    difficulty=1 + n % 3,
                    media={"scene": a_scene()["scene"]} if category == "persepsi_bahaya" else None,
                    practice=practice,
                    en=Translation(
                        f"Question {category} number {n + 1}: what is right?",
                        (f"Right {n}", f"Wrong {n} one", f"Wrong {n} two", f"Wrong {n} three"),
                        "Explanation.",
                    ),
                )
            )
    return items


@pytest.fixture
def app_config(tmp_path, database_url):
    """These tests are about the exam itself: webcam proctoring (tests/proctoring) is off."""
    from tests.conftest import _test_config

    return _test_config(tmp_path, database_url, PROCTOR_REQUIRED=False)


@pytest.fixture
def candidate(make_user):
    # 3174050507990003: a man born 5 July 1999 in Jakarta
    return make_user(Role.APPLICANT, nik="3174050507990003", date_of_birth=date(1999, 7, 5))


@pytest.fixture
def started(db, bank, candidate, frozen_clock):
    """A started SIM A attempt of ``candidate``."""
    blueprint = policy.check_eligibility(db, candidate, "A")
    attempt = attempts.create_attempt(db, candidate, blueprint)
    attempts.advance(db, attempt, attempts.AttemptState.STARTED, candidate)
    db.commit()
    return attempt


def answer_all(db, attempt, correct: int, *, start_seq: int = 1) -> None:
    """Answer every position; the first ``correct`` positions right, the rest wrong."""
    for position, (entry, version) in enumerate(
        zip(attempt.paper, attempts.paper_versions(db, attempt), strict=True)
    ):
        key = next(i for i, o in enumerate(version.options) if o["key"])
        shown_key = entry["o"].index(key)
        choice = shown_key if position < correct else (shown_key + 1) % len(entry["o"])
        answers.record_answer(db, attempt, position=position, choice=choice,
                               client_seq=start_seq + position)  # fmt: skip
    db.commit()
