"""Access decisions for views. Every route must use one of these; undeclared routes are refused.

``role_required`` follows flasky's ``permission_required`` and CTFd's ``admins_only``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from flask import abort
from flask_login import current_user

from accounts.models import ORGANISER_ROLES, ROLES
from core.extensions import login_manager
from core.security import ACCESS_ATTR


def public(view: Callable) -> Callable:
    """Anyone may call this view, signed in or not."""
    setattr(view, ACCESS_ATTR, "public")
    return view


def role_required(*roles: str) -> Callable:
    """Only signed-in users with one of ``roles`` (anonymous users are sent to sign in)."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if current_user.role not in roles:
                abort(403)
            return view(*args, **kwargs)

        setattr(wrapped, ACCESS_ATTR, "roles:" + ",".join(roles))
        return wrapped

    return decorator


def signed_in(view: Callable) -> Callable:
    """Any signed-in user, whatever the role."""
    return role_required(*ROLES)(view)


organiser_required = role_required(*ORGANISER_ROLES)
admin_required = role_required("admin")
trainee_required = role_required("trainee")
focal_point_required = role_required("focal_point")


def ensure_owner(owner_user_id: int | None) -> None:
    """Object-level check: 404 (not 403, to reveal nothing) unless the current user owns the object."""
    if owner_user_id is None or owner_user_id != current_user.id:
        abort(404)
