"""Reference data: countries (pycountry + Babel names), dated region membership, sectors, org types,
genders, modalities and Japan's fiscal year.

Codes are the keys everywhere; display names are looked up per language. Lists are append-only:
a code is never renamed or re-used, a retired code keeps its names, so old reports do not drift.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import cache

import pycountry
from babel import Locale

# --- countries --------------------------------------------------------------------------------

#: English display names in ASEAN/UN style where Babel's CLDR name differs.
_EN_NAME_OVERRIDES = {
    "VN": "Viet Nam",
    "LA": "Lao PDR",
    "BN": "Brunei Darussalam",
    "MM": "Myanmar",
    "KR": "Republic of Korea",
    "HK": "Hong Kong, China",
    "TW": "Taiwan",
    "MO": "Macao, China",
}
_JA_NAME_OVERRIDES = {"MM": "ミャンマー", "HK": "香港", "MO": "マカオ"}

#: Spellings met in nomination forms and spreadsheets that pycountry does not know.
_COUNTRY_ALIASES = {
    "vietnam": "VN", "viet nam": "VN", "socialist republic of viet nam": "VN",
    "laos": "LA", "lao pdr": "LA", "lao p.d.r.": "LA", "lao": "LA", "lao people's democratic republic": "LA",
    "brunei": "BN", "brunei darussalam": "BN",
    "burma": "MM", "myanmar": "MM", "myanmar (burma)": "MM",
    "east timor": "TL", "timor leste": "TL", "timor-leste": "TL", "timor": "TL",
    "korea": "KR", "south korea": "KR", "republic of korea": "KR", "korea, republic of": "KR",
    "north korea": "KP", "taiwan": "TW", "chinese taipei": "TW", "hong kong": "HK", "hong kong, china": "HK",
    "macau": "MO", "macao": "MO", "russia": "RU", "iran": "IR", "syria": "SY", "tanzania": "TZ",
    "bolivia": "BO", "venezuela": "VE", "moldova": "MD", "micronesia": "FM", "cape verde": "CV",
    "ivory coast": "CI", "cote d'ivoire": "CI", "côte d'ivoire": "CI", "uk": "GB", "united kingdom": "GB",
    "usa": "US", "united states": "US", "u.s.a.": "US", "png": "PG", "uae": "AE",
}


def _key(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().replace("’", "'").split())


@cache
def _japanese_country_names() -> dict[str, str]:
    ja = Locale.parse("ja").territories
    return {_key(name): code for code, name in ja.items() if len(code) == 2 and code.isalpha()}


@cache
def country_codes() -> tuple[str, ...]:
    """Every ISO 3166-1 alpha-2 code, sorted."""
    return tuple(sorted(c.alpha_2 for c in pycountry.countries))


def resolve_country(text: str | None) -> str | None:
    """An alpha-2 code for a code (alpha-2/alpha-3), an English or Japanese name, or a common variant."""
    if not text or not text.strip():
        return None
    key = _key(text)
    if key in _COUNTRY_ALIASES:
        return _COUNTRY_ALIASES[key]
    upper = key.upper()
    if len(upper) == 2 and pycountry.countries.get(alpha_2=upper):
        return upper
    if len(upper) == 3 and (c := pycountry.countries.get(alpha_3=upper)):
        return c.alpha_2
    try:
        return pycountry.countries.lookup(key).alpha_2
    except LookupError:
        pass
    en = Locale.parse("en").territories
    for code, name in en.items():
        if len(code) == 2 and _key(name) == key:
            return code
    return _japanese_country_names().get(key)


def country_name(code: str | None, lang: str = "en") -> str:
    """Display name of an alpha-2 code in English or Japanese ('' for None, the code if unknown)."""
    if not code:
        return ""
    if lang == "ja":
        return _JA_NAME_OVERRIDES.get(code) or Locale.parse("ja").territories.get(code, code)
    if code in _EN_NAME_OVERRIDES:
        return _EN_NAME_OVERRIDES[code]
    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        return code
    return getattr(country, "common_name", None) or Locale.parse("en").territories.get(code) or country.name


def country_choices(lang: str = "en") -> list[tuple[str, str]]:
    """(code, name) pairs sorted by name, for select boxes."""
    return sorted(((c, country_name(c, lang)) for c in country_codes()), key=lambda p: p[1])


# --- region membership (dated) ----------------------------------------------------------------

@dataclass(frozen=True)
class Membership:
    region: str
    country: str
    valid_from: date
    valid_to: date | None = None


REGION_MEMBERSHIPS: tuple[Membership, ...] = (
    *(Membership("ASEAN", c, date(1967, 8, 8)) for c in ("ID", "MY", "PH", "SG", "TH")),
    Membership("ASEAN", "BN", date(1984, 1, 7)),
    Membership("ASEAN", "VN", date(1995, 7, 28)),
    Membership("ASEAN", "LA", date(1997, 7, 23)),
    Membership("ASEAN", "MM", date(1997, 7, 23)),
    Membership("ASEAN", "KH", date(1999, 4, 30)),
    Membership("ASEAN", "TL", date(2025, 10, 26)),
)


def is_member(region: str, country: str | None, on: date) -> bool:
    """Whether ``country`` belonged to ``region`` on the given date."""
    return any(
        m.region == region and m.country == country and m.valid_from <= on and (m.valid_to is None or on <= m.valid_to)
        for m in REGION_MEMBERSHIPS
    )


def members(region: str, on: date) -> list[str]:
    """Alpha-2 codes of the region's members on a date."""
    return sorted({m.country for m in REGION_MEMBERSHIPS if m.region == region and is_member(region, m.country, on)})


