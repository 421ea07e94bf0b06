"""Log lines carry the request id (from X-Request-ID, or a new one), also sent back in the response.

The id is put on every LogRecord by a record factory, so it reaches every handler (and pytest's
caplog), whichever logger the line came from."""
import logging
import uuid

from flask import g, has_app_context, request

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


def _incoming_id() -> str:
    """A proxy's X-Request-ID when it is short and plain, else a new id."""
    incoming = request.headers.get("X-Request-ID", "")
    if incoming and len(incoming) <= 64 and incoming.isascii() and incoming.isprintable():
        return incoming
    return uuid.uuid4().hex[:16]


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

    @app.after_request
    def send_request_id(response):
        response.headers["X-Request-ID"] = g.get("request_id", "-")
        logging.getLogger("hamyan.request").info("%s %s %s", request.method, request.path, response.status_code)
        return response
