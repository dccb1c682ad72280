"""``flask licences ...``: the licence registry."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from ujisim.core.db import get_session
from ujisim.core.errors import UjisimError
from ujisim.renewal import payments, registry

licences_cli = AppGroup("licences", help="The SIM licence registry (online renewal).")


@licences_cli.command("import")
@click.argument("csv_file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_command(csv_file: Path) -> None:
    """Import licences from CSV_FILE (photo and signature paths relative to it).

    Columns: number, class, nik, name, date_of_birth, place_of_birth, address, photo,
    signature, issued_at, expires_at, satpas, status. Bad rows are reported and skipped.
    """
    session = get_session()
    text = csv_file.read_text(encoding="utf-8-sig")
    report = registry.import_csv(session, text, csv_file.parent)
    session.commit()
    for line, message in report.problems:
        click.echo(f"line {line}: {message}", err=True)
    for line, message in report.warnings:
        click.echo(f"line {line}: warning: {message}", err=True)
    click.echo(
        f"{report.added} added, {report.updated} updated, {len(report.problems)} row(s) refused"
    )
    if report.problems:
        raise SystemExit(1)


@licences_cli.command("photo")
@click.argument("number")
@click.argument("photo", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def photo_command(number: str, photo: Path) -> None:
    """Put PHOTO (JPEG or PNG, exactly one face) on file for the SIM in force under NUMBER.

    With the demo data: give demo licence 317400000001 your own photo to try the renewal's face
    check with your webcam."""
    session = get_session()
    licence = registry.get_current_licence(session, number)
    if licence is None:
        raise click.ClickException(f"no licence with number {number}")
    try:
        registry.set_photo(session, licence, photo.read_bytes())
    except UjisimError as exc:
        session.rollback()
        raise click.ClickException(exc.message) from exc
    session.commit()
    click.echo(f"photo on file for SIM {licence.licence_class} {licence.number}")


@licences_cli.command("expire-unpaid")
def expire_command() -> None:
    """Expire unpaid virtual accounts now (the job runner does this every minute)."""
    session = get_session()
    count = payments.expire_unpaid(session)
    session.commit()
    click.echo(f"expired {count} unpaid account(s)")
