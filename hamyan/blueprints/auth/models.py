import hashlib
import secrets

from flask_login import UserMixin
from werkzeug.security import check_password_hash, generate_password_hash

from sqlalchemy import select

from hamyan.core import clock, parse
from hamyan.core.errors import ValidationError
from hamyan.extensions import db, exact_string


class User(UserMixin, db.Model):
    __tablename__ = "user"

    id = db.Column(db.Integer, primary_key=True)
    # Normalised (hamyan.core.parse.email) and compared byte for byte: the unique key and
    # every lookup see `mánager@` and `manager@` as two addresses on every database.
    email = db.Column(exact_string(254), nullable=False, unique=True)
    # Set when the owner opens the link emailed to `email`; cleared when the email changes. Only a
    # verified address is linked to memberships or may accept an invitation.
    email_verified_at = db.Column(db.DateTime, nullable=True)
    name = db.Column(db.String(120), nullable=False)
    password_hash = db.Column(db.String(255), nullable=False)
    is_admin = db.Column(db.Boolean, nullable=False, default=False)
    # Bumped on password or email change: reset and verification links issued before stop working.
    session_version = db.Column(db.Integer, nullable=False, default=1)
    created_at = db.Column(db.DateTime, nullable=False, default=clock.now)
    # Set by an admin: the account cannot sign in and its sessions and API tokens stop working.
    disabled_at = db.Column(db.DateTime, nullable=True)
    # The interface language the person chose (hamyan.i18n.LANGUAGES); empty: the box's, else the browser's.
    language = db.Column(db.String(8), nullable=True)

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def is_verified(self) -> bool:
        return self.email_verified_at is not None

    # The key of the sign-in session this object was loaded for (auth.services.start_session / the
    # user loader); Flask-Login stores get_id() in the session cookie and the remember-me cookie.
    session_key = None

    def get_id(self) -> str:
        return f"{self.id}:{self.session_key}"


def user_by_email(email: str) -> User | None:
    """The account using this address, however it was typed (None for none, or no address)."""
    try:
        key = parse.email(email)
    except ValidationError:
        return None
    return db.session.execute(select(User).filter_by(email=key)).scalar_one_or_none()


class UserSession(db.Model):
    """One sign-in on one browser. The cookie carries a random key whose hash is stored here;
    signing out ends the row, so a copied session or remember-me cookie stops working too.
    The device is what the devices page shows: the hash of the browser's long-lived device cookie
    (a browser that signed in before is not a new device), its User-Agent and IP address."""

    __tablename__ = "user_session"
    __table_args__ = (db.Index("ix_user_session_user_id_device_hash", "user_id", "device_hash"),)

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=False, index=True)
    key_hash = db.Column(db.String(64), nullable=False, unique=True)
    created_at = db.Column(db.DateTime, nullable=False, default=clock.now)
    ended_at = db.Column(db.DateTime, nullable=True)
    device_hash = db.Column(db.String(64), nullable=True)
    user_agent = db.Column(db.String(400), nullable=False, default="")
    ip = db.Column(db.String(45), nullable=False, default="")
    last_seen_at = db.Column(db.DateTime, nullable=True, index=True)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ApiToken(db.Model):
    """A personal API token. Only its hash is stored; the user sees the token once."""

    __tablename__ = "api_token"

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=False, index=True)
    name = db.Column(db.String(100), nullable=False)
    token_hash = db.Column(db.String(64), nullable=False, unique=True)
    created_at = db.Column(db.DateTime, nullable=False, default=clock.now)
    last_used_at = db.Column(db.DateTime, nullable=True)
    revoked_at = db.Column(db.DateTime, nullable=True)

    user = db.relationship("User")

    @staticmethod
    def new_secret() -> str:
        return "hmy_" + secrets.token_urlsafe(32)
