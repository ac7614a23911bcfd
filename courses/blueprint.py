"""The one blueprint of the courses feature: organiser authoring (``/courses/…``), analytics and the trainee
portal (``/learn/…``). Its routes live in ``courses.views``; each declares its access rule."""

from flask import Blueprint

bp = Blueprint("courses", __name__, template_folder="templates")
