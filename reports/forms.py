"""The ministry-template upload form (the report filter fields are parsed by ``ReportFilter.parse``)."""

from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SelectField, SubmitField

from core.forms import BaseForm
from core.i18n import LANGUAGE_NAMES, _l


class TemplateForm(BaseForm):
    template = FileField(_l("Your Excel form (.xlsx)"), validators=[FileRequired(_l("Choose an .xlsx file."))])
    lang = SelectField(_l("Language of names and headers"), choices=list(LANGUAGE_NAMES.items()))
    no_pii = BooleanField(_l("Leave out trainee names"))
    submit = SubmitField(_l("Fill and download"))
