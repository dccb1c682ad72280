"""The one source of "now". Always timezone-aware UTC.

Tests inject a clock through ``app.config["CLOCK"]`` (a callable returning an aware datetime).
"""

from __future__ import annotations

from datetime import UTC, datetime

from flask import current_app, has_app_context


def _system_now() -> datetime:
    return datetime.now(UTC)


def now() -> datetime:
    """Current time in UTC, from the app's injected clock when there is one."""
    source = current_app.config.get("CLOCK") if has_app_context() else None
    return (source or _system_now)()
