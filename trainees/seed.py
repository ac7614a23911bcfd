"""Demo training data for ``seed-demo``: three programmes since FY2012, twelve cohorts, about 300
trainees with organisations, status histories and attendance.

The whole data set is first *planned* in memory from ``random.Random(2026)`` — so it is the same on
every machine and every run — and then only what is missing is written (programmes and cohorts are
matched by code, organisations by name within their country, trainees by e-mail). A second run
therefore writes nothing and prints the same summary. Enrolment histories are built step by step
through ``trainees.status.can_transition``, so they always follow the status machine.
"""

from __future__ import annotations

import random
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, insert, select

from accounts.models import User
from core.extensions import db
from core.refdata import country_name, fiscal_year
from trainees import seed_data as data
from trainees.models import Attendance, Cohort, CohortSession, Enrolment, EnrolmentEvent, Organisation, Trainee
from trainees.services import create_cohort, create_programme, get_programme_by_code, name_key
from trainees.status import can_transition

SEED = 2026
ORGANISER_EMAIL = "organiser@demo.kakehashi.example"

ASEAN_BASE = {"TH": 12, "VN": 12, "ID": 12, "PH": 11, "MY": 10, "KH": 9, "LA": 8, "MM": 9, "SG": 4, "BN": 4}
PACIFIC_AFRICA = {"FJ": 5, "PG": 5, "WS": 3, "TO": 3, "KE": 5, "GH": 4, "NG": 4, "RW": 4}

PROGRAMMES = (
    ("ASEAN-CYB-HRD", "ASEAN Cybersecurity HRD (METI)", "METI",
     ((2012, "HIDA"), (2017, "AOTS")),
     "Invitation trainings in Japan and workshops in ASEAN for CSIRT, ISMS and OT security staff of "
     "ministries, national CSIRTs and critical-infrastructure operators."),
    ("PACAF-CSIRT", "CSIRT capacity building for Pacific and Africa", "MOFA / JICA",
     ((2016, "JICA"),),
     "Knowledge co-creation course for national CSIRT staff of Pacific island and African countries."),
    ("AJ-CYBEX", "ASEAN-Japan incident response and cyber exercise programme", "MIC (through JAIF); JICA from FY2023",
     ((2019, "AJCCBC (ETDA)"), (2022, "AJCCBC (NCSA)")),
     "Hands-on incident response, forensics and tabletop exercises run with the ASEAN-Japan Cybersecurity "
     "Capacity Building Centre in Bangkok."),
)


@dataclass(frozen=True)
class CohortSpec:
    code: str
    programme: str
    title: str
    modality: str
    host_country: str | None
    city: str
    venue: str
    start: date
    end: date
    tz: str
    size: int
    countries: dict[str, int]
    curriculum: str = ""
    forced: tuple[str, ...] = ()  # nationalities that get a seat first
    notes: str = ""
    future: bool = False  # has not taken place (as planned in the demo data)
    awaiting_completion: bool = False  # took place; the office has not decided completion yet


def _boost(weights: dict[str, int], country: str, factor: int) -> dict[str, int]:
    return {c: w * factor if c == country else w for c, w in weights.items()}


