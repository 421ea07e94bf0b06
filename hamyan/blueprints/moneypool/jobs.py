"""Daily: charge late contribution fees and loan penalties that have fallen due (idempotent)."""
from hamyan.blueprints.moneypool import services
from hamyan.scheduling import job


@job("moneypool_assess", every_minutes=60)
def assess_pools():
    totals = services.assess_all()
    summary = f"{totals['pools']} pools: {totals['late_fees']} late fees, {totals['penalties']} penalties"
    if totals["failed"]:
        raise RuntimeError(f"{totals['failed']} pools failed (see the log); {summary}")
    return summary
