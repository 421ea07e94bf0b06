import logging
import threading

from flask import current_app, flash, request, send_file
from flask_babel import gettext as _, lazy_gettext as _l
from sqlalchemy import func, select

from hamyan import audit
from hamyan.backup import service as backup_service
from hamyan.blueprints.admin import bp
from hamyan.core import uow
from hamyan.extensions import db
from hamyan.scheduling import JOBS, JobRun
from hamyan.scheduling.registry import tick_minutes
from hamyan.statements import stakeholder
from hamyan.web import redirect_to, render
from hamyan.web.listing import paged, requested_page

log = logging.getLogger(__name__)
BACKUP_THREAD = "admin-backup"

RUNS_PER_PAGE = 50
RUN_STATUS_NAMES = {"running": _l("running"), "ok": _l("done"), "partial": _l("partial"), "failed": _l("failed")}


@bp.route("/jobs")
def jobs():
    """Every registered job with its last run, and the runs newest first (filter by ?job=)."""
    last_ids = select(func.max(JobRun.id)).group_by(JobRun.job)
    last = {run.job: run for run in db.session.scalars(select(JobRun).where(JobRun.id.in_(last_ids)))}
    rows = [{"name": name, "every": every, "tick": tick_minutes(every),
             "doc": (func_.__doc__ or "").strip().split("\n\n")[0], "last": last.get(name)}
            for name, (func_, every) in sorted(JOBS.items())]
    name = request.args.get("job") or None
    if name not in JOBS:
        name = None
    query = select(JobRun).where(JobRun.job == name) if name else select(JobRun)
    listed = paged(query.order_by(JobRun.started_at.desc(), JobRun.id.desc()), requested_page(), RUNS_PER_PAGE)
    return render("admin/jobs.html", partials=("runs",), jobs=rows, runs=listed.items, page=listed.page,
                  pages=listed.pages, job=name, total=listed.total, run_status_names=RUN_STATUS_NAMES)


@bp.route("/backups")
def backups():
    """The backups, newest first, with their checksum and size; download or start one."""
    return render("admin/backups.html", backups=backup_service.all_backups(),
                  running=[t.name for t in threading.enumerate() if t.name == BACKUP_THREAD])


@bp.route("/backups", methods=["POST"])
def create_backup():
    """Start a backup in a background thread (a big database takes a while): the list shows it when done."""
    if any(t.name == BACKUP_THREAD for t in threading.enumerate()):
        flash(_("A backup is already being made."), "info")
        return redirect_to("admin.backups")
    with uow.transaction():
        audit.note_action("backup", folder=str(backup_service.folder()))
    app = current_app._get_current_object()

    def work():
        with app.app_context():
            try:
                backup_service.create()
            except Exception:  # logged; the page shows no new backup
                log.exception("backup from the admin page failed")
            finally:
                db.session.remove()

    threading.Thread(target=work, name=BACKUP_THREAD, daemon=True).start()
    flash(_("The backup has started; reload this page in a moment."), "success")
    return redirect_to("admin.backups")


@bp.route("/reports")
def reports():
    """The monthly stakeholder reports kept, newest first, to download."""
    return render("admin/reports.html", reports=stakeholder.kept(), label=stakeholder.file_label,
                  month_name=stakeholder.month_name)


@bp.route("/reports/<name>")
def download_report(name):
    return send_file(stakeholder.kept_file(name), as_attachment=True, download_name=name)


@bp.route("/backups/<name>")
def download_backup(name):
    backup = backup_service.find(name)
    return send_file(backup.path, as_attachment=True, download_name=backup.name)