COHORTS = (
    CohortSpec("AHRD-2012-JP", "ASEAN-CYB-HRD", "CSIRT Establishment and Operation", "invitation_jp", "JP", "Tokyo",
               "Tokyo Kenshu Center", date(2013, 1, 21), date(2013, 2, 1), "Asia/Tokyo", 22, ASEAN_BASE, "csirt"),
    CohortSpec("AHRD-2015-JP", "ASEAN-CYB-HRD", "Information Security Management (ISMS) for ASEAN", "invitation_jp",
               "JP", "Yokohama", "Yokohama Training Centre, Minato Mirai", date(2015, 10, 5), date(2015, 10, 16),
               "Asia/Tokyo", 24, ASEAN_BASE, "isms"),
    CohortSpec("PACAF-2016-JP", "PACAF-CSIRT", "CSIRT Capacity Building for Pacific and Africa", "invitation_jp", "JP",
               "Tokyo", "JICA Tokyo Center", date(2017, 1, 16), date(2017, 2, 3), "Asia/Tokyo", 20, PACIFIC_AFRICA,
               "csirt"),
    CohortSpec("AHRD-2018-JP", "ASEAN-CYB-HRD", "Industrial Control Systems Security", "invitation_jp", "JP", "Osaka",
               "Kansai Kenshu Center", date(2018, 7, 2), date(2018, 7, 13), "Asia/Tokyo", 26,
               ASEAN_BASE | {"IN": 5, "BD": 4, "LK": 4}, "ics", forced=("IN", "BD", "LK")),
    CohortSpec("CYBEX-2019-ID", "AJ-CYBEX", "Incident Response Workshop (Jakarta)", "workshop_in_country", "ID",
               "Jakarta", "Conference hall, Central Jakarta", date(2019, 11, 18), date(2019, 11, 22), "Asia/Jakarta",
               36, _boost(ASEAN_BASE, "ID", 4) | {"TL": 2}, "workshop", forced=("TL",)),
    CohortSpec("AHRD-2020-EL", "ASEAN-CYB-HRD", "ISMS Foundations (e-learning)", "elearning", None, "",
               "Online, self-paced", date(2020, 9, 1), date(2020, 11, 30), "Asia/Tokyo", 60,
               ASEAN_BASE | {"IN": 4, "BD": 3, "LK": 3, "NP": 4}, forced=("NP", "NP"),
               notes="Replaced the FY2020 invitation training because of COVID-19 travel restrictions."),
    CohortSpec("CYBEX-2022-VN", "AJ-CYBEX", "Digital Forensics Workshop (Hanoi)", "workshop_in_country", "VN", "Hanoi",
               "Training centre, Cau Giay District", date(2022, 12, 5), date(2022, 12, 9), "Asia/Ho_Chi_Minh", 32,
               _boost(ASEAN_BASE, "VN", 4), "workshop"),
    CohortSpec("AHRD-2023-TH", "ASEAN-CYB-HRD", "CSIRT Operations Workshop (Bangkok)", "workshop_in_country", "TH",
               "Bangkok", "Conference centre, Pathum Wan", date(2023, 8, 21), date(2023, 8, 25), "Asia/Bangkok", 36,
               _boost(ASEAN_BASE, "TH", 4), "workshop"),
    CohortSpec("AHRD-2024-JP", "ASEAN-CYB-HRD", "CSIRT Management and Incident Response", "invitation_jp", "JP",
               "Tokyo", "AOTS Tokyo Kenshu Center", date(2024, 11, 11), date(2024, 11, 22), "Asia/Tokyo", 24,
               ASEAN_BASE, "csirt"),
    CohortSpec("PACAF-2025-JP", "PACAF-CSIRT", "CSIRT Capacity Building for Pacific and Africa", "invitation_jp", "JP",
               "Yokohama", "JICA Yokohama Center", date(2025, 9, 1), date(2025, 9, 12), "Asia/Tokyo", 22,
               PACIFIC_AFRICA, "csirt"),
    CohortSpec("CYBEX-2025-EX", "AJ-CYBEX", "ASEAN-Japan Cyber Exercise 2025 (tabletop)", "exercise", "TH", "Bangkok",
               "AJCCBC training facility", date(2025, 11, 18), date(2025, 11, 19), "Asia/Bangkok", 40,
               _boost(ASEAN_BASE, "TH", 2) | {"TL": 3}, forced=("TL", "TL")),
    CohortSpec("AHRD-2026-TH", "ASEAN-CYB-HRD", "ISMS Implementation Workshop (Bangkok)", "workshop_in_country",
               "TH", "Bangkok", "Conference centre, Pathum Wan", date(2026, 11, 9), date(2026, 11, 13),
               "Asia/Bangkok", 28, _boost(ASEAN_BASE, "TH", 3) | {"TL": 2}, "workshop", forced=("TL",),
               awaiting_completion=True),
    CohortSpec("AHRD-2026-JP", "ASEAN-CYB-HRD", "ISMS Implementation for Critical Infrastructure", "invitation_jp",
               "JP", "Tokyo", "AOTS Tokyo Kenshu Center", date(2027, 1, 18), date(2027, 1, 29), "Asia/Tokyo", 24,
               ASEAN_BASE | {"TL": 3}, "isms", forced=("TL",), future=True),
)

