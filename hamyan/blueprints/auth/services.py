"""Accounts: sign-up, email verification, sign-in sessions, password reset, profile changes and
personal API tokens.

Nobody learns from these answers whether an address has an account: sign-up and reset answer the
same either way (the email tells the owner), and a sign-in with an unknown address checks a
password hash all the same, so it takes as long as a wrong password."""
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import gettext as _, lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import case, func, select, update
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash

from hamyan.boxes.access import Principal
from hamyan.core import clock, parse, uow
from hamyan.core.parse import record_id
from hamyan.blueprints.auth import models
from hamyan.blueprints.auth.models import ApiToken, User, UserSession, hash_token, user_by_email
from hamyan.i18n import LANGUAGES
from hamyan.notify.services import notify, speaking
from hamyan.core.errors import Conflict, Forbidden, NotFound, ValidationError
from hamyan.extensions import db


def account_key(email) -> str:
    """What sign-in attempts are counted by: the account the address names (its normalised form),
    so case or Unicode variants of one address share one count."""
    try:
        return parse.email(str(email or ""))
    except ValidationError:
        return unicodedata.normalize("NFC", str(email or "").strip()).lower()


def _check_password_rule(password: str, field: str = "password") -> None:
    if not isinstance(password, str) or not 8 <= len(password) <= 128:
        raise ValidationError(_("Use 8 to 128 characters."), field=field)


def _check_name(name) -> str:
    from hamyan.core.parse import text

    return text(name, "name", label="A name", limit=120)


def signup(email: str, name: str, password: str, *, is_admin: bool = False, verified: bool = False,
           next_url: str = "", language: str | None = None) -> User | None:
    """Create an account and email its owner a link to confirm the address (`verified` is for the
    demo seeder and tests); `language` is the one the visitor chose before signing up, kept as theirs. When the address already has an account nothing is created: its owner
    gets an email saying so, and the caller answers as if it had worked. Returns the new user or None."""
    email = parse.email(email)
    name = _check_name(name)
    _check_password_rule(password)
    user = User(email=email, name=name, is_admin=is_admin, email_verified_at=clock.now() if verified else None,
                language=language if language in LANGUAGES else None)
    user.set_password(password)  # before the lookup, so a taken address costs the same time
    try:
        with uow.transaction():
            if user_by_email(email) is not None:
                _tell_owner_of_signup(user_by_email(email))
                return None
            db.session.add(user)
            db.session.flush()
            if not verified:
                send_verification(user, next_url)
    except IntegrityError:  # the same email signed up meanwhile (a double submit)
        return None
    return user


def _tell_owner_of_signup(owner: User) -> None:
    base = current_app.config["BASE_URL"].rstrip("/")
    with speaking(owner):
        notify(owner.email, _("Someone tried to sign up to Hamyan with your email"),
               _("An account with this email already exists. If it was you, sign in at %(login)s "
                 "or choose a new password at %(forgot)s. If not, you can ignore this email.",
                 login=base + "/login", forgot=base + "/forgot"))


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
    with speaking(user):
        notify(user.email, _("Confirm your email for Hamyan"),
               _("Hello %(name)s,\n\nOpen this link to confirm that this is your email:\n%(link)s\n\n"
                 "It works once, for %(hours)s hours. Until then no box can add you by this address.",
                 name=user.name, link=link, hours=hours))


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
        raise ValidationError(_("This confirmation link has expired. Sign in to get a new one."), field="token") from None
    except BadSignature:
        raise ValidationError(_("This confirmation link is not valid."), field="token") from None
    user = db.session.get(User, data.get("user"))
    if user is None or user.email != data.get("email") or user.session_version != data.get("v") or user.is_verified:
        raise ValidationError(_("This confirmation link was already used or replaced by a newer one."), field="token")
    user.email_verified_at = clock.now()
    from hamyan.boxes.services import link_verified_email

    link_verified_email(user)
    return user, data.get("next") or ""


