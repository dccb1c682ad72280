"""``flask licences ...``: the licence registry; ``flask renewal remind``: the reminders."""

from __future__ import annotations

import re
from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select

from ujisim.core.db import get_session
from ujisim.core.errors import UjisimError
from ujisim.renewal import card_copies, payments, population, registry, reminders
from ujisim.renewal.errors import ProviderRefused
from ujisim.renewal.models import Licence

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


@licences_cli.command("copies")
@click.argument("number")
def copies_command(number: str) -> None:
    """List the printed copies of the cards issued under NUMBER: serial, claim, status (valid,
    superseded or void, with when and why) and who printed each. Only one copy is valid."""
    session = get_session()
    licences = session.scalars(
        select(Licence)
        .where(Licence.number == registry.normalise_number(number))
        .order_by(Licence.issued_on, Licence.id)
    ).all()
    if not licences:
        raise click.ClickException(f"no licence with number {number}")
    for licence in licences:
        click.echo(
            f"SIM {licence.licence_class} {licence.number} issued {licence.issued_on} "
            f"({licence.status})"
        )
        copies = card_copies.query_copies(session, licence)
        if not copies:
            click.echo("  no copy printed with a serial")
        for copy in copies:
            ended = (
                f" {copy.ended_at:%Y-%m-%d %H:%M} UTC: {copy.end_reason}" if copy.ended_at else ""
            )
            click.echo(
                f"  {copy.serial}  claim {copy.claim_no}  {copy.status}{ended}  "
                f"printed by {copy.holder or '-'} at {copy.created_at:%Y-%m-%d %H:%M} UTC"
            )


@licences_cli.command("expire-unpaid")
def expire_command() -> None:
    """Expire unpaid virtual accounts now (the job runner does this every minute)."""
    session = get_session()
    count = payments.expire_unpaid(session)
    session.commit()
    click.echo(f"expired {count} unpaid account(s)")


population_cli = AppGroup(
    "population",
    help="The sandbox population register (Dukcapil): the reference photo of a NIK when the "
    "licence has no photo on file.",
)
licences_cli.add_command(population_cli)


def _sandbox() -> population.SandboxRegister:
    try:
        register = population.provider("sandbox")
    except ProviderRefused as exc:
        raise click.ClickException(str(exc)) from exc
    return register


@population_cli.command("add")
@click.argument("nik")
@click.argument(
    "photo", required=False, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option("--name", help="the name in the register (default: the holder's on the SIM)")
@click.option(
    "--birth-date",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="YYYY-MM-DD (default: the holder's on the SIM)",
)
def population_add(nik: str, photo: Path | None, name: str | None, birth_date) -> None:
    """Put the record of NIK in the sandbox register, with PHOTO (JPEG or PNG, re-encoded) or
    without a photo. Name and birth date default to those of a SIM of that NIK.

    With the demo data: give the demo applicant's NIK your own photo to try the renewal's face
    check against the register with your webcam."""
    register = _sandbox()
    licence = (
        get_session()
        .scalars(
            select(Licence)
            .where(Licence.holder_nik == re.sub(r"[\s.-]", "", nik))
            .order_by(Licence.issued_on.desc())
            .limit(1)
        )
        .first()
    )
    name = name or (licence.holder_name if licence else None)
    born = birth_date.date() if birth_date else (licence.date_of_birth if licence else None)
    if not name or born is None:
        raise click.ClickException("no SIM of this NIK: give --name and --birth-date")
    try:
        record = register.add(nik, name, born, photo.read_bytes() if photo else None)
    except UjisimError as exc:
        detail = ", ".join(f"{k}: {v}" for k, v in exc.fields.items())
        raise click.ClickException(f"{exc.message} ({detail})" if detail else exc.message) from exc
    click.echo(
        f"sandbox register: {record.nik} {record.name} "
        + ("with a photo" if record.photo_jpeg else "without a photo")
    )


@population_cli.command("remove")
@click.argument("nik")
def population_remove(nik: str) -> None:
    """Delete the record of NIK from the sandbox register."""
    try:
        found = _sandbox().remove(nik)
    except UjisimError as exc:
        raise click.ClickException(exc.message) from exc
    click.echo(f"removed {nik}" if found else f"no record of {nik}")


@population_cli.command("lookup")
@click.argument("nik")
def population_lookup(nik: str) -> None:
    """Ask the configured register about NIK, as a renewal does."""
    try:
        answer = population.provider().lookup(nik)
    except (UjisimError, ProviderRefused) as exc:
        raise click.ClickException(getattr(exc, "message", str(exc))) from exc
    record = answer.record
    line = f"{answer.outcome}"
    if record is not None:
        photo = f"photo {len(record.photo_jpeg)} bytes" if record.photo_jpeg else "no photo"
        line += f": {record.name}, born {record.birth_date.isoformat()}, {photo}"
    elif answer.detail:
        line += f": {answer.detail}"
    click.echo(line)


renewal_cli = AppGroup("renewal", help="Online renewal: reminders to holders.")


@renewal_cli.command("remind")
@click.option(
    "--day",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="YYYY-MM-DD: send what is due on that day (default: today in WIB)",
)
def remind_command(day) -> None:
    """Send the renewal reminders due (90, 30 and 7 days before expiry, first day of a grace
    window), by e-mail and the notification channel; each once per licence, kind and channel
    (the job runner does this daily)."""
    session = get_session()
    report = reminders.send_reminders(session, day.date() if day else None)
    session.commit()
    click.echo(str(report))
    texts = 0  # hand the queued texts over now, as the job would
    while reminders.send_next_text(session) is not None:
        session.commit()
        texts += 1
    click.echo(f"texts handed to the channel (or refused, tried again later): {texts}")
