"""Base form: every form gets Flask-WTF's CSRF token, and text input is cleaned (NUL dropped, trimmed)."""

from flask_wtf import FlaskForm
from wtforms import FieldList, FormField


def _clean(value):
    """Drop NUL characters (PostgreSQL refuses them in text columns) and trim surrounding whitespace."""
    return value.replace("\x00", "").strip() if isinstance(value, str) else value


class BaseForm(FlaskForm):
    """All forms subclass this so CSRF is always on and text is cleaned before validation."""

    class Meta:
        def bind_field(self, form, unbound_field, options):
            if issubclass(unbound_field.field_class, (FieldList, FormField)):
                return unbound_field.bind(form=form, **options)  # these take no filters
            filters = unbound_field.kwargs.get("filters", [])
            if _clean not in filters:
                filters = [_clean, *filters]
            return unbound_field.bind(form=form, filters=filters, **options)


def parse_date(value: str | None):
    """A date from an ISO ``YYYY-MM-DD`` query argument, or None when missing or malformed."""
    from datetime import date

    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None
