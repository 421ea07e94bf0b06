from flask import request
from sqlalchemy import func, select

from hamyan.blueprints.admin import bp
from hamyan.core.parse import record_id
from hamyan.extensions import db
from hamyan.scheduling import JOBS, JobRun
from hamyan.scheduling.registry import tick_minutes
from hamyan.web import render

RUNS_PER_PAGE = 50


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
    query = select(JobRun)
    counting = select(func.count(JobRun.id))
    if name:
        query, counting = query.where(JobRun.job == name), counting.where(JobRun.job == name)
    total = db.session.scalar(counting)
    pages = max(1, -(-total // RUNS_PER_PAGE))
    page = min(record_id(request.args.get("page")) or 1, pages)
    runs = db.session.scalars(query.order_by(JobRun.started_at.desc(), JobRun.id.desc())
                              .limit(RUNS_PER_PAGE).offset((page - 1) * RUNS_PER_PAGE)).all()
    return render("admin/jobs.html", partials=("runs",), jobs=rows, runs=runs, page=page, pages=pages,
                  job=name, total=total)
