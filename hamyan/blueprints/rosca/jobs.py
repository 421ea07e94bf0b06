from sqlalchemy import select

from hamyan.blueprints.rosca.models import Rosca
from hamyan.blueprints.rosca.services import charge_late_fees, refresh
from hamyan.extensions import db
from hamyan.scheduling import for_each_box, job


@job("rosca.summaries", every_minutes=60)
def refresh_summaries() -> str:
    """Move every running round's member summaries to the box's new day (dues fall due and turn
    late by the calendar, not by a write), so the first page read of the day does not have to."""
    box_ids = db.session.scalars(select(Rosca.box_id).where(Rosca.status == "active")).all()
    for_each_box(box_ids, lambda box_id: refresh(db.session.get(Rosca, box_id)))
    return f"{len(box_ids)} running round(s)"


@job("rosca.late_fees", every_minutes=60)
def late_fees() -> str:
    """Charge the late fee of every period a member left unpaid past the grace days (once each,
    whatever the number of runs: hamyan.dues.late records each charge)."""
    box_ids = db.session.scalars(select(Rosca.box_id).where(Rosca.status == "active",
                                                           Rosca.late_fee_kind != "none")).all()
    charged = sum(for_each_box(box_ids, lambda box_id: charge_late_fees(db.session.get(Rosca, box_id))))
    return f"{charged} late fee(s) in {len(box_ids)} round(s)"
