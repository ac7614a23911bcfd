"""``flask privacy retention [--dry-run]`` and ``flask privacy erase TRAINEE_ID``."""

from __future__ import annotations

from datetime import date

import click
from flask import current_app
from flask.cli import with_appcontext

from core.errors import ServiceError
from core.extensions import db
from privacy.personal_data import apply_retention, erase
from trainees.models import Trainee


@click.group("privacy")
def privacy_cli() -> None:
    """Data-subject rights and retention."""


@privacy_cli.command("retention")
@click.option("--dry-run", is_flag=True, help="Only list who would be erased; change nothing.")
@click.option("--years", type=click.IntRange(min=0), default=None,
              help="Retention period in years after the last cohort (default: RETENTION_YEARS).")
@click.option("--today", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, help="Reference day (YYYY-MM-DD).")
@with_appcontext
def retention_command(dry_run: bool, years: int | None, today) -> None:
    """Erase the personal data of people whose last cohort ended more than the retention period ago."""
    years = years if years is not None else current_app.config.get("RETENTION_YEARS")
    if years is None:
        raise click.ClickException("No retention period: set RETENTION_YEARS or give --years.")
    day = today.date() if today else date.today()
    try:
        due = apply_retention(day, years, dry_run=dry_run)
        if dry_run:
            db.session.rollback()
        else:
            db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    for trainee, last in due:
        click.echo(f"{trainee.id}\t{last.isoformat() if last else '-'}\t"
                   f"{'would be erased' if dry_run else 'erased'}")
    click.echo(f"{len(due)} {'would be erased' if dry_run else 'erased'} "
               f"(last cohort ended more than {years} years before {day.isoformat()})")


@privacy_cli.command("erase")
@click.argument("trainee_id", type=int)
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def erase_command(trainee_id: int, yes: bool) -> None:
    """Erase (pseudonymise) one trainee's personal data; aggregate figures stay the same."""
    trainee = db.session.get(Trainee, trainee_id)
    if trainee is None:
        raise click.ClickException(f"No trainee with id {trainee_id}.")
    if not yes:
        click.confirm(f"Erase the personal data of trainee {trainee_id}? This cannot be undone", abort=True)
    try:
        summary = erase(trainee, reason="request")
        db.session.commit()
    except ServiceError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from None
    click.echo(f"Trainee {trainee_id} erased: {summary}")
