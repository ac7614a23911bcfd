"""Sign-in/out, password links, own account page, user admin and the audit log."""

from __future__ import annotations

import time
from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from accounts import queries, services
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
from accounts.models import User
from accounts.permissions import admin_required, public, signed_in
from core import audit
from core.errors import ServiceError
from core.extensions import db, limiter, login_manager
from core.forms import parse_date
from core.i18n import _, _l

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
        return services.load_session_user(user_id, session.get("sid"))

    @app.before_request
    def _touch_session():
        if "sid" in session and time.time() - session.get("seen", 0) > 60 and current_user.is_authenticated:
            session["seen"] = time.time()


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
    audit.record("login.throttled", actor=None, object_type="User",
                 summary=f"{request.form.get('email', '')[:254]} from {request.remote_addr}")
    db.session.commit()


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
    if current_user.role in ("trainee", "focal_point") and mine:
        # A trainee's home is the first page of their menu (their own training), not a page of cards.
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
            audit.record("login.failed", object_type="User", summary=form.email.data[:254])
            db.session.commit()
            flash(_("E-mail or password is not correct."), "error")
            return render_template("accounts/login.html", form=form)
        next_url = _safe_next(request.args.get("next"))
        session.clear()
        sid = services.start_session(user, request.remote_addr, request.user_agent.string)
        audit.record("login.success", obj=user, actor=user, summary=user.email)
        db.session.commit()
        session["sid"], session["seen"] = sid, time.time()
        login_user(user)
        return redirect(next_url or url_for("accounts.home"))
    return render_template("accounts/login.html", form=form)


@bp.route("/logout", methods=["POST"])
@signed_in
def logout():
    """Sign out: the server forgets this session, so a copied cookie stops working."""
    services.end_session(session.get("sid"))
    audit.record("logout", obj=current_user._get_current_object(), summary=current_user.email)
    db.session.commit()
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
        user = services.find_user_by_email(form.email.data)
        if user is not None and user.active:
            raw = services.issue_password_token(user, "reset", actor=user)
            db.session.commit()
            _mail_link(user, raw, "reset")
        flash(_("If that address belongs to an account, a link to reset the password has been sent."), "info")
        return redirect(url_for("accounts.login"))
    return render_template("accounts/forgot.html", form=form)


@bp.route("/password/set/<token>", methods=["GET", "POST"])
@public
def set_password(token: str):
    """Set a password through a one-time invitation or reset link."""
    row, problem = services.token_user(token)
    if row is None:
        return render_template("accounts/link_invalid.html", problem=problem), 410
    form = SetPasswordForm()
    if form.validate_on_submit():
        try:
            services.set_password_with_token(token, form.password.data)
        except ServiceError as exc:
            form.password.errors.append(exc.message)
        else:
            db.session.commit()
            flash(_("Your password is set. Please sign in."), "success")
            return redirect(url_for("accounts.login"))
    return render_template("accounts/set_password.html", form=form, user=row.user, purpose=row.purpose)


@bp.route("/account", methods=["GET", "POST"])
@signed_in
def account():
    """Change one's own password and interface language."""
    pw_form, lang_form = ChangePasswordForm(prefix="pw"), LanguageForm(prefix="lang", locale=current_user.locale)
    if pw_form.submit.data and pw_form.validate_on_submit():
        try:
            services.change_password(current_user, pw_form.current_password.data, pw_form.password.data,
                                     session.get("sid"))
        except ServiceError as exc:
            getattr(pw_form, exc.field or "password").errors.append(exc.message)
        else:
            db.session.commit()
            flash(_("Your password has been changed. Other devices have been signed out."), "success")
            return redirect(url_for("accounts.account"))
    elif lang_form.submit.data and lang_form.validate_on_submit():
        services.set_locale(current_user, lang_form.locale.data)
        db.session.commit()
        flash(_("Language saved."), "success")
        return redirect(url_for("accounts.account"))
    return render_template("accounts/account.html", pw_form=pw_form, lang_form=lang_form)


@bp.route("/admin/users")
@admin_required
def users():
    """List and search users."""
    q, role = request.args.get("q", "").strip(), request.args.get("role", "")
    page = db.paginate(queries.users_query(q, role), per_page=current_app.config["PER_PAGE"], error_out=False)
    return render_template("accounts/users.html", page=page, q=q, role=role)


@bp.route("/admin/users/new", methods=["GET", "POST"])
@admin_required
def user_new():
    """Create a user and, optionally, an invitation link to set a password."""
    form = UserCreateForm()
    if form.validate_on_submit():
        try:
            user = services.create_user(form.email.data, form.role.data, form.display_name.data,
                                        actor=current_user)
            raw = services.issue_password_token(user, "invite", current_user) if form.send_invitation.data else None
        except ServiceError as exc:
            getattr(form, exc.field or "email").errors.append(exc.message)
        else:
            db.session.commit()
            flash(_("User %(email)s created.", email=user.email), "success")
            if raw:
                _mail_link(user, raw, "invite")
            return redirect(url_for("accounts.user_edit", user_id=user.id))
    return render_template("accounts/user_new.html", form=form)


@bp.route("/admin/users/<int:user_id>", methods=["GET", "POST"])
@admin_required
def user_edit(user_id: int):
    """Change a user's name, role or active flag."""
    user = db.get_or_404(User, user_id)
    form = UserEditForm(obj=user)
    if form.validate_on_submit():
        try:
            services.update_user(user, role=form.role.data, active=form.active.data,
                                 display_name=form.display_name.data, actor=current_user)
        except ServiceError as exc:
            db.session.rollback()
            getattr(form, exc.field or "role").errors.append(exc.message)
        else:
            db.session.commit()
            flash(_("Changes saved."), "success")
            return redirect(url_for("accounts.user_edit", user_id=user.id))
    return render_template("accounts/user_edit.html", form=form, user=user)


@bp.route("/admin/users/<int:user_id>/link", methods=["POST"])
@admin_required
def user_link(user_id: int):
    """Create a new one-time link (invitation if the user never set a password, else reset)."""
    user = db.get_or_404(User, user_id)
    raw = services.issue_password_token(user, "reset" if user.password_hash else "invite", current_user)
    db.session.commit()
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
