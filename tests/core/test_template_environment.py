"""The app's Jinja environment (``core.templating.Environment``): templates read the environment's globals dict
itself (issue 17: Jinja's per-template ``ChainMap`` made every render and every macro import walk it key by key),
which keeps later changes visible and refuses the template-specific globals that would now leak into it."""

from __future__ import annotations

import pytest
from jinja2 import ChainableUndefined, DictLoader

from core.templating import Environment


def test_app_uses_it_and_templates_share_the_environment_globals(app):
    env = app.jinja_env
    assert isinstance(env, Environment)
    with app.test_request_context("/"):
        template = env.get_template("layout/base.html")
    assert template.globals is env.globals  # not a copy: a global added later still shows
    env.globals["kk_test_late_global"] = "late"
    try:
        assert env.from_string("{{ kk_test_late_global }}").render() == "late"
        assert template.globals["kk_test_late_global"] == "late"
    finally:
        del env.globals["kk_test_late_global"]


def _env():
    env = Environment.__new__(Environment)  # a bare Jinja environment of the same class, without a Flask app
    from jinja2 import Environment as JinjaEnvironment

    JinjaEnvironment.__init__(env, loader=DictLoader({
        "macros.html": "{% macro hello(name) %}Hello {{ name }}{% endmacro %}",
        "page.html": '{% from "macros.html" import hello %}{{ hello(who) }}, {{ site }}',
    }), autoescape=True, undefined=ChainableUndefined)
    env.globals["site"] = "Kakehashi"
    return env


def test_macro_imports_use_the_imported_templates_cached_module():
    env = _env()
    page, macros = env.get_template("page.html"), env.get_template("macros.html")
    assert page.render(who="<Lan>") == "Hello &lt;Lan&gt;, Kakehashi"
    built = macros.make_module
    calls = []
    macros.make_module = lambda *a, **k: calls.append(a) or built(*a, **k)
    assert [page.render(who=n) for n in ("A", "B")] == ["Hello A, Kakehashi", "Hello B, Kakehashi"]
    assert calls == []  # Jinja would rebuild the module per render if the global names differed


def test_template_specific_globals_are_refused_or_kept_apart():
    env = _env()
    for load in (lambda: env.get_template("page.html", globals={"x": 1}),
                 lambda: env.select_template(["page.html"], globals={"x": 1}),
                 lambda: env.get_or_select_template("page.html", globals={"x": 1})):
        with pytest.raises(TypeError):
            load()
    own = env.from_string("{{ x }} {{ site }}", globals={"x": "mine"})
    assert own.render() == "mine Kakehashi"
    assert "x" not in env.globals  # from_string's own globals stay in its ChainMap


@pytest.mark.parametrize("language", ["en", "ja"])
def test_date_formatter_equals_fmt_date(app, language):
    from datetime import date

    from core.templating import date_formatter, fmt_date

    days = [date(2024, 4, 1), date(2019, 5, 1), date(2026, 12, 31), None]
    with app.test_request_context("/", headers={"Accept-Language": language}):
        for fmt in ("medium", "short", "long"):
            day = date_formatter(fmt)
            assert [day(d) for d in days] == [fmt_date(d, fmt) for d in days]
    with app.app_context():  # no request: no page locale either
        assert date_formatter()(date(2024, 4, 1)) == fmt_date(date(2024, 4, 1))


def test_escape_text_equals_markupsafe_escape():
    from markupsafe import escape

    from core.templating import escape_text

    samples = ["", "Org 12", "NGUYEN Thi Lan", "O'Brien \"Bob\"", "Ngô & Sons <b>", "日本の組織", "a&amp;b", "<<>>",
               "'", '"', "&", "tab\tand\nnewline", "emoji 🎌 & co"]
    for text in samples:
        assert escape_text(text) == str(escape(text)), text
        assert type(escape_text(text)) is str
