"""``flask users create EMAIL --role R [--password-stdin]``."""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext

from accounts import services
from accounts.models import ROLES
from core.errors import ServiceError
from core.extensions import db


@click.group("users")
def users_cli() -> None:
    """Manage user accounts."""


@users_cli.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(ROLES), required=True, help="admin, organiser, trainee or focal_point")
@click.option("--name", default="", help="Display name (defaults to the part before @).")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@with_appcontext
def create_command(email: str, role: str, name: str, password_stdin: bool) -> None:
    """Create a user; without a password, print a one-time link to set one."""
    password = sys.stdin.readline().rstrip("\r\n") if password_stdin else None
    if password_stdin and not password:
        raise click.ClickException("no password on standard input")
    try:
        user = services.create_user(email, role, name, password=password)
        raw = None if password else services.issue_password_token(user, "invite")
        db.session.commit()
    except ServiceError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from None
    click.echo(f"created {user.role} {user.email} (id {user.id})")
    if raw:
        click.echo(f"set-password link path: /password/set/{raw}")
