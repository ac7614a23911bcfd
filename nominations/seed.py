"""Demo data for ``seed-demo``: an open call on the latest planned cohort and two focal points (idempotent)."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from werkzeug.security import generate_password_hash

from accounts.models import User
from accounts.seed import DEMO_PASSWORD
from accounts.services import find_user_by_email
from core.extensions import db
from nominations.models import CallQuestion, CallQuota, FocalPoint, NominationCall
from trainees.models import Cohort

FOCAL_POINTS = (("focal.vn@demo.kakehashi.example", "Tran Van Minh (VNCERT/CC)", "VN"),
                ("focal.th@demo.kakehashi.example", "Suda Chaiyaporn (ThaiCERT)", "TH"))
CALL_TITLE = "Call for nominations: ASEAN incident response training"


def seed_nominations() -> list[str]:
    """Two focal points (Viet Nam, Thailand) and one open call; return the sign-in lines."""
    for index, (email, name, country) in enumerate(FOCAL_POINTS):
        user = find_user_by_email(email)
        if user is None:
            user = User(email=email, display_name=name, role="focal_point",
                        password_hash=generate_password_hash(DEMO_PASSWORD))
            db.session.add(user)
            db.session.flush()
        if db.session.scalar(select(FocalPoint.id).where(FocalPoint.user_id == user.id)) is None:
            db.session.add(FocalPoint(user_id=user.id, country=country, apply_token=f"demo-{country.lower()}-{index}"))
    today = date.today()
    cohort = db.session.scalar(select(Cohort).where(Cohort.start_date > today).order_by(Cohort.start_date.desc()))
    cohort = cohort or db.session.scalar(select(Cohort).order_by(Cohort.start_date.desc()))
    exists = db.session.scalar(select(NominationCall.id).where(NominationCall.title == CALL_TITLE)) is not None
    if cohort is not None and not exists:
        call = NominationCall(
            cohort_id=cohort.id, title=CALL_TITLE,
            info_en="Objectives: strengthen national incident response capabilities in ASEAN Member States.\n"
                    "Eligibility: staff of national CSIRTs, regulators and critical-infrastructure operators, "
                    "aged 25 to 45, with at least 3 years of relevant experience and good English.",
            info_ja="目的：ASEAN加盟国のインシデント対応能力の強化。\n対象：国家CSIRT、規制機関、重要インフラ事業者の職員"
                    "（25〜45歳、関連業務経験3年以上、英語力良好）。",
            joining_instructions="Please arrive the day before the course; the venue sends travel details.",
            opens_on=today - timedelta(days=7), closes_on=today + timedelta(days=30), total_quota=6,
            min_age=25, max_age=45, min_experience_years=3, min_english="intermediate", job_areas=[],
            org_types=[], sectors=[])
        call.quotas = [CallQuota(country=c, quota=2) for c in ("LA", "TH", "VN")]
        call.questions = [CallQuestion(position=0, kind="text", prompt="Why do you want to join this course?",
                                       required=True),
                          CallQuestion(position=1, kind="yes_no", prompt="Is your passport valid for 6 months?")]
        db.session.add(call)
    db.session.flush()
    lines = ["Nominations: focal points (same password):"]
    lines += [f"  focal_point {email} ({country})" for email, _name, country in FOCAL_POINTS]
    return lines
