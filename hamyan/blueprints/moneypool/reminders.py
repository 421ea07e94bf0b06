"""What each saver owes and when, for the shared reminders job, read from the member summaries:
the next contribution, the contributions in arrears (from the oldest unpaid one's due date, so
they escalate while unpaid) and the earliest unpaid loan installment (overdue ones included); with
everything past due, late fees and penalties included (one more query, on the installments)."""
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from hamyan.blueprints.moneypool.models import Installment, Loan, MemberSummary, Pool, PoolMember
from hamyan.blueprints.moneypool.services import summary as summaries
from hamyan.boxes.models import Box, Membership
from hamyan.dues.reminders import Owed
from hamyan.extensions import db


def owed(box_id: int, today: date) -> list[Owed]:
    pool = db.session.get(Pool, box_id)
    if pool.summaries_on != today:  # a new day the hourly assess has not reached yet (this runs in the box's write)
        summaries.refresh(db.session.get(Box, box_id))
    grace = pool.grace_days
    rows = db.session.execute(
        select(MemberSummary, Membership.id, Membership.user_id)
        .join(PoolMember, PoolMember.id == MemberSummary.member_id)
        .join(Membership, Membership.id == PoolMember.membership_id)
        .where(MemberSummary.box_id == box_id, Membership.user_id.is_not(None), Membership.left_at.is_(None))).all()
    unpaid = (Installment.principal + Installment.interest + Installment.penalty - Installment.paid_principal
              - Installment.paid_interest - Installment.paid_penalty)
    loans_overdue = dict(db.session.execute(
        select(Loan.member_id, func.sum(unpaid)).join(Installment, Installment.loan_id == Loan.id)
        .where(Loan.box_id == box_id, Loan.status == "active", Installment.due_date < today)
        .group_by(Loan.member_id)).all())
    found = []
    for summary, membership_id, user_id in rows:
        subject, link = ("membership", membership_id), f"/pools/{box_id}/members/{summary.member_id}"
        today_due = summary.next_amount if summary.next_due == today else 0  # arrears count today's; told apart
        dues = [(summary.next_due, summary.next_amount, "due", _l("Your contribution")),
                (summary.arrears_since if summary.arrears_since != today else None, summary.arrears - today_due,
                 "due", _l("Your savings in arrears")),
                (summary.loan_next_due, summary.loan_next_amount, "installment-due", _l("Your loan installment"))]
        overdue = summary.arrears - today_due + summary.fees_owed + int(loans_overdue.get(summary.member_id) or 0)
        found.extend(Owed(subject, f"{kind}:{day.isoformat()}", day, amount, label, user_id=user_id,
                          grace_days=grace, link=link, overdue=overdue) for day, amount, kind, label in dues
                     if day and amount)
    return found
