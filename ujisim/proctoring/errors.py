"""Proctoring errors."""

from ujisim.core.errors import ForbiddenError, ValidationError


class FaceError(ValidationError):
    """A photo or camera frame cannot be used; ``code`` says why, the message tells the user."""

    code = "face_error"


class InvalidImageError(FaceError):
    """The bytes are not a JPEG, PNG or WebP image, or are too large to decode."""

    code = "invalid_image"


class NoFaceError(FaceError):
    code = "no_face"


class SeveralFacesError(FaceError):
    code = "several_faces"


class ProctoringRequired(ForbiddenError):
    """A step of proctoring (consent, photo, identity check) is missing; the message says which."""

    code = "proctoring_required"


class ModelFormatError(ValueError):
    """The face encoder's weights file is not the network ``face_resnet`` implements."""
