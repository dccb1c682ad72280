"""``flask seed demo``: demo data for development, safe to run again (idempotent).

Demo passwords are generated on the first run and kept in ``instance/demo_passwords.json``
(mode 0600), so later runs print the same ones. Never in production.
"""

from __future__ import annotations

import json
import secrets
from datetime import date
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from ujisim.accounts import services
from ujisim.core.db import get_session
from ujisim.core.secrets import load_or_create
from ujisim.core.security import Role
from ujisim.core.urls import public_url

seed_cli = AppGroup("seed", help="Demo data.")

# (e-mail, name, roles, NIK, date of birth) -- the NIKs are made up but structurally valid.
DEMO_USERS = [
    (
        "pemohon@demo.ujisim.id",
        "Sari Wulandari",
        [Role.APPLICANT],
        "3174054507990003",
        date(1999, 7, 5),
    ),
    ("penguji@demo.ujisim.id", "Budi Santoso", [Role.EXAMINER], None, None),
    ("percetakan@demo.ujisim.id", "Percetakan Satpas Daan Mogot", [Role.PRINT_SHOP], None, None),
    ("admin@demo.ujisim.id", "Admin ujisim", [Role.ADMIN], None, None),
]


def _demo_passwords() -> dict[str, str]:
    path = Path(current_app.instance_path) / "demo_passwords.json"
    made = {email: f"demo-{secrets.token_urlsafe(9)}" for email, *_rest in DEMO_USERS}
    return json.loads(load_or_create(path, lambda: json.dumps(made, indent=1).encode()))


@seed_cli.command("demo")
def demo_command() -> None:
    """Create one demo user per role (once) and print their logins."""
    if current_app.config["UJISIM_ENV"] == "production":
        raise click.ClickException("refusing to seed demo data with UJISIM_ENV=production")
    session = get_session()
    passwords = _demo_passwords()
    click.echo(f"Demo logins ({public_url('accounts.login')}):")
    for email, name, roles, nik, born in DEMO_USERS:
        password = passwords[email]
        if services.get_user_by_email(session, email) is None:
            if nik:
                user = services.register_applicant(
                    session, full_name=name, nik=nik, date_of_birth=born, email=email,
                    phone="+6281234567890", password=password,
                )  # fmt: skip
            else:
                user, _pw = services.create_staff_user(
                    session, email=email, full_name=name, roles=roles, password=password
                )
            session.commit()
        click.echo(f"  {roles[0].value:<11} {email:<28} {password}")
    _seed_bank(session)
    from ujisim.renewal.seed import seed_licences

    click.echo(f"Demo licences of {DEMO_USERS[0][0]} (online renewal):")
    seed_licences(session, services.get_user_by_email(session, DEMO_USERS[0][0]))


def _seed_bank(session) -> None:
    """Load the question bank shipped in question_bank/data (publishes only when it changed)."""
    from ujisim.question_bank import gate
    from ujisim.question_bank.content import load_dir
    from ujisim.question_bank.errors import ContentError
    from ujisim.question_bank.services import import_contents

    items, problems = load_dir()
    if problems:
        raise click.ClickException(
            f"question bank has {len(problems)} problems: flask bank validate"
        )
    try:
        result = import_contents(
            session, items, note="seed demo", gate=gate.from_config(session, current_app.config)
        )
    except ContentError as exc:
        session.rollback()
        raise click.ClickException(f"{exc.message} (flask bank lint lists them)") from exc
    session.commit()
    bank = result.bank_version
    click.echo(f"Question bank version {bank.number}: {bank.item_count} active items")
