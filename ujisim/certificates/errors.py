"""Print queue errors (mapped to the one JSON error shape or an HTML page by core.errors)."""

from ujisim.core.errors import ConflictError, UjisimError


class NotLeaseHolder(ConflictError):
    """The job is not claimed by the station or user that asks (another holds it, or none)."""

    code = "not_lease_holder"


class LeaseExpired(ConflictError):
    """The job's lease has passed: its holder must claim it again before downloading it."""

    code = "lease_expired"


class DocumentUnavailable(ConflictError):
    """The job's document cannot be printed (its pass was revoked, its holder has no NIK)."""

    code = "document_unavailable"


class InvalidToken(UjisimError):
    """A bearer token that is unknown or revoked."""

    status = 401
    code = "invalid_token"
