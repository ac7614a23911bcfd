"""The daily retention job: erase people ``RETENTION_YEARS`` after their last cohort (off when None)."""

from __future__ import annotations

import logging
from datetime import date

from flask import current_app
from huey import crontab

from core.extensions import db
from core.jobs import periodic_job
from privacy.personal_data import apply_retention

log = logging.getLogger("kakehashi.retention")


def run_retention(today: date | None = None) -> int:
    years = current_app.config.get("RETENTION_YEARS")
    if years is None:
        return 0
    erased = apply_retention(today or date.today(), years, dry_run=False)
    db.session.commit()
    if erased:
        log.info("retention: erased %d people past %s years", len(erased), years)
    return len(erased)


@periodic_job(crontab(minute="41", hour="3"))
def retention_sweep() -> int:
    """03:41 UTC every day."""
    return run_retention()
