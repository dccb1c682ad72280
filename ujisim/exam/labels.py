"""How exam states and grade reasons read on the staff pages (a template filter each; the
codes stay in the database, the pages never show them raw)."""

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
