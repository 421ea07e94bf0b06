from hamyan.core import clock
from hamyan.extensions import db

RUNNING, OK, PARTIAL, FAILED = "running", "ok", "partial", "failed"


class JobRun(db.Model):
    """One run of a job: the unique (job, slot) is the lock that lets only one of several processes
    run a given slot, and the row is the record of the run: when it started and ended, how it went
    (ok; partial: some boxes failed; failed), how many boxes it did and failed, the job's summary and
    the error. A partial or failed run is claimed again by a later tick (attempt + 1), as is a run
    whose process died mid-way (still "running" long after it started)."""
    __tablename__ = "job_run"
    __table_args__ = (db.UniqueConstraint("job", "slot", name="uq_job_run_job_slot"),
                      db.Index("ix_job_run_started_at", "started_at"))

    id = db.Column(db.Integer, primary_key=True)
    job = db.Column(db.String(80), nullable=False)
    slot = db.Column(db.String(40), nullable=False)  # e.g. the UTC minute the run belongs to
    started_at = db.Column(db.DateTime, nullable=False, default=clock.now)
    finished_at = db.Column(db.DateTime, nullable=True)
    status = db.Column(db.String(20), nullable=False, default=RUNNING)
    detail = db.Column(db.String(500), nullable=True)  # the job's own summary
    attempt = db.Column(db.Integer, nullable=False, default=1)
    boxes_ok = db.Column(db.Integer, nullable=False, default=0)
    boxes_failed = db.Column(db.Integer, nullable=False, default=0)
    error = db.Column(db.Text, nullable=True)

    @property
    def seconds(self) -> float | None:
        return (self.finished_at - self.started_at).total_seconds() if self.finished_at else None
