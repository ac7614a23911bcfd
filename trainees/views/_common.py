"""Helpers shared by the organiser pages of the trainees blueprint (query-string arguments, the organisation
named on a trainee form, unique-code validators, the over-capacity warning)."""

from __future__ import annotations

from flask import current_app, request
from flask_login import current_user
from wtforms.validators import ValidationError

from core.errors import ServiceError
from core.i18n import _
from core.refdata import country_codes
from trainees import services
from trainees.duplicates import possible_duplicates
from trainees.models import Organisation


def _me():
    return current_user._get_current_object()


def _int_arg(name: str) -> int | None:
    return request.args.get(name, type=int)


def _text_arg(name: str, max_length: int = 200) -> str:
    """A search text from the query string, trimmed, without NUL characters (PostgreSQL refuses them)."""
    return request.args.get(name, "").replace("\x00", "").strip()[:max_length]


def _choice_arg(name: str, allowed) -> str:
    value = request.args.get(name, "").strip()
    return value if value in allowed else ""


def _country_arg(name: str) -> str:
    return _choice_arg(name, country_codes())


def _organisation_for(form) -> tuple[Organisation, bool]:
    """The organisation named on a trainee form (by name within its country), created when new.

    Sector and type are asked for only when the organisation is new; an existing one keeps its own.
    """
    name, country, sector, org_type = form.organisation_values()
    existing = services.find_organisation(name, country) if name else None
    if existing is not None:
        return existing, False
    if name and not (sector and org_type):
        raise ServiceError(_("“%(name)s” is a new organisation: choose its sector and its type (or pick the name of "
                             "an existing organisation in that country).", name=name),
                           "sector" if not sector else "org_type")
    return services.get_or_create_organisation(name, country, sector, org_type, actor=_me())


def _unique_code(lookup, message: str, current=None):
    """A validator reporting a code already in use together with the form's other errors (the service re-checks)."""
    def check(form, field):
        other = lookup(field.data) if field.data else None
        if other is not None and other is not current:
            raise ValidationError(message % {"code": field.data})
    return check


def _per_page() -> int:
    return current_app.config["PER_PAGE"]


def _warn_if_over_capacity(work, cohort) -> None:
    """Queue a warning (shown after the commit) when the cohort has more seats taken than places."""
    if services.is_over_capacity(cohort):
        work.flash(_("%(code)s is over capacity: %(taken)d seats taken for %(capacity)d places.", code=cohort.code,
                taken=services.counted_or_open_count(cohort), capacity=cohort.capacity), "warning")


def _duplicates_to_confirm(form) -> list:
    """Possible duplicates of a person typed in by hand, unless the organiser said it is someone else."""
    if request.form.get("not_duplicate"):
        return []
    v = form.trainee_values()
    if services.find_trainee_by_email(v["email"]) is not None:
        return []  # the same e-mail is refused by the service, with a link to the registered person
    return possible_duplicates(v["family_name"], v["given_names"], v["email"], v["date_of_birth"], v["nationality"],
                               loose=True)
