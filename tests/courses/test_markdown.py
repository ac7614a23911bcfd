"""The Markdown renderer keeps teaching text and removes anything that could run."""

from html.parser import HTMLParser

import pytest

from courses.markdown import render, render_inline

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
    assert not {"script", "iframe", "style", "object", "embed", "svg", "form", "input", "img"} & set(parsed.tags)
    for name, value in parsed.attrs:
        assert not name.startswith("on") and name != "style", (source, html)
        if name in ("href", "src"):
            assert value.split(":", 1)[0].lower() in ("http", "https", "mailto") or ":" not in value, html
    assert "Intro" in html and "Outro" in html


def test_commonmark_and_tables_kept():
    html = render("# Title\n\n**bold** and [ISO](https://www.iso.org/)\n\n| a | b |\n|---|---|\n| 1 | 2 |\n")
    assert "<h1>Title</h1>" in html
    assert "<strong>bold</strong>" in html
    assert '<a href="https://www.iso.org/" rel="noopener noreferrer">ISO</a>' in html
    assert "<table>" in html and "<td>1</td>" in html


def test_inline_strips_paragraph():
    assert str(render_inline("Use **TLP:RED**")) == "Use <strong>TLP:RED</strong>"
    assert render("") == ""
