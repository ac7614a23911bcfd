"""The one blueprint of the nominations feature (organiser, focal-point and public pages)."""

from flask import Blueprint

bp = Blueprint("nominations", __name__, template_folder="templates", url_prefix="/nominations")
