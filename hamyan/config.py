"""Defaults that run with nothing set. Every setting can be overridden by a HAMYAN_* variable."""
import os
import secrets
from datetime import timedelta
from pathlib import Path


def _instance_secret(instance_path: Path) -> str:
    """A secret key generated once into instance/ so sessions survive restarts."""
    path = instance_path / "secret_key"
    if not path.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_hex(32))
        path.chmod(0o600)
    return path.read_text().strip()


def _env_value(raw: str, default):
    if isinstance(default, bool):
        return raw.lower() in ("1", "true", "yes", "on")
    if isinstance(default, int):
        return int(raw)
    return raw


DEFAULTS = {
    "DATABASE_URL": None,  # None: SQLite at instance/hamyan.sqlite
    "SECRET_KEY": None,  # None: generated once into instance/secret_key
    "BASE_URL": "http://127.0.0.1:5000",  # used in links inside emails
    "MAIL_FROM": "Hamyan <no-reply@hamyan.local>",
    "SMTP_HOST": "",  # empty: email stays in the outbox table and the log
    "SMTP_PORT": 25,
    "SMTP_USER": "",
    "SMTP_PASSWORD": "",
    "SMTP_STARTTLS": False,
    "RATELIMIT_STORAGE_URI": "memory://",
    "LOGIN_RATE_LIMIT": "5 per 5 minutes",  # failed sign-ins per account from one IP address
    "LOGIN_ACCOUNT_RATE_LIMIT": "50 per hour",  # failed sign-ins per account from everywhere together
    "PASSWORD_RESET_MAX_AGE": 3600,
    "SESSION_KEEP_DAYS": 90,  # sign-in sessions ended or unused this long are deleted; remember-me lasts as long
    "INVITATION_MAX_AGE": 7 * 24 * 3600,
    "RECEIPT_MAX_BYTES": 5 * 1024 * 1024,  # a receipt photo or PDF a member or a board uploads
    "MAX_CONTENT_LENGTH": 20 * 1024 * 1024,  # a bigger request is refused before it is read (413)
    "EMAIL_VERIFY_MAX_AGE": 2 * 24 * 3600,
    "SCHEDULER_ENABLED": True,
    "SMS_PROVIDER": "log",  # log: text messages stay in the outbox and the log; gateway: the HTTP gateway below
    "SMS_API_URL": "",  # e.g. https://api.kavenegar.com/v1 (the key goes after it in the path)
    "SMS_API_KEY": "",
    "SMS_SENDER": "",  # the sender line number
    "SMS_TIMEOUT": 10,
    "NUDGE_PAY_DAYS": 7,  # a member who has not paid in this many days after joining is nudged once
    "NUDGE_IDLE_DAYS": 30,  # someone not seen this long is nudged once per absence
    "REMINDER_DAYS_BEFORE": 3,  # members are told this many days before a due date, and on the day
    "REMINDER_LATE_DAYS": "1,7,30",  # ... and again this many days after it while unpaid
    "BACKUP_DIR": "",  # empty: instance/backups
    "BACKUP_KEEP": 14,  # newest backups kept
    "BACKUP_GZIP": True,
    "BACKUP_SCHEDULED": True,  # the backup.create job, once a day
    "SESSION_COOKIE_SECURE": False,  # set true behind HTTPS
    "FORCE_HTTPS": False,
    "PROXY_FIX": False,  # true behind a reverse proxy that sets X-Forwarded-*
    "LOG_LEVEL": "INFO",
    # Online payments (hamyan/blueprints/payments): the gateway new intents use, "sandbox" (Hamyan's
    # own test gateway: never real money) or "zarinpal"; the fee the gateway keeps; how long an
    # intent may wait for its payment.
    "PAYMENTS_GATEWAY": "sandbox",
    "PAYMENTS_FEE_PERCENT": "1",
    "PAYMENTS_FEE_MAX": 0,  # minor units; 0: no cap
    "PAYMENTS_INTENT_MINUTES": 30,
    "PAYMENTS_SANDBOX_SECRET": "",  # empty: derived from SECRET_KEY
    "ZARINPAL_MERCHANT_ID": "",
    "ZARINPAL_BASE_URL": "https://payment.zarinpal.com",
    "ZARINPAL_TIMEOUT": 10,
    "ZARINPAL_ACCESS_TOKEN": "",  # the merchant's token for refunds (empty: refund in Zarinpal's panel)
    "ZARINPAL_GRAPHQL_URL": "https://next.zarinpal.com/api/v4/graphql/",
    # Partner API keys (hamyan/partners): requests per key; webhooks: a receiver's time to answer,
    # and whether deliveries go out right after their write (else only by the webhooks.deliver job).
    "PARTNER_RATE_LIMIT": "120 per minute",
    "WEBHOOK_TIMEOUT": 10,
    "WEBHOOKS_SEND_AFTER_COMMIT": True,
    # A box's locale sets the language of its pages for members who chose none (hamyan/i18n.py).
    # The test suite turns it off, so its English assertions hold on fa_IR boxes; tests of Persian
    # pages turn it on (tests/i18n.py).
    "BOX_SETS_LANGUAGE": True,
}


