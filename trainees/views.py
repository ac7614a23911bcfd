"""Organiser pages for programmes, cohorts, sessions, attendance, organisations and trainees."""

from flask import Blueprint

bp = Blueprint("trainees", __name__, template_folder="templates")
