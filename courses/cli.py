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


@courses_cli.command("import-attachments")
@click.option("--dir", "directory", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="The old attachment folder (default: COURSE_FILES_DIR or <instance>/course_files).")
@click.option("--keep", is_flag=True, help="Leave the files on disk after copying them into the store.")
@with_appcontext
def import_attachments_command(directory: Path | None, keep: bool) -> None:
    """Move lesson attachments from the old instance folder into the file store (once, after upgrading)."""
    from flask import current_app

    from courses.disk_files import default_folder, import_attachments

    folder = directory or default_folder(current_app)
    if not folder.is_dir():
        click.echo(f"{folder} does not exist: nothing to move.")
        return
    result = import_attachments(folder, keep=keep)
    click.echo(f"moved: {result.moved}, already in the store: {result.already}, missing: {len(result.missing)}")
    for lesson_id in result.missing:
        click.echo(f"missing file for lesson {lesson_id}: upload it again", err=True)
