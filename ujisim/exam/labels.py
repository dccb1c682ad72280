"""How exam states, grade reasons and exam languages read on the pages (a template filter
each; the codes stay in the database, the pages never show them raw)."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ujisim.core import workflow
from ujisim.exam.models import AttemptState

ATTEMPT_STATES = {
    AttemptState.CREATED: _l("Not started"),
    AttemptState.STARTED: _l("In progress"),
    AttemptState.PAUSED: _l("Paused"),
    AttemptState.SUBMITTED: _l("Submitted"),
    AttemptState.TIMED_OUT: _l("Time ran out"),
    AttemptState.GRADED: _l("Graded"),
    AttemptState.VOIDED: _l("Voided"),
}
#: the language of an exam's questions (``Attempt.language``), named in the page's language
EXAM_LANGUAGES = {"id": _l("Indonesian"), "en": _l("English")}
workflow.name_states(AttemptState, ATTEMPT_STATES)
#: why a grade was made (grading.py: the first grade, an examiner's regrade, ...)
GRADE_REASONS = {
    "initial": _l("First grade"),
}


def attempt_state(code: str | None) -> str:
    """``graded`` -> "Graded" (in the page's language); an unknown code as it is."""
    return str(ATTEMPT_STATES.get(code, code or ""))


def grade_reason(text: str | None) -> str:
    """A grade's reason: the known codes in words, an examiner's own reason as written."""
    return str(GRADE_REASONS.get(text, text or ""))


def exam_language(code: str | None) -> str:
    """``en`` -> "English" (in the page's language: "bahasa Inggris"); an unknown code as is."""
    return str(EXAM_LANGUAGES.get(code, code or ""))
