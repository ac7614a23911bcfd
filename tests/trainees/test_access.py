"""Every organiser page of the trainees feature refuses trainees (403) and anonymous visitors (sign-in)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from core.security import access_of
from tests import factories


def _my_rules(app):
    """Rules of the organiser pages in trainees/views/ (the portal and import add their own elsewhere)."""
    return [r for r in app.url_map.iter_rules()
            if r.endpoint.startswith("trainees.") and app.view_functions[r.endpoint].__module__.startswith(
                "trainees.views.") and app.view_functions[r.endpoint].__module__ != "trainees.views.portal"]


def _urls(app):
    for rule in _my_rules(app):
        url = rule.rule
        for arg in rule.arguments:
            url = url.replace(f"<int:{arg}>", "1")
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield method, url


def test_every_page_declares_organiser_access(app):
    rules = _my_rules(app)
    assert len(rules) >= 25
    for rule in rules:
        assert access_of(app.view_functions[rule.endpoint]) == "roles:admin,organiser", rule.endpoint


def test_trainee_role_gets_403_everywhere(app, client, db, login_as):
    login_as("trainee")
    for method, url in _urls(app):
        assert client.open(url, method=method).status_code == 403, (method, url)


def test_anonymous_visitors_are_sent_to_sign_in(app, client, db):
    for method, url in _urls(app):
        response = client.open(url, method=method)
        assert response.status_code == 302 and "/login" in response.headers["Location"], (method, url)


@pytest.mark.parametrize("role", ["admin", "organiser"])
def test_admins_and_organisers_reach_every_list_and_see_the_navigation(client, db, login_as, role):
    login_as(role)
    factories.cohort()
    db.session.commit()
    for url in ("/programmes", "/cohorts", "/trainees", "/organisations"):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.get_data(as_text=True)
        for link in ('href="/programmes"', 'href="/cohorts"', 'href="/trainees"', 'href="/organisations"'):
            assert link in html


def test_every_post_route_is_refused_without_a_csrf_token(csrf_app):
    """With CSRF protection on (as in production), a POST without the token never reaches the view."""
    client = csrf_app.test_client()
    for method, url in _urls(csrf_app):
        if method == "POST":
            response = client.post(url)
            assert response.status_code == 400, url
            assert "security check failed" in response.get_data(as_text=True)


def test_every_post_form_in_the_templates_sends_the_csrf_token():
    folder = Path(__file__).resolve().parents[2] / "trainees" / "templates" / "trainees"
    checked = 0
    for template in folder.glob("*.html"):
        text = template.read_text()
        for chunk in re.split(r"<form\b", text)[1:]:
            form = chunk.split("</form>", 1)[0]
            if 'method="post"' in form.split(">", 1)[0]:
                checked += 1
                assert "csrf_token" in form or "csrf()" in form, template.name
    assert checked >= 12