def load(instance_path: str, overrides: dict | None = None, product_defaults: dict | None = None) -> dict:
    """The settings: core DEFAULTS and each product's, then HAMYAN_* variables, then overrides."""
    instance = Path(instance_path)
    cfg = {}
    for key, default in {**DEFAULTS, **(product_defaults or {})}.items():
        raw = os.environ.get(f"HAMYAN_{key}")
        cfg[key] = default if raw is None else _env_value(raw, default)
    cfg.update(overrides or {})
    if not cfg["DATABASE_URL"]:
        cfg["DATABASE_URL"] = f"sqlite:///{instance / 'hamyan.sqlite'}"
    if not cfg["SECRET_KEY"]:
        cfg["SECRET_KEY"] = _instance_secret(instance)
    cfg["SQLALCHEMY_DATABASE_URI"] = cfg["DATABASE_URL"]
    cfg.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {"pool_pre_ping": True, "pool_recycle": 3600})
    cfg["REMEMBER_COOKIE_SECURE"] = cfg["SESSION_COOKIE_SECURE"]
    cfg["REMEMBER_COOKIE_DURATION"] = timedelta(days=cfg["SESSION_KEEP_DAYS"])  # its session row lives as long
    cfg["SESSION_COOKIE_SAMESITE"] = "Lax"
    # Set the session cookie only when the session changed: a read answered after a write (a name
    # lookup racing a form post) would otherwise put back the older session and lose the write's
    # message. A sign-in's cookie then lasts 31 days (Flask's PERMANENT_SESSION_LIFETIME) from sign-in.
    cfg["SESSION_REFRESH_EACH_REQUEST"] = False
    cfg["REMEMBER_COOKIE_SAMESITE"] = "Lax"
    # Redis down: count sign-in attempts in each process until it is back, rather than failing
    # every sign-in (limits then hold per process, not across them).
    cfg["RATELIMIT_IN_MEMORY_FALLBACK_ENABLED"] = True
    cfg["RATELIMIT_STORAGE_OPTIONS"] = {"socket_connect_timeout": 1, "socket_timeout": 1}
    cfg["WTF_CSRF_TIME_LIMIT"] = None  # tied to the session instead of a clock
    cfg.update(
        API_TITLE="Hamyan API",
        API_VERSION="v1",
        OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/api/v1",
        OPENAPI_JSON_PATH="openapi.json",
        OPENAPI_SWAGGER_UI_PATH=None,
        OPENAPI_REDOC_PATH=None,
        API_SPEC_OPTIONS={"info": {"description": (
            "Dates are ISO 8601 Gregorian days (YYYY-MM-DD) in every box, whatever its calendar: a "
            "Persian-calendar box's pages show and take Jalali dates, its API does not. Times are UTC "
            "(ISO 8601). Amounts are strings of digits in the box's currency. An error's `message` "
            "follows Accept-Language (English or Persian); its `code` is always English.")}},
    )
    return cfg
