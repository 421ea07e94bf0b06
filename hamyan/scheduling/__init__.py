"""Scheduled jobs: APScheduler inside the app process, or in one dedicated process
(`flask scheduler run`), or one slot now (`flask scheduler run-once <product>.<job>`).

registry.py: `@job("<product>.<job>", every_minutes=...)`, the run of one (job, slot) and
`for_each_box`, which runs a job's work box by box so one bad box does not stop the rest; a
failed or partial slot is retried by the next tick (registry's docstring).
cli.py: starting the scheduler and the `flask scheduler` commands. `init_app(app, job_modules)`
imports the job modules create_app names (the platform's and each product's `Product.jobs`), so
scheduling depends on none of them: they depend on it."""
from hamyan.scheduling.cli import init_app, scheduler_cli, start_in_process
from hamyan.scheduling.models import JobRun
from hamyan.scheduling.registry import JOBS, for_each_box, job, run_job

__all__ = ["JOBS", "JobRun", "for_each_box", "init_app", "job", "run_job", "scheduler_cli", "start_in_process"]
