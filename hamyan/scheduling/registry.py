"""The job registry and the run of one slot.

Every run of a job first claims a row in job_run keyed by (job, slot), so with several processes
each slot runs once. Jobs are idempotent, so a slot re-run after a crash does no harm. A job that
works on many boxes runs each box as its own unit of work through `for_each_box`: a box that fails
is rolled back, logged and named in the run's detail (status "partial"), and the others go on."""
import logging
from contextvars import ContextVar
from datetime import datetime, timezone
from typing import Any, Callable, Iterable

from sqlalchemy.exc import IntegrityError

from hamyan.core import clock, uow
from hamyan.extensions import db
from hamyan.scheduling.models import JobRun

log = logging.getLogger(__name__)

# "<product>.<job>" -> (function, interval in minutes)
JOBS: dict = {}
# The boxes that failed in the running job: box id -> the error
_failed_boxes: ContextVar[dict | None] = ContextVar("failed_boxes", default=None)


def job(name: str, every_minutes: int):
    """Register a function as a scheduled job named "<product>.<job>". It runs in an app context
    and returns a short summary."""
    def decorator(func):
        JOBS[name] = (func, every_minutes)
        return func
    return decorator


def for_each_box(box_ids: Iterable[int], work: Callable[[int], Any]) -> list:
    """Run work(box_id) for each box as one box write (its own transaction and lock). A box whose
    work raises is rolled back and logged, recorded in the running job's detail, and skipped; the
    rest go on. Returns the results of the boxes that succeeded."""
    results = []
    failed = _failed_boxes.get()
    for box_id in box_ids:
        try:
            with uow.box_transaction(box_id):
                results.append(work(box_id))
        except Exception as exc:  # one bad box must not stop the others
            log.exception("job work failed for box %s", box_id)
            if failed is not None:
                failed[box_id] = exc
    return results


def current_slot(every_minutes: int, now: datetime | None = None) -> str:
    now = now or clock.now().replace(tzinfo=timezone.utc)
    minutes = int(now.timestamp() // 60)
    return datetime.fromtimestamp((minutes - minutes % every_minutes) * 60, timezone.utc).strftime("%Y-%m-%dT%H:%M")


def run_job(name: str, slot: str | None = None) -> JobRun | None:
    """Run one slot of a job unless another process claimed it. Returns the run, or None if skipped."""
    func, every = JOBS[name]
    slot = slot or current_slot(every)
    try:
        with uow.transaction():
            run = JobRun(job=name, slot=slot)
            db.session.add(run)
    except IntegrityError:
        log.info("job %s slot %s already claimed by another process", name, slot)
        return None
    failed = {}
    token = _failed_boxes.set(failed)
    try:
        detail, status = str(func() or ""), "ok"
        if failed:
            status = "partial"
            detail = f"{len(failed)} box(es) failed: " + ", ".join(
                f"{box_id} {exc!r}" for box_id, exc in failed.items()) + "; " + detail
    except Exception as exc:  # a failed job is recorded, never allowed to kill the scheduler
        db.session.rollback()
        log.exception("job %s failed", name)
        status, detail = "failed", repr(exc)
    finally:
        _failed_boxes.reset(token)
    with uow.transaction():
        run.status, run.detail, run.finished_at = status, detail[:500], clock.now()
    return run
