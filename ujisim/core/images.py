"""The one intake of every image the site stores or analyses: renewal photos and signatures, the
proctoring reference photo, exam snapshots and the camera frames of the identity check. Each kind
has a profile (formats, byte and pixel limits, smallest size, output); every image is decoded
completely and upright (EXIF orientation applied). :func:`clean_image` re-encodes it so that no
metadata (EXIF, GPS, comments) and no smuggled bytes reach storage; :func:`open_image` hands the
checked picture to the face analysis (``proctoring.faces.load_image``) without storing it.

Refused: anything whose first bytes are not JPEG or PNG (SVG, GIF, HTML ...), a pixel count above
the limit (checked from the header, before any pixel is decoded: decompression bombs), files
that do not decode to the end (corrupt, truncated), and polyglots: bytes after the image's end
marker (a ZIP or HTML appended to a JPEG), a ZIP directory anywhere, or markup in the file.
"""

from __future__ import annotations

import io
import math
import struct
import warnings
import zipfile
from dataclasses import dataclass

from flask_babel import gettext as _
from PIL import ExifTags, Image, ImageFile, ImageOps

from ujisim.core.errors import InvalidImage

MAX_BYTES = 5 * 1024 * 1024
MAX_PIXELS = 25_000_000
JPEG_MAGIC = b"\xff\xd8\xff"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
#: markup that makes a file readable as a page or script by a browser or server; five bytes or
#: more, so that compressed pixel data practically never matches by chance
MARKUP = (b"<script", b"<html", b"<!doctype", b"<?php", b"<iframe", b"<body")


@dataclass(frozen=True)
class Profile:
    """What one kind of image may be and what it is stored as."""

    #: accepted formats, by magic bytes
    formats: tuple[str, ...] = ("JPEG", "PNG")
    max_bytes: int = MAX_BYTES
    max_pixels: int = MAX_PIXELS
    #: smallest usable sides (width, height)
    min_size: tuple[int, int] = (1, 1)
    #: "JPEG" (RGB) or "PNG" (grey, for signatures)
    output: str = "JPEG"
    quality: int = 90
    #: the stored image's long side at most this (None: as sent)
    max_side: int | None = None


#: a picture from the candidate's webcam (the pages send JPEGs of at most 640 px): an exam
#: snapshot, a camera-check frame or a frame of the identity check's burst
FRAME = Profile(
    formats=("JPEG",), max_bytes=512 * 1024, max_pixels=4_000_000, min_size=(64, 48), quality=85
)

PROFILES = {
    # renewal documents (the licence photo standard) and signatures
    "photo": Profile(min_size=(200, 250)),
    "signature": Profile(min_size=(100, 30), output="PNG"),
    # a population register (Dukcapil) photo: the reference face of a renewal whose licence
    # has no photo on file (smaller than an upload: the register keeps KTP-sized portraits)
    "population": Profile(min_size=(100, 120), max_side=1600),
    # the proctoring reference photo (registration photo): at least 200 px each side
    "reference": Profile(min_size=(200, 200), max_side=1600),
    # webcam pictures: one set of rules for a snapshot during the exam and a check's frames
    "snapshot": FRAME,
    "frame": FRAME,
    # any picture the face analysis reads that names no narrower kind: a stored photo (already
    # through its own profile) or an upload; the general limits
    "face": Profile(),
}
#: smallest usable sides (width, height) per kind
MIN_SIZE = {kind: profile.min_size for kind, profile in PROFILES.items()}

# Never accept a truncated file as if it were whole (Pillow's default). face_recognition sets
# this process-wide flag to True when it is imported (lazily, by the face checks), so
# clean_image sets it back before every decode.
ImageFile.LOAD_TRUNCATED_IMAGES = False


@dataclass(frozen=True)
class CleanImage:
    """The re-encoded image: JPEG for photos, PNG for signatures."""

    data: bytes
    content_type: str
    width: int
    height: int


def _refuse(message: str, field: str, code: str) -> InvalidImage:
    return InvalidImage(message, {field: code}, code=code)


def _jpeg_end(data: bytes) -> int | None:
    """Offset just after the JPEG's EOI marker, walking its segments (None if there is none)."""
    pos, size = 2, len(data)
    while pos + 2 <= size:
        if data[pos] != 0xFF:
            return None
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker == 0xD9:
            return pos + 2
        if 0xD0 <= marker <= 0xD7 or marker == 0x01:
            pos += 2
            continue
        if pos + 4 > size:
            return None
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        pos += 2 + length
        if marker == 0xDA:  # entropy-coded data runs to the next real marker
            while True:
                pos = data.find(b"\xff", pos)
                if pos < 0 or pos + 1 >= size:
                    return None
                following = data[pos + 1]
                if following == 0x00 or 0xD0 <= following <= 0xD7:  # stuffed byte, restart
                    pos += 2
                    continue
                break
    return None


def _png_end(data: bytes) -> int | None:
    """Offset just after the PNG's IEND chunk (None if there is none)."""
    pos = len(PNG_MAGIC)
    while pos + 8 <= len(data):
        length, kind = struct.unpack(">I4s", data[pos : pos + 8])
        pos += 12 + length
        if kind == b"IEND":
            return pos if pos <= len(data) else None
    return None


