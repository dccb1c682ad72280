"""Account errors."""

from ujisim.core.errors import ConflictError, ValidationError


class RegistrationError(ValidationError):
    """Registration refused; ``fields`` names each bad field."""


class ResetTokenError(ValidationError):
    code = "reset_token_invalid"


class DuplicateAccountError(ConflictError):
    code = "duplicate_account"
