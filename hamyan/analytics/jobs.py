"""The analytics job: each day's snapshot of every box's dues, arrears and loans (trend charts)."""
from hamyan.analytics import figures
from hamyan.core import uow
from hamyan.scheduling import job


@job("analytics.snapshot", every_minutes=60)
def snapshot() -> str:
    """Write today's figures of every box for the trend charts (re-run in the day: the latest wins)."""
    with uow.transaction():
        count = figures.snapshot()
    return f"{count} box(es)"