#: The accounts seeder's demo trainees and the enrolments that make their portal worth a look:
#: (email, family, given, native, gender, nationality, organisation template slug, job, [(cohort, final status)]).
DEMO_TRAINEES = (
    ("trainee1@demo.kakehashi.example", "Nguyen", "Thi Lan", "Nguyễn Thị Lan", "F", "VN", "csirt", "Incident Handler",
     (("CYBEX-2022-VN", "completed"), ("AHRD-2026-JP", "confirmed"))),
    ("trainee2@demo.kakehashi.example", "Phan", "Somchai", "", "M", "TH", "digital", "Information Security Officer",
     (("AHRD-2023-TH", "completed"), ("CYBEX-2025-EX", "completed"), ("AHRD-2026-TH", "confirmed"))),
    ("trainee3@demo.kakehashi.example", "Santoso", "Budi", "", "M", "ID", "bank", "SOC Team Lead",
     (("CYBEX-2019-ID", "completed"), ("AHRD-2024-JP", "incomplete"), ("AHRD-2026-JP", "accepted"))),
)

#: Country names as they read inside an organisation's name ("Central Bank of the Philippines").
_ORG_COUNTRY_NAMES = {"PH": "the Philippines"}

# Stages of an enrolment relative to its cohort (days from start; 'end+' from end).
_STAGE_DAYS = {"nominated": -110, "decision": -75, "reserve": -68, "withdrawn": -66, "confirmed": -62,
               "withdrawn_late": -10, "no_show": 1}


# --- the plan (pure Python, deterministic) -------------------------------------------------------

@dataclass
class OrgPlan:
    name: str
    country: str
    sector: str
    org_type: str
    slug: str


@dataclass
class PersonPlan:
    email: str
    family: str
    given: str
    native: str
    gender: str
    nationality: str
    org: OrgPlan
    job: str
    dob: date | None
    cohorts: list[tuple[date, str]] = field(default_factory=list)  # (end date, final status)


@dataclass
class SessionPlan:
    day: date
    start: time
    end: time
    session_type: str
    title: str
    venue: str = ""


@dataclass
class EnrolmentPlan:
    person: PersonPlan
    steps: list[tuple[str, datetime, str]]  # (status, at, reason)
    marks: dict[int, str] = field(default_factory=dict)  # session index → attendance status

    @property
    def status(self) -> str:
        return self.steps[-1][0]


@dataclass
class CohortPlan:
    spec: CohortSpec
    sessions: list[SessionPlan]
    enrolments: list[EnrolmentPlan]


def _ascii(text: str) -> str:
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in folded.lower() if ch.isalnum())


def _weighted(rng: random.Random, weights: dict[str, int]) -> str:
    keys = sorted(weights)
    return rng.choices(keys, weights=[weights[k] for k in keys])[0]


def _at(day: date, rng: random.Random) -> datetime:
    """A time during Tokyo office hours on ``day`` (stored in UTC)."""
    return datetime.combine(day, time(0, 0), tzinfo=UTC) + timedelta(hours=rng.randint(0, 8),
                                                                                minutes=rng.randint(0, 59))


