"""The one blueprint of the exercises feature (organiser pages, live console and the player room)."""

from flask import Blueprint

bp = Blueprint("exercises", __name__, template_folder="templates", url_prefix="/exercises")
