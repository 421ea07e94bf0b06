"""Statements: a member's ledger history, and the manager's report of the box's cash and every
account's balances."""
from datetime import date

from hamyan import ledger
from hamyan.blueprints.cashbox.services.common import cash_account
from hamyan.boxes.models import Box, Membership
from hamyan.ledger.models import CREDIT

# What the manager report calls each kind of account (by purpose, never by parsing codes).
LABELS = {"cash": "Cash", "fine_income": "Fine income", "contributions": "Position of {} (paid − received)",
          "fines": "Unpaid fines of {}", "payout_owed": "Payout owed to {}"}


def member_statement(box: Box, membership: Membership, start: date, end: date):
    from hamyan import statements

    accounts = ledger.accounts_of(box.id, subject=("membership", membership.id))
    return statements.account_statement(f"Member statement: {membership.display_name}", box, accounts,
                                        start, end, sign=CREDIT)


def manager_report(box: Box, start: date, end: date):
    """The box's cash over the period a line per day and kind of entry, and every account's
    opening and closing balance (statements.box_report)."""
    from hamyan import statements

    return statements.box_report("Box manager report", box, cash_account(box), start, end, LABELS)
