"""Examiner workspace pages: item analysis with quality flags and charts, daily reports with
pending queues, CSV and PDF exports."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from ujisim.core import clock, duties, jobs
from ujisim.core.db import get_session
from ujisim.core.errors import ValidationError
from ujisim.core.i18n import ZONES, user_zone
from ujisim.core.security import Role, role_required
from ujisim.exam import analysis, charts, clip_analysis, ratings, reports
from ujisim.exam.report_pdf import daily_pdf

bp = duties.staff_pages(Blueprint("exam_analysis", __name__, url_prefix="/examiner"))
SCOPES = (analysis.ALL, "A", "C")
LETTERS = "ABCDEFGH"
DEFAULT_DAYS = 14


def flag_text(code: str) -> str:
    """Why an item is flagged, in the user's language."""
    kind, _sep, option = code.partition(":")
    if kind == "too_hard":
        return _("Too hard: fewer than 1 in 5 answer correctly (check the key and the wording).")
    if kind == "too_easy":
        return _("Too easy: more than 19 in 20 answer correctly; it hardly tells candidates apart.")
    if kind == "negative_discrimination":
        return _(
            "Negative discrimination: candidates with higher scores get it wrong more often "
            "(miskeyed or ambiguous?)."
        )
    if kind == "unused_option" and not option:
        return _("An option nobody picks (not a plausible distractor).")
    if kind == "unused_option" and option.isdigit():
        letter = LETTERS[int(option)] if int(option) < len(LETTERS) else option
        return _("Option %(letter)s: nobody picks it (not a plausible distractor).", letter=letter)
    return code


