"""Trainees: programmes, cohorts (course runs), sessions, organisations, trainees (persons),
enrolments with their status history, attendance, trainee import and the trainee home page."""

from flask import Flask


def register(app: Flask) -> None:
    """Register the trainees feature (models are imported so migrations and metadata see them)."""
    from trainees import models  # noqa: F401
