from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, PasswordField, StringField
from wtforms.validators import DataRequired, Email, EqualTo, Length

PASSWORD_RULE = Length(min=8, max=128, message="Use 8 to 128 characters.")
NEW_PASSWORD = {"autocomplete": "new-password"}
CURRENT_PASSWORD = {"autocomplete": "current-password"}


def _strip(value):
    return value.strip() if isinstance(value, str) else value


STRIP = [_strip]


class LoginForm(FlaskForm):
    email = EmailField("Email", filters=STRIP, validators=[DataRequired(), Email(), Length(max=254)],
                       render_kw={"autocomplete": "username"})
    password = PasswordField("Password", validators=[DataRequired(), Length(max=128)],
                             render_kw=CURRENT_PASSWORD)
    remember = BooleanField("Keep me signed in")


class SignupForm(FlaskForm):
    name = StringField("Your name", filters=STRIP, validators=[DataRequired(), Length(max=120)],
                       render_kw={"autocomplete": "name"})
    email = EmailField("Email", filters=STRIP, validators=[DataRequired(), Email(), Length(max=254)],
                       render_kw={"autocomplete": "email"})
    password = PasswordField("Password", validators=[DataRequired(), PASSWORD_RULE], render_kw=NEW_PASSWORD)
    confirm = PasswordField("Repeat password", validators=[DataRequired(), EqualTo("password", "Passwords differ.")],
                            render_kw=NEW_PASSWORD)


class ForgotForm(FlaskForm):
    email = EmailField("Email", filters=STRIP, validators=[DataRequired(), Email(), Length(max=254)])


class ResetForm(FlaskForm):
    password = PasswordField("New password", validators=[DataRequired(), PASSWORD_RULE], render_kw=NEW_PASSWORD)
    confirm = PasswordField("Repeat password", validators=[DataRequired(), EqualTo("password", "Passwords differ.")],
                            render_kw=NEW_PASSWORD)


class ProfileForm(FlaskForm):
    name = StringField("Name", filters=STRIP, validators=[DataRequired(), Length(max=120)])


class ChangeEmailForm(FlaskForm):
    email = EmailField("New email", filters=STRIP, validators=[DataRequired(), Email(), Length(max=254)],
                       render_kw={"autocomplete": "email"})
    password = PasswordField("Current password", validators=[DataRequired()], render_kw=CURRENT_PASSWORD)


class ChangePasswordForm(FlaskForm):
    current = PasswordField("Current password", validators=[DataRequired()], render_kw=CURRENT_PASSWORD)
    password = PasswordField("New password", validators=[DataRequired(), PASSWORD_RULE], render_kw=NEW_PASSWORD)
    confirm = PasswordField("Repeat new password", validators=[DataRequired(), EqualTo("password", "Passwords differ.")],
                            render_kw=NEW_PASSWORD)


class TokenForm(FlaskForm):
    name = StringField("Token name", validators=[DataRequired(), Length(max=100)])


class EmptyForm(FlaskForm):
    """A form with only the CSRF token, for buttons that post."""