def _number(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


@bp.app_template_filter("stat")
def stat_filter(value: float | None, digits: int = 2) -> str:
    return _number(value, digits)


# -- item analysis ---------------------------------------------------------------------------


@bp.get("/analysis/")
@role_required(Role.EXAMINER)
def index():
    session = get_session()
    scope = request.args.get("scope", analysis.ALL)
    scope = scope if scope in SCOPES else analysis.ALL
    flagged_only = request.args.get("flagged") == "1"
    items = analysis.query_item_stats(session, scope)
    forms = analysis.query_form_stats(session)
    distributions = [
        charts.score_distribution(
            f"score-{blueprint.vehicle_class}-{blueprint.version}",
            form.histogram,
            blueprint.pass_mark,
            title=_(
                "Score distribution, SIM %(c)s (blueprint %(v)s, %(n)s candidates)",
                c=blueprint.vehicle_class,
                v=blueprint.version,
                n=form.n,
            ),
            x_label=_("Correct answers"),
            y_label=_("Candidates"),
            pass_label=_("pass mark"),
            empty=_("No graded exams yet."),
        )
        for form, blueprint in forms
    ]
    points = [
        charts.Point(
            r.stat.facility,
            r.stat.discrimination,
            f"{r.code} v{r.version_number}",
            bool(r.stat.flags),
        )
        for r in items
        if r.stat.facility is not None and r.stat.discrimination is not None
    ]
    scatter = charts.facility_discrimination(
        "facility-discrimination",
        points,
        title=_("Facility against discrimination"),
        x_label=_("Facility (share answering correctly)"),
        y_label=_("Discrimination (item-rest)"),
        empty=_("No item has enough data yet."),
        flagged_label=_("flagged"),
    )
    shown = [r for r in items if r.stat.flags] if flagged_only else items
    return render_template(
        "exam/analysis/index.html",
        scope=scope,
        scopes=SCOPES,
        flagged_only=flagged_only,
        items=shown,
        total_items=len(items),
        forms=forms,
        distributions=distributions,
        scatter=scatter,
        flag_counts=analysis.flag_counts(session, scope),
        flag_text=flag_text,
        letters=LETTERS,
        min_responses=analysis.min_responses(),
        clip_stats=clip_analysis.query_clip_stats(session),
    )


@bp.post("/analysis/recompute")
@role_required(Role.EXAMINER)
def recompute():
    session = get_session()
    jobs.defer(session, "exam.stats_recompute")
    flash(_("The statistics are being recomputed from every graded exam."), "success")
    return redirect(url_for(".index"), 303)


# -- reports ---------------------------------------------------------------------------------


def _period() -> tuple[date, date, str]:
    zone = user_zone()
    today = clock.now().astimezone(ZoneInfo(zone)).date()
    try:
        end = date.fromisoformat(request.args.get("to") or today.isoformat())
        start = date.fromisoformat(
            request.args.get("from") or (end - timedelta(days=DEFAULT_DAYS - 1)).isoformat()
        )
    except ValueError as exc:
        raise ValidationError(
            _("Give the dates as YYYY-MM-DD."), {"from": "date", "to": "date"}
        ) from exc
    if (end - start).days >= reports.MAX_DAYS or start > end:
        raise ValidationError(
            _("Choose a period of 1 to %(n)s days.", n=reports.MAX_DAYS), {"from": "range"}
        )
    return start, end, zone


def _report() -> reports.DailyReport:
    start, end, zone = _period()
    return reports.daily_report(get_session(), start, end, zone)


@bp.get("/reports/")
@role_required(Role.EXAMINER)
def report():
    session = get_session()
    daily = _report()
    series = reports.pass_rate_series(daily)
    groupings = reports.groupings()
    pass_chart = charts.rate_lines(
        "pass-rate",
        series,
        title=_("Pass rate per day and class"),
        y_label=_("Pass rate"),
        x_label=_("Day (%(zone)s)", zone=ZONES[daily.zone]),
        empty=_("No graded exams in this period."),
    )
    flag_rates = reports.rates(session, daily)
    flag_chart = charts.bars(
        "flag-rates",
        flag_rates or {},
        title=_("Proctoring flag rates"),
        y_label=_("Share of exams"),
        empty=_("Proctoring flag rates are not yet available."),
        missing=_("not yet available"),
    )
    group_charts = [
        charts.rate_lines(
            f"pass-rate-{g.name}",
            g.fn(session, daily.start, daily.end, daily.zone),
            title=_("Pass rate per day and %(group)s", group=g.label),
            y_label=_("Pass rate"),
            x_label=_("Day (%(zone)s)", zone=ZONES[daily.zone]),
            empty=_("No graded exams in this period."),
        )
        for g in groupings
        if g.available
    ]
    query = {"from": daily.start.isoformat(), "to": daily.end.isoformat()}
    low, high = reports.day_bounds(daily.start, daily.end, daily.zone)
    rated = [
        (source, source.fn(session, low, high) if source.available else None)
        for source in ratings.rating_sources()
    ]
    return render_template(
        "exam/analysis/reports.html",
        rated=rated,
        scale=ratings.SCALE,
        report=daily,
        totals=daily.totals,
        pass_chart=pass_chart,
        flag_chart=flag_chart,
        groupings=groupings,
        group_charts=group_charts,
        tables=reports.service_tables(session, daily.start, daily.end, daily.zone),
        query=query,
        zone_name=ZONES[daily.zone],
    )


def _download(body: bytes | str, mimetype: str, name: str) -> Response:
    return Response(
        body, mimetype=mimetype, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )


@bp.get("/reports/daily.csv")
@role_required(Role.EXAMINER)
def daily_csv():
    daily = _report()
    name = f"ujisim-daily-{daily.start.isoformat()}-{daily.end.isoformat()}.csv"
    return _download(reports.daily_csv(daily), "text/csv; charset=utf-8", name)


@bp.get("/reports/queues.csv")
@role_required(Role.EXAMINER)
def queues_csv():
    daily = _report()
    name = f"ujisim-queues-{daily.end.isoformat()}.csv"
    return _download(reports.queues_csv(daily), "text/csv; charset=utf-8", name)


@bp.get("/reports/daily.pdf")
@role_required(Role.EXAMINER)
def daily_pdf_view():
    daily = _report()
    name = f"ujisim-daily-{daily.start.isoformat()}-{daily.end.isoformat()}.pdf"
    return _download(daily_pdf(daily), "application/pdf", name)
