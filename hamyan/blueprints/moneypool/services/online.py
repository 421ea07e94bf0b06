"""The money pool's hooks for online payments (hamyan.blueprints.payments): a paid intent is a
savings contribution recorded like a manager's (late fees owed first), and a refund undoes it like a
payment entered by mistake."""
from flask_babel import gettext as _
from sqlalchemy import select

from hamyan.blueprints.moneypool.models import Contribution, PoolMember
from hamyan.blueprints.moneypool.services.savings import record_contribution, reverse_contribution
from hamyan.core import parse
from hamyan.core.errors import ValidationError
from hamyan.extensions import db
from hamyan.ledger.models import Entry


def apply_payment(actor, box_id, incoming) -> int:
    member = db.session.scalar(select(PoolMember).filter_by(membership_id=incoming.membership_id))
    if member is None:
        raise ValidationError(_("This person saves nothing in the pool."), field="membership_id")
    row = record_contribution(actor, box_id, member.id, parse.canonical(incoming.amount, incoming.currency),
                              incoming.paid_on, incoming.key)
    return row.entry_id


def refund_payment(actor, box_id, entry_id: int, reason: str) -> int:
    row = db.session.scalar(select(Contribution).filter_by(entry_id=entry_id))
    reverse_contribution(actor, box_id, row.id, reason)
    return db.session.scalar(select(Entry.id).filter_by(reverses_id=entry_id))
