"""Big reports are jobs, not requests: `request_report()` answers at once with a `ReportJob`; a
background thread of the web process (or the scheduler's `statements.reports` job, for one a
restarted process left queued) renders it, recording its progress, and keeps the PDF under
instance/reports/ for download.

A product names its report kinds in its descriptor: `reports={"manager": "module:function"}`,
where function(box, params, progress) -> PDF bytes; params are what the request carried (the
period: {"start": "YYYY-MM-DD", "end": "YYYY-MM-DD"}) and progress(percent, pages=None) tells the
page how far it got. These reports are a manager's (MANAGE on the box); a member's own statement
stays a plain request (one member's history is small)."""
import json
import logging
import os
import threading
from datetime import date, timedelta

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select, update

from hamyan.blueprints.auth.models import User
from hamyan.boxes.access import MANAGE, authorize
from hamyan.boxes.models import Box
from hamyan.core import clock, uow
from hamyan.core.errors import NotFound
from hamyan.extensions import db
from hamyan.notify.services import speaking
from hamyan.scheduling import job

log = logging.getLogger(__name__)

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"
STATUSES = (QUEUED, RUNNING, DONE, FAILED)
# A job still queued this long after it was asked for lost its thread (the process restarted):
# the scheduler's job picks it up.
ORPHANED_AFTER = timedelta(minutes=2)
# A job still running this long after it started lost its process mid-way: it is marked failed,
# so asking for the same report again starts a new one (the biggest report takes about a minute).
INTERRUPTED_AFTER = timedelta(minutes=30)
INTERRUPTED = "The report was interrupted (the server restarted)."


class ReportJob(db.Model):
    __tablename__ = "report_job"
    __table_args__ = (
        db.CheckConstraint("status IN ('queued', 'running', 'done', 'failed')", name="status"),
        db.Index("ix_report_job_box_kind_status", "box_id", "kind", "status"),
    )

    id = db.Column(db.Integer, primary_key=True)
    box_id = db.Column(db.Integer, db.ForeignKey("box.id"), nullable=False)
    kind = db.Column(db.String(40), nullable=False)  # a key of the product's `reports`
    params = db.Column(db.String(1000), nullable=False)  # canonical JSON (sorted keys)
    requested_by_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=True)
    status = db.Column(db.String(10), nullable=False, default=QUEUED, index=True)
    progress = db.Column(db.Integer, nullable=False, default=0)  # percent
    pages = db.Column(db.Integer, nullable=True)
    error = db.Column(db.String(500), nullable=True)
    file_path = db.Column(db.String(255), nullable=True)  # relative to the instance folder
    created_at = db.Column(db.DateTime, nullable=False, default=clock.now)
    started_at = db.Column(db.DateTime, nullable=True)
    finished_at = db.Column(db.DateTime, nullable=True)

    box = db.relationship("Box")

    @property
    def finished(self) -> bool:
        return self.status in (DONE, FAILED)

    @property
    def period(self) -> dict:
        return json.loads(self.params)


def renderer(box: Box, kind: str):
    """The product's function rendering this kind of report, or NotFound."""
    from hamyan.blueprints import product
    from hamyan.core.product import load

    descriptor = product(box.kind)
    path = descriptor.reports.get(kind) if descriptor else None
    if path is None:
        raise NotFound(_("There is no such report."))
    return load(path)


def period_params(start: date, end: date) -> dict:
    from hamyan.statements import check_period

    start, end = check_period(start, end)
    return {"start": start.isoformat(), "end": end.isoformat()}


def request_report(actor, box_id: int, kind: str, params: dict) -> ReportJob:
    """Queue a report and start rendering it once the request is committed. Asking again for the
    same report while it is queued or running returns that job."""
    box = authorize(actor, box_id, MANAGE).box
    renderer(box, kind)  # NotFound for a kind the product does not have
    canonical = json.dumps(params, sort_keys=True, separators=(",", ":"))
    with uow.box_transaction(box.id):  # two identical requests at once make one job
        existing = db.session.scalar(select(ReportJob).where(
            ReportJob.box_id == box.id, ReportJob.kind == kind, ReportJob.params == canonical,
            ReportJob.status.in_((QUEUED, RUNNING))).order_by(ReportJob.id).limit(1))
        if existing is not None:
            return existing
        job = ReportJob(box_id=box.id, kind=kind, params=canonical, requested_by_id=_user_id(actor))
        db.session.add(job)
        db.session.flush()
        job_id = job.id
        app = current_app._get_current_object()
        uow.after_commit(lambda: start_thread(app, job_id))
    return job


