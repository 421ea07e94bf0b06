"""Log lines carry the request id (from X-Request-ID, or a new one), also sent back in the response.

The id is put on every LogRecord by a record factory, so it reaches every handler (and pytest's
caplog), whichever logger the line came from."""
import json
import logging
import re
import time
import uuid

from flask import g, has_app_context, request
from sqlalchemy import inspect

FORMAT = "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"


def _current_request_id() -> str:
    return g.get("request_id", "-") if has_app_context() else "-"


def _install_record_factory() -> None:
    base = logging.getLogRecordFactory()
    if getattr(base, "adds_request_id", False):
        return

    def factory(*args, **kwargs):
        record = base(*args, **kwargs)
        record.request_id = _current_request_id()
        return record

    factory.adds_request_id = True
    logging.setLogRecordFactory(factory)


# Letters, digits and - _ . : only: the id goes into log lines, headers and the audit log, where a
# space, quote or = could forge a field.
SANE_ID = re.compile(r"[A-Za-z0-9._:-]{1,64}")


def _incoming_id() -> str:
    """A proxy's X-Request-ID when it is short and plain, else a new id."""
    incoming = request.headers.get("X-Request-ID", "")
    if SANE_ID.fullmatch(incoming):
        return incoming
    return uuid.uuid4().hex[:16]


def _id_of(person):
    """A signed-in user's or API caller's id as the session knows it: a write's commit expired the
    object, and reading its `id` would load the row again for a log line."""
    state = inspect(person, raiseerr=False)
    return state.identity[0] if state is not None and state.identity else getattr(person, "id", None)


def access_line(response) -> str:
    """One JSON object per request: what a log shipper indexes without a parser of our own."""
    from flask_login import current_user

    # never get_id(): it holds the session key
    user = _id_of(current_user._get_current_object()) if current_user and current_user.is_authenticated else None
    api_user = g.get("api_user")
    return json.dumps({
        "request_id": g.get("request_id", "-"), "method": request.method, "path": request.path,
        "endpoint": request.endpoint, "status": response.status_code,
        "ms": round((time.perf_counter() - g.get("request_started", time.perf_counter())) * 1000, 1),
        "bytes": response.calculate_content_length(), "ip": request.remote_addr,
        "user": user or _id_of(api_user),
        "partner_key": getattr(api_user, "key_id", None),
        "agent": (request.user_agent.string or "")[:200],
    }, ensure_ascii=False)


def init_app(app) -> None:
    _install_record_factory()
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.hamyan = True
    root = logging.getLogger()
    # replace the handler an earlier app installed, keep everyone else's (pytest's caplog, gunicorn's)
    root.handlers[:] = [h for h in root.handlers if not getattr(h, "hamyan", False)] + [handler]
    root.setLevel(app.config["LOG_LEVEL"])
    # WeasyPrint narrates every render step at INFO; its warnings still show.
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    app.logger.handlers.clear()
    app.logger.propagate = True

    @app.before_request
    def assign_request_id():
        g.request_id = _incoming_id()
        g.request_started = time.perf_counter()

    @app.after_request
    def send_request_id(response):
        response.headers["X-Request-ID"] = g.get("request_id", "-")
        access = logging.getLogger("hamyan.access")
        if access.isEnabledFor(logging.INFO):  # not worked out to be dropped (HAMYAN_LOG_LEVEL=WARNING)
            access.info("%s", access_line(response))
        return response
