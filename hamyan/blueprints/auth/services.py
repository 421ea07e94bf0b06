"""Accounts: sign-up, email verification, sign-in sessions, password reset, profile changes and
personal API tokens.

Nobody learns from these answers whether an address has an account: sign-up and reset answer the
same either way (the email tells the owner), and a sign-in with an unknown address checks a
password hash all the same, so it takes as long as a wrong password."""
import secrets
import unicodedata

from email_validator import EmailNotValidError, validate_email
from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash

from hamyan.core import clock, uow
from hamyan.blueprints.auth import models
from hamyan.blueprints.auth.models import ApiToken, User, UserSession, hash_token
from hamyan.notify.services import notify
from hamyan.core.errors import Conflict, NotFound, ValidationError
from hamyan.extensions import db


def normalize_email(email: str) -> str:
    """The one form an address is stored and looked up in: domain in IDNA form, NFC, lower case.
    Accents stay: `mánager@` is another address than `manager@` (the column compares bytes)."""
    try:
        normalized = validate_email((email or "").strip(), check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise ValidationError(str(exc), field="email") from None
    return unicodedata.normalize("NFC", normalized).lower()


def account_key(email) -> str:
    """What sign-in attempts are counted by: the account the address names (its normalised form),
    so case or Unicode variants of one address share one count."""
    try:
        return normalize_email(str(email or ""))
    except ValidationError:
        return unicodedata.normalize("NFC", str(email or "").strip()).lower()


def _check_password_rule(password: str, field: str = "password") -> None:
    if not isinstance(password, str) or not 8 <= len(password) <= 128:
        raise ValidationError("Use 8 to 128 characters.", field=field)


def _check_name(name) -> str:
    from hamyan.core.parse import text

    return text(name, "name", label="A name", limit=120)


def user_by_email(email: str) -> User | None:
    try:
        key = normalize_email(email)
    except ValidationError:
        return None
    return db.session.execute(select(User).filter_by(email=key)).scalar_one_or_none()


def signup(email: str, name: str, password: str, *, is_admin: bool = False, verified: bool = False,
           next_url: str = "") -> User | None:
    """Create an account and email its owner a link to confirm the address (`verified` is for the
    demo seeder and tests). When the address already has an account nothing is created: its owner
    gets an email saying so, and the caller answers as if it had worked. Returns the new user or None."""
    email = normalize_email(email)
    name = _check_name(name)
    _check_password_rule(password)
    user = User(email=email, name=name, is_admin=is_admin, email_verified_at=clock.now() if verified else None)
    user.set_password(password)  # before the lookup, so a taken address costs the same time
    try:
        with uow.transaction():
            if user_by_email(email) is not None:
                _tell_owner_of_signup(email)
                return None
            db.session.add(user)
            db.session.flush()
            if not verified:
                send_verification(user, next_url)
    except IntegrityError:  # the same email signed up meanwhile (a double submit)
        return None
    return user


def _tell_owner_of_signup(email: str) -> None:
    base = current_app.config["BASE_URL"].rstrip("/")
    notify(email, "Someone tried to sign up to Hamyan with your email",
           f"An account with this email already exists. If it was you, sign in at {base}/login "
           f"or choose a new password at {base}/forgot. If not, you can ignore this email.")


# ---------------------------------------------------------------- email verification

def _verify_serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="hamyan-verify-email")


def send_verification(user: User, next_url: str = "") -> None:
    """Email a link that confirms the user owns their address (in the caller's unit of work). The
    link names the address and the account's version, so a changed email spends it."""
    token = _verify_serializer().dumps({"user": user.id, "email": user.email, "v": user.session_version,
                                        "next": next_url or ""})
    link = f"{current_app.config['BASE_URL'].rstrip('/')}/verify/{token}"
    hours = current_app.config["EMAIL_VERIFY_MAX_AGE"] // 3600
    notify(user.email, "Confirm your email for Hamyan",
           f"Hello {user.name},\n\nOpen this link to confirm that this is your email:\n{link}\n\n"
           f"It works once, for {hours} hours. Until then no box can add you by this address.")


@uow.write
def resend_verification(user: User, next_url: str = "") -> None:
    if not user.is_verified:
        send_verification(user, next_url)


