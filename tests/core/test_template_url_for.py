"""The templates' ``url_for`` (``core.templating.remembered_url_for``): Flask's ``url_for``, with each URL of an
endpoint and plain arguments remembered per request root (issue 17: a page builds 15-30 links). It must give
exactly Flask's URL in every case, remember nothing that depends on more than its key, and leave the cases it
does not remember to Flask."""

from __future__ import annotations

import pytest
from flask import Blueprint, Flask, url_for
from werkzeug.routing import BuildError

from core.templating import remembered_url_for


def _small_app() -> Flask:
    app = Flask(__name__)
    app.add_url_rule("/", "home", lambda: "")
    app.add_url_rule("/cohorts/<int:cohort_id>", "cohort", lambda cohort_id: "")
    app.add_url_rule("/files/<path:name>", "file", lambda name: "")
    app.add_url_rule("/people/<name>", "person", lambda name: "")
    bp = Blueprint("bp", __name__)
    bp.add_url_rule("/bp/<int:n>", "page", lambda n: "")
    bp.add_url_rule("/bp/other", "other", lambda: "")
    app.register_blueprint(bp)
    return app


CALLS = [
    ("home", {}),
    ("cohort", {"cohort_id": 7}),
    ("cohort", {"cohort_id": 7, "page": 2}),  # unknown argument: the query string
    ("cohort", {"page": "x y&z", "cohort_id": 7}),  # its order and quoting are Flask's
    ("file", {"name": "a b/ç/d?.txt"}),
    ("person", {"name": "Nguyễn Thị/Lan"}),
    ("bp.page", {"n": 3}),
    ("home", {"q": "<&>"}),
]


@pytest.mark.parametrize("script_root", ["", "/kakehashi", "/a b"])
def test_every_url_is_flasks_under_any_script_root(script_root):
    app = _small_app()
    ours = remembered_url_for(app)
    with app.test_request_context("/", base_url=f"http://localhost{script_root}/"):
        assert url_for("home") == f"{script_root}/"  # the root is in force
        for _round in range(2):  # built, then remembered
            for endpoint, values in CALLS:
                assert ours(endpoint, **values) == url_for(endpoint, **values), (endpoint, values)
    assert ours.cache_info().hits == len(CALLS)


def test_the_request_root_is_part_of_what_is_remembered():
    app = _small_app()
    ours = remembered_url_for(app)
    with app.test_request_context("/"):
        assert ours("cohort", cohort_id=1) == "/cohorts/1"
    with app.test_request_context("/", base_url="http://localhost/sub/"):
        assert ours("cohort", cohort_id=1) == "/sub/cohorts/1"
    with app.test_request_context("/", base_url="https://other.example/"):
        assert ours("cohort", cohort_id=1) == "/cohorts/1"
        assert ours("cohort", cohort_id=1, _external=True) == "https://other.example/cohorts/1"


def test_what_it_does_not_remember_goes_to_flask():
    app = _small_app()
    ours = remembered_url_for(app)
    with app.test_request_context("/bp/1"):
        assert ours(".other") == url_for(".other") == "/bp/other"  # relative: depends on the request's blueprint
        assert ours("cohort", cohort_id=1, _anchor="x y") == url_for("cohort", cohort_id=1, _anchor="x y")
        assert ours("cohort", cohort_id=1, _external=True) == "http://localhost/cohorts/1"
        assert ours("home", flag=True) == url_for("home", flag=True)  # a bool is not an int here
        assert ours("home", ids=[1, 2]) == url_for("home", ids=[1, 2])
        assert ours("home", none=None) == url_for("home", none=None)
    assert ours.cache_info().currsize == 0
    with app.app_context(), pytest.raises(RuntimeError):  # no request: Flask's (no SERVER_NAME: its error)
        ours("home")


def test_a_failed_build_raises_every_time_and_is_not_remembered():
    app = _small_app()
    ours = remembered_url_for(app)
    with app.test_request_context("/"):
        for _ in range(2):
            with pytest.raises(BuildError):
                ours("cohort")  # its argument is missing
            with pytest.raises(BuildError):
                ours("no.such.endpoint", n=1)
    assert ours.cache_info().currsize == 0


def test_url_defaults_functions_are_followed():
    app = _small_app()
    app.url_defaults(lambda endpoint, values: values.setdefault("lang", "ja") if endpoint == "home" else None)
    ours = remembered_url_for(app)
    with app.test_request_context("/"):
        assert ours("home") == url_for("home") == "/?lang=ja"
    assert ours.cache_info().currsize == 0


def test_at_most_size_urls_are_kept():
    app = _small_app()
    ours = remembered_url_for(app, size=8)
    with app.test_request_context("/"):
        urls = [ours("cohort", cohort_id=n) for n in range(100)]
    assert urls == [f"/cohorts/{n}" for n in range(100)]
    assert ours.cache_info().currsize == 8


def test_the_apps_templates_use_it_and_give_flasks_urls_for_every_route(app):
    assert app.jinja_env.globals["url_for"].__qualname__.startswith("remembered_url_for")
    ours = app.jinja_env.globals["url_for"]
    with app.test_request_context("/", base_url="http://localhost/kk/"):
        checked = 0
        for rule in app.url_map.iter_rules():
            for value in (12, "a b/ç"):  # an int fits every converter of ours; a text only some
                values = dict.fromkeys(rule.arguments, value)
                try:
                    expected = url_for(rule.endpoint, **values)
                except (BuildError, ValueError):  # the int converter refuses a text
                    continue
                assert ours(rule.endpoint, **values) == ours(rule.endpoint, **values) == expected, rule
                checked += 1
    assert checked > 100
