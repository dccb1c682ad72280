"""Account verbs. Each takes the session first, flushes, never commits."""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from datetime import date

from flask import current_app
from flask_babel import gettext as _
from itsdangerous import BadSignature, SignatureExpired, TimestampSigner, URLSafeTimedSerializer
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ujisim.accounts import signals
from ujisim.accounts.errors import AccountInUseError, DuplicateAccountError, ResetTokenError
from ujisim.accounts.models import User, UserRole
from ujisim.accounts.nik import check_nik
from ujisim.accounts.passwords import (
    dummy_hash,
    hash_password,
    needs_rehash,
    verify_password,
)
from ujisim.core import audit, clock, mail, storage
from ujisim.core.security import Role
from ujisim.core.signals import answers

PHONE_RE = re.compile(r"^\+62[2-9]\d{7,11}$")


def normalise_email(email: str) -> str:
    return (email or "").strip().lower()


def normalise_phone(phone: str) -> str:
    """``0812-3456-7890`` / ``62812...`` / ``+62 812...`` -> ``+62812...``; '' if not Indonesian."""
    digits = re.sub(r"[\s().-]", "", phone or "")
    if digits.startswith("+62"):
        digits = digits[1:]
    elif digits.startswith("0"):
        digits = "62" + digits[1:]
    candidate = "+" + digits
    return candidate if PHONE_RE.match(candidate) else ""


def get_user_by_email(session: Session, email: str) -> User | None:
    return session.scalars(select(User).where(User.email == normalise_email(email))).first()


def get_user_by_public_id(session: Session, public_id: str) -> User | None:
    return session.scalars(select(User).where(User.public_id == public_id)).first()


def query_users(session: Session, *, search: str = "", role: str = "", limit: int = 50):
    """Users matching a name/e-mail/NIK search and a role, newest first."""
    query = select(User).order_by(User.id.desc()).limit(limit)
    if search:
        like = f"%{search.strip().lower()}%"
        query = query.where(
            or_(func.lower(User.full_name).like(like), User.email.like(like), User.nik.like(like))
        )
    if role:
        query = query.where(User.roles.any(UserRole.role == role))
    return session.scalars(query).all()


def _new_user(**fields) -> User:
    return User(session_nonce=secrets.token_hex(8), created_at=clock.now(), **fields)


def _add_unique(session: Session, user: User) -> None:
    """Insert ``user``; a concurrent twin (a double click) becomes DuplicateAccountError."""
    try:
        with session.begin_nested():
            session.add(user)
    except IntegrityError as exc:
        message = _("This account already exists.")
        raise DuplicateAccountError(message, {"email": message}) from exc


def register_applicant(
    session: Session,
    *,
    full_name: str,
    nik: str,
    date_of_birth: date,
    email: str,
    phone: str,
    password: str,
    locale: str = "id",
) -> User:
    """Create an applicant account (inputs already validated by the form)."""
    parsed = check_nik(nik, date_of_birth)
    email = normalise_email(email)
    taken = {}
    if get_user_by_email(session, email):
        taken["email"] = _(
            "An account with this e-mail already exists. Log in or reset the password."
        )
    if session.scalars(select(User.id).where(User.nik == parsed.value)).first():
        taken["nik"] = _("An account with this NIK already exists. Log in or reset the password.")
    if taken:
        raise DuplicateAccountError(_("This account already exists."), taken)
    user = _new_user(
        email=email,
        full_name=" ".join(full_name.split()),
        nik=parsed.value,
        date_of_birth=date_of_birth,
        sex=parsed.sex,
        phone=normalise_phone(phone),
        password_hash=hash_password(password),
        locale=locale,
        timezone=parsed.timezone,
    )
    user.roles = [UserRole(role=Role.APPLICANT)]
    _add_unique(session, user)
    audit.record(
        session, "accounts.registered", actor=user, object_type="user", object_id=user.public_id
    )
    return user


def authenticate(session: Session, email: str, password: str) -> User | None:
    """The active user with these credentials, or None. Every try goes to the audit chain."""
    user = get_user_by_email(session, email)
    if user is None:
        verify_password(dummy_hash(), password)
    ok = user is not None and user.active and verify_password(user.password_hash, password)
    if not ok:
        audit.record(
            session,
            "accounts.login_failed",
            object_type="user",
            object_id=user.public_id if user else None,
            data={"email": normalise_email(email)[:255]},
        )
        return None
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = clock.now()
    audit.record(
        session, "accounts.login", actor=user, object_type="user", object_id=user.public_id
    )
    return user


def record_logout(session: Session, user: User) -> None:
    """Log out: every session and remember token of the account ends on the server (the nonce
    in them no longer matches), so a copy of the old cookies opens nothing."""
    user.session_nonce = secrets.token_hex(8)
    session.flush()
    audit.record(
        session, "accounts.logout", actor=user, object_type="user", object_id=user.public_id
    )


def end_sessions(session: Session, user: User, *, actor: User | None) -> None:
    """End every session and remember token of ``user`` (an administrator's "sign out
    everywhere"): they carry the old nonce."""
    user.session_nonce = secrets.token_hex(8)
    session.flush()
    audit.record(
        session,
        "accounts.sessions_ended",
        actor=actor,
        object_type="user",
        object_id=user.public_id,
    )


class _ClockSigner(TimestampSigner):
    """Timestamps from core.clock, so tests can move time."""

    def get_timestamp(self) -> int:
        return int(clock.now().timestamp())


def _reset_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(
        current_app.config["SECRET_KEY"], salt="ujisim.password-reset", signer=_ClockSigner
    )


