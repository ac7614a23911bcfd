"""A live Kakehashi server on 127.0.0.1 and Debian's Chromium driven by Playwright.

The live server always uses its own SQLite file (even when ``KAKEHASHI_TEST_DATABASE_URL`` is
set), brought to head by the migrations and filled by the real demo seeders.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import pytest
from werkzeug.serving import make_server

from core.cli import run_seeders
from core.extensions import db
from tests.conftest import make_test_app
from tests.tools import required_program

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@dataclass(frozen=True)
class LiveServer:
    url: str
    host: str
    port: int
    app: object


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    database = tmp_path_factory.mktemp("browser") / "live.sqlite3"
    app = make_test_app(
        f"sqlite:///{database}",
        AUTO_UPGRADE_SQLITE=True,  # tables come from the migrations, as on a real first start
        WTF_CSRF_ENABLED=True,  # the real forms, tokens included
        SERVER_NAME=None,  # answer on 127.0.0.1:<port>, not only "localhost"
    )
    with app.app_context():
        run_seeders()
        db.session.commit()
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    host = f"127.0.0.1:{server.server_port}"
    try:
        yield LiveServer(url=f"http://{host}", host=host, port=server.server_port, app=app)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        with app.app_context():
            db.engine.dispose()


@pytest.fixture(scope="session")
def chromium_path() -> str:
    return required_program(
        "chromium", "Debian's chromium is not on the PATH (apt-get install -y chromium); browser tests skipped")


@pytest.fixture(scope="session")
def browser(chromium_path):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def context(browser):
    context = browser.new_context()
    context.set_default_timeout(15000)
    try:
        yield context
    finally:
        context.close()
