"""Sign-in/out, password links, own account page, user admin and the audit log."""

from __future__ import annotations

import logging
import time
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from accounts import consent, queries, services
from accounts.forms import (
    ChangePasswordForm,
    ForgotPasswordForm,
    LanguageForm,
    LoginForm,
    SetPasswordForm,
    UserCreateForm,
    UserEditForm,
)
from accounts.mail import mail_link as _mail_link
from accounts.mail import send_password_link
from accounts.models import ROLES, User
from accounts.permissions import admin_required, public, signed_in
from core import audit
from core.extensions import db, limiter, login_manager
from core.forms import parse_date
from core.i18n import _, _l, remember_locale
from core.uow import unit_of_work

bp = Blueprint("accounts", __name__, template_folder="templates")


# --- session plumbing -------------------------------------------------------------------------

def init_login(app) -> None:
    """Configure Flask-Login: server-side session rows, idle timeout, friendly redirect."""
    login_manager.login_view = "accounts.login"
    login_manager.login_message = _l("Please sign in to see this page.")
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def _load(user_id: str):
        seen = session.get("seen", 0)
        if time.time() - seen > current_app.config["IDLE_TIMEOUT_MINUTES"] * 60:
            return None
        return services.load_session_user(user_id, session.get("sid"), current_app.permanent_session_lifetime)

    @app.before_request
    def _touch_session():
        if "sid" in session and time.time() - session.get("seen", 0) > 60 and current_user.is_authenticated:
            session["seen"] = time.time()

    @app.before_request
    def _ask_for_consent():
        """Show the privacy notice once per version: a signed-in GET goes there until a decision is recorded."""
        if (not current_app.config.get("PRIVACY_NOTICE_REQUIRED") or request.method != "GET"
                or request.endpoint in CONSENT_EXEMPT or request.endpoint is None
                or "sid" not in session or not current_user.is_authenticated):
            return None
        version = consent.notice_version()
        if session.get("consent_v") == version:
            return None
        if consent.current_record(current_user.id, version) is not None:
            session["consent_v"] = version  # accepted or withdrawn: asked once, not on every page
            return None
        return redirect(url_for("accounts.privacy", next=request.full_path.rstrip("?")))


#: Pages reachable before the privacy notice has been answered.
CONSENT_EXEMPT = {"static", "accounts.privacy", "accounts.privacy_accept", "accounts.privacy_withdraw",
                  "accounts.logout", "accounts.login", "accounts.set_password", "accounts.forgot_password"}


def _safe_next(target: str | None) -> str | None:
    """Only local paths are accepted as a post-login destination."""
    if not target or target.startswith("//") or "\\" in target:
        return None
    parts = urlsplit(target)
    return target if not parts.scheme and not parts.netloc and target.startswith("/") else None


def _account_key() -> str:
    return "login:" + request.form.get("email", "").strip().lower()


def _login_throttled(request_limit) -> None:
    """Record a lockout in the audit log when a sign-in limit is exceeded."""
    with unit_of_work():
        audit.record("login.throttled", actor=None, object_type="User",
                     summary=f"{request.form.get('email', '')[:254]} from {request.remote_addr}")


def _login_failed(response) -> bool:
    return request.method == "POST" and response.status_code != 302


# --- routes -----------------------------------------------------------------------------------

@bp.route("/")
@public
def home():
    """Send signed-in users to the first page of their menu; others to sign in."""
    if not current_user.is_authenticated:
        return redirect(url_for("accounts.login"))
    items = current_app.extensions.get("kakehashi_nav", [])
    mine = sorted((i for i in items if current_user.role in i.roles), key=lambda i: i.order)
    if current_user.role in ("trainee", "focal_point", "observer") and mine:
        # A trainee's home is the first page of their menu (their own training), not a page of cards;
        # an observer's is their aggregate dashboard.
        return redirect(url_for(mine[0].endpoint))
    return render_template("accounts/home.html", items=mine)


@bp.route("/login", methods=["GET", "POST"])
@public
@limiter.limit(lambda: current_app.config["LOGIN_ACCOUNT_LIMIT"], key_func=_account_key, methods=["POST"],
               deduct_when=_login_failed, on_breach=_login_throttled,
               error_message=lambda: _("Too many failed sign-ins for this account. Wait a minute and try again."))
