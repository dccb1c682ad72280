"""Renewal errors: each carries a message for the holder and a machine code."""

from ujisim.core.errors import (
    ConflictError,
    ForbiddenError,
    NotFoundError,
    UjisimError,
    ValidationError,
)


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


class CertificatesUnavailable(InvalidDocument):
    """The e-Rikkes or ePPsi provider could not be asked (renewal/health.py): nothing is
    accepted, the holder tries again later."""

    status = 503
    code = "provider_unavailable"


class InvalidNik(ValidationError):
    """A NIK that is not structurally valid: nothing is asked of the population register."""

    code = "invalid_nik"


class ProviderRefused(RuntimeError):
    """A population register provider this deployment must not use (the sandbox in production)."""


class ProviderUnavailable(RuntimeError):
    """A provider (payment, courier) could not be reached or did not answer: nothing was
    agreed, so the caller may try again later with the same idempotency key."""


class RowProblem(ValueError):
    """A row of a licence register CSV that cannot be imported (renewal/registry.py)."""


class RenewalPaused(UjisimError):
    """Online renewal is closed today by a published service closure (closures.py);
    ``fields["reopens_on"]`` says when it opens again (503)."""

    status = 503
    code = "renewal_paused"


class GraceNotDraft(ConflictError):
    """Only a draft grace window is edited (a published one is withdrawn and redrafted first)."""

    code = "grace_not_draft"


class ChannelError(RuntimeError):
    """A notification channel could not deliver a text (channels.py); the reminder is tried again
    on the next run."""