def _user_id(actor):
    from hamyan.boxes.access import Principal

    return Principal.of(actor).user_id


def job_of(actor, box_id: int, job_id: int) -> ReportJob:
    """A report job of a box the actor manages; another box's job is NotFound."""
    box = authorize(actor, box_id, MANAGE).box
    job = db.session.get(ReportJob, job_id)
    if job is None or job.box_id != box.id:
        raise NotFound()
    return job


def file_of(job: ReportJob) -> str:
    return os.path.join(current_app.instance_path, job.file_path)


def download_name(job: ReportJob) -> str:
    period = job.period
    return f"{job.kind}-report-{job.box_id}-{period['start']}-{period['end']}.pdf"


def start_thread(app, job_id: int) -> threading.Thread:
    """Render the job in a background thread with its own app context (and so its own session)."""
    def work():
        with app.app_context():
            try:
                run(job_id)
            finally:
                db.session.remove()

    thread = threading.Thread(target=work, name=f"report-{job_id}", daemon=True)
    thread.start()
    return thread


def _claim(job_id: int) -> bool:
    """Mark a queued job running; False when another thread or process already took it."""
    with uow.transaction():
        claimed = db.session.execute(update(ReportJob).where(ReportJob.id == job_id, ReportJob.status == QUEUED)
                                     .values(status=RUNNING, started_at=clock.now(), progress=0))
    return claimed.rowcount == 1


def _set(job_id: int, **values) -> None:
    with uow.transaction():
        db.session.execute(update(ReportJob).where(ReportJob.id == job_id).values(**values))


def run(job_id: int) -> None:
    """Render one queued job (once: the claim makes a second runner skip it)."""
    if not _claim(job_id):
        return
    job = db.session.get(ReportJob, job_id)
    box = db.session.get(Box, job.box_id)
    kind, params = job.kind, job.period

    def progress(percent: int, pages: int | None = None) -> None:
        _set(job_id, progress=max(0, min(99, int(percent))), pages=pages)

    requester = db.session.get(User, job.requested_by_id) if job.requested_by_id else None
    try:
        with speaking(requester, box):  # in its reader's language: theirs, else the box's
            pdf = renderer(box, kind)(box, params, progress)
        relative = os.path.join("reports", str(box.id), f"{job_id}-{kind}.pdf")
        target = os.path.join(current_app.instance_path, relative)
        os.makedirs(os.path.dirname(target), exist_ok=True)
        with open(target, "wb") as out:
            out.write(pdf)
    except Exception:  # recorded on the job for the page to show; the thread must not die silently
        db.session.rollback()
        log.exception("report job %s failed", job_id)
        _set(job_id, status=FAILED, error="The report could not be made; the error has been logged.",
             finished_at=clock.now())
        return
    _set(job_id, status=DONE, progress=100, file_path=relative, finished_at=clock.now())


@job("statements.monthly", every_minutes=6 * 60)
def monthly_statements() -> str:
    """Email last month's statement to every member (and the box report to managers), once a month."""
    from hamyan.statements.monthly import send_all

    return send_all()


@job("statements.stakeholder", every_minutes=24 * 60)
def stakeholder_report() -> str:
    """Last month's stakeholder report (PDF and CSV), emailed to the admins once."""
    from hamyan.statements.stakeholder import send

    return send()


@job("statements.reports", every_minutes=1)
def run_orphaned() -> str:
    """Fail jobs a stopped process left running, then render those it left queued before their
    thread began."""
    now = clock.now()
    with uow.transaction():
        interrupted = db.session.execute(
            update(ReportJob).where(ReportJob.status == RUNNING, ReportJob.started_at < now - INTERRUPTED_AFTER)
            .values(status=FAILED, error=INTERRUPTED, finished_at=now)).rowcount
    ids = db.session.scalars(select(ReportJob.id).where(ReportJob.status == QUEUED,
                                                        ReportJob.created_at < now - ORPHANED_AFTER)
                             .order_by(ReportJob.id)).all()
    for job_id in ids:
        run(job_id)
    return f"{len(ids)} queued report(s) rendered, {interrupted} interrupted one(s) failed"
