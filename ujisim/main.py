"""Home page, language switch and the health check."""

from __future__ import annotations

from flask import Blueprint, abort, redirect, render_template, request, session, url_for
from flask_login import current_user
from sqlalchemy.exc import SQLAlchemyError

from ujisim.core import db
from ujisim.core.i18n import LANGUAGES
from ujisim.core.redirects import safe_next
from ujisim.core.security import csrf, limiter

bp = Blueprint("main", __name__)


@bp.get("/")
def index():
    return render_template("home.html")


@bp.post("/lang")
def set_language():
    lang = request.form.get("lang", "")
    if lang not in LANGUAGES:
        abort(400)
    session["lang"] = lang
    if current_user.is_authenticated and current_user.locale != lang:
        current_user.locale = lang
    return redirect(safe_next(request.form.get("next")) or url_for("main.index"))


@bp.get("/healthz")
@limiter.exempt
@csrf.exempt
def healthz():
    """For load balancers: 200 when the database answers and its schema is at the code's head."""
    try:
        _reachable, at_head = db.ping()
    except SQLAlchemyError:
        return {"status": "error", "database": "unreachable"}, 503
    if not at_head:
        return {"status": "error", "database": "ok", "migrations": "behind"}, 503
    return {"status": "ok", "database": "ok", "migrations": "head"}
