"""Account errors."""

from ujisim.core.errors import ConflictError, ValidationError


class RegistrationError(ValidationError):
    """Registration refused; ``fields`` names each bad field."""


class ResetTokenError(ValidationError):
    code = "reset_token_invalid"


class DuplicateAccountError(ConflictError):
    code = "duplicate_account"


class AccountInUseError(ConflictError):
    """The account cannot be deleted now; ``reasons`` says why (translated)."""

    code = "account_in_use"

    def __init__(self, reasons: list[str]):
        super().__init__(" ".join(reasons))
        self.reasons = reasons


class NikError(ValueError):
    """A NIK problem (accounts/nik.py); ``code`` selects the message shown to the user."""

    def __init__(self, code: str):
        super().__init__(code)
        self.code = code
