"""Publishing bank versions from the examiner workspace: what changed since the latest
published version, the share of items reserved for official exams, and a publish button.

Approving an item makes its version active; candidates see it only once a bank version that
holds it is published (here or with ``flask bank publish``). Practice always reads the latest
published version; an official exam keeps the version it was drawn from.
"""

from __future__ import annotations

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from ujisim.core import duties
from ujisim.core.db import get_session
from ujisim.core.security import Role, role_required
from ujisim.question_bank import gate, services
from ujisim.question_bank.errors import ContentError
from ujisim.question_bank.forms import PublishForm

bp = duties.staff_pages(Blueprint("publishing", __name__, url_prefix="/examiner/bank"))


def _number(bank) -> str:
    return str(bank.number) if bank else "0"


def render_bank(*, status: int = 200, error: str = ""):
    session = get_session()
    pending = services.pending_changes(session)
    # the publish gate's checks of the items publishing would take, shown before the click
    contents = [services.content_of(v) for v in services.active_versions(session)]
    problems, warnings = gate.from_config(session, current_app.config).check(contents)
    minimum = current_app.config["BANK_MIN_RESERVED"]
    form = PublishForm(formdata=None, data={"expected": _number(pending.latest)})
    page = render_template(
        "question_bank/authoring/bank.html",
        pending=pending,
        minimum=minimum,
        short={c for c, (r, n) in pending.shares.items() if n and r < minimum * n},
        form=form,
        error=error,
        problems=problems,
        warnings=warnings,
    )
    return page, status


@bp.get("/")
@role_required(Role.EXAMINER)
def index():
    return render_bank()


@bp.post("/publish")
@role_required(Role.EXAMINER)
def publish():
    session = get_session()
    form = PublishForm()
    form.validate_on_submit()  # CSRF is checked before the view; the field has no rules
    latest = services.latest_bank_version(session)
    if form.expected.data != _number(latest):
        session.rollback()
        return render_bank(
            status=409,
            error=_(
                "Bank version %(n)s was published meanwhile (perhaps by a second click or "
                "another examiner). Check the changes below before publishing again.",
                n=_number(latest),
            ),
        )
    try:
        bank, published = services.publish_bank_version(
            session,
            actor=current_user,
            note="examiner workspace",
            gate=gate.from_config(session, current_app.config),
        )
        session.flush()  # a number taken by a concurrent publication fails here, not at the commit
    except ContentError as exc:
        session.rollback()
        return render_bank(status=exc.status, error=exc.message)
    except IntegrityError:  # another examiner published the same number at the same moment
        session.rollback()
        return render_bank(
            status=409,
            error=_("Another examiner published at the same moment. Check the changes below."),
        )
    if published:
        flash(
            _("Bank version %(n)s was published with %(count)s items.", n=bank.number,
              count=bank.item_count),
            "success",
        )  # fmt: skip
    else:
        flash(_("Nothing changed since bank version %(n)s; nothing was published.", n=bank.number),
              "info")  # fmt: skip
    return redirect(url_for(".index"))
