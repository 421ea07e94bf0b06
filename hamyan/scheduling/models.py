from hamyan.core import clock
from hamyan.extensions import db


class JobRun(db.Model):
    """One run of a job: the unique (job, slot) is the lock that lets only one of several processes
    run a given slot, and the row is the record of the run (ok, partial: some boxes failed, failed)."""
    __tablename__ = "job_run"
    __table_args__ = (db.UniqueConstraint("job", "slot", name="uq_job_run_job_slot"),)

    id = db.Column(db.Integer, primary_key=True)
    job = db.Column(db.String(80), nullable=False)
    slot = db.Column(db.String(40), nullable=False)  # e.g. the UTC minute the run belongs to
    started_at = db.Column(db.DateTime, nullable=False, default=clock.now)
    finished_at = db.Column(db.DateTime, nullable=True)
    status = db.Column(db.String(20), nullable=False, default="running")
    detail = db.Column(db.String(500), nullable=True)
