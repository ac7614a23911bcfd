"""``flask impact …``: load the instrument data files; list open assessments due soon."""

from __future__ import annotations

from datetime import date

import click
from flask.cli import with_appcontext

from core.extensions import db
from impact import services


@click.group("impact")
def impact_cli() -> None:
    """Impact: self-assessment instruments and open assessments."""


@impact_cli.command("load-instruments")
@with_appcontext
def load_instruments() -> None:
    """Add instrument versions from the data files that are not in the database yet (idempotent)."""
    created = services.load_instruments()
    db.session.commit()
    click.echo(f"instrument versions added: {len(created)}")


@impact_cli.command("due")
@click.option("--days", default=7, show_default=True, help="Due within this many days (overdue ones too).")
@with_appcontext
def due(days: int) -> None:
    """List open assessments due soon or overdue (reminders go out with the scheduled reminders)."""
    for a in services.due_soon(date.today(), days):
        click.echo(f"{a.id}\t{a.organisation.name}\t{a.instrument.key} {a.instrument.version}\t{a.due_date}")
