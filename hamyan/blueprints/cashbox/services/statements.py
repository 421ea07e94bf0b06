"""Statements: a member's ledger history, and the manager's report of the box's cash and every
account's balances."""
from datetime import date, timedelta

from sqlalchemy import select

from hamyan import ledger
from hamyan.blueprints.cashbox.services.common import cash_account
from hamyan.boxes.models import Box, Membership
from hamyan.extensions import db
from hamyan.ledger.models import CREDIT, DEBIT

# What the manager report calls each kind of account (by purpose, never by parsing codes).
LABELS = {"cash": "Cash", "fine_income": "Fine income", "contributions": "Position of {} (paid − received)",
          "fines": "Unpaid fines of {}", "payout_owed": "Payout owed to {}"}


def member_statement(box: Box, membership: Membership, start: date, end: date):
    from hamyan import statements

    accounts = ledger.accounts_of(box.id, subject=("membership", membership.id))
    return statements.account_statement(f"Member statement: {membership.display_name}", box, accounts,
                                        start, end, sign=CREDIT)


def manager_report(box: Box, start: date, end: date):
    """The box's cash over the period, a line per day and kind of entry (each member's payments are
    in their statement), and every ledger account's opening and closing balance."""
    from hamyan import statements

    statement = statements.per_day(statements.account_statement("Box manager report", box, [cash_account(box)],
                                                                start, end))
    accounts = ledger.accounts_of(box.id)
    ids = [a.id for a in accounts]
    opening = ledger.balances(ids, as_of=start - timedelta(days=1))
    closing = ledger.balances(ids, as_of=end)
    names = {m.id: m.display_name for m in db.session.scalars(select(Membership).filter_by(box_id=box.id))}
    rows = []
    for a in accounts:
        sign = 1 if a.normal_side == DEBIT else -1
        label = LABELS.get(a.purpose, a.name).format(names.get(a.subject_id, "?"))
        rows.append((label, sign * opening[a.id], sign * closing[a.id]))
    return statement, rows
