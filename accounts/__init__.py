"""Accounts: users, roles, sign-in/out, invitations and password resets, user admin, audit browsing.

Owns the ``users``, ``user_sessions`` and ``password_tokens`` tables.
"""

from flask import Flask


def register(app: Flask) -> None:
    """Register the accounts blueprint, login manager hooks, CLI and navigation."""
    from accounts import cli, views
    from accounts.seed import seed_accounts
    from core.cli import register_seeder
    from core.i18n import _l
    from core.templating import register_nav

    app.register_blueprint(views.bp)
    views.init_login(app)
    app.cli.add_command(cli.users_cli)
    register_seeder(app, 10, seed_accounts)
    from accounts.forms import role_choices

    app.jinja_env.filters["role_name"] = lambda role: dict(role_choices()).get(role, role)
    register_nav(app, _l("Users"), "accounts.users", ("admin",), order=80)
    register_nav(app, _l("Audit log"), "accounts.audit", ("admin",), order=90)
