"""Builders for nomination tests: an open call with quotas and focal points of Viet Nam and Thailand."""

from __future__ import annotations

import io
import zipfile
from datetime import date, timedelta

from core.extensions import db
from nominations import services
from nominations.models import FocalPoint, NominationCall
from tests import factories

TODAY = date.today()
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def docx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


def xlsx_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    return buffer.getvalue()


def open_call(quotas=None, total=None, **rules) -> NominationCall:
    cohort = factories.cohort(start_date=TODAY + timedelta(days=60), end_date=TODAY + timedelta(days=64))
    return services.create_call(cohort, quotas if quotas is not None else {"VN": 2, "TH": 2}, [],
                                title="Incident response 2027", info_en="Objectives in English",
                                info_ja="日本語の一般情報", opens_on=TODAY - timedelta(days=1),
                                closes_on=TODAY + timedelta(days=20), total_quota=total,
                                **{"min_age": None, "max_age": None, "min_experience_years": None, "job_areas": [],
                                   "min_english": "", "org_types": [], "sectors": [], **rules})


def focal_point(country: str) -> FocalPoint:
    user = factories.user(role="focal_point")
    fp = FocalPoint(user_id=user.id, country=country, apply_token=f"tok-{country}-{user.id}")
    db.session.add(fp)
    db.session.flush()
    return fp


def candidate_values(n: int = 1, **over) -> dict:
    values = dict(family_name=f"Family{n}", given_names=f"Given{n}", native_name="", email=f"cand{n}@example.org",
                  gender="F", nationality="VN", organisation_name="VNCERT", organisation_country="VN",
                  sector="ICT", org_type="national_csirt", job_title="Analyst", date_of_birth=date(1990, 1, 1),
                  experience_years=5, job_area="incident_response", english_level="advanced", locale="en")
    values.update(over)
    return values


def nominate(call, fp, n: int = 1, **over):
    return services.nominate(call, fp, TODAY, **candidate_values(n, nationality=fp.country,
                                                                 organisation_country=fp.country, **over))


def sign_in(app, user):
    client = app.test_client()
    response = client.post("/login", data={"email": user.email, "password": factories.PASSWORD})
    assert response.status_code == 302
    return client
