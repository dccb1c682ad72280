"""Accounts: users, roles, registration, login, password reset, admin pages."""

from flask import Flask
from flask_babel import lazy_gettext as _l
from flask_login import LoginManager
from sqlalchemy import select
from sqlalchemy.orm import joinedload

login_manager = LoginManager()
login_manager.login_view = "accounts.login"
login_manager.login_message = _l("Please log in to open this page.")
login_manager.login_message_category = "info"
login_manager.session_protection = "strong"


@login_manager.user_loader
def load_user(user_id: str):
    from ujisim.accounts.models import User
    from ujisim.core.db import get_session

    public_id, _sep, nonce = user_id.partition(".")
    # every request loads the user: its roles come in the same round trip (a join, not a second
    # SELECT), which the role checks read right after
    user = (
        get_session()
        .scalars(select(User).options(joinedload(User.roles)).where(User.public_id == public_id))
        .unique()
        .first()
    )
    if user is None or not user.active or user.session_nonce != nonce:
        return None
    return user


def init_app(app: Flask) -> None:
    from ujisim.accounts import admin, cli, views
    from ujisim.accounts.forms import ROLE_LABELS
    from ujisim.core.security import Role

    login_manager.init_app(app)
    app.jinja_env.globals["role_label"] = lambda role: ROLE_LABELS[Role(role)]
    app.register_blueprint(views.bp)
    app.register_blueprint(admin.bp)
    app.cli.add_command(cli.users_cli)
