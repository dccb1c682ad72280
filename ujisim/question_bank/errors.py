"""Question-bank errors."""

from ujisim.core.errors import ForbiddenError, ValidationError


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
