"""Hourly (each step once a day by its nature): issue this month's charges where the building asks
for it, refresh every building's unit summaries for the new day and charge late fees (each idempotent). Reminders come from the shared notify.reminders job
(the descriptor's `reminders`)."""
from sqlalchemy import select

from hamyan.blueprints.aptbox.models import Building
from hamyan.blueprints.aptbox.services import charge_late_fees, issue_due_month, refresh
from hamyan.boxes.models import Box
from hamyan.extensions import db
from hamyan.scheduling import for_each_box, job


def _day(box_id: int) -> int:
    issue_due_month(box_id)
    fees = charge_late_fees(box_id)
    refresh(db.session.get(Box, box_id))
    return fees


@job("aptbox.daily", every_minutes=60)
def daily() -> str:
    box_ids = db.session.scalars(select(Building.box_id)).all()
    results = for_each_box(box_ids, _day)
    return f"{len(results)} buildings: {sum(results)} late fees"
