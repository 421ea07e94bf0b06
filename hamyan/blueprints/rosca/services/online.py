"""The ROSCA's hooks for online payments (hamyan.blueprints.payments): a paid intent is a
contribution recorded like a manager's (bank, the gateway's reference), settling the member's oldest
dues first; a refund reverses it while the box still holds the money."""
from sqlalchemy import select

from hamyan.blueprints.rosca.models import RoscaPayment
from hamyan.blueprints.rosca.services.round import record_payment, reverse_payment
from hamyan.core import parse
from hamyan.extensions import db


def apply_payment(actor, box_id, incoming) -> int:
    payment = record_payment(actor, box_id, incoming.membership_id, parse.canonical(incoming.amount, incoming.currency),
                             method="bank", reference=incoming.reference[:120], paid_on=incoming.paid_on,
                             request_key=incoming.key)
    return payment.entry_id


def refund_payment(actor, box_id, entry_id: int, reason: str) -> int:
    payment = db.session.scalar(select(RoscaPayment).filter_by(entry_id=entry_id))
    return reverse_payment(actor, box_id, payment.id, reason).id
