"""Scheduled jobs: a slot runs once however many processes reach it, failures are recorded, and
both ways of running the scheduler (inside the app process, or `flask scheduler run`) work."""
import ast
import os
import queue
import subprocess
import sys
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

import click
import pytest
import sqlalchemy as sa
from apscheduler.schedulers.background import BackgroundScheduler

from hamyan.scheduling import cli, registry
from hamyan.notify.models import OutboxMessage
from hamyan.notify.services import notify
from hamyan.boxes.models import Box
from hamyan.core import uow
from hamyan.extensions import db
from hamyan.scheduling import JOBS, JobRun, for_each_box, run_job

ROOT = Path(__file__).resolve().parents[1]
SLOT = "2026-01-01T00:00"


@pytest.fixture
def test_job(monkeypatch):
    """Registers a job named "test-job" running `body`; yields the list of calls it received."""
    calls = []

    def register(body=lambda: "done", every_minutes=1):
        def run():
            calls.append(threading.get_ident())
            return body()

        monkeypatch.setitem(JOBS, "test-job", (run, every_minutes))
        return calls

    return register


def runs():
    db.session.rollback()  # read what other connections committed
    return db.session.execute(sa.select(JobRun.job, JobRun.slot, JobRun.status, JobRun.detail)).all()


def test_two_processes_reaching_the_same_slot_run_it_once(app, test_job):
    calls = test_job(lambda: time.sleep(0.3) or "slow work")
    racers = 4
    start = threading.Barrier(racers)
    results, errors = [], []

    def process():
        try:
            with app.app_context():  # its own session and connection, like another process
                start.wait()
                run = run_job("test-job", SLOT)
                results.append(None if run is None else (run.status, run.detail))
        except Exception as exc:  # reported below
            errors.append(repr(exc))

    threads = [threading.Thread(target=process) for _ in range(racers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert len(calls) == 1
    assert sorted(results, key=str) == [("ok", "slow work")] + [None] * (racers - 1)
    assert runs() == [("test-job", SLOT, "ok", "slow work")]
    # The next slot is a new run.
    assert run_job("test-job", "2026-01-01T00:01").status == "ok"
    assert len(calls) == 2


def test_a_failed_job_is_recorded_as_failed_and_its_writes_undone(test_job):
    def broken():
        notify("someone@example.com", "half done", "this must not stay")
        raise RuntimeError("boom")

    test_job(broken)
    run = run_job("test-job", SLOT)
    assert run.status == "failed"
    assert "RuntimeError('boom')" in run.detail and "Traceback" in run.error
    assert run.finished_at is not None and run.attempt == 1
    assert runs() == [("test-job", SLOT, "failed", "RuntimeError('boom')")]
    assert db.session.scalar(sa.select(sa.func.count(OutboxMessage.id))) == 0


def test_a_failed_slot_is_retried_by_the_next_tick_up_to_three_attempts(test_job):
    outcomes = iter([RuntimeError("down"), RuntimeError("still down"), "recovered"])

    def flaky():
        outcome = next(outcomes)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    calls = test_job(flaky)
    assert run_job("test-job", SLOT).status == "failed"
    second = run_job("test-job", SLOT)
    assert (second.status, second.attempt) == ("failed", 2)
    third = run_job("test-job", SLOT)
    assert (third.status, third.attempt, third.detail, third.error) == ("ok", 3, "recovered", None)
    assert run_job("test-job", SLOT) is None  # done: later ticks of the slot do nothing
    assert len(calls) == 3
    assert runs() == [("test-job", SLOT, "ok", "recovered")]

    test_job(lambda: 1 / 0)
    for attempt in range(registry.MAX_ATTEMPTS):
        assert run_job("test-job", "2026-01-01T00:05").attempt == attempt + 1
    assert run_job("test-job", "2026-01-01T00:05") is None  # given up: the next slot tries again


def test_a_run_whose_process_died_is_claimed_again_once_stale(test_job, clock):
    """A process killed mid-run leaves its run "running": no other process takes the slot while it
    may still be working, and the first tick after STALE_AFTER does."""
    calls = test_job()
    clock.set(datetime(2026, 1, 1, 0, 0))
    with uow.transaction():
        db.session.add(JobRun(job="test-job", slot=SLOT, started_at=datetime(2026, 1, 1, 0, 0)))
    clock.set(datetime(2026, 1, 1, 0, 29))
    assert run_job("test-job", SLOT) is None
    clock.set(datetime(2026, 1, 1, 0, 31))
    run = run_job("test-job", SLOT)
    assert (run.status, run.attempt) == ("ok", 2) and len(calls) == 1


def test_a_box_whose_work_fails_does_not_stop_the_next_box(test_job):
    """Each box is its own unit of work: the failing box's writes are undone, the others kept, and
    the run counts the boxes and names the one that failed."""
    with db.engine.begin() as conn:
        box_ids = [conn.execute(sa.insert(Box).values(kind="cashbox", name=f"Box {n}", currency="USD",
                                                       timezone="UTC", locale="en", calendar="gregorian",
                                                       created_at=datetime(2026, 1, 1))).inserted_primary_key[0]
                   for n in range(3)]
    broken = box_ids[1]

    def rename(box_id):
        db.session.get(Box, box_id).name = "renamed"
        if box_id == broken:
            db.session.flush()
            raise RuntimeError("corrupt box")
        return 1

    test_job(lambda: f"renamed {sum(for_each_box(box_ids, rename))}")
    run = run_job("test-job", SLOT)
    assert (run.status, run.detail, run.boxes_ok, run.boxes_failed) == ("partial", "renamed 2", 2, 1)
    assert run.error == f"box {broken}: RuntimeError('corrupt box')"
    db.session.rollback()
    names = dict(db.session.execute(sa.select(Box.id, Box.name)).all())
    assert names == {box_ids[0]: "renamed", broken: "Box 1", box_ids[2]: "renamed"}


def test_slots_are_aligned_to_the_interval():
    moment = datetime(2026, 3, 1, 10, 7, 59, tzinfo=timezone.utc)
    assert registry.current_slot(1, moment) == "2026-03-01T10:07"
    assert registry.current_slot(5, moment) == "2026-03-01T10:05"
    assert registry.current_slot(60, moment) == "2026-03-01T10:00"


def test_run_once_outbox_dispatch_sends_pending_email(app, smtp_server, monkeypatch):
    monkeypatch.setattr(registry, "current_slot", lambda every, now=None: SLOT)
    smtp_host = app.config["SMTP_HOST"]
    monkeypatch.setitem(app.config, "SMTP_HOST", "")  # written while no mail server was configured
    with uow.transaction():
        notify("member@example.com", "Your statement", "Hello")
    monkeypatch.setitem(app.config, "SMTP_HOST", smtp_host)

    result = app.test_cli_runner().invoke(args=["scheduler", "run-once", "notify.dispatch"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "notify.dispatch: ok sent 1 of 1"
    assert [m["Subject"] for m in smtp_server] == ["Your statement"]
    assert db.session.scalar(sa.select(OutboxMessage.sent_at)) is not None

    again = app.test_cli_runner().invoke(args=["scheduler", "run-once", "notify.dispatch"])
    assert again.output.strip() == "notify.dispatch: skipped, slot already run or claimed"
    assert len(smtp_server) == 1


def test_run_once_without_smtp_and_with_an_unknown_job(app):
    result = app.test_cli_runner().invoke(args=["scheduler", "run-once", "notify.dispatch"])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == "notify.dispatch: ok sent 0 of 0"
    unknown = app.test_cli_runner().invoke(args=["scheduler", "run-once", "nope"])
    assert unknown.exit_code == 2
    assert "unknown job; known: " in unknown.output and "notify.dispatch" in unknown.output


def test_in_process_scheduler_starts_once_and_runs_jobs(app, test_job, monkeypatch):
    calls = test_job(lambda: "ran in the background", every_minutes=1)
    fresh = BackgroundScheduler(timezone="UTC")
    monkeypatch.setattr(cli, "scheduler", fresh)
    monkeypatch.setitem(app.config, "SCHEDULER_ENABLED", True)
    try:
        cli.start_in_process(app)
        assert fresh.running
        assert {job.id for job in fresh.get_jobs()} == set(JOBS)
        cli.start_in_process(app)  # a second call (e.g. a second import) adds nothing
        assert len(fresh.get_jobs()) == len(JOBS)

        fresh.modify_job("test-job", next_run_time=datetime.now(timezone.utc))
        deadline = time.monotonic() + 15
        # the run's row is written 'running' first: wait for it to end
        while not [run for run in runs() if run[2] != "running"] and time.monotonic() < deadline:
            time.sleep(0.1)
        assert [(job, status, detail) for job, _, status, detail in runs()] == [
            ("test-job", "ok", "ran in the background")]
        assert calls and calls[0] != threading.get_ident()
    finally:
        if fresh.running:
            fresh.shutdown(wait=True)


def test_a_job_queued_behind_busy_workers_still_runs(app, monkeypatch):
    """The dedicated scheduler starts every job at once; those waiting for a free worker thread must
    run late rather than be dropped as misfired until their next interval (a day for some)."""
    from apscheduler.executors.pool import ThreadPoolExecutor

    jobs = {name: (lambda: time.sleep(1.5) or "ran", 60) for name in ("test-first", "test-second")}
    monkeypatch.setattr(registry, "JOBS", jobs)
    monkeypatch.setattr(cli, "JOBS", jobs)
    one_worker = BackgroundScheduler(timezone="UTC", executors={"default": ThreadPoolExecutor(1)})
    cli._schedule_all(app, one_worker, start_now=True)
    one_worker.start()
    try:
        deadline = time.monotonic() + 15
        while len(runs()) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
    finally:
        one_worker.shutdown(wait=True)
    assert sorted((job, status) for job, _, status, _ in runs()) == [("test-first", "ok"), ("test-second", "ok")]


@pytest.mark.parametrize("case", ["disabled", "debug reloader parent", "other flask command"])
def test_in_process_scheduler_stays_off(app, monkeypatch, case):
    fresh = BackgroundScheduler(timezone="UTC")
    monkeypatch.setattr(cli, "scheduler", fresh)
    monkeypatch.setitem(app.config, "SCHEDULER_ENABLED", case != "disabled")
    monkeypatch.delenv("WERKZEUG_RUN_MAIN", raising=False)
    if case == "debug reloader parent":
        monkeypatch.setattr(app, "debug", True)
        cli.start_in_process(app)
    elif case == "other flask command":  # e.g. `flask db upgrade` importing wsgi:app
        with click.Context(click.Command("upgrade")):
            cli.start_in_process(app)
    else:
        cli.start_in_process(app)
    assert not fresh.running


def test_dedicated_scheduler_process_starts_and_schedules_jobs(database_url, tmp_path):
    """`flask scheduler run` as its own process: it schedules every job, and the web-process
    scheduler that wsgi:app would start is not started a second time inside it."""
    env = dict(os.environ, FLASK_APP="wsgi:app", HAMYAN_DATABASE_URL=database_url,
               HAMYAN_INSTANCE_PATH=str(tmp_path), PYTHONUNBUFFERED="1")
    env.pop("HAMYAN_SCHEDULER_ENABLED", None)  # the default (true) is what an operator leaves set
    process = subprocess.Popen([sys.executable, "-m", "flask", "scheduler", "run"], cwd=ROOT, env=env,
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stdout], daemon=True).start()
    output = []
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not any("Scheduler started" in line for line in output):
            try:
                output.append(lines.get(timeout=0.5))
            except queue.Empty:
                assert process.poll() is None, "".join(output)
        time.sleep(0.5)  # anything a second scheduler would log comes right after
        while not lines.empty():
            output.append(lines.get())
        assert process.poll() is None, "".join(output)
    finally:
        process.terminate()
        process.wait(timeout=30)
    text = "".join(output)
    assert f"scheduler running jobs: {', '.join(sorted(JOBS))}" in text
    assert text.count('Added job "notify.dispatch"') == 1, text
    assert text.count("Scheduler started") == 1, text
    assert "scheduler started in process" not in text



def test_scheduling_imports_none_of_the_jobs_it_runs():
    """Jobs depend on the scheduler, never the other way round: create_app names the job modules."""
    imported = set()
    for source in Path(registry.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(source.read_text())):
            if isinstance(node, ast.ImportFrom):
                imported.add(node.module or "")
            elif isinstance(node, ast.Import):
                imported.update(alias.name for alias in node.names)
    assert not [m for m in imported if m.startswith(("hamyan.blueprints", "hamyan.notify", "hamyan.statements"))]
    assert {"notify.dispatch", "statements.reports", "cashbox.late_fines", "moneypool.assess"} <= set(JOBS)


RACER = """
import os, sys, time
from hamyan import create_app
from hamyan.scheduling import JOBS, run_job
from tests.conftest import test_config

url, log_path, start, slots = sys.argv[1], sys.argv[2], float(sys.argv[3]), int(sys.argv[4])
app = create_app(test_config(url))

def work():
    with open(log_path, "a") as out:  # O_APPEND: one line per execution, whichever process
        out.write(f"{os.getpid()}\\n")
    time.sleep(0.05)
    return "raced"

JOBS["race-job"] = (work, 1)
with app.app_context():
    for n in range(slots):
        time.sleep(max(0, start + n * 0.25 - time.time()))  # both processes reach each slot together
        run_job("race-job", f"race-{n}")
"""


@pytest.mark.mysql_only
def test_two_app_processes_on_mariadb_run_each_slot_once(database_url, tmp_path):
    """Two real app processes (own interpreters, own connection pools) on one MariaDB tick the same
    20 slots at the same moments: every slot runs exactly once, and both processes won some."""
    slots = 20
    log_path = tmp_path / "executions.log"
    start = time.time() + 8  # both imported and connected by then, even on a loaded machine
    env = dict(os.environ, PYTHONPATH=str(ROOT), HAMYAN_INSTANCE_PATH=str(tmp_path))
    processes = [subprocess.Popen([sys.executable, "-c", RACER, database_url, str(log_path), str(start), str(slots)],
                                  cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
                 for _ in range(2)]
    outputs = [process.communicate(timeout=120)[0] for process in processes]
    assert [process.returncode for process in processes] == [0, 0], outputs
    executions = log_path.read_text().split()
    assert len(executions) == slots, outputs
    assert len(set(executions)) == 2, "one process won every slot: the race was not a race"
    rows = runs()
    assert sorted(slot for job, slot, status, detail in rows if job == "race-job") == sorted(
        f"race-{n}" for n in range(slots))
    assert {(status, detail) for job, _, status, detail in rows if job == "race-job"} == {("ok", "raced")}
