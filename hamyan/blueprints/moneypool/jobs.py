"""Hourly: charge late contribution fees and loan penalties that have fallen due (idempotent)."""
from sqlalchemy import select

from hamyan.blueprints.moneypool import services
from hamyan.blueprints.moneypool.models import Pool
from hamyan.extensions import db
from hamyan.scheduling import for_each_box, job


@job("moneypool.assess", every_minutes=60)
def assess_pools() -> str:
    box_ids = db.session.scalars(select(Pool.box_id)).all()
    results = for_each_box(box_ids, services.assess)
    late_fees = sum(result["late_fees"] for result in results)
    penalties = sum(result["penalties"] for result in results)
    return f"{len(results)} pools: {late_fees} late fees, {penalties} penalties"
