"""The one Markdown pipeline: markdown-it-py, then nh3 with one policy (no Flask, no db).

Used for lessons, questions and explanations (``courses``) and scenario text, situations and
injects (``exercises``). The policy:

- CommonMark plus tables and ~~strikethrough~~. Raw HTML in the source is parsed (so authors may use
  e.g. ``<details>``), then everything goes through nh3's allow-list below.
- Tags: nh3's default allow-list without ``map``, ``area``, ``nav``, ``header``, ``footer``,
  ``center``; plus ``section``. Never ``<script>``, ``<style>``, ``<iframe>``, ``<object>``,
  ``<embed>``, ``<form>``, ``<svg>`` (they and, for script/style, their content are removed).
- Attributes: only those in ``ALLOWED_ATTRIBUTES``; no ``style``, no event handlers (``on…``).
- Links: http, https, mailto or relative; every link gets ``rel="noopener noreferrer nofollow"``.
- Images: ``src`` only https or relative (an ``http:``/``data:`` image is dropped to its alt text).
"""

from __future__ import annotations

from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

_md = MarkdownIt("commonmark", {"html": True, "typographer": False}).enable("table").enable("strikethrough")

ALLOWED_TAGS = (set(nh3.ALLOWED_TAGS) - {"map", "area", "nav", "header", "footer", "center"}) | {"section", "img"}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "hreflang"},
    "abbr": {"title"},
    "img": {"src", "alt", "title", "width", "height"},
    "th": {"colspan", "rowspan", "scope"},
    "td": {"colspan", "rowspan"},
    "ol": {"start"},
    "code": {"class"},
}
URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "noopener noreferrer nofollow"


def _image_source(tag: str, attribute: str, value: str) -> str | None:
    """Keep an image source only when it is https or relative (no http, data: or other scheme)."""
    if tag == "img" and attribute == "src":
        head = value.strip().lower()
        if ":" in head.split("/", 1)[0] and not head.startswith("https:"):
            return None
        if head.startswith("//"):  # protocol-relative: could be http
            return None
    return value


def sanitise(html: str) -> str:
    """Keep only the policy's tags, attributes and URL schemes."""
    return nh3.clean(html, tags=ALLOWED_TAGS, attributes=ALLOWED_ATTRIBUTES, url_schemes=URL_SCHEMES,
                     link_rel=LINK_REL, strip_comments=True, attribute_filter=_image_source)


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
