"""APScheduler inside the app process, or in one dedicated process (`flask scheduler run`).

Every run of a job first claims a row in job_run keyed by (job, slot): the unique key is the
database lock that lets only one of several processes run a given slot, and the row is the record
of the run. Jobs themselves are idempotent, so a slot re-run after a crash does no harm."""
import logging
import os
from datetime import datetime, timezone

import click
from apscheduler.schedulers.blocking import BlockingScheduler
from flask.cli import AppGroup
from flask.cli import run_command as flask_run_command
from sqlalchemy.exc import IntegrityError

from hamyan.core import clock
from hamyan.extensions import db, scheduler


log = logging.getLogger(__name__)
scheduler_cli = AppGroup("scheduler", help="Scheduled jobs.")

# name -> (function, interval in minutes)
JOBS: dict = {}


class JobRun(db.Model):
    __tablename__ = "job_run"
    __table_args__ = (db.UniqueConstraint("job", "slot", name="uq_job_run_job_slot"),)

    id = db.Column(db.Integer, primary_key=True)
    job = db.Column(db.String(80), nullable=False)
    slot = db.Column(db.String(40), nullable=False)  # e.g. the UTC minute the run belongs to
    started_at = db.Column(db.DateTime, nullable=False, default=clock.now)
    finished_at = db.Column(db.DateTime, nullable=True)
    status = db.Column(db.String(20), nullable=False, default="running")
    detail = db.Column(db.String(500), nullable=True)


def job(name: str, every_minutes: int):
    """Register a function as a scheduled job. It runs in an app context and returns a short summary."""
    def decorator(func):
        JOBS[name] = (func, every_minutes)
        return func
    return decorator


def current_slot(every_minutes: int, now: datetime | None = None) -> str:
    now = now or clock.now().replace(tzinfo=timezone.utc)
    minutes = int(now.timestamp() // 60)
    return datetime.fromtimestamp((minutes - minutes % every_minutes) * 60, timezone.utc).strftime("%Y-%m-%dT%H:%M")


def run_job(name: str, slot: str | None = None) -> JobRun | None:
    """Run one slot of a job unless another process claimed it. Returns the run, or None if skipped."""
    func, every = JOBS[name]
    slot = slot or current_slot(every)
    run = JobRun(job=name, slot=slot)
    db.session.add(run)
    try:
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        log.info("job %s slot %s already claimed by another process", name, slot)
        return None
    try:
        run.detail = str(func() or "")[:500]
        run.status = "ok"
    except Exception as exc:  # a failed job is recorded, never allowed to kill the scheduler
        db.session.rollback()
        log.exception("job %s failed", name)
        run.status, run.detail = "failed", repr(exc)[:500]
    run.finished_at = clock.now()
    db.session.commit()
    return run


def _schedule_all(app, target) -> None:
    def runner(name):
        with app.app_context():
            run_job(name)
            db.session.remove()

    for name, (_, every) in JOBS.items():
        target.add_job(runner, "interval", minutes=every, args=[name], id=name, name=name, replace_existing=True,
                       coalesce=True, max_instances=1)


def init_app(app) -> None:
    from hamyan.blueprints import PRODUCTS
    from hamyan.blueprints.notify import jobs  # noqa: F401  registers its jobs

    for product in PRODUCTS:
        if product.jobs:
            product.load("jobs")  # registers its jobs

    app.extensions["hamyan_scheduler"] = scheduler


def start_in_process(app) -> None:
    """Start the background scheduler once per serving process (not in the reloader's parent)."""
    if not app.config["SCHEDULER_ENABLED"] or scheduler.running:
        return
    # Other flask commands load wsgi:app too: `flask db upgrade` must not schedule jobs, and
    # `flask scheduler run` runs its own scheduler.
    command = click.get_current_context(silent=True)
    if command is not None and command.command is not flask_run_command:
        return
    if app.debug and os.environ.get("WERKZEUG_RUN_MAIN") != "true":
        return
    _schedule_all(app, scheduler)
    scheduler.start()
    log.info("scheduler started in process %s with jobs %s", os.getpid(), sorted(JOBS))


@scheduler_cli.command("run")
def run_command():
    """Run the scheduler in this dedicated process (set HAMYAN_SCHEDULER_ENABLED=false on the web processes)."""
    from flask import current_app

    blocking = BlockingScheduler(timezone="UTC")
    _schedule_all(current_app._get_current_object(), blocking)
    click.echo(f"scheduler running jobs: {', '.join(sorted(JOBS))}")
    blocking.start()


@scheduler_cli.command("run-once")
@click.argument("name")
def run_once_command(name):
    """Run one job now (its current slot), e.g. from cron."""
    if name not in JOBS:
        raise click.BadParameter(f"unknown job; known: {', '.join(sorted(JOBS))}")
    run = run_job(name)
    click.echo(f"{name}: {'skipped, slot already claimed' if run is None else run.status + ' ' + (run.detail or '')}")