@uow.write
def verify_email(token: str) -> tuple[User, str]:
    """Mark the address verified and link the memberships managers added with it. Returns the user
    and where the link was taking them. The link works once."""
    try:
        data = _verify_serializer().loads(token, max_age=current_app.config["EMAIL_VERIFY_MAX_AGE"])
    except SignatureExpired:
        raise ValidationError("This confirmation link has expired. Sign in to get a new one.", field="token") from None
    except BadSignature:
        raise ValidationError("This confirmation link is not valid.", field="token") from None
    user = db.session.get(User, data.get("user"))
    if user is None or user.email != data.get("email") or user.session_version != data.get("v") or user.is_verified:
        raise ValidationError("This confirmation link was already used or replaced by a newer one.", field="token")
    user.email_verified_at = clock.now()
    from hamyan.boxes.services import link_verified_email

    link_verified_email(user)
    return user, data.get("next") or ""


# ---------------------------------------------------------------- signing in

_UNKNOWN_HASH: dict = {}  # a hash made once per hashing function, checked for unknown addresses


def authenticate(email: str, password: str) -> User:
    user = user_by_email(email or "")
    if user is None:
        # Check a password anyway: an unknown address takes as long as a wrong password, no longer.
        make = models.generate_password_hash
        dummy = _UNKNOWN_HASH.get(make) or _UNKNOWN_HASH.setdefault(make, make(secrets.token_hex(8)))
        check_password_hash(dummy, password or "")
    if user is None or not user.check_password(password or ""):
        raise ValidationError("Wrong email or password.", field="password")
    return user


@uow.write
def start_session(user: User) -> None:
    """A new sign-in session for this browser; its key goes into the cookies through get_id()."""
    key = secrets.token_urlsafe(32)
    db.session.add(UserSession(user_id=user.id, key_hash=hash_token(key)))
    user.session_key = key


def load_session_user(session_id: str) -> User | None:
    """The user loader: the session (or remember-me cookie) counts only while its row is open."""
    user_id, _, key = (session_id or "").partition(":")
    if not user_id.isdigit() or not key:
        return None
    user = db.session.execute(
        select(User).join(UserSession, UserSession.user_id == User.id)
        .where(User.id == int(user_id), UserSession.key_hash == hash_token(key), UserSession.ended_at.is_(None))
    ).scalar_one_or_none()
    if user is not None:
        user.session_key = key
    return user


@uow.write
def end_sessions(user: User, *, everywhere: bool = False, keep_current: bool = False) -> None:
    """Sign out: this browser's session, or every session of the account (except this one with
    keep_current, after a password change)."""
    query = update(UserSession).where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
    current = hash_token(user.session_key or "")
    if not everywhere:
        query = query.where(UserSession.key_hash == current)
    elif keep_current:
        query = query.where(UserSession.key_hash != current)
    db.session.execute(query.values(ended_at=clock.now()))


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
    end_sessions(user, everywhere=True)
    return user


def _set_new_password(user: User, password: str) -> None:
    """A new password spends reset links and revokes every API token: whoever knew the old
    password may have made one."""
    user.set_password(password)
    user.session_version += 1
    db.session.execute(update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
                       .values(revoked_at=clock.now()))


@uow.write
def change_password(user: User, current: str, new: str) -> None:
    if not user.check_password(current or ""):
        raise ValidationError("The current password is wrong.", field="current")
    _check_password_rule(new)
    _set_new_password(user, new)
    end_sessions(user, everywhere=True, keep_current=True)


@uow.write
def change_email(user: User, new_email: str, password: str) -> None:
    if not user.check_password(password or ""):
        raise ValidationError("The current password is wrong.", field="password")
    new_email = normalize_email(new_email)
    other = user_by_email(new_email)
    if other is not None and other.id != user.id:
        raise Conflict("Another account uses this email.", field="email")
    if new_email == user.email:
        return
    old = user.email
    user.email = new_email
    user.email_verified_at = None  # until its owner opens the link sent there
    user.session_version += 1  # reset and confirmation links sent to the old address end
    end_sessions(user, everywhere=True, keep_current=True)
    notify(old, "Your Hamyan email was changed", f"The email of your Hamyan account is now {new_email}.")
    send_verification(user)


@uow.write
def update_profile(user: User, name: str) -> None:
    user.name = _check_name(name)


@uow.write
def create_api_token(user: User, name: str) -> tuple[ApiToken, str]:
    from hamyan.core.parse import text

    name = text(name, "name", label="A token name", limit=100)
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
