"""The product's `reconcile`: business tables replayed from scratch against the kept rows and ledger."""
from collections import defaultdict

from sqlalchemy import select

from hamyan.blueprints.moneypool.models import Loan
from hamyan.boxes.models import Box
from hamyan.extensions import db
from hamyan.lending import state

from . import summary
from .common import _accounts, _natural, loan_state
from .repaying import _events, _terms


# --------------------------------------------------------------------------------- reconcile
def reconcile() -> list[str]:
    """Every loan replayed from scratch against its kept rows and the ledger (the product's
    `reconcile`, run by `flask ledger check`): one line per difference, none when all agree."""
    problems = []
    loans = db.session.execute(select(Loan).where(Loan.status.in_(("active", "closed", "written_off")))
                               .order_by(Loan.id)).scalars().all()
    pledged = defaultdict(int)
    by_box = {}  # each pool's accounts, read once: a pool has thousands of loans
    for loan in loans:
        box = db.session.get(Box, loan.box_id)
        if box.id not in by_box:
            by_box[box.id] = _accounts(box)
        accounts = by_box[box.id]
        for g in loan.guarantees:
            pledged[(box.id, g.member_id)] += g.held
        if loan.status == "written_off":
            continue
        replayed = state.replay(_terms(box, loan), _events(loan))
        kept = loan_state(loan)
        if sorted(_line_tuple(x) for x in replayed.lines) != sorted(_line_tuple(x) for x in kept.lines):
            problems.append(f"loan {loan.id}: installments differ from a replay of its plan and repayments")
        for row, split in replayed.splits.items():
            if (row.principal, row.interest, row.penalty) != (split.principal, split.interest, split.penalty):
                problems.append(f"loan {loan.id}: repayment {row.id} is split differently by a replay")
        if (loan.status == "closed") != (replayed.cleared_on is not None):
            problems.append(f"loan {loan.id}: status {loan.status} but a replay says "
                            f"{'cleared' if replayed.cleared_on else 'still owed'}")
        owed = replayed.outstanding_principal if loan.status == "active" else 0
        if _natural(accounts.get(f"mp:loan:{loan.id}:principal")) != owed:
            problems.append(f"loan {loan.id}: principal account differs from the {owed} still owed")
        penalties = sum(x.penalty - x.paid_penalty for x in replayed.lines) if loan.status == "active" else 0
        if _natural(accounts.get(f"mp:loan:{loan.id}:penalty")) != penalties:
            problems.append(f"loan {loan.id}: penalty account differs from the {penalties} unpaid")
    for (box_id, member_id), held in sorted(pledged.items()):
        if _natural(by_box[box_id].get(f"mp:member:{member_id}:pledged")) != held:
            problems.append(f"member {member_id}: pledged savings differ from the {held} their guarantees hold")
    return problems + summary.reconcile(by_box)


def _line_tuple(line) -> tuple:
    return (line.number, line.due_date, line.principal, line.interest, line.penalty, line.paid_principal,
            line.paid_interest, line.paid_penalty, bool(line.prepayment))
