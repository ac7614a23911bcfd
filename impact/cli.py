"""``flask impact …``: load the instrument data files; list assessments due for a reminder."""

from __future__ import annotations

from datetime import date

import click
from flask.cli import with_appcontext

from core.extensions import db
from impact import services


@click.group("impact")
def impact_cli() -> None:
    """Impact: self-assessment instruments and reminders."""


@impact_cli.command("load-instruments")
@with_appcontext
def load_instruments() -> None:
    """Add instrument versions from the data files that are not in the database yet (idempotent)."""
    created = services.load_instruments()
    db.session.commit()
    click.echo(f"instrument versions added: {len(created)}")


@impact_cli.command("due")
@click.option("--days", default=7, show_default=True, help="Due within this many days.")
@with_appcontext
def due(days: int) -> None:
    """List open assessments due soon (the reminder hook until the job queue sends them)."""
    for a in services.due_for_reminder(date.today(), days):
        click.echo(f"{a.id}\t{a.organisation.name}\t{a.instrument.key} {a.instrument.version}\t{a.due_date}")


@impact_cli.command("remind")
@click.option("--days", default=7, show_default=True, help="Remind about assessments due within this many days.")
@with_appcontext
def remind(days: int) -> None:
    """E-mail trainees whose organisation has a self-assessment due soon (each assessment once)."""
    from core.mail import send_mail

    messages = services.reminder_messages(date.today(), days)
    db.session.commit()
    for to, subject, body in messages:
        send_mail(to, subject, body)
    click.echo(f"reminders sent: {len(messages)}")