class Planner:
    """Builds the whole demo data set from one seeded random generator."""

    def __init__(self) -> None:
        self.rng = random.Random(SEED)
        self.orgs: dict[tuple[str, str], OrgPlan] = {}
        self.people: dict[str, PersonPlan] = {}
        self.emails: set[str] = set()
        self.cohorts: list[CohortPlan] = []

    # organisations and people

    def org(self, country: str, template: data.OrgTemplate) -> OrgPlan:
        values = {"country": _ORG_COUNTRY_NAMES.get(country) or country_name(country), "cc": country,
                  "city": data.CAPITALS[country]}
        name = template.name.format(**values)
        key = (country, name_key(name))
        if key not in self.orgs:
            self.orgs[key] = OrgPlan(name, country, template.sector, template.org_type, template.slug)
        return self.orgs[key]

    def org_by_slug(self, country: str, slug: str) -> OrgPlan:
        return self.org(country, next(t for t in data.ORG_TEMPLATES if t.slug == slug))

    def pick_org(self, nationality: str, regional: bool) -> OrgPlan:
        rng = self.rng
        if regional and rng.random() < 0.03:
            name, slug, country, sector = rng.choice(data.INTERNATIONAL_ORGS)
            key = (country, name_key(name))
            return self.orgs.setdefault(key, OrgPlan(name, country, sector, "international", slug))
        templates = [t for t in data.ORG_TEMPLATES if t.core or nationality not in data.SMALL_COUNTRIES]
        template = rng.choices(templates, weights=[t.weight for t in templates])[0]
        return self.org(nationality, template)

    def email(self, local: str, org: OrgPlan) -> str:
        domain = f"{org.slug}.{org.country.lower()}.example"
        candidate, n = f"{local}@{domain}", 1
        while candidate in self.emails:
            n += 1
            candidate = f"{local}{n}@{domain}"
        self.emails.add(candidate)
        return candidate

    def new_person(self, nationality: str, start: date, regional: bool) -> PersonPlan:
        rng = self.rng
        styles = data.NAMES[nationality]
        style = rng.choices(styles, weights=[s.weight for s in styles])[0]
        roll = rng.random()
        gender = "NS" if roll < 0.02 else ("F" if roll < 0.42 else "M")
        given = rng.choice(style.female if gender == "F" or (gender == "NS" and rng.random() < 0.5) else style.male)
        family = rng.choice(style.family) if style.family else ""
        native = ""
        if nationality == "TH" and rng.random() < 0.6 and given in data.THAI_SCRIPT and family in data.THAI_SCRIPT:
            native = f"{data.THAI_SCRIPT[given]} {data.THAI_SCRIPT[family]}"
        elif nationality == "VN" and rng.random() < 0.6:
            native = f"{data.VIETNAMESE_SCRIPT[family]} {data.VIETNAMESE_SCRIPT[given]}"
        org = self.pick_org(nationality, regional)
        titles = data.SECTOR_JOB_TITLES.get(org.sector) or data.JOB_TITLES[org.org_type]
        job = rng.choice(titles)
        dob = None
        if rng.random() < 0.8:
            dob = date(start.year - rng.randint(25, 52), rng.randint(1, 12), rng.randint(1, 28))
        parts = given.split()
        local = f"{_ascii(parts[0])}.{_ascii(family) if family else _ascii(parts[-1])}"
        if not family and len(parts) == 1:
            local = _ascii(parts[0])
        person = PersonPlan(self.email(local, org), family, given, native, gender, nationality, org, job, dob)
        self.people[person.email] = person
        return person

    def returning_person(self, nationality: str, spec: CohortSpec, taken: set[str]) -> PersonPlan | None:
        """An alumnus of an earlier cohort who finished it at least 183 days before this one starts."""
        candidates = [
            p for p in self.people.values()
            if p.nationality == nationality and p.email not in taken and p.cohorts
            and not p.email.endswith("@demo.kakehashi.example")
            and all(end <= spec.start - timedelta(days=183) for end, _status in p.cohorts)
            and p.cohorts[-1][1] == "completed"
        ]
        return self.rng.choice(candidates) if candidates else None

    # status histories and attendance

    def steps(self, spec: CohortSpec, final: str | None = None) -> list[tuple[str, datetime, str]]:
        """A legal status history; ``final`` forces a straight path to that outcome (demo trainees)."""
        rng = self.rng
        path: list[tuple[str, str]] = [("nominated", rng.choice(data.REASONS["nominated"]))]

        def go(status: str, reason_key: str | None = None) -> None:
            if not can_transition(path[-1][0], status):  # the plan must follow the status machine
                raise AssertionError(f"illegal demo transition {path[-1][0]} → {status}")
            path.append((status, rng.choice(data.REASONS[reason_key or status])))

        if final is not None:
            go("accepted")
            if final != "accepted":
                go("confirmed")
            if final in ("completed", "incomplete"):
                go(final)
        elif spec.future:  # selection still under way
            r = rng.random()
            if 0.20 <= r < 0.25:
                go("rejected")
            elif 0.25 <= r < 0.33:
                go("waitlisted")
            elif r >= 0.33:
                go("accepted")
                r = rng.random()
                if r < 0.05:
                    go("withdrawn")
                elif r >= 0.35:
                    go("confirmed")
        else:
            self._past_steps(go, stop_at_confirmed=spec.awaiting_completion)
        return self._timestamps(spec, path)

    def _past_steps(self, go, stop_at_confirmed: bool = False) -> None:
        rng = self.rng
        r = rng.random()
        if r < 0.07:
            return go("rejected")
        if r < 0.15:
            go("waitlisted")
            if rng.random() < 0.5:
                return go("rejected", "rejected_reserve")
            go("accepted", "accepted_reserve")
        else:
            go("accepted")
        if rng.random() < 0.04:
            return go("withdrawn")
        go("confirmed")
        r = rng.random()
        if r < 0.03:
            return go("no_show")
        if r < 0.05:
            return go("withdrawn", "withdrawn_late")
        if stop_at_confirmed:
            return None
        if r < 0.13:
            go("incomplete")
            if rng.random() < 0.25:
                go("completed", "completed_late")
            return None
        return go("completed")

    def _timestamps(self, spec: CohortSpec, path: list[tuple[str, str]]) -> list[tuple[str, datetime, str]]:
        rng, out = self.rng, []
        previous = None
        for index, (status, reason) in enumerate(path):
            if index == 0:
                day = spec.start + timedelta(days=_STAGE_DAYS["nominated"] + rng.randint(0, 14))
            elif status in ("accepted", "rejected", "waitlisted") and path[index - 1][0] == "waitlisted":
                day = spec.start + timedelta(days=_STAGE_DAYS["reserve"])
            elif status in ("accepted", "rejected", "waitlisted"):
                day = spec.start + timedelta(days=_STAGE_DAYS["decision"] + rng.randint(0, 6))
            elif status == "confirmed":
                day = spec.start + timedelta(days=_STAGE_DAYS["confirmed"] + rng.randint(0, 4))
            elif status == "withdrawn":
                late = path[index - 1][0] == "confirmed"
                day = spec.start + timedelta(days=_STAGE_DAYS["withdrawn_late" if late else "withdrawn"])
            elif status == "no_show":
                day = spec.start + timedelta(days=_STAGE_DAYS["no_show"])
            elif index >= 2 and path[index - 1][0] == "incomplete":
                day = spec.end + timedelta(days=120)  # final report arrived months later
            else:
                day = spec.end + timedelta(days=3)
            at = _at(day, rng)
            if previous is not None and at <= previous:
                at = previous + timedelta(hours=1)
            out.append((status, at, reason))
            previous = at
        return out

    def marks(self, status_path: list[str], sessions: int) -> dict[int, str]:
        """Attendance for a past in-person cohort: completers nearly always there, no-shows never."""
        rng = self.rng
        if "confirmed" not in status_path or status_path[-1] == "withdrawn" or not sessions:
            return {}
        if status_path[-1] == "no_show":
            return dict.fromkeys(range(sessions), "absent")
        weak = status_path[-1] == "incomplete"
        weights = (62, 8, 12, 18) if weak else (91, 5, 3, 1)
        marks = {i: rng.choices(("present", "late", "excused", "absent"), weights=weights)[0]
                 for i in range(sessions)}
        attended = sum(1 for m in marks.values() if m in ("present", "late"))
        if not weak:  # a completer attended at least 80% (the usual completion rule)
            for i in sorted(marks):
                if attended >= 0.8 * sessions:
                    break
                if marks[i] not in ("present", "late"):
                    marks[i], attended = "present", attended + 1
        return marks

    # sessions

    @staticmethod
    def sessions(spec: CohortSpec) -> list[SessionPlan]:
        if spec.modality == "elearning":
            return []
        days = [spec.start + timedelta(days=n) for n in range((spec.end - spec.start).days + 1)]
        days = [d for d in days if d.weekday() < 5]
        if spec.modality == "exercise":
            plan = list(data.EXERCISE_DAYS)
        elif spec.modality == "workshop_in_country":
            plan = [data._OPENING, *data.CURRICULA["workshop"], data.WORKSHOP_CLOSING]
        else:
            middle = list(data.CURRICULA[spec.curriculum])
            fill = len(days) - 4
            body = [middle[i % len(middle)] for i in range(fill)]
            plan = [data._OPENING, data._COUNTRY_REPORTS, *body, data._ACTION_PLAN, data._CLOSING]
        out = []
        for day, (am, pm) in zip(days, plan, strict=False):
            for (title, kind), (start, end) in ((am, (time(9, 30), time(12, 0))), (pm, (time(13, 30), time(17, 0)))):
                venue = data.SITE_VISIT_VENUES.get(spec.host_country or "", spec.city) if kind == "site_visit" else ""
                out.append(SessionPlan(day, start, end, kind, title, venue))
        return out

    # the whole plan

    def build(self) -> Planner:
        demo_by_cohort: dict[str, list[tuple[PersonPlan, str]]] = {}
        for email, family, given, native, gender, nat, slug, job, cohorts in DEMO_TRAINEES:
            person = PersonPlan(email, family, given, native, gender, nat, self.org_by_slug(nat, slug), job, None)
            self.people[email] = person
            self.emails.add(email)
            for code, final in cohorts:
                demo_by_cohort.setdefault(code, []).append((person, final))
        for spec in COHORTS:
            sessions = self.sessions(spec)
            regional = "TH" in spec.countries
            enrolments: list[EnrolmentPlan] = []
            taken: set[str] = set()
            for person, final in demo_by_cohort.get(spec.code, []):
                enrolments.append(EnrolmentPlan(person, self.steps(spec, final)))
                taken.add(person.email)
            for seat in range(spec.size - len(enrolments)):
                nationality = spec.forced[seat] if seat < len(spec.forced) else _weighted(self.rng, spec.countries)
                person = None
                if self.rng.random() < 0.2:
                    person = self.returning_person(nationality, spec, taken)
                person = person or self.new_person(nationality, spec.start, regional)
                taken.add(person.email)
                enrolments.append(EnrolmentPlan(person, self.steps(spec)))
            for enrolment in enrolments:
                path = [s for s, _at, _r in enrolment.steps]
                if not spec.future:
                    enrolment.marks = self.marks(path, len(sessions))
                enrolment.person.cohorts.append((spec.end, enrolment.status))
            self.cohorts.append(CohortPlan(spec, sessions, enrolments))
        return self


