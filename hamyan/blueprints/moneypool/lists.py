"""The pool's lists as hamyan.web.listing specs: contributions, loans, repayments and fines (with
filters and CSV)."""
from sqlalchemy import case, select

from hamyan.blueprints.moneypool.models import LOAN_STATUSES, Contribution, Loan, PoolMember, Repayment
from hamyan.boxes import services as boxes
from hamyan.boxes.models import Membership
from hamyan.dues.lists import fines_spec
from hamyan.dues.models import LateCharge
from hamyan.web.listing import Column, ListSpec


def _members(box):
    """Everyone who was in the pool, as (membership id, name): a left saver's rows are found too."""
    return boxes.people(box.id, past_too=True)


CONTRIBUTIONS = ListSpec(
    name="contributions",
    rows=lambda box: (select(Contribution).join(PoolMember, PoolMember.id == Contribution.member_id)
                      .join(Membership, Membership.id == PoolMember.membership_id)
                      .where(Contribution.box_id == box.id)),
    people=_members,
    member=PoolMember.membership_id,
    day=Contribution.paid_on,
    search=(Membership.display_name, Contribution.reversal_reason),
    statuses={"recorded": lambda box: Contribution.reversed_at.is_(None),
              "undone": lambda box: Contribution.reversed_at.is_not(None)},
    order=(Contribution.paid_on.desc(), Contribution.id.desc()),
    columns=(
        Column("Paid on", lambda c: c.paid_on, "day"),
        Column("Member", lambda c: c.member.name),
        Column("Amount", lambda c: c.amount, "money"),
        Column("Of it late fees", lambda c: c.fees, "money"),
        Column("Entry", lambda c: c.entry_id),
        Column("Status", lambda c: "undone" if c.reversed_at else "recorded"),
        Column("Why undone", lambda c: c.reversal_reason),
    ),
)

LOANS = ListSpec(
    name="loans",
    rows=lambda box: (select(Loan).join(PoolMember, PoolMember.id == Loan.member_id)
                      .join(Membership, Membership.id == PoolMember.membership_id).where(Loan.box_id == box.id)),
    people=_members,
    member=PoolMember.membership_id,
    day=Loan.requested_at,
    search=(Membership.display_name, Loan.purpose),
    statuses={status: (lambda box, status=status: Loan.status == status) for status in LOAN_STATUSES},
    order=(Loan.id.desc(),),
    columns=(
        Column("Loan", lambda loan: loan.id),
        Column("Borrower", lambda loan: loan.member.name),
        Column("Amount", lambda loan: loan.amount, "money"),
        Column("Installments", lambda loan: loan.term),
        Column("Asked", lambda loan: loan.requested_at, "time"),
        Column("Status", lambda loan: loan.status.replace("_", " ")),
        Column("Paid out on", lambda loan: loan.disbursed_on, "day"),
        Column("Closed on", lambda loan: loan.closed_on, "day"),
        Column("Purpose", lambda loan: loan.purpose),
    ),
)

REPAYMENTS = ListSpec(
    name="repayments",
    rows=lambda box: (select(Repayment, Membership.display_name.label("who")).join(Loan, Loan.id == Repayment.loan_id)
                      .join(PoolMember, PoolMember.id == Loan.member_id)
                      .join(Membership, Membership.id == PoolMember.membership_id).where(Loan.box_id == box.id)),
    people=_members,
    member=PoolMember.membership_id,
    day=Repayment.paid_on,
    search=(Membership.display_name, Repayment.reversal_reason),
    statuses={"recorded": lambda box: Repayment.reversed_at.is_(None),
              "undone": lambda box: Repayment.reversed_at.is_not(None)},
    order=(Repayment.paid_on.desc(), Repayment.id.desc()),
    columns=(
        Column("Paid on", lambda r: r.Repayment.paid_on, "day"),
        Column("Borrower", lambda r: r.who),
        Column("Loan", lambda r: r.Repayment.loan_id),
        Column("Amount", lambda r: r.Repayment.amount, "money"),
        Column("Principal", lambda r: r.Repayment.principal, "money"),
        Column("Interest", lambda r: r.Repayment.interest, "money"),
        Column("Penalty", lambda r: r.Repayment.penalty, "money"),
        Column("Status", lambda r: "undone" if r.Repayment.reversed_at else "recorded"),
        Column("Why undone", lambda r: r.Repayment.reversal_reason),
    ),
)

# Late fees are charged to the member, penalties to the loan: both are the borrower's to pay.
FINES = fines_spec(kinds=("membership", "loan"), on=Membership.id == case(
    (LateCharge.subject_kind == "loan", select(PoolMember.membership_id).join(Loan, Loan.member_id == PoolMember.id)
     .where(Loan.id == LateCharge.subject_id).scalar_subquery()),
    else_=LateCharge.subject_id))
