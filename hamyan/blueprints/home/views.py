import functools
from datetime import timedelta
from pathlib import Path

from alembic.script import ScriptDirectory
from flask import current_app, jsonify, request
from hamyan.blueprints.home import bp
from flask_login import current_user
from sqlalchemy import func, select, text

from hamyan.boxes import services as boxes
from hamyan.blueprints import PRODUCTS
from hamyan.core import clock
from hamyan.extensions import db, limiter
from hamyan.scheduling import JOBS, JobRun
from hamyan.web import render


@bp.route("/")
def dashboard():
    """A visitor's landing page (what Hamyan is); a signed-in person's boxes."""
    if not current_user.is_authenticated:
        return render("home/landing.html", products=PRODUCTS)
    grouped = {product.kind: [] for product in PRODUCTS}
    archived = []  # kept off the groups, listed apart to open or restore
    for box, membership in boxes.boxes_of(current_user):
        (archived if box.archived_at else grouped[box.kind]).append((box, membership))
    search = request.args.get("q", "")
    return render("home/dashboard.html", grouped=grouped, archived=archived, products=PRODUCTS, search=search,
                  others=boxes.boxes_for_admin(current_user, search), others_shown=boxes.ADMIN_SHOWN,
                  product_names={p.kind: p.name for p in PRODUCTS})


def _probe(view):
    """Load balancers and orchestrators probe each app server directly over plain HTTP, without the
    proxy's X-Forwarded-Proto: HAMYAN_FORCE_HTTPS must not redirect them (Flask-Talisman's per-view
    options, as its decorator sets them)."""
    view.talisman_view_options = {"force_https": False}
    return view


@bp.route("/healthz")
@_probe
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # any failure to reach the database means unhealthy, whatever the driver raised
        current_app.logger.exception("health check: database unreachable")
        db.session.rollback()
        return jsonify(status="error", database="error"), 503
    return jsonify(status="ok", database="ok")


@functools.cache
def _migration_heads(directory: str) -> frozenset:
    return frozenset(ScriptDirectory(directory).get_heads())


def _scheduler_fresh_within() -> timedelta:
    """Some job runs every this many minutes, and every scheduler runs each job at its start: twice
    that, plus a minute of slack, without a new run means no scheduler is running."""
    return timedelta(minutes=2 * min(every for _, every in JOBS.values()) + 1)


def _database_parts() -> dict:
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # whatever the driver raised, the database is not usable
        current_app.logger.exception("readiness: database unreachable")
        return {"database": "error"}
    parts = {"database": "ok"}
    heads = _migration_heads(str(Path(current_app.root_path).parent / "migrations"))
    try:
        versions = set(db.session.execute(text("SELECT version_num FROM alembic_version")).scalars())
    except Exception:  # no alembic_version table: never migrated
        versions = set()
    parts["migrations"] = "ok" if versions == heads else f"not at head ({', '.join(sorted(versions)) or 'none applied'})"
    try:
        newest = db.session.scalar(select(func.max(JobRun.started_at)))
    except Exception:  # no job_run table yet
        newest = None
    age = clock.now() - newest if newest else None
    parts["scheduler"] = ("ok" if age is not None and age <= _scheduler_fresh_within()
                          else "stale: no job run " + (f"for {int(age.total_seconds())} s" if age else "yet"))
    return parts


def readiness() -> dict:
    """The state of each part this process needs (also on the admin Health page)."""
    try:
        parts = _database_parts()
    finally:
        db.session.rollback()  # end the reads: a pooled connection never idles inside a transaction
    uri = current_app.config["RATELIMIT_STORAGE_URI"]
    if uri.startswith("memory://"):
        parts["redis"] = "not used"
    else:
        try:
            parts["redis"] = "ok" if limiter.storage.check() else "error"
        except Exception:  # a storage that cannot even be asked is down
            parts["redis"] = "error"
    return parts


@bp.route("/readyz")
@_probe
def readyz():
    """For load balancers and orchestrators: 503 while this process cannot serve (database down,
    migrations not applied); 200 "degraded" while pages work but Redis (sign-in limits then count per
    process) or the scheduler is down, which taking every app server out would not mend."""
    parts = readiness()
    if parts["database"] != "ok" or parts.get("migrations") != "ok":
        status, code = "error", 503
    elif parts.get("scheduler") != "ok" or parts["redis"] == "error":
        status, code = "degraded", 200
    else:
        status, code = "ok", 200
    return jsonify(status=status, **parts), code