def build_plan() -> Planner:
    """The complete demo data set (same result on every call)."""
    return Planner().build()


# --- writing what is missing ---------------------------------------------------------------------

def _existing_orgs(plans: Iterable[OrgPlan]) -> dict[tuple[str, str], Organisation]:
    keys = {name_key(p.name) for p in plans}
    rows = db.session.scalars(select(Organisation).where(Organisation.name_key.in_(keys)))
    return {(o.country, o.name_key): o for o in rows}


def _write_cohort(plan: CohortPlan, programme, orgs: dict, trainees: dict, actor_id: int | None) -> None:
    spec = plan.spec
    cohort = create_cohort(programme, code=spec.code, title=spec.title, modality=spec.modality,
                           host_country=spec.host_country, city=spec.city, venue=spec.venue, start_date=spec.start,
                           end_date=spec.end, language="en", capacity=spec.size,
                           status="open" if spec.future else "closed", notes=spec.notes)
    sessions = [CohortSession(cohort_id=cohort.id, date=s.day, start_time=s.start, end_time=s.end, timezone=spec.tz,
                              session_type=s.session_type, title=s.title, venue=s.venue) for s in plan.sessions]
    assert all(spec.start <= s.date <= spec.end for s in sessions)  # noqa: S101 - same rule as add_session
    db.session.add_all(sessions)
    new_people = []
    for enrolment in plan.enrolments:
        person = enrolment.person
        if person.email in trainees:
            continue
        org_key = (person.org.country, name_key(person.org.name))
        if org_key not in orgs:
            org = Organisation(name=person.org.name, name_key=org_key[1], country=person.org.country,
                               sector_code=person.org.sector, org_type=person.org.org_type,
                               is_international=person.org.org_type == "international")
            db.session.add(org)
            orgs[org_key] = org
        trainee = Trainee(family_name=person.family, given_names=person.given, native_name=person.native,
                          email=person.email, gender=person.gender, nationality=person.nationality,
                          organisation=orgs[org_key], job_title=person.job, date_of_birth=person.dob)
        trainees[person.email] = trainee
        new_people.append(trainee)
    db.session.add_all(new_people)
    db.session.flush()
    rows = []
    for enrolment_plan in plan.enrolments:
        last_at = enrolment_plan.steps[-1][1]
        rows.append(Enrolment(trainee_id=trainees[enrolment_plan.person.email].id, cohort_id=cohort.id,
                              status=enrolment_plan.status, status_changed_at=last_at))
    db.session.add_all(rows)
    db.session.flush()
    events, marks = [], []
    for enrolment, enrolment_plan in zip(rows, plan.enrolments, strict=True):
        previous = None
        for status, at, reason in enrolment_plan.steps:
            events.append({"enrolment_id": enrolment.id, "from_status": previous, "to_status": status,
                           "actor_id": actor_id, "at": at, "reason": reason})
            previous = status
        for index, status in enrolment_plan.marks.items():
            session = sessions[index]
            recorded = datetime.combine(session.date, time(9, 0), tzinfo=UTC)
            marks.append({"session_id": session.id, "enrolment_id": enrolment.id, "status": status,
                          "recorded_by_id": actor_id, "recorded_at": recorded})
    db.session.execute(insert(EnrolmentEvent), events)
    if marks:
        db.session.execute(insert(Attendance), marks)
        cohort.attendance_locked = True  # a finished cohort's sheets are closed
    db.session.flush()


