"""``flask users ...``: staff accounts from the command line."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from ujisim.accounts import services
from ujisim.accounts.errors import DuplicateAccountError
from ujisim.core.db import get_session
from ujisim.core.security import Role

users_cli = AppGroup("users", help="User accounts.")
ROLE_CHOICE = click.Choice([r.value for r in Role])


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", "full_name", required=True)
@click.option("--role", "roles", multiple=True, type=ROLE_CHOICE, required=True, help="Repeatable.")
@click.option("--password", default=None, help="Default: generated and printed once.")
def create_command(
    email: str, full_name: str, roles: tuple[str, ...], password: str | None
) -> None:
    """Create a staff account: ``flask users create --role examiner --email E --name N``."""
    session = get_session()
    try:
        user, password = services.create_staff_user(
            session,
            email=email,
            full_name=full_name,
            roles=[Role(r) for r in roles],
            password=password,
        )
    except DuplicateAccountError as exc:
        raise click.ClickException(exc.message) from exc
    session.commit()
    click.echo(f"created {user.email} ({', '.join(sorted(user.role_set))}); password: {password}")


@users_cli.command("roles")
@click.argument("email")
@click.option("--role", "roles", multiple=True, type=ROLE_CHOICE, required=True)
def roles_command(email: str, roles: tuple[str, ...]) -> None:
    """Set a user's roles exactly (audited)."""
    session = get_session()
    user = services.get_user_by_email(session, email)
    if user is None:
        raise click.ClickException(f"no user {email}")
    services.set_roles(session, user, [Role(r) for r in roles], actor=None)
    session.commit()
    click.echo(f"{user.email}: {', '.join(sorted(user.role_set))}")
