"""Secrets the app must read back (partners' webhook signing secrets) are stored sealed: Fernet
(AES-128-CBC + HMAC-SHA256) under a key derived from SECRET_KEY with HKDF, one key per purpose. A
copy of the database alone reveals none of them. Changing SECRET_KEY makes the sealed values
unreadable, so a new webhook secret must then be issued."""
import base64

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF


def _fernet(secret_key: str, purpose: str) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=b"hamyan-sealed", info=purpose.encode()).derive(
        secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(key))


def seal(value: str, purpose: str, secret_key: str | None = None) -> str:
    from flask import current_app

    return _fernet(secret_key or current_app.config["SECRET_KEY"], purpose).encrypt(value.encode()).decode()


def unseal(token: str, purpose: str, secret_key: str | None = None) -> str:
    """The sealed value; ValueError when it was sealed under another SECRET_KEY or altered."""
    from flask import current_app

    try:
        return _fernet(secret_key or current_app.config["SECRET_KEY"], purpose).decrypt(token.encode()).decode()
    except InvalidToken:
        raise ValueError("sealed under another SECRET_KEY, or altered") from None