@limiter.limit(lambda: current_app.config["LOGIN_ADDRESS_LIMIT"], methods=["POST"], deduct_when=_login_failed,
               on_breach=_login_throttled,
               error_message=lambda: _("Too many failed sign-ins from your network. Wait a minute and try again."))
def login():
    """Sign in with e-mail and password; a fresh session is started on success."""
    form = LoginForm()
    if form.validate_on_submit():
        user = services.authenticate(form.email.data, form.password.data)
        if user is None:
            with unit_of_work():
                audit.record("login.failed", object_type="User", summary=form.email.data[:254])
            flash(_("E-mail or password is not correct."), "error")
            return render_template("accounts/login.html", form=form)
        next_url = _safe_next(request.args.get("next"))
        session.clear()
        with unit_of_work():
            sid = services.start_session(user, request.remote_addr, request.user_agent.string)
            audit.record("login.success", obj=user, actor=user, summary=user.email)
        session["sid"], session["seen"] = sid, time.time()
        remember_locale(user.locale)  # error pages speak it without asking the database
        login_user(user)
        return redirect(next_url or url_for("accounts.home"))
    return render_template("accounts/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@signed_in
def logout():
    """Sign out: the server forgets this session, so a copied cookie stops working."""
    with unit_of_work():
        services.end_session(session.get("sid"))
        audit.record("logout", obj=current_user._get_current_object(), summary=current_user.email)
    logout_user()
    session.clear()
    flash(_("You have signed out."), "info")
    return redirect(url_for("accounts.login"))


@bp.route("/password/forgot", methods=["GET", "POST"])
@public
@limiter.limit("10 per hour", methods=["POST"])
def forgot_password():
    """Ask for a reset link; the answer is the same whether or not the address is known."""
    form = ForgotPasswordForm()
    if form.validate_on_submit():
        flash(_("If that address belongs to an account, a link to reset the password has been sent."), "info")
        response = redirect(url_for("accounts.login"))
        # Same work on both paths: the account is looked up only after the response has gone out, so
        # its timing cannot tell whether the address has an account.
        response.call_on_close(_reset_later(current_app._get_current_object(), request.host_url, form.email.data))
        return response
    return render_template("accounts/forgot.html", form=form)


def _reset_later(app, host_url: str, email: str):
    """The deferred half of a reset request: look the address up, issue a token and mail the link."""

    def _run() -> None:
        with app.test_request_context("/", base_url=host_url):  # its own context, session and transaction
            try:
                user = services.find_user_by_email(email)
                if user is None or not user.active:
                    return
                raw = services.issue_password_token(user, "reset", actor=user)
                send_password_link(user, raw, "reset")  # queued in this transaction
                db.session.commit()
            except Exception:  # the response has gone: log, never raise into the server
                logging.getLogger("kakehashi.accounts").exception("password reset for a requested address failed")
                db.session.rollback()

    return _run


@bp.route("/password/set/<token>", methods=["GET", "POST"])
@public
def set_password(token: str):
    """Set a password through a one-time invitation or reset link."""
    row, problem = services.token_user(token)
    if row is None:
        return render_template("accounts/link_invalid.html", problem=problem), 410
    form = SetPasswordForm()
    if form.validate_on_submit():
        with unit_of_work(form.password, success=_("Your password is set. Please sign in.")):
            services.set_password_with_token(token, form.password.data)
            return redirect(url_for("accounts.login"))
    return render_template("accounts/set_password.html", form=form, user=row.user, purpose=row.purpose)


@bp.route("/account", methods=["GET", "POST"])
@signed_in
def account():
    """Change one's own password and interface language."""
    pw_form, lang_form = ChangePasswordForm(prefix="pw"), LanguageForm(prefix="lang", locale=current_user.locale)
    if pw_form.submit.data and pw_form.validate_on_submit():
        with unit_of_work(pw_form, "password",
                          success=_("Your password has been changed. Other devices have been signed out.")):
            services.change_password(current_user, pw_form.current_password.data, pw_form.password.data,
                                     session.get("sid"))
            return redirect(url_for("accounts.account"))
    elif lang_form.submit.data and lang_form.validate_on_submit():
        with unit_of_work(success=_("Language saved.")):
            services.set_locale(current_user, lang_form.locale.data)
            remember_locale(lang_form.locale.data)
        return redirect(url_for("accounts.account"))
    return render_template("accounts/account.html", pw_form=pw_form, lang_form=lang_form)


@bp.route("/privacy")
@public
def privacy():
    """The privacy notice (anyone may read it) and, when signed in, one's consent and the buttons."""
    from flask_babel import get_locale

    locale = str(get_locale() or "en")
    record = consent.current_record(current_user.id) if current_user.is_authenticated else None
    return render_template("accounts/privacy.html", text=consent.notice_text(locale),
                           version=consent.notice_version(), record=record,
                           status=consent.status_of(record), next=_safe_next(request.args.get("next")))


@bp.route("/privacy/accept", methods=["POST"])
@signed_in
def privacy_accept():
    """Accept the current privacy notice (recorded with its version, the language and the date)."""
    from flask_babel import get_locale

    with unit_of_work(success=_("Thank you. Your consent has been recorded.")) as work:
        consent.accept(current_user._get_current_object(), str(get_locale() or "en"))
    if work.ok:
        session["consent_v"] = consent.notice_version()
        return redirect(_safe_next(request.form.get("next")) or url_for("accounts.home"))
    return redirect(url_for("accounts.privacy"))


@bp.route("/privacy/withdraw", methods=["POST"])
@signed_in
def privacy_withdraw():
    """Withdraw (or decline) consent to the current notice; the organisers see it on the trainee's page."""
    from flask_babel import get_locale

    with unit_of_work(success=_("Your decision has been recorded. The organisers of your programme will see it.")) \
            as work:
        consent.withdraw(current_user._get_current_object(), str(get_locale() or "en"))
    if work.ok:
        session["consent_v"] = consent.notice_version()
    return redirect(url_for("accounts.privacy"))


@bp.route("/admin/users")
@admin_required
def users():
    """List and search users."""
    q, role = request.args.get("q", "").strip(), request.args.get("role", "")
    page = db.paginate(queries.users_query(q, role), per_page=current_app.config["PER_PAGE"], error_out=False)
    return render_template("accounts/users.html", page=page, q=q, role=role, roles=ROLES)


@bp.route("/admin/users/new", methods=["GET", "POST"])
@admin_required
def user_new():
    """Create a user and, optionally, an invitation link to set a password."""
    form = UserCreateForm()
    if form.validate_on_submit():
        with unit_of_work(form, "email") as work:
            user = services.create_user(form.email.data, form.role.data, form.display_name.data,
                                        actor=current_user)
            raw = services.issue_password_token(user, "invite", current_user) if form.send_invitation.data else None
            if raw:  # queued in the same transaction as the user and the token
                _mail_link(user, raw, "invite")
            work.success = _("User %(email)s created.", email=user.email)
        if work.ok:
            return redirect(url_for("accounts.user_edit", user_id=user.id))
    return render_template("accounts/user_new.html", form=form)


@bp.route("/admin/users/<int:user_id>", methods=["GET", "POST"])
@admin_required
def user_edit(user_id: int):
    """Change a user's name, role or active flag."""
    user = db.get_or_404(User, user_id)
    form = UserEditForm(obj=user)
    if form.validate_on_submit():
        with unit_of_work(form, "role", success=_("Changes saved.")):
            services.update_user(user, role=form.role.data, active=form.active.data,
                                 display_name=form.display_name.data, actor=current_user)
            return redirect(url_for("accounts.user_edit", user_id=user.id))
    return render_template("accounts/user_edit.html", form=form, user=user)


@bp.route("/admin/users/<int:user_id>/link", methods=["POST"])
@admin_required
def user_link(user_id: int):
    """Create a new one-time link (invitation if the user never set a password, else reset)."""
    user = db.get_or_404(User, user_id)
    with unit_of_work():
        raw = services.issue_password_token(user, "reset" if user.password_hash else "invite", current_user)
        _mail_link(user, raw, "reset" if user.password_hash else "invite")
    return redirect(url_for("accounts.user_edit", user_id=user.id))


@bp.route("/admin/audit", endpoint="audit")
@admin_required
def audit_log():
    """Browse the audit log, filtered by actor, action and date."""
    args = request.args
    start, end = parse_date(args.get("start")), parse_date(args.get("end"))
    stmt = queries.audit_query(args.get("actor", "").strip(), args.get("action", ""), start, end)
    page = db.paginate(stmt, per_page=current_app.config["PER_PAGE"], error_out=False)
    return render_template("accounts/audit.html", page=page, actions=queries.audit_actions(), args=args)
