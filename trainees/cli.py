"""``flask cohorts create …`` and ``flask trainees import …`` (ARCHITECTURE §4.1).

Each command commits once at the end and rolls back on any error; bad input ends with a clear
message and a non-zero exit code.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy.exc import IntegrityError

from core.errors import ServiceError
from core.extensions import db
from core.refdata import MODALITIES, resolve_country
from trainees import services
from trainees.imports import reader as importer
from trainees.imports.service import apply_import, import_limits, plan_import, preview_result


def _iso_date(value: str, option: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.ClickException(f"{option} must be a date written YYYY-MM-DD (got “{value}”)") from None


# --- cohorts --------------------------------------------------------------------------------------

@click.group("cohorts")
def cohorts_cli() -> None:
    """Manage cohorts (course runs)."""


@cohorts_cli.command("create")
@click.argument("code")
@click.option("--programme", "programme_code", required=True, help="Code of the programme the cohort belongs to.")
@click.option("--title", required=True, help="Title of the course run.")
@click.option("--modality", required=True, help="One of: " + ", ".join(MODALITIES) + ".")
@click.option("--start", required=True, help="First day, YYYY-MM-DD.")
@click.option("--end", required=True, help="Last day, YYYY-MM-DD.")
@click.option("--country", required=True, help="Host country: ISO code (JP, TH) or English name.")
@click.option("--new-programme", is_flag=True, help="Create the programme if it does not exist yet.")
@with_appcontext
def create_cohort_command(code: str, programme_code: str, title: str, modality: str, start: str, end: str,
                          country: str, new_programme: bool) -> None:
    """Create a cohort CODE in a programme."""
    start_date, end_date = _iso_date(start, "--start"), _iso_date(end, "--end")
    if modality not in MODALITIES:
        raise click.ClickException(f"unknown modality “{modality}”; use one of: {', '.join(MODALITIES)}")
    host = resolve_country(country)
    if host is None:
        raise click.ClickException(f"unknown country “{country}”; use an ISO 3166 code such as JP, TH or VN")
    if not title.strip() or len(title.strip()) > 300:
        raise click.ClickException("--title must be 1 to 300 characters")
    if len(code.strip()) > 40:
        raise click.ClickException("the cohort code must be at most 40 characters")
    try:
        programme = services.get_programme_by_code(programme_code)
        if programme is None and not new_programme:
            raise click.ClickException(f"programme “{programme_code}” does not exist; create it first or add "
                                       "--new-programme")
        if programme is None:
            programme = services.create_programme(programme_code, programme_code)
        cohort = services.create_cohort(programme, code=code, title=title.strip(), modality=modality,
                                        host_country=host, start_date=start_date, end_date=end_date)
        db.session.commit()
    except ServiceError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from None
    except BaseException:
        db.session.rollback()
        raise
    click.echo(f"created cohort {cohort.code} (id {cohort.id}) in programme {programme.code}: "
               f"FY{cohort.fiscal_year}, {cohort.training_days} training days, host {host}")


# --- trainees -------------------------------------------------------------------------------------

@click.group("trainees")
def trainees_cli() -> None:
    """Manage trainees."""


@trainees_cli.command("import")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--cohort", "cohort_code", required=True, help="Code of the cohort to enrol the trainees in.")
@click.option("--dry-run", is_flag=True, help="Check and count only; write nothing.")
@click.option("--skip-invalid", is_flag=True, help="Import the valid rows even if some rows are invalid.")
@with_appcontext
def import_command(file: Path, cohort_code: str, dry_run: bool, skip_invalid: bool) -> None:
    """Import trainees from an .xlsx or .csv FILE into a cohort.

    Prints one line per problem (row N: column: message) and the summary
    ``imported: X, updated: Y, invalid: Z``. Exits with 1 when nothing was written because of
    invalid rows (or the file or cohort is unusable).
    """
    cohort = services.get_cohort_by_code(cohort_code)
    if cohort is None:
        raise click.ClickException(f"unknown cohort “{cohort_code}”")
    limits = import_limits()
    data = _read_file(file, limits)
    try:
        parsed = importer.parse_file(data, file.name, limits)
        plan = plan_import(parsed, cohort)
        result = preview_result(plan, skip_invalid) if dry_run else apply_import(plan, skip_invalid=skip_invalid)
        if result.written:
            db.session.commit()
        else:
            db.session.rollback()
    except importer.ImportFileError as exc:
        db.session.rollback()
        raise click.ClickException(f"{file.name}: {exc.message} Nothing was imported.") from None
    except IntegrityError:
        db.session.rollback()
        raise click.ClickException("the data changed while importing (another import at the same time?); "
                                   "nothing was imported, run the command again") from None
    except BaseException:
        db.session.rollback()
        raise
    for note in plan.notes:
        click.echo(f"note: {note}", err=True)
    for row in plan.rows:
        for problem in row.notes + row.row.notes:
            click.echo(f"note: {problem.line(row.number)}", err=True)
    for line in plan.problems():
        click.echo(line)
    if dry_run:
        click.echo("dry run: nothing was written", err=True)
    elif result.refused:
        click.echo("nothing was written: fix the rows above, or use --skip-invalid to import the valid rows",
                   err=True)
    click.echo(result.summary)
    if result.refused:
        click.get_current_context().exit(1)


def _read_file(path: Path, limits: importer.Limits) -> bytes:
    try:
        size = path.stat().st_size
        if size > limits.max_bytes:
            raise click.ClickException(f"{path.name} is {size / 1048576:.1f} MB; the limit is "
                                       f"{limits.max_bytes / 1048576:.1f} MB")
        with path.open("rb") as handle:
            return handle.read(limits.max_bytes + 1)
    except OSError as exc:
        raise click.ClickException(f"cannot read {path}: {exc.strerror or exc}") from None
