"""The pool's lists as hamyan.web.listing specs: contributions, loans, repayments and fines (with
filters and CSV), and the loan book."""
from datetime import date

from flask import url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import case, select

from hamyan.blueprints.moneypool import reports
from hamyan.blueprints.moneypool.models import LOAN_STATUSES, Contribution, Loan, PoolMember, Repayment
from hamyan.boxes import services as boxes
from hamyan.boxes.models import Membership
from hamyan.dues.lists import fines_spec
from hamyan.dues.models import LateCharge
from hamyan.web.listing import Column, ListSpec


def _loan_page(box, loan_id) -> str:
    return url_for("moneypool.loan", box_id=box.id, loan_id=loan_id)


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
        Column(_l("Paid on"), lambda c: c.paid_on, "day"),
        Column(_l("Member"), lambda c: c.member.name, "name"),
        Column(_l("Amount"), lambda c: c.amount, "money"),
        Column(_l("Of it late fees"), lambda c: c.fees, "money"),
        Column(_l("Entry"), lambda c: c.entry.number, "number"),
        Column(_l("Status"), lambda c: "undone" if c.reversed_at else "recorded", "status"),
        Column(_l("Why undone"), lambda c: c.reversal_reason),
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
        Column(_l("Loan"), lambda loan: loan.number, "number"),
        Column(_l("Borrower"), lambda loan: loan.member.name, "name"),
        Column(_l("Amount"), lambda loan: loan.amount, "money"),
        Column(_l("Installments"), lambda loan: loan.term, "number"),
        Column(_l("Asked"), lambda loan: loan.requested_at, "time"),
        Column(_l("Status"), lambda loan: loan.status, "status"),
        Column(_l("Paid out on"), lambda loan: loan.disbursed_on, "day"),
        Column(_l("Closed on"), lambda loan: loan.closed_on, "day"),
        Column(_l("Purpose"), lambda loan: loan.purpose),
    ),
)

REPAYMENTS = ListSpec(
    name="repayments",
    rows=lambda box: (select(Repayment, Membership.display_name.label("who"), Loan.number.label("loan"))
                      .join(Loan, Loan.id == Repayment.loan_id)
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
        Column(_l("No."), lambda r: r.Repayment.number, "number"),
        Column(_l("Paid on"), lambda r: r.Repayment.paid_on, "day"),
        Column(_l("Borrower"), lambda r: r.who, "name"),
        Column(_l("Loan"), lambda r: r.loan, "number", link=lambda r, box: _loan_page(box, r.Repayment.loan_id)),
        Column(_l("Amount"), lambda r: r.Repayment.amount, "money"),
        Column(_l("Principal"), lambda r: r.Repayment.principal, "money"),
        Column(_l("Interest"), lambda r: r.Repayment.interest, "money"),
        Column(_l("Penalty"), lambda r: r.Repayment.penalty, "money"),
        Column(_l("Status"), lambda r: "undone" if r.Repayment.reversed_at else "recorded", "status"),
        Column(_l("Why undone"), lambda r: r.Repayment.reversal_reason),
    ),
)

# Late fees are charged to the member, penalties to the loan: both are the borrower's to pay.
FINES = fines_spec(kinds=("membership", "loan"), on=Membership.id == case(
    (LateCharge.subject_kind == "loan", select(PoolMember.membership_id).join(Loan, Loan.member_id == PoolMember.id)
     .where(Loan.id == LateCharge.subject_id).scalar_subquery()),
    else_=LateCharge.subject_id))


def book_spec(as_of: date) -> ListSpec:
    """The loans out on `as_of` with what each owes (the reports page's loan book): found by the
    borrower, paid out between two days, exported whole."""
    return ListSpec(
        name="loan-book",
        rows=lambda box: reports.book_rows(box, as_of),
        people=_members,
        member=PoolMember.membership_id,
        day=Loan.disbursed_on,
        search=(Membership.display_name,),
        order=(Loan.id.desc(),),
        columns=(
            Column(_l("Loan"), lambda r: r.number, "number", link=lambda r, box: _loan_page(box, r.loan_id)),
            Column(_l("Borrower"), lambda r: r.name, "name"),
            Column(_l("Outstanding"), lambda r: int(r.outstanding), "money"),  # MariaDB sums are decimals
            Column(_l("Overdue"), lambda r: int(r.overdue), "money"),
            Column(_l("Days overdue"), lambda r: reports.days_overdue(as_of, r.oldest), "number"),
        ),
    )
