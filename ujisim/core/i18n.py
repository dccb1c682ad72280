"""Languages (Bahasa Indonesia first, English second), time zones and rupiah.

Times are stored in UTC and shown in the holder's zone with its Indonesian abbreviation.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from babel import dates
from flask import Flask, g, has_request_context, session
from flask_babel import Babel, get_locale
from flask_login import current_user

babel = Babel()

LANGUAGES = {"id": "Bahasa Indonesia", "en": "English"}
DEFAULT_LOCALE = "id"
ZONES = {"Asia/Jakarta": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT"}


def select_locale() -> str:
    if not has_request_context():
        return DEFAULT_LOCALE  # CLI commands and jobs
    chosen = session.get("lang")
    if chosen in LANGUAGES:
        return chosen
    if current_user and current_user.is_authenticated and current_user.locale in LANGUAGES:
        return current_user.locale
    return DEFAULT_LOCALE


def page_language() -> str:
    """The language of the pages now (a code of ``LANGUAGES``): practice and the examiners'
    item pages show items in it, the exam's start page offers it first."""
    locale = str(get_locale())
    return locale if locale in LANGUAGES else DEFAULT_LOCALE


def select_timezone() -> str:
    if not has_request_context():
        return "Asia/Jakarta"
    if current_user and current_user.is_authenticated and current_user.timezone in ZONES:
        return current_user.timezone
    return "Asia/Jakarta"


def user_zone() -> str:
    return g.get("ujisim_zone") or select_timezone()


def format_rupiah(amount: int) -> str:
    """``80000`` -> ``"Rp 80.000"`` (integer rupiah, dot as thousands separator)."""
    sign = "-" if amount < 0 else ""
    return f"{sign}Rp {abs(int(amount)):,}".replace(",", ".")


def local_time(value: datetime | str | None, fmt: str = "d MMM yyyy, HH.mm") -> str:
    """Format an aware UTC datetime in the user's zone, e.g. ``22 Nov 2026, 17.48 WIB``; an
    ISO 8601 string (a time kept in JSON, such as identity-check evidence) is read first, so a
    page never shows "2026-12-06T23:15:53.923824+00:00"."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    zone = user_zone()
    text = dates.format_datetime(value, fmt, tzinfo=ZoneInfo(zone), locale=get_locale())
    return f"{text} {ZONES[zone]}"


def init_app(app: Flask) -> None:
    babel.init_app(app, locale_selector=select_locale, timezone_selector=select_timezone)
    app.jinja_env.filters["rupiah"] = format_rupiah
    app.jinja_env.filters["local_time"] = local_time
    app.jinja_env.globals["LANGUAGES"] = LANGUAGES
    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.globals["zone_label"] = lambda: ZONES[user_zone()]
