"""Forms for signing in, passwords, language and user administration."""

from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField, SubmitField
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional

from accounts.models import ROLES
from core.forms import BaseForm
from core.i18n import LANGUAGE_NAMES, _l


def role_choices():
    labels = {"admin": _l("Administrator"), "organiser": _l("Organiser"), "trainee": _l("Trainee"),
              "focal_point": _l("Focal point"), "observer": _l("Ministry observer")}
    return [(r, labels[r]) for r in ROLES]


class LoginForm(BaseForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254), Email()])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])
    submit = SubmitField(_l("Sign in"))


class ForgotPasswordForm(BaseForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254), Email()])
    submit = SubmitField(_l("Send me a link"))


class SetPasswordForm(BaseForm):
    password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=200)])
    confirm = PasswordField(
        _l("Repeat the new password"),
        validators=[DataRequired(), EqualTo("password", message=_l("The two passwords do not match."))],
    )
    submit = SubmitField(_l("Set password"))


class ChangePasswordForm(SetPasswordForm):
    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])
    submit = SubmitField(_l("Change password"))


class LanguageForm(BaseForm):
    locale = SelectField(_l("Language"), choices=list(LANGUAGE_NAMES.items()))
    submit = SubmitField(_l("Save language"))


class UserCreateForm(BaseForm):
    email = EmailField(_l("E-mail"), validators=[DataRequired(), Length(max=254)])
    display_name = StringField(_l("Display name"), validators=[Optional(), Length(max=200)])
    role = SelectField(_l("Role"), choices=role_choices)
    send_invitation = BooleanField(_l("Create an invitation link to set a password"), default=True)
    submit = SubmitField(_l("Create user"))


class UserEditForm(BaseForm):
    display_name = StringField(_l("Display name"), validators=[DataRequired(), Length(max=200)])
    role = SelectField(_l("Role"), choices=role_choices)
    active = BooleanField(_l("Active (may sign in)"))
    submit = SubmitField(_l("Save changes"))
