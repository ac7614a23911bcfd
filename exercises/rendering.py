"""Markdown for scenario text: markdown-it-py (raw HTML off) then nh3 sanitising, placeholders filled first."""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

from exercises.placeholders import fill

_TAGS = {"p", "br", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li", "h1", "h2", "h3", "h4", "h5", "h6",
         "hr", "a", "table", "thead", "tbody", "tr", "th", "td", "del"}


@cache
def _parser() -> MarkdownIt:
    return MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table").enable("strikethrough")


def render_markdown(text: str | None, values: Mapping[str, str] | None = None) -> Markup:
    """Safe HTML for Markdown ``text`` after filling placeholders from ``values``."""
    html = _parser().render(fill(text or "", values))
    clean = nh3.clean(html, tags=_TAGS, attributes={"a": {"href", "title"}}, url_schemes={"http", "https", "mailto"},
                      link_rel="noopener noreferrer nofollow")
    return Markup(clean)  # noqa: S704 - sanitised by nh3 just above


def iso_utc(value) -> str:
    """ISO 8601 of a stored datetime, in UTC (SQLite hands back naive values), for <time datetime>."""
    from core.db import as_utc

    return as_utc(value).isoformat() if value is not None else ""


def channel_name(code: str | None) -> str:
    """Display name of an inject channel code."""
    from exercises.vocab import CHANNELS

    return str(CHANNELS.get(code or "", code or ""))
