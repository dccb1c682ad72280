"""``flask exam ...``: the sweeper and paper rendering."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from ujisim.core.db import get_session
from ujisim.core.errors import UjisimError
from ujisim.exam import analysis, attempts, grading

exam_cli = AppGroup("exam", help="Official theory exams.")


@exam_cli.command("sweep")
def sweep_command() -> None:
    """Close and grade every attempt past its deadline (the job runner does this every minute)."""
    session = get_session()
    closed = grading.sweep(session)
    session.commit()
    click.echo(f"closed {closed} overdue attempt(s)")


@exam_cli.command("render")
@click.argument("attempt_id")
def render_command(attempt_id: str) -> None:
    """Print ATTEMPT's paper exactly as it was drawn (bank version, items, option order)."""
    session = get_session()
    try:
        attempt = attempts.get_attempt(session, attempt_id)
    except UjisimError as exc:
        raise click.ClickException(f"no attempt {attempt_id}") from exc
    click.echo(attempts.render_paper(session, attempt), nl=False)


@exam_cli.command("stats")
@click.option("--incremental", is_flag=True, help="Only add attempts graded since the last run.")
def stats_command(incremental: bool) -> None:
    """Recompute item analysis (facility, discrimination, flags) and form statistics."""

    session = get_session()
    counted = (analysis.update_stats if incremental else analysis.recompute_stats)(session)
    session.commit()
    flagged = analysis.flag_counts(session)
    summary = ", ".join(f"{code} {n}" for code, n in sorted(flagged.items())) or "none"
    click.echo(f"item statistics: {counted} attempt(s) counted; flags: {summary}")
