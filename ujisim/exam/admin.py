"""Administrator pages: exam blueprints (every change is a new version) and holidays."""

from __future__ import annotations

import json

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from wtforms import BooleanField, DateField, HiddenField, IntegerField, StringField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, ValidationError

from ujisim.core import audit, clock
from ujisim.core.db import get_session
from ujisim.core.security import Role, role_required
from ujisim.exam import policy
from ujisim.exam.models import ExamBlueprint, Holiday
from ujisim.question_bank.labels import CATEGORY_LABELS

bp = Blueprint("exam_admin", __name__, url_prefix="/admin/exam")
REQUIRED = _l("This field is required.")


def _count(label):
    return IntegerField(label, validators=[InputRequired(REQUIRED), NumberRange(0, 200)])


class BlueprintForm(FlaskForm):
    #: the version the administrator saw: a form saved after another change is refused
    expected = HiddenField()
    persepsi_bahaya = _count(CATEGORY_LABELS["persepsi_bahaya"])
    wawasan = _count(CATEGORY_LABELS["wawasan"])
    pengetahuan = _count(CATEGORY_LABELS["pengetahuan"])
    time_limit_min = IntegerField(
        _l("Time limit (minutes)"), validators=[InputRequired(REQUIRED), NumberRange(1, 240)]
    )
    pass_mark = IntegerField(
        _l("Correct answers needed to pass"),
        validators=[InputRequired(REQUIRED), NumberRange(1, 600)],
    )
    item_time_limit_s = IntegerField(
        _l("Time limit per question in seconds (empty: none)"),
        validators=[Optional(), NumberRange(5, 600)],
    )
    retake_max = IntegerField(
        _l("Retests allowed after a fail"), validators=[InputRequired(REQUIRED), NumberRange(0, 10)]
    )
    retake_window_days = IntegerField(
        _l("Retest window (working days)"), validators=[InputRequired(REQUIRED), NumberRange(1, 60)]
    )
    same_day_retest = BooleanField(_l("Retest allowed on the day of the fail"))
    min_age = IntegerField(
        _l("Minimum age"), validators=[InputRequired(REQUIRED), NumberRange(16, 30)]
    )
    grace_s = IntegerField(
        _l("Grace after the deadline (seconds)"),
        validators=[InputRequired(REQUIRED), NumberRange(0, 120)],
    )
    clip_count = IntegerField(
        _l("Hazard perception clips before the questions"),
        validators=[InputRequired(REQUIRED), NumberRange(0, 20)],
    )
    clip_pass_percent = IntegerField(
        _l("Share of the clip points needed to pass (%)"),
        validators=[InputRequired(REQUIRED), NumberRange(1, 100)],
    )

    def validate_pass_mark(self, field) -> None:
        total = sum((f.data or 0) for f in (self.persepsi_bahaya, self.wawasan, self.pengetahuan))
        if total == 0:
            raise ValidationError(_l("A paper needs at least one question."))
        if field.data is not None and field.data > total:
            raise ValidationError(_l("The pass mark cannot exceed the %(n)s questions.", n=total))


class HolidayForm(FlaskForm):
    day = DateField(_l("Date"), validators=[InputRequired(REQUIRED)],
                    invalid_value_message=_l("Enter a date as day, month and year."))  # fmt: skip
    name = StringField(_l("Holiday"), validators=[InputRequired(REQUIRED), Length(max=120)])


def _form_for(blueprint: ExamBlueprint) -> BlueprintForm:
    data = dict(blueprint.counts, time_limit_min=blueprint.time_limit_s // 60,
                pass_mark=blueprint.pass_mark, item_time_limit_s=blueprint.item_time_limit_s,
                retake_max=blueprint.retake_max, retake_window_days=blueprint.retake_window_days,
                same_day_retest=blueprint.same_day_retest, min_age=blueprint.min_age,
                grace_s=blueprint.grace_s, clip_count=blueprint.clip_count,
                clip_pass_percent=blueprint.clip_pass_percent,
                expected=str(blueprint.version))  # fmt: skip
    return BlueprintForm(data=data, prefix="bp")


def _page(forms=None, holiday_form=None, status=200):
    session = get_session()
    blueprints = {c: policy.current_blueprint(session, c) for c in policy.CLASSES}
    forms = forms or {}
    for cls, blueprint in blueprints.items():
        forms.setdefault(cls, _form_for(blueprint))
    holidays = session.scalars(select(Holiday).order_by(Holiday.day.desc()).limit(60)).all()
    page = render_template("exam/admin.html", blueprints=blueprints, forms=forms, holidays=holidays,
                           holiday_form=holiday_form or HolidayForm(prefix="h"))  # fmt: skip
    return page, status


