"""The one blueprint of the impact feature (organiser pages and the trainee's self-assessments)."""

from flask import Blueprint

bp = Blueprint("impact", __name__, template_folder="templates", url_prefix="/impact")


@bp.context_processor
def _impact_context() -> dict:
    from datetime import date

    from flask_babel import get_locale

    return {"lang": "ja" if str(get_locale() or "en").startswith("ja") else "en", "today": date.today()}
