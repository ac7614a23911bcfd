"""The per-request user loader: one query, and only for a live server-side session of that very user."""

from __future__ import annotations

from accounts import services
from tests import factories


def test_user_is_loaded_only_with_its_own_live_session(db):
    alice, bob = factories.user(), factories.user()
    gone = factories.user(active=False)
    sid_alice = services.start_session(alice, "127.0.0.1", "pytest")
    sid_bob = services.start_session(bob, "127.0.0.1", "pytest")
    sid_gone = services.start_session(gone, "127.0.0.1", "pytest")
    db.session.commit()
    assert services.load_session_user(str(alice.id), sid_alice) is alice
    assert services.load_session_user(str(bob.id), sid_bob) is bob
    assert services.load_session_user(str(alice.id), sid_bob) is None  # someone else's session
    assert services.load_session_user(str(bob.id), sid_alice) is None
    assert services.load_session_user(str(alice.id), None) is None
    assert services.load_session_user(str(alice.id), "no-such-session") is None
    assert services.load_session_user("1 or 1=1", sid_alice) is None
    assert services.load_session_user(str(gone.id), sid_gone) is None  # deactivated
    services.end_session(sid_alice)
    db.session.commit()
    assert services.load_session_user(str(alice.id), sid_alice) is None  # signed out


def test_a_signed_in_page_costs_one_query_for_the_user(client, login_as, count_queries):
    login_as("trainee")
    with count_queries() as counter:
        assert client.get("/account").status_code == 200
    assert counter.count == 1
