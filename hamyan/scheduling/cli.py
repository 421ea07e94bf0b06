"""Starting the scheduler (in the app process, or alone with `flask scheduler run`) and running
one job now (`flask scheduler run-once <product>.<job>`)."""
import logging
import os
from datetime import datetime, timezone
from importlib import import_module

import click
from apscheduler.schedulers.blocking import BlockingScheduler
from flask.cli import AppGroup
from flask.cli import run_command as flask_run_command

from hamyan.extensions import db, scheduler
from hamyan.scheduling.registry import JOBS, run_job, tick_minutes

log = logging.getLogger(__name__)
scheduler_cli = AppGroup("scheduler", help="Scheduled jobs.")


def init_app(app, job_modules) -> None:
    """Register the jobs of these modules (importing one runs its @job decorators). create_app
    names them, the platform's and each product's, so scheduling imports none of its users."""
    for module in job_modules:
        import_module(module)
    app.extensions["hamyan_scheduler"] = scheduler


def _schedule_all(app, target, start_now: bool = False) -> None:
    def runner(name):
        with app.app_context():
            run_job(name)
            db.session.remove()

    # The dedicated scheduler runs each job's current slot at start (a slot claimed already is
    # skipped), so a restarted one neither waits a whole interval nor leaves /readyz without a run.
    start = {"next_run_time": datetime.now(timezone.utc)} if start_now else {}  # (None would pause a job)
    # A job waiting for a free worker thread runs late, not never: APScheduler's default one-second
    # grace would drop it as misfired until its next interval (a day for backups and statements).
    for name, (_, every) in JOBS.items():
        target.add_job(runner, "interval", minutes=tick_minutes(every), args=[name], id=name, name=name,
                       replace_existing=True, coalesce=True, max_instances=1, misfire_grace_time=None, **start)


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
    _schedule_all(current_app._get_current_object(), blocking, start_now=True)
    click.echo(f"scheduler running jobs: {', '.join(sorted(JOBS))}")
    blocking.start()


@scheduler_cli.command("run-once")
@click.argument("name")
def run_once_command(name):
    """Run one job now (its current slot), e.g. from cron: `flask scheduler run-once cashbox.late_fines`."""
    if name not in JOBS:
        raise click.BadParameter(f"unknown job; known: {', '.join(sorted(JOBS))}")
    run = run_job(name)
    click.echo(f"{name}: {'skipped, slot already run or claimed' if run is None else run.status + ' ' + (run.detail or '')}")
