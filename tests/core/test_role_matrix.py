"""The role matrix: walks ``app.url_map`` so that every route, including ones added later, is checked.

Every endpoint must declare who may use it (``accounts.permissions``); anonymous users are sent to
sign in, and a role outside a route's ``roles:`` list is refused with 403 before the view runs.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from werkzeug.routing import FloatConverter, IntegerConverter, UUIDConverter

from accounts.models import ROLES
from accounts.permissions import public
from core.security import access_of
from tests import factories
from tests.conftest import make_test_app

#: Methods Flask adds by itself; they are answered without running the view.
AUTOMATIC = {"HEAD", "OPTIONS"}
#: Statuses a role that passes the role check may get for a GET with made-up arguments.
ALLOWED_THROUGH = {200, 302, 303, 404, 410}


def _endpoints(app) -> list[str]:
    return sorted(e for e in app.view_functions if e != "static")


def _rules(app):
    return sorted((r for r in app.url_map.iter_rules() if r.endpoint != "static"), key=lambda r: r.rule)


def _sample_value(converter):
    """A value each URL converter accepts but that names no existing object."""
    if isinstance(converter, IntegerConverter):
        return 999999
    if isinstance(converter, FloatConverter):
        return 999999.0
    if isinstance(converter, UUIDConverter):
        return "00000000-0000-4000-8000-000000000000"
    items = getattr(converter, "items", None)  # AnyConverter: one of its words
    if items:
        return sorted(items)[0]
    return "x"


def _url(rule) -> str:
    values = {name: _sample_value(conv) for name, conv in rule._converters.items()}
    built = rule.build(values, append_unknown=False)
    assert built is not None, f"cannot build a sample URL for {rule.rule} from {values}"
    return built[1]


def _allowed_roles(access: str) -> set[str] | None:
    """The roles a rule admits (None for public routes); fails on an unrecognised rule."""
    if access == "public":
        return None
    assert access.startswith("roles:"), f"unrecognised access rule {access!r}"
    roles = set(access.removeprefix("roles:").split(","))
    assert roles and roles <= set(ROLES), f"access rule {access!r} names an unknown role"
    return roles


def _methods(rule) -> list[str]:
    return sorted(set(rule.methods or ()) - AUTOMATIC)


def _goes_to_login(response) -> bool:
    return response.status_code in (302, 303) and urlsplit(response.headers.get("Location", "")).path == "/login"


def test_every_endpoint_declares_its_access(app):
    undeclared = [e for e in _endpoints(app) if access_of(app.view_functions[e]) is None]
    assert not undeclared, (
        "these endpoints have no access decision (use public, signed_in, role_required, "
        f"organiser_required or admin_required from accounts.permissions): {', '.join(undeclared)}"
    )
    for endpoint in _endpoints(app):
        _allowed_roles(access_of(app.view_functions[endpoint]))


@pytest.fixture
def clients(app, db):
    """One signed-in test client per role, plus an anonymous one under the key None."""
    users = {role: factories.user(role=role) for role in ROLES}
    db.session.commit()
    result = {None: app.test_client()}
    for role, user in users.items():
        client = app.test_client()
        response = client.post("/login", data={"email": user.email, "password": factories.PASSWORD})
        assert response.status_code == 302, f"could not sign in as {role}"
        result[role] = client
    return result


def test_role_matrix(app, clients):
    problems: list[str] = []
    for rule in _rules(app):
        access = access_of(app.view_functions[rule.endpoint])
        if access is None:
            continue  # reported by test_every_endpoint_declares_its_access
        allowed = _allowed_roles(access)
        url = _url(rule)
        for method in _methods(rule):
            where = f"{method} {url} ({rule.endpoint}, {access})"
            anonymous = clients[None].open(url, method=method)
            if allowed is None:
                if method == "GET" and not (anonymous.status_code in ALLOWED_THROUGH or _goes_to_login(anonymous)):
                    problems.append(f"{where}: anonymous got {anonymous.status_code}")
                continue
            if not _goes_to_login(anonymous):
                problems.append(f"{where}: anonymous got {anonymous.status_code}, expected a redirect to /login")
            for role in ROLES:
                if role in allowed:
                    if method != "GET":
                        continue  # only safe requests for roles that may act
                    status = clients[role].open(url, method=method).status_code
                    if status not in ALLOWED_THROUGH:
                        problems.append(f"{where}: {role} got {status}")
                else:
                    status = clients[role].open(url, method=method).status_code
                    if status != 403:
                        problems.append(f"{where}: {role} got {status}, expected 403")
    assert not problems, "role matrix violations:\n" + "\n".join(problems)


def test_matrix_covers_the_accounts_routes(app):
    """Guard against the walk silently checking nothing (e.g. a blueprint not registered)."""
    endpoints = set(_endpoints(app))
    assert {"accounts.login", "accounts.users", "accounts.user_edit", "accounts.audit"} <= endpoints
    assert access_of(app.view_functions["accounts.users"]) == "roles:admin"
    assert access_of(app.view_functions["accounts.account"]) == "roles:admin,organiser,trainee,focal_point,observer"
    # issue 13 item 10: the notice is public; recording or withdrawing consent needs a signed-in user
    assert access_of(app.view_functions["accounts.privacy"]) == "public"
    for endpoint in ("accounts.privacy_accept", "accounts.privacy_withdraw"):
        assert access_of(app.view_functions[endpoint]) == "roles:admin,organiser,trainee,focal_point,observer"
    # issue 13 item 9: everyone may download their own data; only an admin exports or erases a person
    for endpoint in ("privacy.my_data", "privacy.my_data_json"):
        assert access_of(app.view_functions[endpoint]) == "roles:admin,organiser,trainee,focal_point,observer"
    for endpoint in ("privacy.trainee_export", "privacy.trainee_erase", "privacy.observer_grants"):
        assert access_of(app.view_functions[endpoint]) == "roles:admin"
    # issue 13 item 8: the ministry observer reaches its aggregate pages and the signed-in basics only
    for endpoint in ("privacy.observer_dashboard", "privacy.observer_workbook"):
        assert access_of(app.view_functions[endpoint]) == "roles:observer,admin"
    observer_may = sorted(e for e in _endpoints(app)
                          if "observer" in (_allowed_roles(access_of(app.view_functions[e])) or set()))
    assert observer_may == sorted([
        "accounts.account", "accounts.logout", "accounts.privacy_accept", "accounts.privacy_withdraw",
        "notifications.notifications", "notifications.read", "notifications.read_all", "notifications.settings",
        "privacy.my_data", "privacy.my_data_json", "privacy.observer_dashboard", "privacy.observer_workbook"])
    assert access_of(app.view_functions["health.healthz"]) == "public"  # load-balancer probes
    assert access_of(app.view_functions["health.readyz"]) == "public"


ORGANISERS = "roles:admin,organiser"
#: Every nominations route and who may use it (issue 15); a new route must be added here.
NOMINATIONS = {
    "nominations.calls": ORGANISERS, "nominations.call_new": ORGANISERS, "nominations.call_edit": ORGANISERS,
    "nominations.selection": ORGANISERS, "nominations.decide": ORGANISERS, "nominations.duplicate": ORGANISERS,
    "nominations.scores": ORGANISERS, "nominations.endorsement": ORGANISERS,
    "nominations.answer_document": ORGANISERS, "nominations.focal_points": ORGANISERS,
    "nominations.call_letters": ORGANISERS,
    "nominations.fp_home": "roles:focal_point", "nominations.fp_nominate": "roles:focal_point",
    "nominations.fp_candidate": "roles:focal_point", "nominations.fp_endorsement": "roles:focal_point",
    "nominations.fp_upload": "roles:focal_point", "nominations.fp_template": "roles:focal_point",
    "nominations.public_call": "public", "nominations.apply": "public",
}


def test_matrix_covers_the_nominations_routes_and_the_focal_point_role(app):
    assert "focal_point" in ROLES
    declared = {e: access_of(app.view_functions[e]) for e in _endpoints(app) if e.startswith("nominations.")}
    assert declared == NOMINATIONS
    # a focal point reaches their nomination pages and the pages every signed-in user has, nothing else
    focal = {e for e in _endpoints(app) if "focal_point" in (access_of(app.view_functions[e]) or "")}
    shared = {e for e in focal if not e.startswith("nominations.")}
    assert all("admin" in access_of(app.view_functions[e]) and "trainee" in access_of(app.view_functions[e])
               for e in shared), shared


def test_route_without_access_decision_is_refused(database_url):
    fresh = make_test_app(database_url)

    @fresh.route("/forgotten")
    def forgotten():
        return "should never be served"

    @fresh.route("/declared")
    @public
    def declared():
        return "fine"

    client = fresh.test_client()
    response = client.get("/forgotten")
    assert response.status_code == 403
    assert "should never be served" not in response.get_data(as_text=True)
    assert client.get("/declared").status_code == 200


def test_matrix_covers_the_impact_routes(app):
    """Issue 16: organiser pages for organisers and admins, the portal for trainees, the colleague link public."""
    organisers = "roles:admin,organiser"
    expected = {
        "impact.index": organisers, "impact.cohort": organisers, "impact.result": organisers,
        "impact.outcomes": organisers, "impact.outcome_delete": organisers, "impact.cohort_costs": organisers,
        "impact.programme_costs": organisers, "impact.cost_delete": organisers,
        "impact.my_assessments": "roles:trainee", "impact.my_answer": "roles:trainee",
        "impact.my_invite": "roles:trainee", "impact.my_outcomes": "roles:trainee",
        "impact.answer_by_link": "public",
    }
    actual = {e: access_of(app.view_functions[e]) for e in _endpoints(app) if e.startswith("impact.")}
    assert actual == expected


def test_matrix_covers_the_gradebook_and_preview_routes(app):
    """Issue 14 items 8 and 9: preview as trainee and the gradebook are for organisers and admins only —
    trainees, observers and focal points get 403 (walked by test_role_matrix above)."""
    for endpoint in ("courses.preview_lesson", "courses.preview_quiz", "courses.preview_attempt",
                     "courses.gradebook_page", "courses.gradebook_xlsx", "courses.gradebook_attempt",
                     "courses.cohort_gradebook"):
        assert access_of(app.view_functions[endpoint]) == ORGANISERS, endpoint

def test_matrix_covers_the_report_job_and_job_result_routes(app):
    """Issue 12: starting a report job and the job pages are for organisers and admins (the walk above
    checks the refusals); whose run it is, is checked per object (tests/reports/test_report_jobs.py)."""
    for endpoint in ("reports.export_job", "reports.export", "reports.template", "notifications.job_run",
                     "notifications.job_run_status", "notifications.job_run_download"):
        assert access_of(app.view_functions[endpoint]) == "roles:admin,organiser", endpoint
    assert app.url_map.bind("localhost").match("/reports/export/job", method="POST")[0] == "reports.export_job"


def test_programme_logo_routes_are_for_organisers(app):
    """Issue 14 item 10: uploading, removing and previewing a programme's logo."""
    for endpoint in ("trainees.programme_logo_upload", "trainees.programme_logo_delete", "trainees.programme_logo"):
        assert access_of(app.view_functions[endpoint]) == "roles:admin,organiser"