def _check_container(data: bytes, field: str, formats: tuple[str, ...]) -> str:
    """The format by magic bytes (one of ``formats``), after refusing polyglots."""
    head = data[:256].lstrip().lower()
    if head.startswith((b"<svg", b"<?xml")) or b"<svg" in head:
        raise _refuse(_("SVG files are not accepted. Upload a JPEG or PNG photo."), field, "svg")
    if data.startswith(JPEG_MAGIC) and "JPEG" in formats:
        fmt, end = "JPEG", _jpeg_end(data)
    elif data.startswith(PNG_MAGIC) and "PNG" in formats:
        fmt, end = "PNG", _png_end(data)
    elif formats == ("JPEG",):
        raise _refuse(_("Only JPEG images are accepted."), field, "format")
    else:
        raise _refuse(_("Only JPEG and PNG images are accepted."), field, "format")
    if end is None:
        raise _refuse(
            _("The image is damaged or incomplete. Take or export it again."), field, "corrupt"
        )
    lowered = data.lower()
    if data[end:].strip(b"\x00\r\n\t ") or zipfile.is_zipfile(io.BytesIO(data)):
        raise _refuse(
            _("The file holds other data besides the image. Upload a plain photo file."),
            field,
            "polyglot",
        )
    if any(marker in lowered for marker in MARKUP):
        raise _refuse(
            _("The file holds web page code besides the image. Upload a plain photo file."),
            field,
            "polyglot",
        )
    return fmt


def clean_image(data: bytes, kind: str | Profile, field: str | None = None) -> CleanImage:
    """Check an image of ``kind`` (a key of PROFILES, or a Profile) and return it re-encoded.

    Raises :class:`InvalidImage` naming ``field`` (default: ``kind``) with a message for the
    user; nothing is stored here.
    """
    return _reencode(open_image(data, kind, field), _profile(kind))


def _profile(kind: str | Profile) -> Profile:
    return PROFILES[kind] if isinstance(kind, str) else kind


def open_image(
    data: bytes, kind: str | Profile, field: str | None = None, *, draft_side: int | None = None
) -> Image.Image:
    """The checked image of ``kind`` (a key of PROFILES, or a Profile), decoded completely and
    upright, in the mode it was stored in; nothing is re-encoded or stored.

    ``draft_side``: the caller scales the image down to this long side anyway, so a large JPEG
    may be decoded at 1/2, 1/4 or 1/8 scale (still at least that size), which is much quicker.

    Raises :class:`InvalidImage` naming ``field`` (default: ``kind``) with a message for the user.
    """
    field = field or (kind if isinstance(kind, str) else "image")
    profile = _profile(kind)
    if not data:
        raise _refuse(_("Choose an image file."), field, "required")
    if len(data) > profile.max_bytes:
        raise _refuse(
            _("The image is larger than %(kb)s KB.", kb=profile.max_bytes // 1024)
            if profile.max_bytes < 1024 * 1024
            else _("The image is larger than %(mb)s MB.", mb=profile.max_bytes // (1024 * 1024)),
            field,
            "too_large",
        )
    fmt = _check_container(data, field, profile.formats)
    ImageFile.LOAD_TRUNCATED_IMAGES = False
    with warnings.catch_warnings():
        # Pillow only warns between MAX_IMAGE_PIXELS and twice that; we refuse outright
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data), formats=[fmt]) as im:
                if im.width * im.height > profile.max_pixels:
                    raise _refuse(
                        _(
                            "The image has more than %(mp)s megapixels. Use a smaller image.",
                            mp=profile.max_pixels // 1_000_000,
                        ),
                        field,
                        "too_many_pixels",
                    )
                header = im.size
                scale = draft_side / max(header) if draft_side else 1
                if scale < 1:  # JPEG only (other formats ignore it)
                    im.draft("RGB", (math.ceil(im.width * scale), math.ceil(im.height * scale)))
                im.load()  # the whole file: a truncated or corrupt one fails here
                image = ImageOps.exif_transpose(im)
                sides = image.size
                if im.size != header:  # decoded at a smaller scale: the upright sides as sent
                    turned = im.getexif().get(ExifTags.Base.Orientation, 1) in (5, 6, 7, 8)
                    sides = header[::-1] if turned else header
        except InvalidImage:
            raise
        except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
            raise _refuse(
                _(
                    "The image has more than %(mp)s megapixels. Use a smaller image.",
                    mp=profile.max_pixels // 1_000_000,
                ),
                field,
                "too_many_pixels",
            ) from exc
        except (OSError, SyntaxError, ValueError, EOFError, struct.error) as exc:
            raise _refuse(
                _("The image is damaged or incomplete. Take or export it again."), field, "corrupt"
            ) from exc
    min_w, min_h = profile.min_size
    if sides[0] < min_w or sides[1] < min_h:
        raise _refuse(
            _("The image is too small: at least %(w)d x %(h)d pixels.", w=min_w, h=min_h),
            field,
            "too_small",
        )
    return image


def _reencode(image: Image.Image, profile: Profile) -> CleanImage:
    out = io.BytesIO()
    if profile.output == "JPEG":
        flat = flatten(image).convert("RGB")
        if profile.max_side:
            flat.thumbnail((profile.max_side, profile.max_side), Image.Resampling.LANCZOS)
        flat.info = {}  # no EXIF, ICC, comments: only pixels leave this function
        flat.save(out, "JPEG", quality=profile.quality, optimize=True)
        content_type = "image/jpeg"
    else:
        flat = flatten(image).convert("L")
        flat.info = {}
        flat.save(out, "PNG", optimize=True)
        content_type = "image/png"
    return CleanImage(out.getvalue(), content_type, flat.width, flat.height)


def flatten(image: Image.Image) -> Image.Image:
    """Transparent parts on white (a signature PNG often has a transparent background)."""
    if image.mode in ("RGBA", "LA", "P", "PA"):
        rgba = image.convert("RGBA")
        flat = Image.new("RGB", rgba.size, "white")
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    if image.mode not in ("RGB", "L"):
        return image.convert("RGB")
    return image
