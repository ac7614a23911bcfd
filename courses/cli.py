"""``flask courses …`` commands."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import with_appcontext

from core.extensions import db


@click.group("courses")
def courses_cli() -> None:
    """E-learning courses."""


@courses_cli.command("load-content")
@click.option("--dir", "directory", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Folder holding <slug>/course.toml (default: courses/content).")
@with_appcontext
def load_content_command(directory: Path | None) -> None:
    """Load (or update) the seed courses from course.toml files; idempotent."""
    from courses.content_loader import load_all

    if directory is not None and not directory.is_dir():
        raise click.ClickException(f"{directory} is not a folder")
    results, errors = load_all(directory)
    db.session.commit()
    for result in results:
        click.echo(result.line())
    for error in errors:
        click.echo(f"error: {error}", err=True)
    click.echo(f"loaded: {len(results)}, errors: {len(errors)}")
    if errors:
        raise SystemExit(1)
