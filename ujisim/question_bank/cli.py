"""``flask bank ...``: validate and import the YAML content, publish bank versions, exchange
QTI 3.0 packages."""

from __future__ import annotations

import hashlib
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup
from sqlalchemy import select

from ujisim.core.db import get_session
from ujisim.question_bank import gate, lint, qti, qti_import, services
from ujisim.question_bank.content import (
    DATA_DIR,
    is_clip,
    load_dir,
    load_file,
    reserved_problems,
)
from ujisim.question_bank.errors import ContentError
from ujisim.question_bank.media.clip_timeline import Timeline
from ujisim.question_bank.models import CLASSES, TOPICS, Category, Item

bank_cli = AppGroup("bank", help="Question banks (SIM A and SIM C).")
DIRECTORY = click.argument(
    "directory", required=False, type=click.Path(exists=True, file_okay=False, path_type=Path)
)


def _summary(items) -> str:
    a = sum("A" in i.classes for i in items)
    c = sum("C" in i.classes for i in items)
    return f"{len(items)} items (SIM A: {a}, SIM C: {c})"


def _min_reserved() -> float:
    return current_app.config["BANK_MIN_RESERVED"]


def _gate() -> lint.Gate:
    return gate.from_config(get_session(), current_app.config)


def _load(items, *, note: str) -> None:
    """Import ``items`` in one transaction with a progress bar; exit 1 and change nothing on
    a refusal."""
    session = get_session()
    with click.progressbar(length=len(items), label="importing") as bar:
        try:
            result = services.import_contents(
                session,
                items,
                progress=lambda _n: bar.update(1),
                note=note,
                gate=_gate(),
            )
        except ContentError as exc:
            session.rollback()
            for problem in exc.problems:
                where = f"{problem.code}: " if problem.code else ""
                click.echo(f"{where}{problem.message}", err=True)
            click.echo("nothing imported", err=True)
            raise SystemExit(1) from exc
    session.commit()
    bank = result.bank_version
    state = "published" if result.published else "unchanged, still"
    click.echo(
        f"{result.created} new, {result.updated} updated, {result.unchanged} unchanged, "
        f"{result.retired_skipped} retired skipped; {state} bank version {bank.number} "
        f"({bank.item_count} items, sha256 {bank.content_hash[:12]})"
    )


@bank_cli.command("validate")
@DIRECTORY
def validate_command(directory: Path | None) -> None:
    """Check every YAML file; print FILE:LINE:FIELD for each problem; exit 1 if any."""
    items, problems = load_dir(directory or DATA_DIR)
    problems += reserved_problems(items, _min_reserved())
    for problem in problems:
        click.echo(str(problem), err=True)
    if problems:
        raise SystemExit(1)
    click.echo(f"OK: {_summary(items)}")


@bank_cli.command("lint")
@click.argument(
    "source", required=False, type=click.Path(exists=True, path_type=Path), metavar="[SOURCE]"
)
@click.option("--warnings/--no-warnings", default=True, help="Also list candidate enemy groups.")
def lint_command(source: Path | None, warnings: bool) -> None:
    """Run the publish gate on a directory of YAML files, a QTI package (.zip) or, with no
    SOURCE, the shipped bank: surface cues, official media, enemy groups and near-duplicates,
    pool sizes. Print RULE: [ITEMS] MESSAGE per finding; exit 1 on any error."""
    if source is not None and source.is_file():
        items, problems = qti_import.read_package(source.read_bytes())
        for problem in problems:
            click.echo(qti_import.describe(problem), err=True)
    else:
        items, problems = load_dir(source or DATA_DIR)
        for problem in problems:
            click.echo(str(problem), err=True)
    found, notes = _gate().check(items)
    for problem in found:
        where = f" [{problem.code}]" if problem.code else ""
        click.echo(f"error: {problem.field}:{where} {problem.message}", err=True)
    if warnings:
        for flag in notes:
            click.echo(str(flag), err=True)
    if problems or found:
        click.echo(f"{len(problems) + len(found)} errors in {_summary(items)}", err=True)
        raise SystemExit(1)
    click.echo(f"OK: {_summary(items)}, {len(notes)} warnings")


