"""Statements from the shared engine (hamyan.statements): a member's ledger history (contributions,
payouts with the fee kept back, swap prices, deposit), and the manager's report of the cash."""
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from hamyan import ledger
from hamyan.blueprints.rosca.services.common import cash_account
from hamyan.boxes.models import Box, Membership
from hamyan.ledger.models import CREDIT

# The manager report's names of the accounts, in the report's language ("{}": the member's name).
LABELS = {"cash": _l("Cash held"), "fee_income": _l("Operator fee"), "contributions": _l("Position of {} (paid − received)"),
          "deposit": _l("Deposit held for {}")}


def member_statement(box: Box, membership: Membership, start: date, end: date):
    from hamyan import statements

    accounts = ledger.accounts_of(box.id, subject=("membership", membership.id))
    return statements.account_statement(_("ROSCA statement: %(name)s", name=membership.display_name), box, accounts, start, end,
                                        sign=CREDIT)


def manager_report(box: Box, start: date, end: date):
    from hamyan import statements

    return statements.box_report(_("ROSCA manager report"), box, cash_account(box), start, end, LABELS)
