"""One report filter for the dashboard, the workbook, the ministry template and the CLI.

``ReportFilter.parse(mapping)`` reads query arguments or CLI options (same names, same rules, same
messages); ``conditions()`` turns it into SQL conditions on the enrolment/cohort/trainee/organisation
join that every statistic uses, so the page and the file can never filter differently.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, fields, replace

from sqlalchemy import func, select

from core.i18n import _
from core.refdata import (
    MODALITIES,
    country_codes,
    country_name,
    fiscal_year_label,
    modality_name,
    org_type_codes,
    org_type_name,
    sector_codes,
    sector_name,
)

FY_MIN, FY_MAX = 1990, 2100
_FY_RANGE = re.compile(r"^\s*(\d{4})\s*(?:[:\-–~]\s*(\d{4})\s*)?$")

#: Query-argument names, in the order the form shows them.
ARG_NAMES = ("programme", "fy_from", "fy_to", "cohort", "modality", "nationality", "sector", "org_type")


class FilterError(ValueError):
    """Invalid filter input; ``errors`` maps argument name to a message."""

    def __init__(self, errors: dict[str, str]):
        super().__init__("; ".join(f"{k}: {v}" for k, v in errors.items()))
        self.errors = errors


def parse_fy_range(text: str) -> tuple[int, int]:
    """``2024`` → (2024, 2024); ``2019:2024`` → (2019, 2024). Raises ValueError with a message."""
    match = _FY_RANGE.match(text or "")
    if not match:
        raise ValueError(_("Give a fiscal year as YYYY or a range as YYYY:YYYY (e.g. 2019:2024)."))
    first = int(match.group(1))
    last = int(match.group(2) or first)
    for year in (first, last):
        if not FY_MIN <= year <= FY_MAX:
            raise ValueError(_("Fiscal years must be between %(min)s and %(max)s.", min=FY_MIN, max=FY_MAX))
    if last < first:
        raise ValueError(_("The first fiscal year of a range must not be after the last."))
    return first, last


def _year(text: str, name: str, errors: dict[str, str]) -> int | None:
    text = (text or "").strip()
    if not text:
        return None
    if not text.isdigit() or not FY_MIN <= int(text) <= FY_MAX:
        errors[name] = _("Give a fiscal year as four digits between %(min)s and %(max)s.", min=FY_MIN, max=FY_MAX)
        return None
    return int(text)


@dataclass(frozen=True)
class ReportFilter:
    """Which counted enrolments a report covers. Empty fields do not filter."""

    programme: str | None = None     # programme code (case-insensitive)
    fy_from: int | None = None       # fiscal years, inclusive (FY of the cohort's start date)
    fy_to: int | None = None
    cohort: str | None = None        # cohort code (case-insensitive)
    modality: str | None = None
    nationality: str | None = None   # ISO alpha-2 of the trainee's nationality
    sector: str | None = None        # organisation sector code
    org_type: str | None = None      # organisation type code

    @classmethod
    def parse(cls, args) -> ReportFilter:
        """Build from query arguments or CLI options; raises :class:`FilterError` listing every problem.

        Accepts ``fy`` (``YYYY`` or ``YYYY:YYYY``) as well as ``fy_from``/``fy_to``.
        """
        get = (lambda k: (args.get(k) or "").strip()) if hasattr(args, "get") else (lambda k: "")
        errors: dict[str, str] = {}
        fy_from = _year(get("fy_from"), "fy_from", errors)
        fy_to = _year(get("fy_to"), "fy_to", errors)
        if get("fy"):
            try:
                fy_from, fy_to = parse_fy_range(get("fy"))
            except ValueError as exc:
                errors["fy"] = str(exc)
        if fy_from is not None and fy_to is not None and fy_to < fy_from:
            errors["fy_to"] = _("The last fiscal year must not be before the first.")

        def code(name: str, allowed, upper: bool = True, message: str = "") -> str | None:
            value = get(name)
            if not value:
                return None
            value = value.upper() if upper else value.lower()
            if value not in allowed:
                errors[name] = message
                return None
            return value

        filt = cls(
            programme=get("programme") or None,
            fy_from=fy_from,
            fy_to=fy_to,
            cohort=get("cohort") or None,
            modality=code("modality", MODALITIES, upper=False, message=_("Unknown modality.")),
            nationality=code("nationality", set(country_codes()), message=_("Unknown country code.")),
            sector=code("sector", set(sector_codes(include_retired=True)), message=_("Unknown sector code.")),
            org_type=code("org_type", set(org_type_codes()), upper=False, message=_("Unknown organisation type.")),
        )
        if errors:
            raise FilterError(errors)
        return filt

    # --- database checks and SQL --------------------------------------------------------------------

    def check_exists(self, session) -> None:
        """Unknown programme or cohort codes are errors (one query each, only when given)."""
        from trainees.models import Cohort, Programme

        errors: dict[str, str] = {}
        if self.programme and session.scalar(
                select(Programme.id).where(func.upper(Programme.code) == self.programme.upper())) is None:
            errors["programme"] = _("No programme has the code %(code)s.", code=self.programme)
        if self.cohort and session.scalar(
                select(Cohort.id).where(func.upper(Cohort.code) == self.cohort.upper())) is None:
            errors["cohort"] = _("No cohort has the code %(code)s.", code=self.cohort)
        if errors:
            raise FilterError(errors)

    def conditions(self) -> list:
        """SQL conditions on Enrolment/Cohort/Trainee/Organisation (the caller joins them)."""
        from trainees.models import Cohort, Organisation, Programme, Trainee

        conds = []
        if self.programme:
            conds.append(Cohort.programme_id.in_(
                select(Programme.id).where(func.upper(Programme.code) == self.programme.upper())))
        if self.fy_from is not None:
            conds.append(Cohort.fiscal_year >= self.fy_from)
        if self.fy_to is not None:
            conds.append(Cohort.fiscal_year <= self.fy_to)
        if self.cohort:
            conds.append(func.upper(Cohort.code) == self.cohort.upper())
        if self.modality:
            conds.append(Cohort.modality == self.modality)
        if self.nationality:
            conds.append(Trainee.nationality == self.nationality)
        if self.sector:
            conds.append(Organisation.sector_code == self.sector)
        if self.org_type:
            conds.append(Organisation.org_type == self.org_type)
        return conds

    # --- presentation -------------------------------------------------------------------------------

    def to_args(self) -> dict[str, str]:
        """Non-empty fields as query arguments (for the export link and the template form)."""
        return {k: str(v) for k, v in asdict(self).items() if v not in (None, "")}

    def cache_key(self) -> tuple:
        return tuple((f.name, getattr(self, f.name)) for f in fields(self))

    def with_cohort(self, code: str) -> ReportFilter:
        return replace(self, cohort=code)

    @property
    def is_empty(self) -> bool:
        return not self.to_args()

    def fy_label(self, lang: str = "en") -> str:
        """``FY2024``, ``FY2019–FY2024``, ``FY2019–`` or ``''`` when no fiscal year is chosen."""
        if self.fy_from is None and self.fy_to is None:
            return ""
        if self.fy_from == self.fy_to:
            return fiscal_year_label(self.fy_from, lang)
        first = fiscal_year_label(self.fy_from, lang) if self.fy_from is not None else ""
        last = fiscal_year_label(self.fy_to, lang) if self.fy_to is not None else ""
        return f"{first}–{last}"

    def describe(self, lang: str = "en") -> list[tuple[str, str]]:
        """(label, value) pairs of the active filters in English or Japanese (for Definitions)."""
        from reports.labels import t

        parts: list[tuple[str, str]] = []
        if self.programme:
            parts.append((t("Programme", lang), self.programme))
        if self.fy_from is not None or self.fy_to is not None:
            parts.append((t("Fiscal years", lang), self.fy_label(lang)))
        if self.cohort:
            parts.append((t("Cohort", lang), self.cohort))
        if self.modality:
            parts.append((t("Modality", lang), modality_name(self.modality, lang)))
        if self.nationality:
            parts.append((t("Nationality", lang), f"{self.nationality} {country_name(self.nationality, lang)}"))
        if self.sector:
            parts.append((t("Sector", lang), f"{self.sector} {sector_name(self.sector, lang)}"))
        if self.org_type:
            parts.append((t("Org type", lang), org_type_name(self.org_type, lang)))
        return parts
