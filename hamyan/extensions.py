"""Every Flask extension is created once here and init_app'ed in create_app()."""
from apscheduler.schedulers.background import BackgroundScheduler
from flask_htmx import HTMX
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
import marshmallow as ma
from flask import jsonify
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_smorest import Api
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData, String
from sqlalchemy.dialects import mysql

# Named constraints so later migrations can drop them on every backend.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}



def exact_string(length: int):
    """A string compared byte for byte on every database. MariaDB's default utf8mb4_unicode_ci
    would make `mánager@x` equal `manager@x` (and Manager@x), so a unique key or a lookup on it
    would find another person's row; SQLite already compares binary."""
    bin_ = mysql.VARCHAR(length, collation="utf8mb4_bin")
    return String(length).with_variant(bin_, "mysql").with_variant(bin_, "mariadb")


db = SQLAlchemy(metadata=MetaData(naming_convention=NAMING_CONVENTION))
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
htmx = HTMX()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


def error_body(status: int, code: str, message: str, fields: dict | None = None):
    """The API's one error shape: {"error": {"code", "message", "fields"}}."""
    return jsonify(error={"code": code, "message": message, "fields": fields or {}}), status


class ErrorDetail(ma.Schema):
    code = ma.fields.String(required=True, metadata={"description": "What went wrong, for programs: "
                                                    "validation_error, not_found, forbidden, conflict, unauthorized..."})
    message = ma.fields.String(required=True, metadata={"description": "What went wrong, for people"})
    fields = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.String(), required=True,
                            metadata={"description": "A message per field of the request that is wrong"})


class Error(ma.Schema):
    """Every error of the API: {"error": {"code", "message", "fields"}}."""

    error = ma.fields.Nested(ErrorDetail, required=True)


class HamyanApi(Api):
    """flask-smorest with the error format of our design instead of its own, documented as such."""

    ERROR_SCHEMA = Error

    def handle_http_exception(self, error):
        fields = {}
        messages = (getattr(error, "data", None) or {}).get("messages") or {}
        for location, problems_there in messages.items():  # webargs: {"json": {"field": ["msg"]}}
            if not isinstance(problems_there, dict):  # a body that is not JSON: {"json": ["Invalid JSON body."]}
                problems_there = {location: problems_there}
            for name, problems in problems_there.items():
                fields[name] = "; ".join(_flatten(problems))
        code = (error.name or "error").lower().replace(" ", "_")
        if error.code == 422:
            code, message = "validation_error", _("Some fields are not valid.")
        else:
            message = http_message(error)
        body, status = error_body(error.code or 500, code, message, fields)
        if error.code == 405:  # which methods the URL takes (werkzeug knows them)
            body.headers["Allow"] = dict(error.get_headers()).get("Allow", "")
        return body, status


HTTP_MESSAGES = {400: _l("The request was not understood. Go back and try again."),
                 403: _l("You may not open this page."),
                 404: _l("The address may be mistyped, or the page was removed."),
                 405: _l("This page cannot be used that way."),
                 413: _l("What was sent is too large.")}


def http_message(error) -> str:
    """Werkzeug's own English description of an HTTP error, in the request's language; a message
    given to abort() as is."""
    if error.description == type(error).description and error.code in HTTP_MESSAGES:
        return str(HTTP_MESSAGES[error.code])
    return error.description or error.name


def _flatten(problems):
    if isinstance(problems, dict):
        for value in problems.values():
            yield from _flatten(value)
    elif isinstance(problems, (list, tuple)):
        for value in problems:
            yield from _flatten(value)
    else:
        yield str(problems)


api = HamyanApi()
scheduler = BackgroundScheduler(timezone="UTC")
