"""The courses blueprint: organiser authoring (``/courses/…``), analytics, and the trainee portal
(``/learn/…``). Routes live in the submodules; each declares its access rule."""

from flask import Blueprint

bp = Blueprint("courses", __name__, template_folder="../templates")

from courses.views import analytics, authoring, portal  # noqa: E402,F401 - routes register on import
