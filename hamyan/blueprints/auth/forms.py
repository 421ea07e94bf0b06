from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Email, EqualTo

from hamyan.i18n import LANGUAGE_NAMES
from hamyan.web.fields import Length

PASSWORD_RULE = Length(min=8, max=128, message=_l("Use 8 to 128 characters."))
NEW_PASSWORD = {"autocomplete": "new-password"}
CURRENT_PASSWORD = {"autocomplete": "current-password"}


def _strip(value):
    return value.strip() if isinstance(value, str) else value


STRIP = [_strip]


class LoginForm(FlaskForm):
    email = EmailField(_l("Email"), filters=STRIP, validators=[DataRequired(), Email(), Length(max=254)],
                       render_kw={"autocomplete": "username"})
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=128)],
                             render_kw=CURRENT_PASSWORD)
    remember = BooleanField(_l("Keep me signed in"))


class SignupForm(FlaskForm):
    name = StringField(_l("Your name"), filters=STRIP, validators=[DataRequired(), Length(max=120)],
                       render_kw={"autocomplete": "name"})
    email = EmailField(_l("Email"), filters=STRIP, validators=[DataRequired(), Email(), Length(max=254)],
                       render_kw={"autocomplete": "email"})
    password = PasswordField(_l("Password"), validators=[DataRequired(), PASSWORD_RULE], render_kw=NEW_PASSWORD)
    confirm = PasswordField(_l("Repeat password"), validators=[DataRequired(), EqualTo("password", _l("Passwords differ."))],
                            render_kw=NEW_PASSWORD)


class ForgotForm(FlaskForm):
    email = EmailField(_l("Email"), filters=STRIP, validators=[DataRequired(), Email(), Length(max=254)])


class ResetForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=[DataRequired(), PASSWORD_RULE], render_kw=NEW_PASSWORD)
    confirm = PasswordField(_l("Repeat password"), validators=[DataRequired(), EqualTo("password", _l("Passwords differ."))],
                            render_kw=NEW_PASSWORD)


class ProfileForm(FlaskForm):
    name = StringField(_l("Name"), filters=STRIP, validators=[DataRequired(), Length(max=120)])


class LanguageForm(FlaskForm):
    # Each language named in itself, so a person finds theirs whatever the page speaks.
    language = SelectField(_l("Interface language"), choices=[("", _l("Automatic"))] + list(LANGUAGE_NAMES.items()))


class ChangeEmailForm(FlaskForm):
    email = EmailField(_l("New email"), filters=STRIP, validators=[DataRequired(), Email(), Length(max=254)],
                       render_kw={"autocomplete": "email"})
    password = PasswordField(_l("Current password"), validators=[DataRequired()], render_kw=CURRENT_PASSWORD)


class ChangePasswordForm(FlaskForm):
    current = PasswordField(_l("Current password"), validators=[DataRequired()], render_kw=CURRENT_PASSWORD)
    password = PasswordField(_l("New password"), validators=[DataRequired(), PASSWORD_RULE], render_kw=NEW_PASSWORD)
    confirm = PasswordField(_l("Repeat new password"), validators=[DataRequired(), EqualTo("password", _l("Passwords differ."))],
                            render_kw=NEW_PASSWORD)


class TokenForm(FlaskForm):
    name = StringField(_l("Token name"), validators=[DataRequired(), Length(max=100)])


class EmptyForm(FlaskForm):
    """A form with only the CSRF token, for buttons that post."""