def memberships(region: str) -> list[Membership]:
    """All membership periods of a region (for SQL: join on dates)."""
    return [m for m in REGION_MEMBERSHIPS if m.region == region]


# --- sectors (BRIEF §5.3), org types, genders, modalities, statuses ----------------------------

SECTOR_LIST_VERSION = "2025.1"


@dataclass(frozen=True)
class Sector:
    code: str
    en: str
    ja: str
    added: str = "2025.1"  # list version that introduced the code
    retired: str | None = None


SECTORS: tuple[Sector, ...] = (
    Sector("ICT", "Information and communications", "情報通信"),
    Sector("FIN", "Finance", "金融"),
    Sector("CRD", "Credit cards and payments", "クレジット"),
    Sector("AVI", "Aviation", "航空"),
    Sector("APT", "Airports", "空港"),
    Sector("RAI", "Railways", "鉄道"),
    Sector("PRT", "Ports", "港湾"),
    Sector("LOG", "Logistics", "物流"),
    Sector("ELE", "Electric power", "電力"),
    Sector("GAS", "Gas", "ガス"),
    Sector("PET", "Petroleum", "石油"),
    Sector("CHE", "Chemicals", "化学"),
    Sector("WAT", "Water", "水道"),
    Sector("MED", "Medical and healthcare", "医療"),
    Sector("GOV", "Government and administrative services", "政府・行政サービス"),
    Sector("MFG", "Manufacturing", "製造業"),
    Sector("EDU", "Education and research", "教育・研究"),
    Sector("SEC", "Cybersecurity services", "サイバーセキュリティ事業者"),
    Sector("OTH", "Other", "その他"),
)
_SECTOR_BY_CODE = {s.code: s for s in SECTORS}
_SECTOR_ALIASES = {"banking": "FIN", "bank": "FIN", "insurance": "FIN", "telecom": "ICT",
                   "telecommunications": "ICT", "it": "ICT", "power": "ELE", "electricity": "ELE", "energy": "ELE",
                   "oil": "PET", "oil and gas": "PET",
                   "health": "MED", "healthcare": "MED", "hospital": "MED", "government": "GOV", "airline": "AVI",
                   "airlines": "AVI", "education": "EDU", "academia": "EDU", "university": "EDU", "other": "OTH",
                   "payments": "CRD", "railway": "RAI", "rail": "RAI", "port": "PRT", "manufacturing": "MFG"}


def sector_codes(include_retired: bool = False) -> list[str]:
    return [s.code for s in SECTORS if include_retired or s.retired is None]


def sector_name(code: str | None, lang: str = "en") -> str:
    sector = _SECTOR_BY_CODE.get(code or "")
    if sector is None:
        return code or ""
    return sector.ja if lang == "ja" else sector.en


def resolve_sector(text: str | None) -> str | None:
    """A sector code from a code, its English or Japanese name, or a common word."""
    if not text or not text.strip():
        return None
    key = _key(text)
    if key.upper() in _SECTOR_BY_CODE:
        return key.upper()
    for s in SECTORS:
        if key in (_key(s.en), _key(s.ja)):
            return s.code
    return _SECTOR_ALIASES.get(key)


def sector_choices(lang: str = "en") -> list[tuple[str, str]]:
    return [(s.code, f"{s.code} — {sector_name(s.code, lang)}") for s in SECTORS if s.retired is None]


@dataclass(frozen=True)
class OrgType:
    code: str
    en: str
    ja: str
    bucket: str  # public | private | other


