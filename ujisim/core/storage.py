"""Private files (photos, snapshots, PDFs): never in static/, served only through ``/files/<id>``
after an access check.

Files live under ``UJISIM_STORAGE_DIR`` (default ``instance/files``) named by a random id; the
row keeps owner, purpose, type, size and sha256. Each purpose may register an access rule;
the default lets the owner and admins read a file.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from flask import Blueprint, Flask, abort, current_app, send_file
from flask_login import current_user, login_required
from sqlalchemy import ForeignKey, String, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from ujisim.core import clock
from ujisim.core.db import Base, get_session, new_public_id
from ujisim.core.security import Role


class StoredFile(Base):
    __tablename__ = "stored_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: unguessable id used in URLs and as the file name on disk
    public_id: Mapped[str] = mapped_column(String(26), unique=True, default=new_public_id)
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    #: what the file is for, e.g. "registration_photo"; selects the access rule
    purpose: Mapped[str] = mapped_column(String(64))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime]


AccessRule = Callable[[object, StoredFile], bool]
ACCESS_RULES: dict[str, AccessRule] = {}


def access_rule(purpose: str):
    """Register who may read files of ``purpose`` (a function of user and file)."""

    def decorator(fn: AccessRule) -> AccessRule:
        ACCESS_RULES[purpose] = fn
        return fn

    return decorator


def _default_rule(user, stored: StoredFile) -> bool:
    return stored.owner_id == user.id or user.has_any_role(Role.ADMIN)


def _root() -> Path:
    return Path(current_app.config["STORAGE_DIR"])


def path_of(stored: StoredFile) -> Path:
    return _root() / stored.public_id[:2] / stored.public_id


def store(
    session: Session, data: bytes, *, content_type: str, purpose: str, owner=None
) -> StoredFile:
    """Write ``data`` to private storage and record it (the caller's boundary commits)."""
    stored = StoredFile(
        public_id=new_public_id(),
        owner_id=getattr(owner, "id", None),
        purpose=purpose,
        content_type=content_type,
        size=len(data),
        sha256=hashlib.sha256(data).hexdigest(),
        created_at=clock.now(),
    )
    target = path_of(stored)
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(".tmp")
    tmp.write_bytes(data)
    os.chmod(tmp, 0o600)
    tmp.replace(target)
    session.add(stored)
    session.flush()
    return stored


def read(stored: StoredFile) -> bytes:
    return path_of(stored).read_bytes()


def delete(session: Session, stored: StoredFile) -> None:
    """Remove the file and its row."""
    path_of(stored).unlink(missing_ok=True)
    session.delete(stored)
    session.flush()


def load_file_or_404(session: Session, public_id: str, user) -> StoredFile:
    """The file if ``user`` may read it; 404 otherwise (never reveal that it exists)."""
    stored = session.scalars(select(StoredFile).where(StoredFile.public_id == public_id)).first()
    if stored is None:
        abort(404)
    rule = ACCESS_RULES.get(stored.purpose, _default_rule)
    if not rule(user, stored):
        abort(404)
    return stored


bp = Blueprint("files", __name__, url_prefix="/files")


@bp.get("/<public_id>")
@login_required
def download(public_id: str):
    stored = load_file_or_404(get_session(), public_id, current_user)
    response = send_file(path_of(stored), mimetype=stored.content_type, max_age=0)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Disposition"] = "inline"
    return response


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
