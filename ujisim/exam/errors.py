"""Exam errors."""

from ujisim.core.errors import ConflictError, ForbiddenError, UjisimError


class NotEligible(ForbiddenError):
    """The applicant may not start an exam now; the message says why and when they may."""

    code = "not_eligible"


class AttemptClosed(ConflictError):
    """The attempt no longer takes answers (submitted, timed out, graded or voided)."""

    code = "attempt_closed"


class StaleForm(ConflictError):
    """The form was filled in on a page that is out of date (a double click, a second user)."""

    code = "stale_form"


class BankEmpty(UjisimError):
    status = 503
    code = "bank_unavailable"