# ---------------------------------------------------------------- signing in

DISABLED = _l("This account is disabled. Ask the site's operator to enable it.")
_UNKNOWN_HASH: dict = {}  # a hash made once per hashing function, checked for unknown addresses


def authenticate(email: str, password: str) -> User:
    user = user_by_email(email or "")
    if user is None:
        # Check a password anyway: an unknown address takes as long as a wrong password, no longer.
        make = models.generate_password_hash
        dummy = _UNKNOWN_HASH.get(make) or _UNKNOWN_HASH.setdefault(make, make(secrets.token_hex(8)))
        check_password_hash(dummy, password or "")
    if user is None or not user.check_password(password or ""):
        raise ValidationError(_("Wrong email or password."), field="password")
    if user.disabled_at is not None:
        raise ValidationError(str(DISABLED), field="email")
    return user


@uow.write
def start_session(user: User, device: str, user_agent: str = "", ip: str = "") -> None:
    """A new sign-in session for this browser; its key goes into the cookies through get_id().
    `device` is the browser's device cookie: a browser this account never signed in on before is a
    new device, and the owner is told (not for an account's very first sign-in)."""
    key = secrets.token_urlsafe(32)
    device_hash = hash_token(device)
    # None: the account never signed in before; 0: it did, never on this device; 1: a known device
    seen = db.session.scalar(select(func.max(case((UserSession.device_hash == device_hash, 1), else_=0)))
                             .where(UserSession.user_id == user.id))
    db.session.add(UserSession(user_id=user.id, key_hash=hash_token(key), device_hash=device_hash,
                               user_agent=(user_agent or "")[:400], ip=(ip or "")[:45], last_seen_at=clock.now()))
    user.session_key = key
    if seen == 0:
        _tell_owner_of_new_device(user, user_agent, ip)


def known_device(email, device: str) -> str:
    """The hash of `device` (a browser's device cookie) when that browser has signed in to the
    account of `email` before, else "" (the sign-in limits count such a browser on its own)."""
    if not device or not isinstance(device, str) or len(device) > 64:
        return ""
    user = user_by_email(email if isinstance(email, str) else "")
    device_hash = hash_token(device)
    if user is None or db.session.scalar(select(UserSession.id).where(
            UserSession.user_id == user.id, UserSession.device_hash == device_hash).limit(1)) is None:
        return ""
    return device_hash


def _tell_owner_of_new_device(user: User, user_agent: str, ip: str) -> None:
    from hamyan.notify.services import profile

    base = current_app.config["BASE_URL"].rstrip("/")
    zone = profile(user.id).timezone
    with speaking(user):
        notify(user.email, _("New sign-in to your Hamyan account"),
               _("Hello %(name)s,\n\nYour account was just signed in on a new device: %(device)s, "
                 "IP address %(ip)s, at %(time)s (%(zone)s).\n\nIf it was you, there is "
                 "nothing to do. If not, sign that device out at %(devices)s and change your password.",
                 name=user.name, device=describe_device(user_agent), ip=ip or _("unknown"),
                 time=clock.to_local(clock.now(), zone).strftime("%Y-%m-%d %H:%M"), zone=zone,
                 devices=base + "/profile/devices"),
               user_id=user.id, kind="new_device")


def describe_device(user_agent: str) -> str:
    """"Chrome Mobile 120 on Android 13" from a User-Agent (ua-parser's rules), or what is known."""
    import ua_parser

    found = ua_parser.parse(user_agent or "")
    browser = " ".join(filter(None, (found.user_agent.family, found.user_agent.major))) if found.user_agent else ""
    system = " ".join(filter(None, (found.os.family, found.os.major))) if found.os else ""
    if browser and system:
        return _("%(browser)s on %(system)s", browser=browser, system=system)
    return browser or system or _("Unknown browser")


SEEN_EVERY = timedelta(minutes=5)  # last seen is written at most this often per session, not per request