def _summary() -> list[str]:
    codes = [spec.code for spec in COHORTS]
    cohort_ids = select(Cohort.id).where(Cohort.code.in_(codes))
    programmes = db.session.scalar(select(func.count()).select_from(
        select(Cohort.programme_id).where(Cohort.code.in_(codes)).distinct().subquery()))
    cohorts = db.session.scalar(select(func.count(Cohort.id)).where(Cohort.code.in_(codes)))
    trainees, enrolments = db.session.execute(
        select(func.count(func.distinct(Enrolment.trainee_id)), func.count(Enrolment.id))
        .where(Enrolment.cohort_id.in_(cohort_ids))).one()
    marks = db.session.scalar(select(func.count(Attendance.id)).join(Enrolment)
                              .where(Enrolment.cohort_id.in_(cohort_ids)))
    countries = db.session.scalar(select(func.count(func.distinct(Trainee.nationality))).join(Enrolment)
                                  .where(Enrolment.cohort_id.in_(cohort_ids)))
    first, last = min(s.start for s in COHORTS), max(s.start for s in COHORTS)
    return [
        f"Demo training data: {programmes} programmes, {cohorts} cohorts (FY{fiscal_year(first)}–"
        f"FY{fiscal_year(last)}), {trainees} trainees from {countries} countries, {enrolments:,} enrolments, "
        f"{marks:,} attendance marks.",
    ]


