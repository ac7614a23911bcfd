"""Country placeholders such as ``{NATIONAL_CSIRT}`` in scenario text (pure logic).

One scenario serves many countries: its text names roles in braces, and a run fills in the values
for the country where it is played. Unknown or unfilled placeholders are left visible as written,
so nobody is misled by a silently empty name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from babel.numbers import get_territory_currencies

from core.refdata import country_name

PLACEHOLDER_RE = re.compile(r"\{([A-Z][A-Z0-9_]{1,39})\}")

#: Placeholders the seeded scenarios use, in the order a form should ask for them.
KNOWN = ("COUNTRY", "NATIONAL_CSIRT", "DPA", "CENTRAL_BANK", "HOLIDAY", "CURRENCY", "POLICE_CYBER_UNIT",
         "HEALTH_MINISTRY", "SECTOR_REGULATOR", "GRID_OPERATOR", "ENERGY_REGULATOR", "CIVIL_AVIATION_AUTHORITY")

# Suggested defaults by host country. They are only suggestions shown in the run's placeholder
# form (the organiser checks and edits them); where no well-known name exists the field stays empty.
_NATIONAL_CSIRT = {
    "JP": "JPCERT/CC", "TH": "ThaiCERT", "VN": "VNCERT/CC", "ID": "ID-SIRTII/CC (BSSN)", "MY": "MyCERT",
    "SG": "SingCERT", "PH": "CERT-PH", "KH": "CamCERT", "LA": "LaoCERT", "MM": "mmCERT", "BN": "BruCERT",
}
_CENTRAL_BANK = {
    "JP": "Bank of Japan", "TH": "Bank of Thailand", "VN": "State Bank of Vietnam", "ID": "Bank Indonesia",
    "MY": "Bank Negara Malaysia", "SG": "Monetary Authority of Singapore", "PH": "Bangko Sentral ng Pilipinas",
    "KH": "National Bank of Cambodia", "LA": "Bank of the Lao PDR", "MM": "Central Bank of Myanmar",
    "BN": "Brunei Darussalam Central Bank", "TL": "Central Bank of Timor-Leste",
}
_DPA = {
    "JP": "Personal Information Protection Commission", "SG": "Personal Data Protection Commission",
    "TH": "Personal Data Protection Committee", "MY": "Personal Data Protection Commissioner",
    "PH": "National Privacy Commission",
}
_HOLIDAY = {
    "JP": "Golden Week", "TH": "Songkran", "VN": "Tết", "ID": "Lebaran", "MY": "Hari Raya Aidilfitri",
    "SG": "Chinese New Year", "PH": "Holy Week", "KH": "Khmer New Year", "LA": "Pi Mai Lao", "MM": "Thingyan",
    "BN": "Hari Raya Aidilfitri",
}


def find(texts: Iterable[str | None]) -> list[str]:
    """Placeholder names in ``texts``, each once, known ones first in ``KNOWN`` order, then by appearance."""
    seen: list[str] = []
    for text in texts:
        for name in PLACEHOLDER_RE.findall(text or ""):
            if name not in seen:
                seen.append(name)
    known = [n for n in KNOWN if n in seen]
    return known + [n for n in seen if n not in KNOWN]


def fill(text: str | None, values: Mapping[str, str] | None) -> str:
    """``text`` with every placeholder that has a non-empty value replaced by it."""
    if not text:
        return ""
    if not values:
        return text

    def _replace(match: re.Match) -> str:
        value = (values.get(match.group(1)) or "").strip()
        return value or match.group(0)

    return PLACEHOLDER_RE.sub(_replace, text)


def missing(names: Iterable[str], values: Mapping[str, str] | None) -> list[str]:
    """Placeholders among ``names`` that have no value yet."""
    values = values or {}
    return [n for n in names if not (values.get(n) or "").strip()]


def suggest(names: Iterable[str], country: str | None) -> dict[str, str]:
    """Suggested values for ``names`` from the host country (empty where there is no sensible default)."""
    tables = {"NATIONAL_CSIRT": _NATIONAL_CSIRT, "CENTRAL_BANK": _CENTRAL_BANK, "DPA": _DPA, "HOLIDAY": _HOLIDAY}
    suggestions: dict[str, str] = {}
    for name in names:
        value = ""
        if country:
            if name == "COUNTRY":
                value = country_name(country)
            elif name == "CURRENCY":
                currencies = get_territory_currencies(country)
                value = currencies[0] if currencies else ""
            elif name in tables:
                value = tables[name].get(country, "")
        suggestions[name] = value
    return suggestions
