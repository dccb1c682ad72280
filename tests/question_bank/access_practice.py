"""Access classification of the practice pages (see tests/test_access.py).

Practice needs no login; only the weak-topic page (built from the stored answers) is an
applicant's own."""

from ujisim.core.security import Role

PUBLIC = {
    "practice.index",
    "practice.topics",
    "practice.topic",
    "practice.quick",
    "practice.quick_answer",
    "practice.mock",
    "practice.mock_start",
    "practice.mock_paper",
    "practice.mock_submit",
    "practice.mock_result",
    "clips.clip",
    "clips.result",
}
PROTECTED = {
    "practice.weak_topics": ("GET", "/latihan/topik-lemah", {Role.APPLICANT}),
}