def load_session_user(session_id: str, seen_from: str = "") -> User | None:
    """The user loader: the session (or remember-me cookie) counts only while its row is open and the
    account is not disabled. Notes when and from where the session was last seen."""
    user_id, _, key = (session_id or "").partition(":")
    if not user_id.isdigit() or not key:
        return None
    found = db.session.execute(
        select(User, UserSession).join(UserSession, UserSession.user_id == User.id)
        .where(User.id == int(user_id), UserSession.key_hash == hash_token(key), UserSession.ended_at.is_(None),
               User.disabled_at.is_(None))
    ).one_or_none()
    if found is None:
        return None
    user, session = found
    now = clock.now()
    if session.last_seen_at is None or now - session.last_seen_at >= SEEN_EVERY or session.ip != (seen_from or "")[:45]:
        with uow.transaction():  # a Core update: bookkeeping, not an action for the audit log
            db.session.execute(update(UserSession).where(UserSession.id == session.id)
                               .values(last_seen_at=now, ip=(seen_from or "")[:45]))
    user.session_key = key
    return user


@dataclass(frozen=True)
class Device:
    id: int
    name: str  # browser and system
    ip: str
    signed_in_at: datetime
    last_seen_at: datetime | None
    current: bool  # the browser asking


MAX_DEVICES = 100  # a page lists this many open sessions at most, newest seen first


def devices_of(actor, user_id) -> list[Device]:
    """A user's open sessions: their own, or anyone's for an admin (404 for others)."""
    user = _sessions_owner(actor, user_id)
    current = hash_token(getattr(Principal.of(actor).user, "session_key", None) or "")
    rows = db.session.scalars(
        select(UserSession).where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
        .order_by(func.coalesce(UserSession.last_seen_at, UserSession.created_at).desc()).limit(MAX_DEVICES))
    return [Device(row.id, describe_device(row.user_agent), row.ip, row.created_at, row.last_seen_at,
                   row.key_hash == current) for row in rows]


def _sessions_owner(actor, user_id) -> User:
    principal = Principal.of(actor)
    user = db.session.get(User, record_id(user_id) or 0)
    if user is None or not (principal.is_admin or principal.user_id == user.id):
        raise NotFound()
    return user


@uow.write
def sign_out_device(actor, user_id, session_id) -> bool:
    """End one session of a user (their own, or an admin for anyone): that browser is signed out
    on its next request. True when it was the actor's own browser."""
    user = _sessions_owner(actor, user_id)
    row = db.session.get(UserSession, record_id(session_id) or 0)
    if row is None or row.user_id != user.id:
        raise NotFound()
    if row.ended_at is None:
        row.ended_at = clock.now()
    return row.key_hash == hash_token(getattr(Principal.of(actor).user, "session_key", None) or "")


@uow.write
def end_sessions(user: User, *, everywhere: bool = False, keep_current: bool = False, actor=None) -> None:
    """Sign out: this browser's session, or every session of the account (except this one with
    keep_current, after a password change). Row by row, so the audit log lists each device."""
    query = select(UserSession).where(UserSession.user_id == user.id, UserSession.ended_at.is_(None))
    current = hash_token(user.session_key or "")
    if not everywhere:
        query = query.where(UserSession.key_hash == current)
    elif keep_current:
        query = query.where(UserSession.key_hash != current)
    now = clock.now()
    for row in db.session.scalars(query):
        row.ended_at = now


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
    with speaking(user):
        notify(user.email, _("Reset your Hamyan password"),
               _("Hello %(name)s,\n\nOpen this link to choose a new password:\n%(link)s\n\n"
                 "It works once, for %(minutes)s minutes. If you did not ask for it, ignore this email.",
                 name=user.name, link=link, minutes=minutes))


