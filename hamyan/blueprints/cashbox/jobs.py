from sqlalchemy import select

from hamyan.blueprints.cashbox import services
from hamyan.blueprints.cashbox.models import Round
from hamyan.extensions import db
from hamyan.scheduling import for_each_box, job


@job("cashbox.late_fines", every_minutes=60)
def charge_late_fines() -> str:
    """Charge the fines of every running cashbox round; each member and period is fined once, so
    hourly runs (and re-runs after a crash) charge nothing twice. Also moves the member summaries
    to the box's new day."""
    box_ids = db.session.scalars(select(Round.box_id).where(Round.status == "active")).all()
    charged = sum(for_each_box(box_ids, services.assess_fines))
    return f"{charged} fine(s) in {len(box_ids)} running round(s)"