def _fingerprint(user: User) -> str:
    # Changes when the password changes, so a used link (or an older one) stops working.
    return user.password_hash[-16:]


def make_reset_token(user: User) -> str:
    return _reset_serializer().dumps({"u": user.public_id, "f": _fingerprint(user)})


def load_reset_token(session: Session, token: str) -> User:
    """The user a reset link is for; ResetTokenError if expired, used or forged."""
    max_age = current_app.config["PASSWORD_RESET_MAX_AGE"]
    try:
        data = _reset_serializer().loads(token, max_age=max_age)
    except SignatureExpired as exc:
        raise ResetTokenError(_("This link has expired. Ask for a new one.")) from exc
    except BadSignature as exc:
        raise ResetTokenError(_("This link is not valid. Ask for a new one.")) from exc
    user = get_user_by_public_id(session, data.get("u", ""))
    if user is None or not user.active or data.get("f") != _fingerprint(user):
        raise ResetTokenError(_("This link has already been used or is no longer valid."))
    return user


def request_password_reset(session: Session, email: str, link_for) -> None:
    """Mail a reset link if the account exists; say nothing either way (no enumeration).

    ``link_for(token)`` builds the absolute URL of the reset page.
    """
    user = get_user_by_email(session, email)
    if user is None or not user.active:
        return
    link = link_for(make_reset_token(user))
    minutes = current_app.config["PASSWORD_RESET_MAX_AGE"] // 60
    body = _(
        "Hello %(name)s,\n\nSomeone asked to reset the password of your ujisim account. "
        "Open this link within %(minutes)s minutes to choose a new password:\n\n%(link)s\n\n"
        "The link works once. If you did not ask for this, ignore this e-mail.",
        name=user.full_name,
        minutes=minutes,
        link=link,
    )
    mail.queue_mail(
        session,
        to=user.email,
        subject=_("Reset your ujisim password"),
        body=body,
        kind="password_reset",
    )
    audit.record(
        session, "accounts.password_reset_requested", object_type="user", object_id=user.public_id
    )


def set_password(session: Session, user: User, password: str, *, action: str) -> None:
    """Change the password and end every other session of the user."""
    user.password_hash = hash_password(password)
    user.session_nonce = secrets.token_hex(8)
    session.flush()
    audit.record(session, action, actor=user, object_type="user", object_id=user.public_id)


def set_roles(session: Session, user: User, roles: Iterable[Role], *, actor: User | None) -> bool:
    """Give ``user`` exactly ``roles``; audited with before and after. False if nothing changed."""
    wanted = {Role(r) for r in roles}
    before = user.role_set
    if wanted == before:
        return False
    user.roles = [r for r in user.roles if Role(r.role) in wanted] + [
        UserRole(role=r) for r in sorted(wanted - before)
    ]
    session.flush()
    audit.record(
        session,
        "accounts.roles_changed",
        actor=actor,
        object_type="user",
        object_id=user.public_id,
        data={"before": sorted(before), "after": sorted(wanted)},
    )
    return True


def set_active(session: Session, user: User, active: bool, *, actor: User | None) -> None:
    """Activate or deactivate an account (deactivated accounts cannot log in)."""
    if user.active == active:
        return
    user.active = active
    user.session_nonce = secrets.token_hex(8)
    session.flush()
    action = "accounts.activated" if active else "accounts.deactivated"
    audit.record(session, action, actor=actor, object_type="user", object_id=user.public_id)


def create_staff_user(
    session: Session,
    *,
    email: str,
    full_name: str,
    roles: Iterable[Role],
    password: str | None = None,
    actor: User | None = None,
) -> tuple[User, str]:
    """Create a staff account; returns the user and its password (generated if not given)."""
    email = normalise_email(email)
    if get_user_by_email(session, email):
        raise DuplicateAccountError(
            _("An account with this e-mail already exists."),
            {"email": _("An account with this e-mail already exists.")},
        )
    password = password or secrets.token_urlsafe(12)
    user = _new_user(
        email=email, full_name=" ".join(full_name.split()), password_hash=hash_password(password)
    )
    _add_unique(session, user)
    audit.record(
        session, "accounts.created", actor=actor, object_type="user", object_id=user.public_id
    )
    set_roles(session, user, roles, actor=actor)
    return user, password


def delete_account(session: Session, user: User, *, actor: User) -> int:
    """Delete ``user`` and everything that is theirs (UU 27/2022: personal data, face encodings
    and photos included); returns the number of private files removed from disk.

    Refused (:class:`AccountInUseError`) for the actor's own account and while a receiver of
    ``signals.deletion_requested`` objects (an exam or a renewal still open); the receivers of
    ``signals.account_deleting`` then remove the copies the cascades cannot reach. The database
    cascades remove the rows; the files on disk go here. The audit chain keeps that the account
    (by public id) was deleted, and by whom.
    """
    if user.id == actor.id:
        raise AccountInUseError([_("You cannot delete your own account.")])
    reasons = answers(signals.deletion_requested.send(user, session=session))
    if reasons:
        raise AccountInUseError(reasons)
    signals.account_deleting.send(user, session=session)
    owned = select(storage.StoredFile).where(storage.StoredFile.owner_id == user.id)
    paths = [storage.path_of(stored) for stored in session.scalars(owned)]
    audit.record(
        session,
        "accounts.deleted",
        actor=actor,
        object_type="user",
        object_id=user.public_id,
        data={"roles": sorted(user.role_set), "files": len(paths)},
    )
    # the rows first (the database cascades take the file rows together with the rows that
    # point at them), then the files on disk
    session.delete(user)
    session.flush()
    for path in paths:
        path.unlink(missing_ok=True)
    return len(paths)
