"""What each saver owes and when, for the notify.reminders job: the next contribution and the
earliest unpaid loan installment (overdue ones included), read from the member summaries."""
from datetime import date

from sqlalchemy import select

from hamyan.blueprints.moneypool.models import MemberSummary, PoolMember
from hamyan.boxes.models import Membership
from hamyan.extensions import db
from hamyan.notify.reminders import Owed


def owed(box_id: int, today: date) -> list[Owed]:
    rows = db.session.execute(
        select(MemberSummary, Membership.id, Membership.user_id)
        .join(PoolMember, PoolMember.id == MemberSummary.member_id)
        .join(Membership, Membership.id == PoolMember.membership_id)
        .where(MemberSummary.box_id == box_id, Membership.user_id.is_not(None), Membership.left_at.is_(None))).all()
    found = []
    for summary, membership_id, user_id in rows:
        subject = ("membership", membership_id)
        if summary.next_due and summary.next_amount:
            found.append(Owed(user_id, subject, f"due:{summary.next_due.isoformat()}", summary.next_due,
                              summary.next_amount, "Your contribution"))
        if summary.loan_next_due and summary.loan_next_amount:
            found.append(Owed(user_id, subject, f"installment-due:{summary.loan_next_due.isoformat()}",
                              summary.loan_next_due, summary.loan_next_amount, "Your loan installment"))
    return found
