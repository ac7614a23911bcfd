"""Core CLI: ``seed-demo`` runs the demo seeders that each feature registers, in order."""

from __future__ import annotations

from collections.abc import Callable

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from core.extensions import db

Seeder = Callable[[], list[str]]


def register_seeder(app: Flask, order: int, seeder: Seeder) -> None:
    """Register a function that adds demo data idempotently and returns lines to print."""
    app.extensions.setdefault("kakehashi_seeders", []).append((order, seeder))


def run_seeders() -> list[str]:
    """Run every registered seeder in order inside the current transaction; return their messages."""
    lines: list[str] = []
    for _order, seeder in sorted(current_app.extensions.get("kakehashi_seeders", []), key=lambda s: s[0]):
        lines.extend(seeder())
    return lines


@click.command("seed-demo")
@with_appcontext
def seed_demo_command() -> None:
    """Add realistic demo data (idempotent) and print the demo sign-ins."""
    from core.dbcheck import DatabaseNotReady, check_schema

    try:
        check_schema(current_app.config["SQLALCHEMY_DATABASE_URI"])
    except DatabaseNotReady as exc:
        raise click.ClickException(str(exc)) from None
    try:
        lines = run_seeders()
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    for line in lines:
        click.echo(line)


def register_cli(app: Flask) -> None:
    """Attach the core commands."""
    app.cli.add_command(seed_demo_command)