ORG_TYPES: tuple[OrgType, ...] = (
    OrgType("government", "Government ministry or agency", "政府機関", "public"),
    OrgType("regulator", "Regulator", "規制当局", "public"),
    OrgType("national_csirt", "National CSIRT", "ナショナルCSIRT", "public"),
    OrgType("soe", "State-owned enterprise", "国有企業", "public"),
    OrgType("international", "International or regional organisation", "国際・地域機関", "public"),
    OrgType("private", "Private company", "民間企業", "private"),
    OrgType("ngo", "Non-governmental organisation", "非政府組織", "private"),
    OrgType("academia", "Academia", "学術機関", "other"),
)
_ORG_TYPE_BY_CODE = {o.code: o for o in ORG_TYPES}
_ORG_TYPE_ALIASES = {"ministry": "government", "agency": "government", "gov": "government", "public agency":
                     "government", "csirt": "national_csirt", "national cert": "national_csirt",
                     "state-owned": "soe", "state owned enterprise": "soe", "state-owned enterprise": "soe",
                     "company": "private", "private sector": "private", "business": "private",
                     "university": "academia", "academic": "academia", "ngo": "ngo", "non-profit": "ngo",
                     "international organisation": "international", "international organization": "international"}
BUCKETS = ("public", "private", "other")
BUCKET_NAMES = {"public": ("Public", "公的"), "private": ("Private", "民間"), "other": ("Other", "その他")}


def org_type_codes() -> list[str]:
    return [o.code for o in ORG_TYPES]


def org_type_bucket(code: str | None) -> str:
    """public, private or other (ARCHITECTURE §4.2)."""
    org_type = _ORG_TYPE_BY_CODE.get(code or "")
    return org_type.bucket if org_type else "other"


def org_type_name(code: str | None, lang: str = "en") -> str:
    org_type = _ORG_TYPE_BY_CODE.get(code or "")
    if org_type is None:
        return code or ""
    return org_type.ja if lang == "ja" else org_type.en


def resolve_org_type(text: str | None) -> str | None:
    if not text or not text.strip():
        return None
    key = _key(text).replace(" ", "_") if _key(text).replace(" ", "_") in _ORG_TYPE_BY_CODE else _key(text)
    if key in _ORG_TYPE_BY_CODE:
        return key
    for o in ORG_TYPES:
        if key in (_key(o.en), _key(o.ja)):
            return o.code
    return _ORG_TYPE_ALIASES.get(key)


def org_type_choices(lang: str = "en") -> list[tuple[str, str]]:
    return [(o.code, org_type_name(o.code, lang)) for o in ORG_TYPES]


GENDERS = ("F", "M", "X", "NS")
GENDER_NAMES = {
    "F": ("Female", "女性"), "M": ("Male", "男性"), "X": ("Other", "その他"), "NS": ("Not stated", "無回答"),
}
_GENDER_ALIASES = {"f": "F", "female": "F", "woman": "F", "w": "F", "女": "F", "女性": "F",
                   "m": "M", "male": "M", "man": "M", "男": "M", "男性": "M",
                   "x": "X", "other": "X", "non-binary": "X", "nonbinary": "X", "diverse": "X", "その他": "X",
                   "ns": "NS", "not stated": "NS", "prefer not to say": "NS", "unknown": "NS", "無回答": "NS"}


def resolve_gender(text: str | None) -> str | None:
    """F, M, X or NS; empty means not stated; None when the text is not understood."""
    if text is None or not str(text).strip():
        return "NS"
    return _GENDER_ALIASES.get(_key(str(text)))


def gender_name(code: str | None, lang: str = "en") -> str:
    names = GENDER_NAMES.get(code or "NS", GENDER_NAMES["NS"])
    return names[1] if lang == "ja" else names[0]


MODALITIES = ("invitation_jp", "workshop_in_country", "online_live", "elearning", "exercise")
MODALITY_NAMES = {
    "invitation_jp": ("Invitation training in Japan", "訪日研修"),
    "workshop_in_country": ("In-country workshop", "現地ワークショップ"),
    "online_live": ("Online live training", "オンライン研修"),
    "elearning": ("E-learning", "eラーニング"),
    "exercise": ("Exercise", "演習"),
}


def modality_name(code: str | None, lang: str = "en") -> str:
    names = MODALITY_NAMES.get(code or "")
    if names is None:
        return code or ""
    return names[1] if lang == "ja" else names[0]


# --- Japan's fiscal year -----------------------------------------------------------------------

def fiscal_year(day: date) -> int:
    """Japanese fiscal year (1 April – 31 March) named by its starting calendar year."""
    return day.year if day.month >= 4 else day.year - 1


def fiscal_year_bounds(fy: int) -> tuple[date, date]:
    """First and last day of a fiscal year."""
    return date(fy, 4, 1), date(fy + 1, 3, 31)


def fiscal_year_label(fy: int, lang: str = "en") -> str:
    """'FY2024' or '2024年度（令和6年度）'."""
    if lang != "ja":
        return f"FY{fy}"
    if fy >= 2019:
        era = "令和元" if fy == 2019 else f"令和{fy - 2018}"
    elif fy >= 1989:
        era = "平成元" if fy == 1989 else f"平成{fy - 1988}"
    else:
        return f"{fy}年度"
    return f"{fy}年度（{era}年度）"
