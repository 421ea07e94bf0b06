"""The money pool's hooks for payments made outside it (hamyan.blueprints.payments: online, or
reported and confirmed): the saver says what they paid for (payment_targets), their savings or a
repayment of one of their loans being repaid; the payment is recorded like a manager's (a savings
contribution, late fees owed first, or a loan repayment), and a refund undoes it like a payment
entered by mistake."""
from flask_babel import gettext as _
from sqlalchemy import select

from hamyan.blueprints.moneypool.models import Contribution, Loan, PoolMember, Repayment
from hamyan.blueprints.moneypool.services.repaying import repay, undo_repayment
from hamyan.blueprints.moneypool.services.savings import record_contribution, reverse_contribution
from hamyan.boxes.models import Box
from hamyan.core import parse
from hamyan.core.errors import ValidationError
from hamyan.extensions import db
from hamyan.i18n import number as num
from hamyan.ledger.models import Entry

SAVINGS = "savings"
LOAN = "loan:"  # + the loan's id


def payment_targets(box_id: int, membership_ids) -> dict[int, dict[str, str]]:
    """What each saver still in the pool may pay for: "savings" first (what a payment is by default),
    then "loan:<id>" for each of their loans being repaid; nothing for someone who saves nothing."""
    savers = dict(db.session.execute(select(PoolMember.id, PoolMember.membership_id).where(
        PoolMember.box_id == box_id, PoolMember.membership_id.in_(membership_ids), PoolMember.left_on.is_(None))).all())
    targets = {membership_id: {} for membership_id in membership_ids}
    for membership_id in savers.values():
        targets[membership_id][SAVINGS] = _("Savings")
    loans = db.session.execute(select(Loan.member_id, Loan.id, Loan.number).where(
        Loan.member_id.in_(savers), Loan.status == "active").order_by(Loan.number)) if savers else ()
    box = db.session.get(Box, box_id)
    for member_id, loan_id, number in loans:
        targets[savers[member_id]][f"{LOAN}{loan_id}"] = _("Repayment of loan #%(number)s", number=num(number, box))
    return targets


def apply_payment(actor, box_id, incoming) -> int:
    member = db.session.scalar(select(PoolMember).filter_by(membership_id=incoming.membership_id))
    if member is None:
        raise ValidationError(_("This person saves nothing in the pool."), field="membership_id")
    amount = parse.canonical(incoming.amount, incoming.currency)
    if (incoming.target or "").startswith(LOAN):  # the caller checked it is one of payment_targets
        return repay(actor, box_id, int(incoming.target[len(LOAN):]), amount, incoming.paid_on, incoming.key).entry_id
    return record_contribution(actor, box_id, member.id, amount, incoming.paid_on, incoming.key).entry_id


def refund_payment(actor, box_id, entry_id: int, reason: str) -> int:
    row = db.session.scalar(select(Contribution).filter_by(entry_id=entry_id))
    if row is not None:
        reverse_contribution(actor, box_id, row.id, reason)
    else:
        repayment = db.session.scalar(select(Repayment).filter_by(entry_id=entry_id))
        undo_repayment(actor, box_id, repayment.loan_id, repayment.id, reason)
    return db.session.scalar(select(Entry.id).filter_by(reverses_id=entry_id))
