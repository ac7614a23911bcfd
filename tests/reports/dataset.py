"""A small fixed dataset whose every report figure is computed by hand in the tests.

Cohorts (start → end, training days, fiscal year):
  C1 CSIRT-2024A  2024-06-03 → 06-07  5 d  FY2024  invitation_jp  JP  attendance taken (4 sessions, two on 06-03)
  C2 CSIRT-2024B  2025-03-31 → 04-02  3 d  FY2024  workshop_in_country VN   (31 March: still FY2024)
  C3 CSIRT-2025A  2025-04-01 → 04-01  1 d  FY2025  online_live (no host)    (1 April: FY2025)
  C5 CSIRT-2025B  2025-10-20 → 10-24  5 d  FY2025  workshop_in_country TL   (before Timor-Leste joined ASEAN)
  C4 ISMS-2025    2025-10-27 → 10-31  5 d  FY2025  invitation_jp JP, programme ISMS (after 26 Oct 2025)

Trainees: A (F, VN) in C1 completed + C2 completed; B (M, VN) C1 incomplete; Cc (F, TH) C1 completed;
D (M, PH) C1 withdrawn + C3 confirmed; E (X, TL, single name) C5 completed + C4 completed;
F (NS, JP) C4 no_show + C3 completed; G (F, TH) C2 confirmed; H (M, VN) C1 nominated.

C1 attendance: A present/present/late/absent (2 dates, 3 of 4 sessions), B absent/present/absent/excused
(1 date, 1 of 4), Cc no rows (0 days), D (withdrawn) present at the first session.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from tests import factories

EVIL_ORG = '=HYPERLINK("http://x","y")'


@dataclass
class Dataset:
    programmes: dict = field(default_factory=dict)
    cohorts: dict = field(default_factory=dict)
    trainees: dict = field(default_factory=dict)
    enrolments: dict = field(default_factory=dict)
    names: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)
    birthdays: list[date] = field(default_factory=list)


def build() -> Dataset:
    ds = Dataset()
    p1 = factories.programme("ASEAN-CSIRT", name="ASEAN CSIRT capacity building")
    p2 = factories.programme("ISMS", name="ISMS for ASEAN")
    ds.programmes = {"P1": p1, "P2": p2}
    ds.cohorts = {
        "C1": factories.cohort(p1, "CSIRT-2024A", title="CSIRT fundamentals 2024", modality="invitation_jp",
                               host_country="JP", start_date=date(2024, 6, 3), end_date=date(2024, 6, 7)),
        "C2": factories.cohort(p1, "CSIRT-2024B", title="Incident handling workshop Hanoi",
                               modality="workshop_in_country", host_country="VN", start_date=date(2025, 3, 31),
                               end_date=date(2025, 4, 2)),
        "C3": factories.cohort(p1, "CSIRT-2025A", title="Online threat intelligence", modality="online_live",
                               host_country=None, start_date=date(2025, 4, 1), end_date=date(2025, 4, 1)),
        "C5": factories.cohort(p1, "CSIRT-2025B", title="Dili CSIRT workshop", modality="workshop_in_country",
                               host_country="TL", start_date=date(2025, 10, 20), end_date=date(2025, 10, 24)),
        "C4": factories.cohort(p2, "ISMS-2025", title="ISMS implementation", modality="invitation_jp",
                               host_country="JP", start_date=date(2025, 10, 27), end_date=date(2025, 10, 31)),
    }
    orgs = {
        "vn_gov": factories.organisation("VNCERT", "VN", "GOV", "national_csirt"),
        "vn_power": factories.organisation("Electricity of Viet Nam", "VN", "ELE", "soe"),
        "th_bank": factories.organisation("Bangkok Commercial Bank", "TH", "FIN", "private"),
        "tl_min": factories.organisation("Ministry of Transport and Communications", "TL", "GOV", "government"),
        "jp_uni": factories.organisation("Kanto Institute of Technology", "JP", "EDU", "academia"),
        "evil": factories.organisation(EVIL_ORG, "PH", "ICT", "private"),
    }
    people = {
        "A": ("Nguyen", "Thi Anh", "F", "VN", "vn_gov", date(1990, 5, 17)),
        "B": ("Tran", "Van Binh", "M", "VN", "vn_power", date(1985, 1, 2)),
        "Cc": ("Chaiyaporn", "Somsri", "F", "TH", "th_bank", date(1992, 11, 30)),
        "D": ("Santos", "Jose Rizal", "M", "PH", "evil", None),
        "E": ("", "Mariazinha", "X", "TL", "tl_min", date(1988, 7, 7)),
        "F": ("Yamada", "Hanako", "NS", "JP", "jp_uni", None),
        "G": ("Wongsakul", "Pimchanok", "F", "TH", "th_bank", date(1995, 2, 28)),
        "H": ("Le", "Quang Huy", "M", "VN", "vn_gov", None),
    }
    for key, (family, given, gender, nationality, org, dob) in people.items():
        email = f"{given.split()[0].lower()}.{key.lower()}@mail.example"
        ds.trainees[key] = factories.trainee(orgs[org], email=email, family_name=family, given_names=given,
                                             gender=gender, nationality=nationality, date_of_birth=dob)
        ds.names += [n for n in (family, given) if n]
        ds.emails.append(email)
        if dob:
            ds.birthdays.append(dob)
    plan = [("A", "C1", "completed"), ("A", "C2", "completed"), ("B", "C1", "incomplete"), ("Cc", "C1", "completed"),
            ("D", "C1", "withdrawn"), ("D", "C3", "confirmed"), ("E", "C5", "completed"), ("E", "C4", "completed"),
            ("F", "C4", "no_show"), ("F", "C3", "completed"), ("G", "C2", "confirmed"), ("H", "C1", "nominated")]
    for person, cohort, status in plan:
        ds.enrolments[(person, cohort)] = factories.enrolment(ds.trainees[person], ds.cohorts[cohort], status)
    c1 = ds.cohorts["C1"]
    sessions = [factories.session(c1, date(2024, 6, 3), title="Opening"),
                factories.session(c1, date(2024, 6, 3), title="Incident handling basics"),
                factories.session(c1, date(2024, 6, 4), title="Log analysis"),
                factories.session(c1, date(2024, 6, 5), title="Exercise")]
    marks = {"A": ("present", "present", "late", "absent"), "B": ("absent", "present", "absent", "excused"),
             "D": ("present",)}
    for person, statuses in marks.items():
        for session, status in zip(sessions, statuses, strict=False):
            factories.attendance(session, ds.enrolments[(person, "C1")], status)
    return ds
