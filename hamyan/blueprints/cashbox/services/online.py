"""The cashbox's hooks for online payments (hamyan.blueprints.payments): a paid intent is a
payment recorded like a manager's (bank method, the gateway's reference), so the same allocation,
payouts owed and summaries follow; a refund undoes it like a payment entered by mistake."""
from sqlalchemy import select

from hamyan.blueprints.cashbox.models import Payment
from hamyan.blueprints.cashbox.services.payments import record_payment, reverse_payment
from hamyan.core import parse
from hamyan.extensions import db


def apply_payment(actor, box_id, incoming) -> int:
    payment = record_payment(actor, box_id, incoming.membership_id, parse.canonical(incoming.amount, incoming.currency),
                             method="bank", reference=incoming.reference[:120], paid_on=incoming.paid_on,
                             request_key=incoming.key)
    return payment.entry_id


def refund_payment(actor, box_id, entry_id: int, reason: str) -> int:
    payment = db.session.scalar(select(Payment).filter_by(entry_id=entry_id))
    reverse_payment(actor, box_id, payment.id, reason)
    return payment.reversal.id
