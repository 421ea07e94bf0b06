"""The payments/ hooks (hamyan.core.product: apply_payment, refund_payment) for a product whose
manager records a member's payment as
    record(actor, box_id, membership_id, amount, method=, reference=, paid_on=, request_key=)
and undoes one as reverse(actor, box_id, payment_id, reason), the payment row keeping its entry_id
(Cashbox and ROSCA): a payment made outside the box is recorded like a manager's (bank, the gateway's
or the bank's reference), so the same allocation, oldest dues first, follows; a refund undoes it
like a payment entered by mistake."""
from sqlalchemy import select

from hamyan.core import parse
from hamyan.extensions import db
from hamyan.ledger.models import Entry


def member_payment_hooks(model, record, reverse):
    """(apply_payment, refund_payment) for the descriptor, over the product's payment table `model`."""
    def apply_payment(actor, box_id, incoming) -> int:
        payment = record(actor, box_id, incoming.membership_id, parse.canonical(incoming.amount, incoming.currency),
                         method="bank", reference=incoming.reference[:120], paid_on=incoming.paid_on,
                         request_key=incoming.key)
        return payment.entry_id

    def refund_payment(actor, box_id, entry_id: int, reason: str) -> int:
        payment = db.session.scalar(select(model).filter_by(entry_id=entry_id))
        reverse(actor, box_id, payment.id, reason)
        return db.session.scalar(select(Entry.id).filter_by(reverses_id=entry_id))

    return apply_payment, refund_payment
