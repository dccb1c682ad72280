"""``flask proctoring ...``: retention by hand, risk recomputation after a weight change."""

from __future__ import annotations

import click
from flask.cli import AppGroup
from sqlalchemy import select

from ujisim.core.db import get_session
from ujisim.proctoring.models import ProctorCase
from ujisim.proctoring.retention import purge
from ujisim.proctoring.risk import recompute

proctoring_cli = AppGroup("proctoring", help="Webcam proctoring: retention and risk.")


@proctoring_cli.command("retention")
@click.option("--days", type=int, default=None, help="Override UJISIM_PROCTOR_RETENTION_DAYS.")
def retention_command(days: int | None) -> None:
    """Delete proctoring images past their retention period (also runs as a periodic job)."""

    session = get_session()
    counts = purge(session, days=days)
    session.commit()
    click.echo(" ".join(f"{k}={v}" for k, v in counts.items()))


@proctoring_cli.command("recompute-risk")
def recompute_command() -> None:
    """Weigh every case's observations again with the current UJISIM_PROCTOR_RISK_WEIGHTS."""

    session = get_session()
    cases = session.scalars(select(ProctorCase)).all()
    for case in cases:
        recompute(session, case)
    session.commit()
    click.echo(f"recomputed {len(cases)} cases")
