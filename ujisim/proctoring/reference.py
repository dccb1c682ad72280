"""The reference face: the photo a candidate's camera frames are compared with.

For a new licence it is the registration photo uploaded on the photo page; for a renewal the
licence record supplies it through :func:`set_reference_photo` (source "licence"). The photo is
decoded and re-encoded with Pillow (no metadata survives), its encoding is computed once and
stored, and computed again only when the photo (its sha256) or the encoder changes.
"""

from __future__ import annotations

import hashlib
import json

from sqlalchemy import select
from sqlalchemy.orm import Session

from ujisim.core import audit, clock, images, storage
from ujisim.core.errors import InvalidImage
from ujisim.proctoring import faces
from ujisim.proctoring.errors import InvalidImageError
from ujisim.proctoring.models import ReferenceFace

#: upload limits of a reference photo (the intake's "reference" profile)
MAX_BYTES = images.PROFILES["reference"].max_bytes
SOURCES = ("registration", "licence")
PURPOSE = "proctor_reference"


def normalise_photo(data: bytes) -> bytes:
    """A JPEG or PNG upload as a clean JPEG through the site's image intake (``core/images.py``
    profile "reference"): decoded completely, upright, RGB, at most 1600 px, polyglots refused,
    no EXIF, GPS or comments.

    Raises :class:`InvalidImageError` with a message for the user.
    """
    try:
        return images.clean_image(data, "reference", field="photo").data
    except InvalidImage as exc:
        raise InvalidImageError(exc.message, exc.fields) from exc


def get_reference(session: Session, user) -> ReferenceFace | None:
    return session.scalars(select(ReferenceFace).where(ReferenceFace.user_id == user.id)).first()


def set_reference_photo(
    session: Session, user, image_bytes: bytes, source: str = "registration"
) -> ReferenceFace:
    """Make ``image_bytes`` the user's reference photo and store its face encoding.

    The same photo again (same sha256 after re-encoding, same encoder) changes nothing and does
    not recompute. A photo without exactly one face is refused (NoFaceError, SeveralFacesError)
    and nothing is stored.
    """
    if source not in SOURCES:
        raise ValueError(f"source must be one of {SOURCES}")
    clean = normalise_photo(image_bytes)
    digest = hashlib.sha256(clean).hexdigest()
    existing = get_reference(session, user)
    if (
        existing is not None
        and existing.photo_sha256 == digest
        and existing.encoder == faces.ENCODER
        and existing.file_id is not None
    ):
        return existing
    face = faces.reference_encoding(faces.load_image(clean))
    stored = storage.store(session, clean, content_type="image/jpeg", purpose=PURPOSE, owner=user)
    if existing is None:
        existing = ReferenceFace(user_id=user.id)
        session.add(existing)
    else:
        _drop_file(session, existing.file_id)
    existing.file_id = stored.id
    existing.source = source
    existing.photo_sha256 = digest
    existing.encoding_json = json.dumps([round(v, 8) for v in face.encoding])
    existing.box_json = json.dumps(list(face.box))
    existing.encoder = face.encoder
    existing.computed_at = clock.now()
    session.flush()
    audit.record(
        session,
        "proctoring.reference_set",
        actor=user,
        object_type="user",
        object_id=user.public_id,
        data={"source": source, "sha256": digest, "encoder": face.encoder},
    )
    return existing


def _drop_file(session: Session, file_id: int | None) -> None:
    if file_id is None:
        return
    old = session.get(storage.StoredFile, file_id)
    if old is not None:
        storage.delete(session, old)


def photo_file(session: Session, reference: ReferenceFace | None) -> storage.StoredFile | None:
    if reference is None or reference.file_id is None:
        return None
    return session.get(storage.StoredFile, reference.file_id)
