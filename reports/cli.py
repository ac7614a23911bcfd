"""``flask reports export OUT.xlsx [--programme CODE] [--fy YYYY[:YYYY]] [--no-pii] [--lang en|ja]``.

Extra filters (additive to ARCHITECTURE §4.1): ``--cohort``, ``--modality``, ``--nationality``,
``--sector``, ``--org-type``, with the same meaning as on the dashboard.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from core.extensions import db
from reports import cache, workbook
from reports.filters import FilterError, ReportFilter

_OPTION_NAMES = {"fy": "--fy", "fy_from": "--fy", "fy_to": "--fy", "programme": "--programme",
                 "cohort": "--cohort", "modality": "--modality", "nationality": "--nationality",
                 "sector": "--sector", "org_type": "--org-type"}


@click.group("reports")
def reports_cli() -> None:
    """Report workbooks for the funding ministry."""


def _check_target(out: str) -> Path:
    path = Path(out)
    if path.suffix.lower() != ".xlsx":
        raise click.BadParameter("the output file name must end in .xlsx", param_hint="OUT.xlsx")
    if path.is_dir():
        raise click.BadParameter(f"{out} is a directory", param_hint="OUT.xlsx")
    parent = path.resolve().parent
    if not parent.is_dir():
        raise click.ClickException(f"cannot write {out}: the folder {parent} does not exist")
    if not os.access(parent, os.W_OK) or (path.exists() and not os.access(path, os.W_OK)):
        raise click.ClickException(f"cannot write {out}: permission denied")
    return path


@reports_cli.command("export")
@click.argument("out", metavar="OUT.xlsx")
@click.option("--programme", metavar="CODE", help="Only this programme (code).")
@click.option("--fy", metavar="YYYY[:YYYY]", help="Fiscal year or inclusive range, e.g. 2024 or 2019:2024.")
@click.option("--no-pii", is_flag=True, help="Leave out names (e-mail and date of birth are never exported).")
@click.option("--lang", type=click.Choice(["en", "ja"]), default="en", show_default=True,
              help="Language of headers and names.")
@click.option("--cohort", metavar="CODE", help="Only this cohort (code).")
@click.option("--modality", metavar="CODE", help="Only cohorts of this modality.")
@click.option("--nationality", metavar="XX", help="Only trainees of this nationality (ISO alpha-2).")
@click.option("--sector", metavar="CODE", help="Only organisations of this sector code.")
@click.option("--org-type", "org_type", metavar="CODE", help="Only organisations of this type.")
@click.option("--publication", is_flag=True,
              help="Aggregate figures only, figures about fewer than PUBLICATION_MIN_PEOPLE people suppressed.")
@with_appcontext
def export_command(out: str, programme, fy, no_pii: bool, lang: str, cohort, modality, nationality, sector,
                   org_type, publication: bool = False) -> None:
    """Write the report workbook (ARCHITECTURE §4.3) to OUT.xlsx."""
    try:
        filt = ReportFilter.parse({"programme": programme, "fy": fy, "cohort": cohort, "modality": modality,
                                   "nationality": nationality, "sector": sector, "org_type": org_type})
    except FilterError as exc:
        name, message = next(iter(exc.errors.items()))
        raise click.BadParameter(message, param_hint=_OPTION_NAMES.get(name, name)) from None
    try:
        filt.check_exists(db.session)
    except FilterError as exc:
        raise click.ClickException(" ".join(exc.errors.values())) from None
    path = _check_target(out)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.resolve().parent)
    os.close(fd)
    try:
        if publication:
            info = workbook.build_publication_workbook(tmp_name, filt, lang=lang,
                                                       k=current_app.config["PUBLICATION_MIN_PEOPLE"])
        else:
            info = workbook.build_workbook(tmp_name, filt, lang=lang, no_pii=no_pii)
        os.replace(tmp_name, path)
    except OSError as exc:
        raise click.ClickException(f"cannot write {out}: {exc.strerror or exc}") from None
    finally:
        if os.path.exists(tmp_name):
            os.unlink(tmp_name)
    s = info.data.summary
    click.echo(f"wrote {out}: sheets {', '.join(info.sheets)}")
    click.echo(f"enrolments: {s.enrolments}, participants: {s.participants}, cohorts: {s.cohorts}, "
               f"participant rows: {info.participant_rows}")


@reports_cli.command("bump-version")
@with_appcontext
def bump_version_command() -> None:
    """Tell running report pages that data changed outside the application (e.g. raw SQL)."""
    cache.bump(current_app)
    db.session.commit()
    click.echo("report data version bumped")
