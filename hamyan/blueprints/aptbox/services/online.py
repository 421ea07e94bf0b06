"""The building's hooks for online payments (hamyan.blueprints.payments): a member pays for one of
their units (the intent's target, "unit:<id>"); the paid intent is a unit payment recorded like the
board's, paying the payer's own part first (part_for); a refund reverses it."""
from flask_babel import gettext as _
from sqlalchemy import select

from hamyan.blueprints.aptbox.models import Unit, UnitPayment, UnitPerson
from hamyan.core import parse
from hamyan.core.errors import ValidationError
from hamyan.extensions import db

from .payments import part_for, record_payment, reverse_payment


def payment_targets(box_id: int, membership_ids) -> dict[int, dict[str, str]]:
    """Each member's units, by number: "unit:<id>" -> "Unit 12 (owner)"."""
    rows = db.session.execute(select(UnitPerson.membership_id, Unit.id, Unit.number, UnitPerson.relation)
                              .join(UnitPerson, UnitPerson.unit_id == Unit.id)
                              .where(Unit.box_id == box_id, UnitPerson.membership_id.in_(membership_ids))
                              .order_by(Unit.number, Unit.id))
    targets = {membership_id: {} for membership_id in membership_ids}
    for membership_id, unit_id, number, relation in rows:
        targets[membership_id][f"unit:{unit_id}"] = _("Unit %(number)s (owner)", number=number) \
            if relation == "owner" else _("Unit %(number)s (resident)", number=number)
    return targets


def apply_payment(actor, box_id, incoming) -> int:
    if incoming.target not in payment_targets(box_id, [incoming.membership_id])[incoming.membership_id]:
        raise ValidationError(_("The payer is no longer tied to this unit."), field="target")
    unit_id = int(incoming.target.split(":", 1)[1])
    payment = record_payment(actor, box_id, unit_id, parse.canonical(incoming.amount, incoming.currency),
                             incoming.paid_on, reference=incoming.reference[:80],
                             payer=incoming.membership.display_name[:120], key=incoming.key,
                             part=part_for(unit_id, incoming.membership_id))
    return payment.entry_id


def refund_payment(actor, box_id, entry_id: int, reason: str) -> int:
    payment = db.session.scalar(select(UnitPayment).filter_by(entry_id=entry_id))
    return reverse_payment(actor, box_id, payment.id, reason).id
