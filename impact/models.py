"""Impact: instruments (versioned), organisation assessments and answers, alumni outcomes, cost lines.

An instrument *version* is one ``Instrument`` row with its own groups and items; a new version adds
new rows and never touches the old ones, so answers keep pointing at the wording they were given for.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, Date, ForeignKey, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from core.db import TimestampMixin
from core.extensions import db

ASSESSMENT_KINDS = ("baseline", "followup")
ASSESSMENT_STATUSES = ("requested", "submitted")
ORG_SIZES = ("1-49", "50-299", "300-999", "1000+")


class Instrument(db.Model):
    """One version of a self-assessment instrument (``key`` ismb | sim3, ``version`` e.g. v1, v2i)."""

    __tablename__ = "impact_instruments"
    __table_args__ = (UniqueConstraint("key", "version"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(20))
    version: Mapped[str] = mapped_column(String(20))
    title_en: Mapped[str] = mapped_column(String(200))
    title_ja: Mapped[str] = mapped_column(String(200))
    description_en: Mapped[str] = mapped_column(Text, default="")
    description_ja: Mapped[str] = mapped_column(Text, default="")
    scale_min: Mapped[int]
    scale_max: Mapped[int]
    #: {"1": {"en": …, "ja": …}, …}
    scale_labels: Mapped[dict] = mapped_column(db.JSON, default=dict)
    is_current: Mapped[bool] = mapped_column(default=True)

    groups: Mapped[list[InstrumentGroup]] = relationship(
        back_populates="instrument", order_by="InstrumentGroup.position", cascade="all, delete-orphan",
        lazy="selectin")

    def title(self, lang: str) -> str:
        return self.title_ja if lang == "ja" else self.title_en

    def label(self, lang: str) -> str:
        return f"{self.title(lang)} ({self.version})"


class InstrumentGroup(db.Model):
    __tablename__ = "impact_instrument_groups"
    __table_args__ = (UniqueConstraint("instrument_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    instrument_id: Mapped[int] = mapped_column(ForeignKey("impact_instruments.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(20))
    position: Mapped[int]
    name_en: Mapped[str] = mapped_column(String(200))
    name_ja: Mapped[str] = mapped_column(String(200))

    instrument: Mapped[Instrument] = relationship(back_populates="groups")
    items: Mapped[list[InstrumentItem]] = relationship(back_populates="group", order_by="InstrumentItem.position",
                                                       cascade="all, delete-orphan", lazy="selectin")

    def name(self, lang: str) -> str:
        return self.name_ja if lang == "ja" else self.name_en


class InstrumentItem(db.Model):
    """A question (ISMS benchmark) or parameter (SIM3), with the Annex A controls it maps to."""

    __tablename__ = "impact_instrument_items"
    __table_args__ = (UniqueConstraint("group_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("impact_instrument_groups.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(20))
    position: Mapped[int]
    text_en: Mapped[str] = mapped_column(Text)
    text_ja: Mapped[str] = mapped_column(Text)
    controls: Mapped[str] = mapped_column(String(200), default="")

    group: Mapped[InstrumentGroup] = relationship(back_populates="items")

    def text(self, lang: str) -> str:
        return self.text_ja if lang == "ja" else self.text_en


class Assessment(TimestampMixin, db.Model):
    """A self-assessment of one organisation with one instrument version, requested for a cohort."""

    __tablename__ = "impact_assessments"
    __table_args__ = (
        CheckConstraint("kind IN ('baseline', 'followup')", name="kind"),
        CheckConstraint("status IN ('requested', 'submitted')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id", ondelete="RESTRICT"), index=True)
    instrument_id: Mapped[int] = mapped_column(ForeignKey("impact_instruments.id", ondelete="RESTRICT"), index=True)
    cohort_id: Mapped[int | None] = mapped_column(ForeignKey("cohorts.id", ondelete="SET NULL"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10), default="requested")
    due_date: Mapped[date] = mapped_column(Date)
    submitted_at: Mapped[datetime | None]
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    submitted_by_name: Mapped[str] = mapped_column(String(200), default="")
    #: Organisation profile as answered (size band, sector, country) — kept with the assessment.
    profile_size: Mapped[str] = mapped_column(String(10), default="")
    profile_sector: Mapped[str] = mapped_column(String(3), default="")
    profile_country: Mapped[str] = mapped_column(String(2), default="")
    invite_token_hash: Mapped[str | None] = mapped_column(String(64), unique=True)

    organisation = relationship("Organisation", lazy="joined")
    instrument: Mapped[Instrument] = relationship(lazy="joined")
    cohort = relationship("Cohort")
    answers: Mapped[list[AssessmentAnswer]] = relationship(back_populates="assessment", cascade="all, delete-orphan")


class AssessmentAnswer(db.Model):
    __tablename__ = "impact_assessment_answers"
    __table_args__ = (UniqueConstraint("assessment_id", "item_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(ForeignKey("impact_assessments.id", ondelete="CASCADE"), index=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("impact_instrument_items.id", ondelete="RESTRICT"), index=True)
    level: Mapped[int]

    assessment: Mapped[Assessment] = relationship(back_populates="answers")


class Outcome(TimestampMixin, db.Model):
    """A dated, countable result after training (Kirkpatrick level 4), about a trainee or an organisation."""

    __tablename__ = "impact_outcomes"
    __table_args__ = (
        CheckConstraint("trainee_id IS NOT NULL OR organisation_id IS NOT NULL", name="subject"),
        CheckConstraint("audience IS NULL OR audience >= 0", name="audience"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30), index=True)
    occurred_on: Mapped[date] = mapped_column(Date, index=True)
    trainee_id: Mapped[int | None] = mapped_column(ForeignKey("trainees.id", ondelete="CASCADE"), index=True)
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id", ondelete="CASCADE"), index=True)
    audience: Mapped[int | None]
    note: Mapped[str] = mapped_column(Text, default="")
    source: Mapped[str] = mapped_column(String(20), default="organiser")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    trainee = relationship("Trainee")
    organisation = relationship("Organisation")


class CostLine(TimestampMixin, db.Model):
    """A budget line of a cohort, or a programme's shared cost for one fiscal year (allocated by person-days).

    ``amount`` is in ``currency``; ``rate_to_jpy`` is the rate used (JPY per unit of the currency).
    """

    __tablename__ = "impact_cost_lines"
    __table_args__ = (
        CheckConstraint("(cohort_id IS NULL) <> (programme_id IS NULL)", name="owner"),
        CheckConstraint("programme_id IS NULL OR fiscal_year IS NOT NULL", name="shared_fy"),
        CheckConstraint("amount >= 0", name="amount"),
        CheckConstraint("rate_to_jpy > 0", name="rate"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cohort_id: Mapped[int | None] = mapped_column(ForeignKey("cohorts.id", ondelete="CASCADE"), index=True)
    programme_id: Mapped[int | None] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"), index=True)
    fiscal_year: Mapped[int | None]
    category: Mapped[str] = mapped_column(String(20))
    description: Mapped[str] = mapped_column(String(300), default="")
    amount: Mapped[Decimal] = mapped_column(Numeric(16, 2))
    currency: Mapped[str] = mapped_column(String(3), default="JPY")
    rate_to_jpy: Mapped[Decimal] = mapped_column(Numeric(16, 6), default=Decimal(1))

    cohort = relationship("Cohort")
    programme = relationship("Programme")

    @property
    def amount_jpy(self) -> Decimal:
        from impact.scoring import to_jpy

        return to_jpy(self.amount, self.rate_to_jpy)


