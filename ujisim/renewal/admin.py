"""Administrator pages of the renewal: the table of service closures and grace windows
(dispensasi: list, add, edit a draft, publish, withdraw, redraft) and the SMS/WhatsApp sandbox's
messages (what the reminders "sent" to phones)."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ujisim.core.db import get_session
from ujisim.core.errors import refusal_page
from ujisim.core.security import Role, role_required
from ujisim.renewal import closures, labels
from ujisim.renewal.closure_forms import GraceWindowForm
from ujisim.renewal.models import GraceStatus, GraceWindow, SandboxMessage

bp = Blueprint("renewal_admin", __name__, url_prefix="/admin/perpanjangan")


def _window_or_404(public_id: str) -> GraceWindow:
    window = closures.get_window(get_session(), public_id)
    if window is None:
        abort(404)
    return window


def _list_page(form: GraceWindowForm | None = None, status: int = 200):
    windows = closures.query_windows(get_session())
    page = render_template(
        "renewal/admin_grace.html",
        windows=windows,
        form=form or GraceWindowForm(),
        telegram_label=closures.telegram_label,
        grace_labels=labels.GRACE_LABELS,
    )
    return page, status


@bp.get("/dispensasi")
@role_required(Role.ADMIN)
def grace_windows():
    return _list_page()


@bp.post("/dispensasi")
@role_required(Role.ADMIN)
def add_grace_window():
    form = GraceWindowForm()
    if not form.validate_on_submit():
        return _list_page(form, 422)
    window = closures.add_window(get_session(), current_user, **form.values())
    flash(_("Grace window %(name)s saved as a draft.", name=window.name), "success")
    return redirect(url_for("renewal_admin.grace_windows"), 303)


def _edit_page(window: GraceWindow, form: GraceWindowForm, status: int = 200):
    page = render_template(
        "renewal/admin_grace_edit.html",
        window=window,
        form=form,
        telegram_label=closures.telegram_label,
        grace_labels=labels.GRACE_LABELS,
    )
    return page, status


@bp.get("/dispensasi/<public_id>")
@role_required(Role.ADMIN)
def edit_grace_window(public_id: str):
    window = _window_or_404(public_id)
    data = {name: getattr(window, name) for name in closures.FIELDS}
    data["classes"] = ", ".join(window.class_list)
    data["expected"] = str(window.version)
    return _edit_page(window, GraceWindowForm(data=data))


@bp.post("/dispensasi/<public_id>")
@role_required(Role.ADMIN)
@refusal_page("renewal_admin.edit_grace_window")
def save_grace_window(public_id: str):
    window = _window_or_404(public_id)
    form = GraceWindowForm()
    if not form.validate_on_submit():
        return _edit_page(window, form, 422)
    if form.expected.data != str(window.version):
        flash(
            _(
                "Grace window %(name)s was changed meanwhile (perhaps in another tab). Nothing "
                "was saved: check it below and save again.",
                name=window.name,
            ),
            "error",
        )
        return redirect(url_for("renewal_admin.edit_grace_window", public_id=public_id), 303)
    closures.edit_window(get_session(), window, current_user, **form.values())
    flash(_("Grace window %(name)s saved.", name=window.name), "success")
    return redirect(url_for("renewal_admin.grace_windows"), 303)


#: the status buttons: action -> the service moving the window, and the status it reaches
ACTIONS = {
    "publish": (closures.publish, GraceStatus.PUBLISHED),
    "withdraw": (closures.withdraw, GraceStatus.WITHDRAWN),
    "redraft": (closures.redraft, GraceStatus.DRAFT),
}


def _done_message(action: str, name: str) -> str:
    if action == "publish":
        return _("Grace window %(name)s is published: eligibility honours it now.", name=name)
    if action == "withdraw":
        return _("Grace window %(name)s is withdrawn.", name=name)
    return _("Grace window %(name)s is a draft again: edit it, then publish it.", name=name)


@bp.post("/dispensasi/<public_id>/<any(publish, withdraw, redraft):action>")
@role_required(Role.ADMIN)
@refusal_page("renewal_admin.grace_windows")
def grace_window_action(public_id: str, action: str):
    window = _window_or_404(public_id)
    service, reaches = ACTIONS[action]
    # a double click, or a second tab: the window is already there, nothing to do again
    if window.status != reaches:
        service(get_session(), window, current_user)
    flash(_done_message(action, window.name), "success")
    return redirect(url_for("renewal_admin.grace_windows"), 303)


@bp.get("/sandbox-pesan")
@role_required(Role.ADMIN)
def sandbox_messages():
    """SANDBOX: the texts the SMS/WhatsApp sandbox channel recorded, newest first."""
    messages = get_session().scalars(
        select(SandboxMessage).order_by(SandboxMessage.id.desc()).limit(200)
    )
    return render_template("renewal/admin_sandbox_messages.html", messages=list(messages))
