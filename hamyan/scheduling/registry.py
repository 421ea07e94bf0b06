"""The job registry and the run of one slot.

Every run of a job first claims a row in job_run keyed by (job, slot), so with several processes
each slot runs once. A job that works on many boxes runs each box as its own unit of work through
`for_each_box`: a box that fails is rolled back, logged and counted in the run (status "partial"),
and the others go on. So nothing is ever half-applied: a box's work is committed whole or not at all.

Retries: the scheduler ticks every job at most RETRY_MINUTES apart, whatever its interval. A tick
whose slot already ran well does nothing; a slot whose run failed or was partial (or whose process
died mid-run: still "running" after STALE_AFTER) is claimed again, up to MAX_ATTEMPTS. Jobs are
idempotent (their rows are unique per obligation, month, ...), so a re-run redoes only what is missing."""
import logging
import traceback
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Iterable

from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import IntegrityError

from hamyan.core import clock, uow
from hamyan.core.errors import BoxArchived
from hamyan.extensions import db
from hamyan.scheduling.models import FAILED, OK, PARTIAL, RUNNING, JobRun

log = logging.getLogger(__name__)

RETRY_MINUTES = 5
MAX_ATTEMPTS = 3
STALE_AFTER = timedelta(minutes=30)

# "<product>.<job>" -> (function, interval in minutes)
JOBS: dict = {}


@dataclass
class _Counts:
    ok: int = 0
    failed: dict = field(default_factory=dict)  # box id -> the error


_counts: ContextVar[_Counts | None] = ContextVar("job_counts", default=None)


def job(name: str, every_minutes: int):
    """Register a function as a scheduled job named "<product>.<job>". It runs in an app context
    and returns a short summary."""
    def decorator(func):
        JOBS[name] = (func, every_minutes)
        return func
    return decorator


def tick_minutes(every_minutes: int) -> int:
    """How often the scheduler fires a job: its interval, but at most RETRY_MINUTES apart so a
    failed slot is retried soon."""
    return min(every_minutes, RETRY_MINUTES)


def for_each_box(box_ids: Iterable[int], work: Callable[[int], Any]) -> list:
    """Run work(box_id) for each box as one box write (its own transaction and lock). A box whose
    work raises is rolled back and logged, counted in the running job's run, and skipped; the
    rest go on. An archived box is read-only, so it is passed over. Returns the results of the
    boxes that succeeded."""
    results = []
    counts = _counts.get()
    for box_id in box_ids:
        try:
            with uow.box_transaction(box_id):
                results.append(work(box_id))
        except BoxArchived:
            continue
        except Exception as exc:  # one bad box must not stop the others
            log.exception("job work failed for box %s", box_id)
            if counts is not None:
                counts.failed[box_id] = exc
        else:
            if counts is not None:
                counts.ok += 1
    return results


def current_slot(every_minutes: int, now: datetime | None = None) -> str:
    now = now or clock.now().replace(tzinfo=timezone.utc)
    minutes = int(now.timestamp() // 60)
    return datetime.fromtimestamp((minutes - minutes % every_minutes) * 60, timezone.utc).strftime("%Y-%m-%dT%H:%M")


def _retryable(now: datetime):
    return and_(JobRun.attempt < MAX_ATTEMPTS,
                or_(JobRun.status.in_((FAILED, PARTIAL)),
                    and_(JobRun.status == RUNNING, JobRun.started_at < now - STALE_AFTER)))


def _claim(name: str, slot: str) -> JobRun | None:
    """The run of (job, slot) if this process may run it now: a new slot, or one to retry. The
    insert (unique) and the retry's conditional update are atomic, so one claimer wins."""
    now = clock.now()
    existing = db.session.scalar(select(JobRun).filter_by(job=name, slot=slot))
    db.session.rollback()  # end the read: the claim below must see what others commit
    if existing is None:
        try:
            with uow.transaction():
                run = JobRun(job=name, slot=slot, started_at=now)
                db.session.add(run)
            return run
        except IntegrityError:
            return None
    with uow.transaction():
        taken = db.session.execute(
            update(JobRun).where(JobRun.job == name, JobRun.slot == slot, _retryable(now))
            .values(status=RUNNING, attempt=JobRun.attempt + 1, started_at=now, finished_at=None,
                    error=None, boxes_ok=0, boxes_failed=0)).rowcount
    if not taken:
        return None
    log.info("job %s slot %s: retrying", name, slot)
    return db.session.scalar(select(JobRun).filter_by(job=name, slot=slot))


def run_job(name: str, slot: str | None = None) -> JobRun | None:
    """Run one slot of a job unless it ran well already or another process holds it. Returns the
    run, or None when there was nothing to do."""
    func, every = JOBS[name]
    slot = slot or current_slot(every)
    run = _claim(name, slot)
    if run is None:
        return None
    counts = _Counts()
    token = _counts.set(counts)
    error = None
    try:
        detail, status = str(func() or ""), OK
        if counts.failed:
            status = PARTIAL
            error = "\n".join(f"box {box_id}: {exc!r}" for box_id, exc in counts.failed.items())
    except Exception as exc:  # a failed job is recorded, never allowed to kill the scheduler
        db.session.rollback()
        log.exception("job %s failed", name)
        status, detail, error = FAILED, repr(exc)[:500], traceback.format_exc()[-4000:]
    finally:
        _counts.reset(token)
    with uow.transaction():
        run = db.session.merge(run)
        run.status, run.detail, run.finished_at = status, detail[:500], clock.now()
        run.boxes_ok, run.boxes_failed, run.error = counts.ok, len(counts.failed), error
    return run
