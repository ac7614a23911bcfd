"""Forms of the trainee import pages."""

from __future__ import annotations

from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import BooleanField, HiddenField, SubmitField
from wtforms.validators import DataRequired

from core.forms import BaseForm
from core.i18n import _l


class ImportUploadForm(BaseForm):
    """Choose a file; nothing is written until the preview is confirmed."""

    file = FileField(_l("Spreadsheet (.xlsx or .csv)"), validators=[
        FileRequired(_l("Choose a file to import.")),
        FileAllowed(["xlsx", "csv"], _l("Upload an .xlsx or .csv file.")),
    ], render_kw={"accept": ".xlsx,.csv"})
    skip_invalid = BooleanField(_l("Skip invalid rows and import the valid ones"))
    submit = SubmitField(_l("Check the file"))


class ImportConfirmForm(BaseForm):
    """Confirm a previewed import; the token names the file kept on the server."""

    token = HiddenField(validators=[DataRequired()])
    submit = SubmitField(_l("Confirm import"))
