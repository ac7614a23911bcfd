"""Scenario text for templates: country placeholders filled, then the one Markdown pipeline (``core.richtext``)."""

from __future__ import annotations

from collections.abc import Mapping

from markupsafe import Markup

from core.richtext import render_markup
from exercises.placeholders import fill


def render_markdown(text: str | None, values: Mapping[str, str] | None = None) -> Markup:
    """Safe HTML for Markdown ``text`` after filling placeholders from ``values``."""
    return render_markup(fill(text or "", values))


def iso_utc(value) -> str:
    """ISO 8601 of a stored datetime, in UTC (SQLite hands back naive values), for <time datetime>."""
    from core.db import as_utc

    return as_utc(value).isoformat() if value is not None else ""


def channel_name(code: str | None) -> str:
    """Display name of an inject channel code."""
    from exercises.vocab import CHANNELS

    return str(CHANNELS.get(code or "", code or ""))
