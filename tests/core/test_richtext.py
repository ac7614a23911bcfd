"""The one Markdown pipeline (core.richtext) keeps teaching text and removes anything that could run."""

from html.parser import HTMLParser

import pytest

from core.richtext import render, render_inline
from exercises.rendering import render_markdown

XSS = [
    "<script>alert(1)</script>",
    "<iframe src='https://evil.example'></iframe>",
    "<img src=x onerror=alert(1)>",
    "<a href=\"javascript:alert(1)\">x</a>",
    "[click](javascript:alert(1))",
    "[click](JaVaScRiPt:alert(1))",
    "<a href=\"jav&#x09;ascript:alert(1)\">x</a>",
    "<div onclick=\"alert(1)\">x</div>",
    "<svg onload=alert(1)></svg>",
    "<style>body{display:none}</style>",
    "<object data='x.swf'></object>",
    "<p style=\"background:url(javascript:alert(1))\">x</p>",
    "<a href=\"data:text/html;base64,PHNjcmlwdD4=\">x</a>",
    "<form action='https://evil.example'><input></form>",
]


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.attrs = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attrs.extend(attrs)


@pytest.mark.parametrize("source", XSS)
def test_xss_corpus_rendered_inert(source):
    html = render(f"Intro\n\n{source}\n\nOutro")
    parsed = _Elements()
    parsed.feed(html)
    assert not {"script", "iframe", "style", "object", "embed", "svg", "form", "input"} & set(parsed.tags)
    for name, value in parsed.attrs:
        assert not name.startswith("on") and name != "style", (source, html)
        if name in ("href", "src"):
            assert value.split(":", 1)[0].lower() in ("http", "https", "mailto") or ":" not in value, html
    assert "Intro" in html and "Outro" in html


def test_commonmark_and_tables_kept():
    html = render("# Title\n\n**bold** and [ISO](https://www.iso.org/)\n\n| a | b |\n|---|---|\n| 1 | 2 |\n")
    assert "<h1>Title</h1>" in html
    assert "<strong>bold</strong>" in html
    assert '<a href="https://www.iso.org/" rel="noopener noreferrer nofollow">ISO</a>' in html
    assert "<table>" in html and "<td>1</td>" in html


def test_inline_strips_paragraph():
    assert str(render_inline("Use **TLP:RED**")) == "Use <strong>TLP:RED</strong>"
    assert render("") == ""


@pytest.mark.parametrize("source", XSS)
def test_scenario_text_uses_the_same_policy(source):
    """Injects, situations and summaries go through the same pipeline as lessons (placeholders first)."""
    text = f"Intro {{COUNTRY}}\n\n{source}\n\nOutro"
    assert str(render_markdown(text, {"COUNTRY": "Lao PDR"})) == render(text.replace("{COUNTRY}", "Lao PDR"))


def test_placeholder_value_cannot_smuggle_markup():
    html = str(render_markdown("Call {NATIONAL_CSIRT}", {"NATIONAL_CSIRT": "<img src=x onerror=alert(1)>CERT"}))
    assert "onerror" not in html and "CERT" in html


@pytest.mark.parametrize(("source", "kept"), [
    ("![map](https://example.org/map.png)", 'src="https://example.org/map.png"'),
    ("![map](figures/map.png)", 'src="figures/map.png"'),
])
def test_images_https_or_relative_kept(source, kept):
    html = render(source)
    assert kept in html and 'alt="map"' in html


@pytest.mark.parametrize("source", ["![m](http://example.org/m.png)", "![m](data:image/svg+xml;base64,PHN2Zz4=)",
                                    "![m](//evil.example/m.png)", "![m](javascript:alert(1))",
                                    "<img src=\"JaVaScRiPt:alert(1)\" alt=\"m\">"])
def test_images_other_sources_dropped(source):
    html = render(source)  # markdown-it refuses data:/javascript: links itself and leaves the text as written
    assert "src=" not in html and ('alt="m"' in html or "<img" not in html)


def test_svg_and_style_content_removed():
    html = render('<svg><script>alert(1)</script><a xlink:href="javascript:alert(1)">x</a></svg>'
                  "<style>@import url(https://evil.example/x.css)</style>text")
    assert "alert" not in html and "@import" not in html and "<svg" not in html and "text" in html



def test_scenario_page_serves_injects_and_situations_inert(client, db, login_as):
    """HTTP level: a scenario whose summary, situation and inject carry payloads shows them inert."""
    from sqlalchemy import select

    from exercises.models import ScenarioModule
    from exercises.services import library
    from tests.exercises.builders import scenario

    s = scenario()
    payload = ('**kept** <script>alert("s")</script> <img src=x onerror=alert(1)> [l](javascript:alert(1)) '
               '<svg onload=alert(1)></svg> <a href="https://example.org" onclick="alert(1)">ok</a>')
    s.summary = payload
    module = db.session.scalars(select(ScenarioModule).where(ScenarioModule.scenario_id == s.id)).first()
    module.situation = payload
    library.add_inject(s, module_id=module.id, scenario_time="T+03:00", planned_offset_minutes=20,
                       channel="email", from_persona="X", audience="Y", title="Payload", body=payload,
                       expected_actions=[])
    db.session.commit()
    login_as("organiser")
    page = client.get(f"/exercises/scenarios/{s.id}").get_data(as_text=True)
    assert page.count("<strong>kept</strong>") == 3
    assert 'alert("s")' not in page and "onerror" not in page and "onload" not in page and "onclick" not in page
    assert 'href="javascript' not in page and "<svg" not in page
    assert page.count('<a href="https://example.org" rel="noopener noreferrer nofollow">ok</a>') == 3
