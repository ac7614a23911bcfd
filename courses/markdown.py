"""Markdown rendering for lessons, questions and explanations: markdown-it-py, then nh3 (no Flask, no db).

markdown-it-py renders CommonMark plus tables (raw HTML is passed through so organisers may use e.g.
``<details>``); nh3 then keeps only an allow-list of tags and attributes, which removes ``<script>``,
``<iframe>``, ``<style>``, ``<object>``, event-handler attributes (``onerror``, ``onclick`` …), ``style``
attributes and any URL scheme except http, https and mailto (so ``javascript:`` and ``data:`` links go).
Links get ``rel="noopener noreferrer"``.
"""

from __future__ import annotations

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

_md = MarkdownIt("commonmark", {"html": True, "typographer": False}).enable("table")

ALLOWED_TAGS = (set(nh3.ALLOWED_TAGS) - {"img", "map", "area", "nav", "header", "footer", "center"}) | {"section"}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "hreflang"},
    "abbr": {"title"},
    "th": {"colspan", "rowspan", "scope"},
    "td": {"colspan", "rowspan"},
    "ol": {"start"},
    "code": {"class"},
}
URL_SCHEMES = {"http", "https", "mailto"}


def sanitise(html: str) -> str:
    """Keep only safe tags, attributes and URL schemes."""
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes=URL_SCHEMES,
                     link_rel="noopener noreferrer", strip_comments=True)


def render(text: str | None) -> str:
    """Safe HTML for a Markdown text."""
    if not text:
        return ""
    return sanitise(_md.render(text))


@lru_cache(maxsize=4096)
def render_markup(text: str | None) -> Markup:
    """Safe HTML marked as such for Jinja (cached: question texts repeat on every quiz page)."""
    return Markup(render(text))  # noqa: S704 - sanitised by nh3 above


def render_inline(text: str | None) -> Markup:
    """Render a one-paragraph text without the wrapping <p> (option labels, short stems)."""
    html = render(text).strip()
    if html.startswith("<p>") and html.endswith("</p>") and html.count("<p>") == 1:
        html = html[3:-4]
    return Markup(html)  # noqa: S704 - sanitised by nh3 above


def word_count(text: str | None) -> int:
    return len((text or "").split())
