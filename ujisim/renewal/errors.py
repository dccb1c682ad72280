"""Renewal errors: each carries a message for the holder and a machine code."""

from ujisim.core.errors import ConflictError, ForbiddenError, NotFoundError, ValidationError


class NotEligible(ForbiddenError):
    """The licence cannot be renewed online now; ``code`` says which check failed."""

    code = "not_eligible"


class LicenceNotFound(NotFoundError):
    code = "licence_not_found"


class StaleForm(ConflictError):
    """The form was made for an older state of the application (a second tab, a double click)."""

    code = "stale"


class InvalidDocument(ValidationError):
    """An upload or declaration was refused; ``fields`` names the field."""

    code = "invalid_document"


class DocumentFaults(InvalidDocument):
    """Uploads refused by the photo or signature rules (``renewal/photo_rules.py``,
    ``renewal/signature_rules.py``): ``faults`` lists each field's faults (code, message), all
    of them, so that the holder fixes everything at once; ``fields`` joins their messages."""

    code = "document_faults"

    def __init__(self, message: str, fields: dict[str, str], faults: dict[str, list]):
        super().__init__(message, fields)
        self.faults = faults


class WebhookRefused(ValidationError):
    """A provider webhook that is not accepted (status and code say why)."""

    code = "webhook_refused"

    def __init__(
        self, message: str, fields: dict[str, str] | None = None, *, status: int, code: str
    ):
        super().__init__(message, fields, code=code)
        self.status = status


class BadSignature(WebhookRefused):
    """A missing, malformed, wrong or stale signature (401): nothing of the request is kept."""

    def __init__(self, message: str, *, code: str = "bad_signature"):
        super().__init__(message, status=401, code=code)


class MalformedEvent(WebhookRefused):
    """A body whose signature verified but which is not an event we can read (400); it is on
    record like every verified event. ``fields`` names what is wrong."""

    def __init__(self, message: str, fields: dict[str, str] | None = None):
        super().__init__(message, fields, status=400, code="malformed")


class InvalidNik(ValidationError):
    """A NIK that is not structurally valid: nothing is asked of the population register."""

    code = "invalid_nik"


class ProviderRefused(RuntimeError):
    """A population register provider this deployment must not use (the sandbox in production)."""


class RowProblem(ValueError):
    """A row of a licence register CSV that cannot be imported (renewal/registry.py)."""