@bp.get("/")
@role_required(Role.ADMIN)
def index():
    return _page()


@bp.post("/blueprint/<any(A, C, C1, C2):vehicle_class>")
@role_required(Role.ADMIN)
def new_blueprint(vehicle_class: str):
    form = BlueprintForm(prefix="bp")
    if not form.validate_on_submit():
        return _page(forms={vehicle_class: form}, status=422)
    session = get_session()
    current = policy.current_blueprint(session, vehicle_class)
    if form.expected.data != str(current.version):
        return _changed_meanwhile(vehicle_class, form)
    counts = {k: getattr(form, k).data for k in ("persepsi_bahaya", "wawasan", "pengetahuan")}
    blueprint = ExamBlueprint(
        vehicle_class=vehicle_class, version=current.version + 1, counts_json=json.dumps(counts),
        time_limit_s=form.time_limit_min.data * 60, pass_mark=form.pass_mark.data,
        item_time_limit_s=form.item_time_limit_s.data, retake_max=form.retake_max.data,
        retake_window_days=form.retake_window_days.data, same_day_retest=form.same_day_retest.data,
        min_age=form.min_age.data, grace_s=form.grace_s.data, clip_count=form.clip_count.data,
        clip_pass_percent=form.clip_pass_percent.data, created_at=clock.now(),
        created_by_id=current_user.id,
    )  # fmt: skip
    session.add(blueprint)
    try:
        session.flush()
    except IntegrityError:  # another administrator saved the same version at the same moment
        return _changed_meanwhile(vehicle_class, form)
    audit.record(session, "exam.blueprint_changed", actor=current_user, object_type="blueprint",
                 object_id=f"{vehicle_class}{blueprint.version}",
                 data={**counts, "clips": blueprint.clip_count})  # fmt: skip
    flash(_("SIM %(cls)s blueprint version %(v)s is now in force for new exams.",
            cls=vehicle_class, v=blueprint.version), "success")  # fmt: skip
    return redirect(url_for("exam_admin.index"))


def _changed_meanwhile(vehicle_class: str, form: BlueprintForm):
    """409: the blueprint changed since the form was shown; nothing is saved. The form keeps
    the administrator's values, now based on the version in force."""
    session = get_session()
    session.rollback()
    current = policy.current_blueprint(session, vehicle_class)
    form.expected.data = str(current.version)
    flash(_("SIM %(cls)s blueprint version %(v)s was saved meanwhile (perhaps by another "
            "administrator). Nothing was changed: check your values below and save again.",
            cls=vehicle_class, v=current.version), "error")  # fmt: skip
    return _page(forms={vehicle_class: form}, status=409)


@bp.post("/holidays")
@role_required(Role.ADMIN)
def add_holiday():
    form = HolidayForm(prefix="h")
    if not form.validate_on_submit():
        return _page(holiday_form=form, status=422)
    session = get_session()
    if session.scalars(select(Holiday).where(Holiday.day == form.day.data)).first():
        form.day.errors.append(_("This date is already a holiday."))
        return _page(holiday_form=form, status=409)
    session.add(Holiday(day=form.day.data, name=form.name.data.strip()))
    try:
        session.flush()
    except IntegrityError:  # the same date added by another request at the same moment
        session.rollback()
        form.day.errors.append(_("This date is already a holiday."))
        return _page(holiday_form=form, status=409)
    audit.record(session, "exam.holiday_added", actor=current_user,
                 data={"day": form.day.data.isoformat(), "name": form.name.data})  # fmt: skip
    flash(_("Holiday saved."), "success")
    return redirect(url_for("exam_admin.index"))


@bp.post("/holidays/<int:holiday_id>/delete")
@role_required(Role.ADMIN)
def delete_holiday(holiday_id: int):
    session = get_session()
    holiday = session.get(Holiday, holiday_id)
    if holiday is None:
        abort(404)
    audit.record(session, "exam.holiday_removed", actor=current_user,
                 data={"day": holiday.day.isoformat(), "name": holiday.name})  # fmt: skip
    session.delete(holiday)
    flash(_("Holiday removed."), "success")
    return redirect(url_for("exam_admin.index"))
