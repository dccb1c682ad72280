"""Renewal photos and signatures through the site's one image intake (``core/images.py``),
refused as :class:`InvalidDocument` naming the field."""

from __future__ import annotations

from ujisim.core import images
from ujisim.core.errors import InvalidImage
from ujisim.core.images import MAX_BYTES, MAX_PIXELS, CleanImage
from ujisim.renewal.errors import InvalidDocument

__all__ = ["MAX_BYTES", "MAX_PIXELS", "CleanImage", "clean_image"]


def clean_image(data: bytes, kind: str, field: str | None = None) -> CleanImage:
    """``kind`` "photo" or "signature", checked and re-encoded by the site's image intake."""
    try:
        return images.clean_image(data, kind, field)
    except InvalidImage as exc:
        raise InvalidDocument(exc.message, exc.fields, code=exc.code) from exc
