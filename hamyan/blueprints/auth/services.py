"""Accounts: sign-up, sign-in, password reset, profile changes and personal API tokens."""
from email_validator import EmailNotValidError, validate_email
from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from hamyan.core import clock, uow
from hamyan.blueprints.auth.models import ApiToken, User, hash_token
from hamyan.notify.services import notify
from hamyan.core.errors import Conflict, NotFound, ValidationError
from hamyan.extensions import db


EMAIL_TAKEN = "An account with this email already exists. Sign in instead."


def normalize_email(email: str) -> str:
    try:
        return validate_email((email or "").strip(), check_deliverability=False).normalized.lower()
    except EmailNotValidError as exc:
        raise ValidationError(str(exc), field="email") from None


def _check_password_rule(password: str, field: str = "password") -> None:
    if not isinstance(password, str) or not 8 <= len(password) <= 128:
        raise ValidationError("Use 8 to 128 characters.", field=field)


def user_by_email(email: str) -> User | None:
    return db.session.execute(select(User).filter_by(email=email.strip().lower())).scalar_one_or_none()


def signup(email: str, name: str, password: str, is_admin: bool = False) -> User:
    email = normalize_email(email)
    name = (name or "").strip()
    if not name or len(name) > 120:
        raise ValidationError("A name of 1 to 120 characters is required.", field="name")
    _check_password_rule(password)
    if user_by_email(email) is not None:
        raise Conflict(EMAIL_TAKEN, field="email")
    user = User(email=email, name=name, is_admin=is_admin)
    user.set_password(password)
    try:
        with uow.transaction():
            db.session.add(user)
    except IntegrityError:  # the same email signed up meanwhile (a double submit)
        raise Conflict(EMAIL_TAKEN, field="email") from None
    return user


def authenticate(email: str, password: str) -> User:
    user = user_by_email(email or "")
    if user is None or not user.check_password(password or ""):
        raise ValidationError("Wrong email or password.", field="password")
    return user


def load_session_user(session_id: str) -> User | None:
    user_id, _, version = (session_id or "").partition(":")
    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    if user is None or str(user.session_version) != version:
        return None
    return user


def _reset_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="hamyan-password-reset")


@uow.write
def request_password_reset(email: str) -> None:
    """Email a reset link if the account exists; say nothing either way to the requester."""
    user = user_by_email(email or "")
    if user is None:
        return
    token = _reset_serializer().dumps({"user": user.id, "v": user.session_version})
    link = f"{current_app.config['BASE_URL'].rstrip('/')}/reset/{token}"
    minutes = current_app.config["PASSWORD_RESET_MAX_AGE"] // 60
    notify(user.email, "Reset your Hamyan password",
           f"Hello {user.name},\n\nOpen this link to choose a new password:\n{link}\n\n"
           f"It works once, for {minutes} minutes. If you did not ask for it, ignore this email.")


def user_for_reset_token(token: str) -> User:
    try:
        data = _reset_serializer().loads(token, max_age=current_app.config["PASSWORD_RESET_MAX_AGE"])
    except SignatureExpired:
        raise ValidationError("This reset link has expired. Ask for a new one.", field="token") from None
    except BadSignature:
        raise ValidationError("This reset link is not valid.", field="token") from None
    user = db.session.get(User, data.get("user"))
    if user is None or user.session_version != data.get("v"):
        raise ValidationError("This reset link was already used. Ask for a new one.", field="token")
    return user


@uow.write
def reset_password(token: str, password: str) -> User:
    user = user_for_reset_token(token)
    _check_password_rule(password)
    _set_new_password(user, password)
    return user


def _set_new_password(user: User, password: str) -> None:
    user.set_password(password)
    user.session_version += 1  # signs out other sessions, spends reset links


@uow.write
def change_password(user: User, current: str, new: str) -> None:
    if not user.check_password(current or ""):
        raise ValidationError("The current password is wrong.", field="current")
    _check_password_rule(new)
    _set_new_password(user, new)


@uow.write
def change_email(user: User, new_email: str, password: str) -> None:
    if not user.check_password(password or ""):
        raise ValidationError("The current password is wrong.", field="password")
    new_email = normalize_email(new_email)
    other = user_by_email(new_email)
    if other is not None and other.id != user.id:
        raise Conflict("Another account uses this email.", field="email")
    old = user.email
    user.email = new_email
    user.session_version += 1  # like a password change: other sessions and reset links sent to the old address end
    notify(old, "Your Hamyan email was changed", f"The email of your Hamyan account is now {new_email}.")


@uow.write
def update_profile(user: User, name: str) -> None:
    name = (name or "").strip()
    if not name or len(name) > 120:
        raise ValidationError("A name of 1 to 120 characters is required.", field="name")
    user.name = name


@uow.write
def create_api_token(user: User, name: str) -> tuple[ApiToken, str]:
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ValidationError("A name of 1 to 100 characters is required.", field="name")
    secret = ApiToken.new_secret()
    token = ApiToken(user_id=user.id, name=name, token_hash=hash_token(secret))
    db.session.add(token)
    return token, secret


def api_tokens_of(user: User) -> list[ApiToken]:
    return list(db.session.execute(
        select(ApiToken).filter_by(user_id=user.id, revoked_at=None).order_by(ApiToken.created_at.desc())
    ).scalars())


@uow.write
def revoke_api_token(user: User, token_id: int) -> None:
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound()
    if token.revoked_at is None:
        token.revoked_at = clock.now()


def user_for_api_token(secret: str) -> User | None:
    token = db.session.execute(
        select(ApiToken).filter_by(token_hash=hash_token(secret), revoked_at=None)
    ).scalar_one_or_none()
    if token is None:
        return None
    with uow.transaction():
        token.last_used_at = clock.now()
    return token.user
