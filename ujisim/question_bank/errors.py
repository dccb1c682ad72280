"""Question-bank errors."""

from ujisim.core.errors import (
    ConflictError,
    ForbiddenError,
    NotFoundError,
    UjisimError,
    ValidationError,
)


class ContentError(ValidationError):
    """Item content fails the checks; ``problems`` lists them."""

    code = "invalid_item"

    def __init__(self, message: str, problems: list | None = None):
        fields = {}
        for problem in problems or []:
            fields.setdefault(problem.field, problem.message)
        super().__init__(message, fields)
        self.problems = problems or []


class SelfApproval(ForbiddenError):
    code = "self_approval"


class PracticeTokenError(UjisimError):
    """A question token that was not made by this server, or no longer fits the bank."""

    status = 400
    code = "bad_practice_token"


class PracticeUnavailable(NotFoundError):
    code = "practice_unavailable"


class PracticeInputError(ValidationError):
    code = "invalid_answer"


class PaperClosed(ConflictError):
    code = "paper_closed"
