"""Small reads for the report pages: filter choices and programme details (one query each)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from core.extensions import db
from trainees.models import Cohort, Programme, Trainee


@dataclass(frozen=True)
class FilterOptions:
    programmes: list[tuple[str, str]]
    fiscal_years: list[int]
    nationalities: list[str]


def filter_options() -> FilterOptions:
    """Programmes, fiscal years with cohorts and nationalities with trainees (three queries)."""
    programmes = [tuple(r) for r in db.session.execute(select(Programme.code, Programme.name).order_by(Programme.code))]
    years = list(db.session.scalars(select(Cohort.fiscal_year).distinct().order_by(Cohort.fiscal_year)))
    nationalities = list(db.session.scalars(select(Trainee.nationality).distinct().order_by(Trainee.nationality)))
    return FilterOptions(programmes, years, nationalities)


def programme_by_code(code: str | None) -> Programme | None:
    """A programme with its organiser names loaded (case-insensitive code), or None."""
    if not code:
        return None
    return db.session.scalar(
        select(Programme).options(selectinload(Programme.organiser_names))
        .where(func.upper(Programme.code) == code.upper())
    )
