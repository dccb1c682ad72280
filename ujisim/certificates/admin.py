"""Administrator page for print-shop stations: create one (its API token is shown once), see
when each was last used, revoke a token."""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import InputRequired, Length

from ujisim.certificates import stations
from ujisim.core.db import get_session
from ujisim.core.security import Role, role_required

bp = Blueprint("print_admin", __name__, url_prefix="/admin/print")


class StationForm(FlaskForm):
    name = StringField(
        _l("Station name"),
        description=_l("For example the shop and the printer: Percetakan Sudirman, printer 2."),
        validators=[InputRequired(_l("This field is required.")), Length(max=120)],
    )


def _page(form=None, status=200):
    page = render_template(
        "certificates/stations.html",
        stations=stations.query_stations(get_session()),
        form=form or StationForm(),
    )
    return page, status


@bp.get("/stations")
@role_required(Role.ADMIN)
def index():
    return _page()


@bp.post("/stations")
@role_required(Role.ADMIN)
def create():
    form = StationForm()
    if not form.validate_on_submit():
        return _page(form, 422)
    session = get_session()
    user = current_user._get_current_object()
    station, token = stations.create_station(session, form.name.data, user)
    # the token exists in clear only in this response: never cached, never shown again
    page = render_template("certificates/station_created.html", station=station, token=token)
    return page, 201, {"Cache-Control": "no-store"}


@bp.post("/stations/<public_id>/revoke")
@role_required(Role.ADMIN)
def revoke(public_id: str):
    session = get_session()
    station = stations.get_station(session, public_id)
    if station is None:
        abort(404)
    stations.revoke_station(session, station, current_user._get_current_object())
    flash(_("The token of %(name)s is revoked.", name=station.name), "success")
    return redirect(url_for("print_admin.index"), code=303)
