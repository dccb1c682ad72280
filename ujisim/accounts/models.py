"""Users and their roles (a user may hold several)."""

from __future__ import annotations

from datetime import date, datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ujisim.core.db import Base, new_public_id
from ujisim.core.security import Role


class User(UserMixin, Base):
    __tablename__ = "user"
    __table_args__ = (
        CheckConstraint("length(nik) = 16", name="nik_length"),
        CheckConstraint("locale in ('id', 'en')", name="locale"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: unguessable id used in URLs
    public_id: Mapped[str] = mapped_column(String(26), unique=True, default=new_public_id)
    #: stored lower-case
    email: Mapped[str] = mapped_column(String(255), unique=True)
    full_name: Mapped[str] = mapped_column(String(120))
    #: national id number (16 digits); staff accounts may have none
    nik: Mapped[str | None] = mapped_column(String(16), unique=True)
    date_of_birth: Mapped[date | None]
    #: "L" or "P", from the NIK (women's birth day + 40)
    sex: Mapped[str | None] = mapped_column(String(1))
    #: E.164, e.g. +6281234567890
    phone: Mapped[str | None] = mapped_column(String(20))
    password_hash: Mapped[str] = mapped_column(String(255))
    #: changes with every password change; part of the session id, so old sessions end
    session_nonce: Mapped[str] = mapped_column(String(32))
    locale: Mapped[str] = mapped_column(String(5), default="id")
    #: IANA zone for showing times (WIB, WITA or WIT); from the NIK's province
    timezone: Mapped[str] = mapped_column(String(32), default="Asia/Jakarta")
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime]
    last_login_at: Mapped[datetime | None]

    roles: Mapped[list[UserRole]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin"
    )

    # Flask-Login
    def get_id(self) -> str:
        return f"{self.public_id}.{self.session_nonce}"

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def role_set(self) -> set[Role]:
        return {Role(r.role) for r in self.roles}

    def has_any_role(self, *roles: Role) -> bool:
        return bool(self.role_set.intersection(roles))


class UserRole(Base):
    __tablename__ = "user_role"
    __table_args__ = (UniqueConstraint("user_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(16))

    user: Mapped[User] = relationship(back_populates="roles")