@bank_cli.command("import")
@DIRECTORY
def import_command(directory: Path | None) -> None:
    """Load the YAML content in one transaction and publish a bank version if it changed."""
    items, problems = load_dir(directory or DATA_DIR)
    problems += reserved_problems(items, _min_reserved())
    for problem in problems:
        click.echo(str(problem), err=True)
    if problems:
        click.echo("nothing imported", err=True)
        raise SystemExit(1)
    _load(items, note="import")


@bank_cli.command("publish")
def publish_command() -> None:
    """Publish the active items as a new bank version (if they differ from the latest)."""
    session = get_session()
    try:
        bank, published = services.publish_bank_version(session, note="cli", gate=_gate())
    except ContentError as exc:
        for problem in exc.problems:
            where = f"{problem.code}: " if problem.code else ""
            click.echo(f"{problem.field}: {where}{problem.message}", err=True)
        raise click.ClickException(exc.message) from exc
    session.commit()
    word = "published" if published else "unchanged:"
    click.echo(f"{word} bank version {bank.number} ({bank.item_count} items)")


# -- QTI 3.0 exchange ------------------------------------------------------------------------


@bank_cli.command("export-qti")
@click.argument("out", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@click.option("--class", "vehicle_class", type=click.Choice(CLASSES), help="Only items for it.")
@click.option("--topic", type=click.Choice(TOPICS), help="Only items of this topic.")
@click.option("--category", type=click.Choice([c.value for c in Category]), help="Only these.")
def export_qti_command(
    out: Path, vehicle_class: str | None, topic: str | None, category: str | None
) -> None:
    """Write the active items (or those matching the filters) as a QTI 3.0 package OUT.zip."""
    session = get_session()
    # Load the items once so each version's item comes from the identity map, not a query.
    session.scalars(select(Item)).all()
    contents = [services.content_of(v) for v in services.active_versions(session)]
    chosen = qti.matching(contents, vehicle_class=vehicle_class, topic=topic, category=category)
    if not chosen:
        click.echo("no active items match; nothing written", err=True)
        raise SystemExit(1)
    data = qti.write_package(chosen)
    out.write_bytes(data)
    digest = hashlib.sha256(data).hexdigest()[:12]
    click.echo(f"exported {_summary(chosen)} to {out} ({len(data)} bytes, sha256 {digest})")


@bank_cli.command("import-qti")
@click.argument("package", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def import_qti_command(package: Path) -> None:
    """Check a QTI 3.0 package and load its items in one transaction (all or nothing)."""
    if package.stat().st_size > qti_import.MAX_TOTAL_BYTES:
        click.echo(f"{package}: larger than {qti_import.MAX_TOTAL_BYTES} bytes", err=True)
        click.echo("nothing imported", err=True)
        raise SystemExit(1)
    items, problems = qti_import.read_package(package.read_bytes())
    for problem in problems:
        click.echo(qti_import.describe(problem), err=True)
    if problems:
        click.echo("nothing imported", err=True)
        raise SystemExit(1)
    _load(items, note=f"qti {package.name}")


@bank_cli.command("clip-timeline")
@click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("code")
@click.option("--step", default=1.0, show_default=True, help="Seconds between rows.")
@click.option("--vehicle-class", "vehicle_class", type=click.Choice(CLASSES), default=None)
def clip_timeline_command(source: Path, code: str, step: float, vehicle_class) -> None:
    """Print a clip's timeline: every STEP seconds the ego's speed and distance, and each
    actor's distance ahead and where it is seen (screen, a mirror, - out of view); the scoring
    windows are marked. Problems of the file are printed first."""
    found, problems = load_file(source)
    for problem in problems:
        click.echo(str(problem), err=True)
    clip = next((c for c, _line in found if c.code == code and is_clip(c.media)), None)
    if clip is None:
        raise click.ClickException(f"no valid clip {code} in {source.name}")
    timeline = Timeline(clip.media["clip"], vehicle_class or clip.classes[0])
    windows = clip.media["clip"]["windows"]
    ids = list(timeline.actors)
    click.echo(f"{'t':>6} {'km/h':>6} {'s':>7}  " + "  ".join(f"{i:>20}" for i in ids))
    for row in timeline.rows(step):
        mark = "".join(f" <{w['actor']}>" for w in windows if w["start"] <= row["t"] <= w["end"])
        cells = "  ".join(f"{d:>7} {x:>5.2f} {where:>6}" for d, x, where in row["actors"].values())
        click.echo(f"{row['t']:>6} {row['speed']:>6} {row['s']:>7}  {cells}{mark}")
