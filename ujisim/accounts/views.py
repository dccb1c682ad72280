"""Registration, login, logout, password reset and the account page."""

from __future__ import annotations

import hashlib
import hmac

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask import session as cookie  # the signed cookie: `session` is the database's
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from ujisim.accounts import services
from ujisim.accounts.errors import DuplicateAccountError, ResetTokenError
from ujisim.accounts.forms import ForgotPasswordForm, LoginForm, RegistrationForm, ResetPasswordForm
from ujisim.core.db import get_session
from ujisim.core.redirects import safe_next
from ujisim.core.requests import commit_despite_error_status
from ujisim.core.security import limiter
from ujisim.core.urls import public_url

bp = Blueprint("accounts", __name__)


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _failed_attempt(response) -> bool:
    # Only failed logins count against the limit; a successful one redirects, and a refused one
    # (429) checked no password (counting it would let a locked account use up an office's
    # shared address).
    return response.status_code not in (302, 429)


def _account_limit() -> str:
    return current_app.config["LOGIN_ACCOUNT_RATE_LIMIT"]


def _account_key() -> str:
    """The account the form names, as the login looks it up, whatever the address: a password
    sprayed at one account from many addresses meets one limit. Keyed by an HMAC, so that the
    counters hold no e-mail addresses."""
    secret = current_app.config["SECRET_KEY"]
    secret = secret.encode() if isinstance(secret, str) else secret
    email = services.normalise_email(request.form.get("email", ""))
    return "account:" + hmac.new(secret, email.encode(), hashlib.sha256).hexdigest()[:32]


def _wrong_credentials(response) -> bool:
    # Only a wrong e-mail or password counts against the account; the window is fixed from its
    # first failure, so more tries while it is full do not lengthen it.
    return response.status_code == 401


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit("20 per hour", methods=["POST"])
def register():
    if current_user.is_authenticated:
        return redirect(url_for("main.index"))
    form = RegistrationForm()
    if form.validate_on_submit():
        session = get_session()
        try:
            user = services.register_applicant(
                session,
                full_name=form.full_name.data,
                nik=form.nik.data,
                date_of_birth=form.date_of_birth.data,
                email=form.email.data,
                phone=form.phone.data,
                password=form.password.data,
                locale=cookie.get("lang", "id"),
            )
        except DuplicateAccountError as exc:
            session.rollback()
            for name, message in exc.fields.items():
                getattr(form, name).errors.append(message)
            return render_template("accounts/register.html", form=form), 409
        login_user(user)
        flash(_("Welcome, %(name)s. Your account is ready.", name=user.full_name), "success")
        return redirect(url_for("main.index"))
    status = 422 if form.is_submitted() else 200
    return render_template("accounts/register.html", form=form), status


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], deduct_when=_failed_attempt)
@limiter.limit(
    _account_limit, key_func=_account_key, methods=["POST"], deduct_when=_wrong_credentials
)
def login():
    next_url = safe_next(request.args.get("next"))
    if current_user.is_authenticated:
        return redirect(next_url or url_for("main.index"))
    form = LoginForm()
    if form.validate_on_submit():
        session = get_session()
        user = services.authenticate(session, form.email.data, form.password.data)
        if user is not None:
            login_user(user, remember=form.remember.data)
            return redirect(next_url or url_for("main.index"))
        commit_despite_error_status()  # the audit record of a failed login is kept too
        form.password.errors.append(_("The e-mail or password is wrong."))
        return render_template("accounts/login.html", form=form), 401
    status = 422 if form.is_submitted() else 200
    return render_template("accounts/login.html", form=form), status


@bp.post("/logout")
@login_required
def logout():
    session = get_session()
    services.record_logout(session, current_user)
    logout_user()
    flash(_("You have logged out."), "info")
    return redirect(url_for("main.index"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@limiter.limit("5 per 15 minutes", methods=["POST"])
def forgot_password():
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        session = get_session()
        services.request_password_reset(
            session,
            form.email.data,
            lambda token: public_url("accounts.reset_password", token=token),
        )
        flash(
            _("If an account exists for that e-mail, we have sent a link to reset the password."),
            "info",
        )
        return redirect(url_for("accounts.login"))
    status = 422 if form.is_submitted() else 200
    return render_template("accounts/forgot.html", form=form), status


@bp.route("/password/reset/<token>", methods=["GET", "POST"])
@limiter.limit("10 per 15 minutes", methods=["POST"])
def reset_password(token: str):
    session = get_session()
    try:
        user = services.load_reset_token(session, token)
    except ResetTokenError as exc:
        return render_template("accounts/reset_invalid.html", message=exc.message), 410
    form = ResetPasswordForm()
    if form.validate_on_submit():
        services.set_password(session, user, form.password.data, action="accounts.password_reset")
        logout_user()
        flash(_("Your password has been changed. Log in with the new password."), "success")
        return redirect(url_for("accounts.login"))
    status = 422 if form.is_submitted() else 200
    return render_template("accounts/reset.html", form=form), status


@bp.get("/account")
@login_required
def account():
    return render_template("accounts/account.html", user=current_user)
