"""The ministry observer (issue 13 item 8): a role that sees aggregate figures of granted programmes only.

An admin grants programmes to an observer (``observer_grants``). The observer's dashboard and workbook
are the "for publication" tables (``reports.workbook.publication_tables``): no names, no lists of people,
every figure about fewer than ``PUBLICATION_MIN_PEOPLE`` people suppressed with complementary
suppression. Every other page refuses the role (the role matrix checks it).
"""

from __future__ import annotations

from sqlalchemy import ForeignKey, delete, select
from sqlalchemy.orm import Mapped, mapped_column

from core import audit
from core.errors import ServiceError
from core.extensions import db
from core.i18n import _
from trainees.models import Programme


class ObserverGrant(db.Model):
    """Programme ``programme_id`` may be seen, as aggregates, by observer ``user_id``."""

    __tablename__ = "observer_grants"

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id", ondelete="CASCADE"), primary_key=True)


def granted_programmes(user) -> list[Programme]:
    """The programmes ``user`` may see: granted ones for an observer, all for an admin."""
    query = select(Programme).order_by(Programme.code)
    if user.role != "admin":
        query = query.join(ObserverGrant, ObserverGrant.programme_id == Programme.id).where(
            ObserverGrant.user_id == user.id)
    return list(db.session.scalars(query))


def set_grants(observer, programme_ids: list[int], *, actor) -> list[int]:
    """Replace the observer's programmes with ``programme_ids``."""
    if observer.role != "observer":
        raise ServiceError(_("Programmes can only be granted to a ministry observer."))
    wanted = set(db.session.scalars(select(Programme.id).where(Programme.id.in_(programme_ids or [-1]))))
    if len(wanted) != len(set(programme_ids)):
        raise ServiceError(_("Choose programmes from the list."))
    before = sorted(db.session.scalars(select(ObserverGrant.programme_id).where(ObserverGrant.user_id == observer.id)))
    db.session.execute(delete(ObserverGrant).where(ObserverGrant.user_id == observer.id))
    db.session.add_all(ObserverGrant(user_id=observer.id, programme_id=pid) for pid in sorted(wanted))
    db.session.flush()
    audit.record("observer.grants", obj=observer, actor=actor, summary=observer.email,
                 before={"programmes": before}, after={"programmes": sorted(wanted)})
    return sorted(wanted)
