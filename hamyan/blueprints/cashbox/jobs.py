from sqlalchemy import select

from hamyan.blueprints.cashbox import services
from hamyan.blueprints.cashbox.models import Round
from hamyan.extensions import db
from hamyan.scheduling import job


@job("cashbox-late-fines", every_minutes=60)
def charge_late_fines() -> str:
    """Charge the fines of every running cashbox round; each member and period is fined once, so
    hourly runs (and re-runs after a crash) charge nothing twice."""
    box_ids = db.session.scalars(select(Round.box_id).where(Round.status == "active")).all()
    charged = sum(services.assess_fines(box_id) for box_id in box_ids)
    return f"{charged} fine(s) in {len(box_ids)} running round(s)"
