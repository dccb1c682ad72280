"""Accounts: users, roles, registration, login, password reset, admin pages."""

import functools

from flask import Flask, current_app, flash
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager
from sqlalchemy import bindparam, select
from sqlalchemy.orm import joinedload

from ujisim.accounts import admin, cli, views
from ujisim.accounts.forms import ROLE_LABELS
from ujisim.accounts.models import User
from ujisim.core import clock
from ujisim.core.db import get_session
from ujisim.core.security import Role

login_manager = LoginManager()
login_manager.login_view = "accounts.login"
login_manager.login_message = _l("Please log in to open this page.")
login_manager.login_message_category = "info"
login_manager.session_protection = "strong"


@functools.cache
def _user_by_public_id():
    """Every request loads the user, so the statement is built once (it only binds the id); its
    roles come in the same round trip (a join, not a second SELECT): the role checks read them
    right after."""

    return (
        select(User).options(joinedload(User.roles)).where(User.public_id == bindparam("public_id"))
    )


@login_manager.user_loader
def load_user(user_id: str):
    public_id, _sep, nonce = user_id.partition(".")
    user = get_session().scalars(_user_by_public_id(), {"public_id": public_id}).unique().first()
    if user is None or not user.active or user.session_nonce != nonce:
        return None
    return user


#: how often (s) the time of the last request is written into the session cookie
SEEN_EVERY = 60


def _end_idle_session() -> None:
    """A session left without a request for ``SESSION_IDLE_SECONDS`` ends: the next request is
    anonymous (a device the user asked to keep logged in comes back through its remember
    token, until logout or its own expiry)."""
    from flask import session

    idle = current_app.config.get("SESSION_IDLE_SECONDS")
    if not idle or "_user_id" not in session:
        return
    now = int(clock.now().timestamp())
    seen = session.get("_seen")
    if seen is not None and now - int(seen) > idle:
        for key in ("_user_id", "_fresh", "_id", "_seen"):
            session.pop(key, None)
        flash(_("Your session ended after a time without activity. Please log in again."), "info")
        return
    if seen is None or now - int(seen) >= SEEN_EVERY:
        session["_seen"] = now


def init_app(app: Flask) -> None:
    login_manager.init_app(app)
    app.before_request(_end_idle_session)
    app.jinja_env.globals["role_label"] = lambda role: ROLE_LABELS[Role(role)]
    app.register_blueprint(views.bp)
    app.register_blueprint(admin.bp)
    app.cli.add_command(cli.users_cli)
