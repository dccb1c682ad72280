"""Administrator pages: users, roles, staff accounts and (in development) the e-mail outbox."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ujisim.accounts import services
from ujisim.accounts.errors import AccountInUseError, DuplicateAccountError
from ujisim.accounts.forms import DeleteAccountForm, RolesForm, StaffUserForm
from ujisim.core.db import get_session
from ujisim.core.mail import MAIL_LABELS, OutboxMessage
from ujisim.core.security import Role, role_required

bp = Blueprint("admin", __name__, url_prefix="/admin")


def load_user_or_404(public_id: str):
    user = services.get_user_by_public_id(get_session(), public_id)
    if user is None:
        abort(404)
    return user


@bp.get("/users")
@role_required(Role.ADMIN)
def users():
    search = request.args.get("q", "").strip()[:100]
    role = request.args.get("role", "")
    if role not in {r.value for r in Role}:
        role = ""
    found = services.query_users(get_session(), search=search, role=role, limit=100)
    return render_template(
        "admin/users.html", users=found, search=search, role=role, roles=list(Role)
    )


@bp.route("/users/new", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def new_user():
    form = StaffUserForm()
    if form.validate_on_submit():
        session = get_session()
        try:
            user, password = services.create_staff_user(
                session,
                email=form.email.data,
                full_name=form.full_name.data,
                roles=[Role(r) for r in form.roles.data],
                actor=current_user,
            )
        except DuplicateAccountError as exc:
            session.rollback()
            form.email.errors.append(exc.fields["email"])
            return render_template("admin/user_new.html", form=form), 409
        # Shown once; the account holder changes it through "forgot password" or is told it.
        return render_template("admin/user_created.html", user=user, password=password), 201
    status = 422 if form.is_submitted() else 200
    return render_template("admin/user_new.html", form=form), status


@bp.route("/users/<public_id>", methods=["GET", "POST"])
@role_required(Role.ADMIN)
def edit_user(public_id: str):
    user = load_user_or_404(public_id)
    form = RolesForm(data={"roles": sorted(user.role_set), "active": user.active})
    if form.validate_on_submit():
        if user.id == current_user.id and (
            Role.ADMIN not in form.roles.data or not form.active.data
        ):
            form.roles.errors.append(_("You cannot remove your own administrator access."))
            return _edit_page(user, form, DeleteAccountForm(user), 422)
        session = get_session()
        changed = services.set_roles(
            session, user, [Role(r) for r in form.roles.data], actor=current_user
        )
        services.set_active(session, user, form.active.data, actor=current_user)
        flash(_("Saved.") if changed else _("Saved (roles unchanged)."), "success")
        return redirect(url_for("admin.edit_user", public_id=user.public_id))
    status = 422 if form.is_submitted() else 200
    return _edit_page(user, form, DeleteAccountForm(user), status)


@bp.post("/users/<public_id>/sign-out")
@role_required(Role.ADMIN)
def sign_out_user(public_id: str):
    """End every session and remember token of the account (audited); a second click does the
    same again, harmlessly."""
    user = load_user_or_404(public_id)
    session = get_session()
    services.end_sessions(session, user, actor=current_user)
    flash(_("Every session of %(name)s has ended.", name=user.full_name), "success")
    if user.id == current_user.id:
        return redirect(url_for("accounts.login"))
    return redirect(url_for("admin.edit_user", public_id=user.public_id))


def _edit_page(user, form, delete_form, status: int):
    return (
        render_template("admin/user_edit.html", form=form, user=user, delete_form=delete_form),
        status,
    )


@bp.post("/users/<public_id>/delete")
@role_required(Role.ADMIN)
def delete_user(public_id: str):
    """Delete an account with all its data (typed e-mail as confirmation). A second click finds
    the account gone (404); an account with an exam or renewal still open is refused (409)."""
    user = load_user_or_404(public_id)
    roles_form = RolesForm(
        formdata=None, data={"roles": sorted(user.role_set), "active": user.active}
    )
    form = DeleteAccountForm(user)
    if not form.validate_on_submit():
        return _edit_page(user, roles_form, form, 422)
    session = get_session()
    try:
        services.delete_account(session, user, actor=current_user)
    except AccountInUseError as exc:
        session.rollback()
        form.confirm_email.errors.extend(exc.reasons)
        return _edit_page(user, roles_form, form, 409)
    flash(
        _("The account of %(name)s and all its data were deleted.", name=user.full_name), "success"
    )
    return redirect(url_for("admin.users"))


@bp.get("/outbox")
@role_required(Role.ADMIN)
def outbox():
    if not current_app.config["SHOW_OUTBOX"]:
        abort(404)
    messages = get_session().scalars(
        select(OutboxMessage).order_by(OutboxMessage.id.desc()).limit(50)
    )
    return render_template("admin/outbox.html", messages=messages.all(), mail_labels=MAIL_LABELS)
