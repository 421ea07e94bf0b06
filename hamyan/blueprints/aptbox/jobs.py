"""Hourly (each step once a day by its nature): refresh every building's unit summaries for the new
day, charge late fees and email the reminders (each idempotent)."""
from flask import current_app
from sqlalchemy import select

from hamyan.blueprints.aptbox.models import Building
from hamyan.blueprints.aptbox.services import charge_late_fees, refresh, send_reminders
from hamyan.boxes.models import Box
from hamyan.extensions import db
from hamyan.scheduling import for_each_box, job


def _day(box_id: int) -> tuple[int, int]:
    fees = charge_late_fees(box_id)
    days = current_app.config["APTBOX_REMINDER_DAYS"]
    told = send_reminders(box_id, days) if days else 0
    refresh(db.session.get(Box, box_id))
    return fees, told


@job("aptbox.daily", every_minutes=60)
def daily() -> str:
    box_ids = db.session.scalars(select(Building.box_id)).all()
    results = for_each_box(box_ids, _day)
    return (f"{len(results)} buildings: {sum(f for f, _ in results)} late fees, "
            f"{sum(t for _, t in results)} units reminded")