def user_for_reset_token(token: str) -> User:
    try:
        data = _reset_serializer().loads(token, max_age=current_app.config["PASSWORD_RESET_MAX_AGE"])
    except SignatureExpired:
        raise ValidationError(_("This reset link has expired. Ask for a new one."), field="token") from None
    except BadSignature:
        raise ValidationError(_("This reset link is not valid."), field="token") from None
    user = db.session.get(User, data.get("user"))
    if user is None or user.session_version != data.get("v"):
        raise ValidationError(_("This reset link was already used. Ask for a new one."), field="token")
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
        raise ValidationError(_("The current password is wrong."), field="current")
    _check_password_rule(new)
    _set_new_password(user, new)
    end_sessions(user, everywhere=True, keep_current=True)


@uow.write
def change_email(user: User, new_email: str, password: str) -> None:
    if not user.check_password(password or ""):
        raise ValidationError(_("The current password is wrong."), field="password")
    new_email = parse.email(new_email)
    other = user_by_email(new_email)
    if other is not None and other.id != user.id:
        raise Conflict(_("Another account uses this email."), field="email")
    if new_email == user.email:
        return
    old = user.email
    user.email = new_email
    user.email_verified_at = None  # until its owner opens the link sent there
    user.session_version += 1  # reset and confirmation links sent to the old address end
    end_sessions(user, everywhere=True, keep_current=True)
    with speaking(user):
        notify(old, _("Your Hamyan email was changed"), _("The email of your Hamyan account is now %(email)s.", email=new_email))
    send_verification(user)


@uow.write
def update_profile(user: User, name: str) -> None:
    user.name = _check_name(name)


@uow.write
def set_language(user: User, language: str | None) -> None:
    """The interface language the person chose; empty for the box's, else the browser's."""
    from hamyan.i18n import LANGUAGES

    if language and language not in LANGUAGES:
        raise ValidationError(_("Choose one of the languages offered."), field="language")
    user.language = language or None


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
    """The user of a personal API token (None: unknown, revoked, or the account disabled), in one
    query; when the token was last used is written at most every SEEN_EVERY, as a session's is, so
    a script's calls do not each commit a write."""
    found = db.session.execute(
        select(User, ApiToken).join(ApiToken, ApiToken.user_id == User.id)
        .where(ApiToken.token_hash == hash_token(secret), ApiToken.revoked_at.is_(None), User.disabled_at.is_(None))
    ).one_or_none()
    if found is None:
        return None
    user, token = found
    now = clock.now()
    if token.last_used_at is None or now - token.last_used_at >= SEEN_EVERY:
        with uow.transaction():  # a Core update: bookkeeping, not an action for the audit log
            db.session.execute(update(ApiToken).where(ApiToken.id == token.id).values(last_used_at=now))
    return user


# ---------------------------------------------------------------- what admins do to accounts

def _admin_target(actor, user_id) -> User:
    if not Principal.of(actor).is_admin:
        raise NotFound()
    user = db.session.get(User, record_id(user_id) or 0)
    if user is None:
        raise NotFound()
    return user


@uow.write
def set_disabled(actor, user_id, disabled: bool) -> User:
    """Disable an account (it cannot sign in; its sessions end at once and its API tokens stop
    working) or enable it again. An admin cannot disable their own account."""
    user = _admin_target(actor, user_id)
    if disabled and user.id == Principal.of(actor).user_id:
        raise Forbidden(_("You cannot disable your own account."), field="user")
    if disabled and user.disabled_at is None:
        user.disabled_at = clock.now()
        end_sessions(user, everywhere=True)
    elif not disabled:
        user.disabled_at = None
    return user


@uow.write
def force_password_reset(actor, user_id) -> User:
    """The password stops working at once (every session ends, API tokens are revoked) and its owner
    is emailed a link to choose a new one."""
    user = _admin_target(actor, user_id)
    _set_new_password(user, secrets.token_urlsafe(32))  # nobody knows it: only the link signs in
    end_sessions(user, everywhere=True)
    request_password_reset(user.email)
    return user
