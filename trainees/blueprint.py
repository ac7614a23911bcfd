"""The one blueprint of the trainees feature: organiser pages, the trainee import and the trainee portal.
Its routes live in ``trainees.views`` (one module per area) and ``trainees.imports.views``."""

from flask import Blueprint

bp = Blueprint("trainees", __name__, template_folder="templates")