def _link_demo_accounts(trainees: dict[str, Trainee]) -> list[str]:
    lines = []
    for email, *_rest in DEMO_TRAINEES:
        user = db.session.scalar(select(User).where(User.email == email))
        trainee = trainees.get(email) or db.session.scalar(select(Trainee).where(Trainee.email == email))
        if user is None or trainee is None:
            continue
        if trainee.user_id is None and user.role == "trainee":
            trainee.user_id = user.id
        if trainee.user_id == user.id:
            lines.append(email)
    db.session.flush()
    return [f"Demo trainee accounts linked to their training records: {', '.join(lines)}"] if lines else []


def seed_trainees() -> list[str]:
    """Write the missing parts of the demo training data and return summary lines (idempotent)."""
    plan = build_plan()
    programmes = {}
    for code, name, funder, organisers, description in PROGRAMMES:
        programmes[code] = get_programme_by_code(code) or create_programme(
            code, name, funder, description, organiser_names=list(organisers))
    existing_codes = set(db.session.scalars(select(Cohort.code).where(Cohort.code.in_([s.code for s in COHORTS]))))
    missing = [c for c in plan.cohorts if c.spec.code not in existing_codes]
    trainees: dict[str, Trainee] = {}
    if missing:
        actor_id = db.session.scalar(select(User.id).where(User.email == ORGANISER_EMAIL))
        orgs = _existing_orgs(plan.orgs.values())
        emails = list(plan.people)
        trainees = {t.email: t for t in db.session.scalars(select(Trainee).where(Trainee.email.in_(emails)))}
        for cohort_plan in missing:
            _write_cohort(cohort_plan, programmes[cohort_plan.spec.programme], orgs, trainees, actor_id)
    return _summary() + _link_demo_accounts(trainees)
