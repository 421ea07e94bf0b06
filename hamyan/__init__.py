"""Hamyan: community finance on one double-entry ledger."""
import hashlib
import math
import os
import time
from pathlib import Path

from flask import Flask, render_template, request
from flask_babel import gettext as _, lazy_gettext
from flask_limiter.errors import RateLimitExceeded
from flask_talisman import Talisman
from flask_wtf.csrf import CSRFError
from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from hamyan import config as config_module
from hamyan import i18n
from hamyan import logging_setup
from hamyan.blueprints import PRODUCTS
from hamyan.core.errors import ServiceError
from hamyan.extensions import api, csrf, db, error_body, htmx, http_message, limiter, login_manager, migrate

# The platform's job modules; each product names its own in its descriptor (Product.jobs).
PLATFORM_JOBS = ("hamyan.notify.jobs", "hamyan.statements.jobs", "hamyan.backup.jobs", "hamyan.blueprints.payments.jobs",
                 "hamyan.partners.jobs", "hamyan.blueprints.auth.jobs", "hamyan.analytics.jobs", "hamyan.hamyar.jobs")

CSP = {"default-src": "'self'", "img-src": ["'self'", "data:"], "frame-ancestors": "'none'",
       "form-action": "'self'", "base-uri": "'self'", "object-src": "'none'"}


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    """SQLite leaves foreign keys off per connection unless asked; WAL lets readers run beside a writer."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_path=os.environ.get("HAMYAN_INSTANCE_PATH") or None,
                instance_relative_config=True)
    app.config.update(config_module.load(app.instance_path, config,
                                         {k: v for p in PRODUCTS for k, v in p.settings.items()}))
    logging_setup.init_app(app)
    if app.config["PROXY_FIX"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)

    db.init_app(app)
    migrate.init_app(app, db, render_as_batch=True, compare_type=True)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = lazy_gettext("Sign in to continue.")
    login_manager.localize_callback = str  # the lazy message in the request's language
    login_manager.login_message_category = "info"
    csrf.init_app(app)
    htmx.init_app(app)
    limiter.init_app(app)
    i18n.init_app(app)
    # One Talisman per app: it keeps its options on the instance, so a shared one would let a second
    # app (tests build several) change the first one's headers.
    Talisman(app, content_security_policy=CSP, frame_options="DENY", force_https=app.config["FORCE_HTTPS"],
             session_cookie_secure=app.config["SESSION_COOKIE_SECURE"],
             strict_transport_security=app.config["FORCE_HTTPS"])

    from hamyan import models  # noqa: F401  every table registered before migrations look
    from hamyan.blueprints.auth.views import load_user

    login_manager.user_loader(load_user)

    from hamyan.audit.views import bp as audit_bp
    from hamyan.blueprints import api as api_package
    from hamyan.blueprints.admin import bp as admin_bp
    from hamyan.hamyar.views import bp as hamyar_bp
    from hamyan.analytics.views import bp as analytics_bp
    from hamyan.notify.views import bp as campaigns_bp
    from hamyan.blueprints.auth import bp as auth_bp
    from hamyan.blueprints.box import bp as box_bp
    from hamyan.blueprints.home import bp as home_bp
    from hamyan.blueprints.members import bp as members_bp
    from hamyan.blueprints.payments import bp as payments_bp
    from hamyan.partners.views import bp as partners_bp
    from hamyan.blueprints.reports import bp as reports_bp

    app.register_blueprint(admin_bp)
    app.register_blueprint(campaigns_bp)
    app.register_blueprint(hamyar_bp)
    app.register_blueprint(analytics_bp)
    app.register_blueprint(audit_bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(box_bp)
    app.register_blueprint(home_bp)
    app.register_blueprint(members_bp)
    app.register_blueprint(payments_bp)
    app.register_blueprint(partners_bp)
    app.register_blueprint(reports_bp)
    for product in PRODUCTS:
        app.register_blueprint(product.load("views"))
    from hamyan.blueprints.payments.api import bp as payments_api
    from hamyan.blueprints.payments.api import reports_bp as payment_reports_api

    api_package.register(app, [product.load("api") for product in PRODUCTS] + [payments_api, payment_reports_api])

    _register_template_helpers(app)
    _register_error_handlers(app)
    _register_cli(app)

    from hamyan import scheduling
    from hamyan.analytics import events  # noqa: F401  registers its unit-of-work listener
    from hamyan.partners import webhooks  # noqa: F401  registers its unit-of-work listener
    from hamyan.notify import receipts  # noqa: F401  registers its unit-of-work listener

    scheduling.init_app(app, PLATFORM_JOBS + tuple(product.jobs for product in PRODUCTS if product.jobs))
    return app


def warm_up(app: Flask) -> None:
    """Build now what a worker would otherwise build inside its first requests: every template
    compiled, each language's catalogues and number data loaded, the mappers configured, WeasyPrint
    imported. A worker's first dashboard took about a second more than its next one (about half a
    second for a member page), and each new or recycled worker paid it again. wsgi.py calls this in
    serving processes, before they take requests."""
    import weasyprint  # noqa: F401  (imported when a PDF is first made, not at import time)
    from babel.numbers import format_decimal
    from flask_babel import force_locale, get_translations
    from jinja2 import FileSystemBytecodeCache
    from sqlalchemy.orm import configure_mappers

    configure_mappers()
    # Compiled templates are kept on disk (by source checksum), so a worker loads rather than compiles
    # them: ~0.3 s instead of seconds of CPU at each start, which on a busy host can near the timeout.
    app.jinja_env.bytecode_cache = FileSystemBytecodeCache(pattern=f"__jinja2_{_calling_key(app.jinja_env)}_%s.cache")
    with app.app_context():
        for name in app.jinja_env.list_templates():
            app.jinja_env.get_template(name)
        for language in i18n.LANGUAGES:
            with force_locale(language):
                get_translations()
            format_decimal(1234.5, locale=language)


def _calling_key(env) -> str:
    """Names how the templates' filters and tests are called (with the context or not), which
    compiled code bakes in: templates compiled before a filter came to take the context are not
    loaded from the disk cache (their source is the same), which would call it the old way."""
    calls = sorted(f"{name}:{getattr(function, 'jinja_pass_arg', None)}"
                   for kind in (env.filters, env.tests) for name, function in kind.items())
    return hashlib.sha256("\n".join(calls).encode()).hexdigest()[:12]


def _register_template_helpers(app: Flask) -> None:
    from hamyan.boxes.models import role_name
    from hamyan.web import fields, listing, once_each, register_macros, status_badge, url_maker

    app.jinja_env.globals["day_input"] = fields.day_input
    # PDFs are made by jobs too, with no site to fetch from: fonts are files.
    app.jinja_env.globals["font_url"] = lambda name: (Path(app.static_folder) / "fonts" / "vazirmatn" / name).as_uri()

    register_macros(app, "partials/forms.html", ("field", "form_errors"))
    register_macros(app, "partials/pager.html", ("pager",))
    register_macros(app, "partials/listing.html", ("list_filters", "list_table"))
    app.jinja_env.globals["list_cell"] = listing.cell
    app.jinja_env.globals["status_name"] = listing.status_name
    app.jinja_env.globals["role_name"] = role_name
    app.jinja_env.globals["status_badge"] = status_badge
    app.jinja_env.globals["once_each"] = once_each
    app.jinja_env.globals["url_maker"] = url_maker
    register_macros(app, "partials/picker.html", ("name_picker", "names_picker"))


CSRF_MESSAGE = lazy_gettext("This form has expired or did not come from this site. Go back, reload the page and try again.")


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _inside_box(error: ServiceError):
    """A refused action of a box the person may see, shown inside the box with the way back to the
    page they came from (a dead end never leaves the box); None for anything else (a 404 says
    nothing about the box)."""
    from flask_login import current_user

    from hamyan.boxes.access import authorize
    from hamyan.web.nav import box_nav

    box_id = (request.view_args or {}).get("box_id")
    if error.status == 404 or box_id is None or not current_user.is_authenticated:
        return None
    try:
        access = authorize(current_user, box_id)
    except ServiceError:
        return None
    nav = box_nav(access.box, access.membership, access.can_manage)
    back = request.referrer or ""
    host = request.host_url.rstrip("/")
    back = back if back.startswith(host + "/") and back != request.url else nav.tabs[0].url
    return render_template("box/error.html", nav=nav, status=error.status, message=error.message, back=back)


def _register_error_handlers(app: Flask) -> None:
    @app.errorhandler(ServiceError)
    def service_error(error):
        db.session.rollback()
        if _wants_json():
            return error_body(error.status, error.code, error.message, error.fields)
        inside = _inside_box(error)
        if inside is not None:
            return inside, error.status
        return render_template("error.html", status=error.status, message=error.message), error.status

    def refusal():
        message = _("Too many attempts. Wait a few minutes, then try again.")
        if _wants_json():
            return error_body(429, "rate_limited", message)
        if request.endpoint in ("auth.login", "auth.forgot"):  # the form again, with the message on it
            from hamyan.blueprints.auth.forms import ForgotForm, LoginForm
            from hamyan.web import render

            login = request.endpoint == "auth.login"
            form = LoginForm() if login else ForgotForm()
            form.form_errors.append(message)
            return render("auth/login.html" if login else "auth/forgot.html", "form", form=form,
                          next=request.values.get("next", "")), 429
        return render_template("error.html", status=429, message=message), 429

    @app.errorhandler(RateLimitExceeded)
    def rate_limited(error):
        response = app.make_response(refusal())
        limit = limiter.current_limit  # the limit just exceeded: when its window lets the next one through
        wait = math.ceil(limit.reset_at - time.time()) if limit else 60
        response.headers["Retry-After"] = str(min(max(1, wait), limit.limit.get_expiry() if limit else 60))
        return response

    @app.errorhandler(CSRFError)
    def csrf_failed(error):
        # nearly always a page left open longer than its session
        return render_template("error.html", status=400, message=CSRF_MESSAGE), 400

    @app.errorhandler(HTTPException)
    def http_error(error):
        if _wants_json():  # the API's handler keeps webargs' per-field messages (422)
            return api.handle_http_exception(error)
        return render_template("error.html", status=error.code, message=http_message(error)), error.code

    @app.errorhandler(OperationalError)
    def database_unavailable(error):
        # The database restarting or unreachable: say so and when to retry, rather than a bare 500.
        # A write caught here was rolled back (or, if the connection dropped during its commit, is
        # answered once when retried with the same key).
        app.logger.error("database error: %s", error.orig)
        db.session.rollback()
        message = _("The database is not answering right now. Wait a moment, then try again.")
        if _wants_json():
            response = error_body(503, "unavailable", message)
        else:
            response = render_template("error.html", status=503, message=message), 503
        response = app.make_response(response)
        response.headers["Retry-After"] = "5"
        return response

    @app.errorhandler(500)
    def server_error(error):
        db.session.rollback()
        message = _("Something went wrong on our side. It has been logged.")
        if _wants_json():
            return error_body(500, "internal_error", message)
        return render_template("error.html", status=500, message=message), 500


def _register_cli(app: Flask) -> None:
    from hamyan.demo import demo_cli
    from hamyan.ledger.cli import ledger_cli
    from hamyan.backup.cli import backup_cli
    from hamyan.notify.cli import notify_cli
    from hamyan.scheduling import scheduler_cli

    app.cli.add_command(ledger_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(scheduler_cli)
    app.cli.add_command(backup_cli)
    app.cli.add_command(notify_cli)
