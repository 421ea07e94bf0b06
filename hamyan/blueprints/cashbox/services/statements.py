"""Statements: a member's ledger history, and the manager's report of the box's cash and every
account's balances."""
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from hamyan import ledger
from hamyan.blueprints.cashbox.models import MemberSummary, Round
from hamyan.blueprints.cashbox.services.common import cash_account, current_round
from hamyan.blueprints.cashbox.services.state import cells_in, draws_of, fresh, periods_in
from hamyan.boxes.models import Box, Membership
from hamyan.dues.status import DUE, LATE, PAID, PAID_LATE, PARTLY_PAID, UPCOMING
from hamyan.extensions import db
from hamyan.ledger.models import CREDIT

# What the manager report calls each kind of account (by purpose, never by parsing codes), in the
# language the report is written in ("{}": the member's name).
LABELS = {"cash": _l("Cash held"), "fine_income": _l("Fine income"), "contributions": _l("Position of {} (paid − received)"),
          "fines": _l("Unpaid fines of {}"), "payout_owed": _l("Payout owed to {}")}


def member_statement(box: Box, membership: Membership, start: date, end: date):
    from hamyan import statements

    accounts = ledger.accounts_of(box.id, subject=("membership", membership.id))
    return statements.account_statement(_("Member statement: %(name)s", name=membership.display_name), box, accounts,
                                        start, end, sign=CREDIT)


def manager_report(box: Box, start: date, end: date):
    """The box's cash over the period a line per day and kind of entry, and every account's
    opening and closing balance (statements.box_report)."""
    from hamyan import statements

    return statements.box_report(_("Box manager report"), box, cash_account(box), start, end, LABELS)


# A cell of the report's grid as one short mark (templates/statements/cashbox_report.html has the legend).
MARKS = {PAID: "✓", PAID_LATE: "L", LATE: "✗", PARTLY_PAID: "½", DUE: "•", UPCOMING: ""}
COLUMN = 4  # characters a period takes in a grid line (period numbers go to 3 digits)


@dataclass
class GridRow:
    name: str
    paid: int  # in the round, all periods
    arrears: int  # past due and unpaid
    marks: list[str]  # one per period of the round, first first

    def line(self, block: range) -> str:
        """The marks of a block of periods as one line of fixed-width columns (under ReportGrid.header):
        one text per row rather than a table cell per period keeps a 200 x 200 grid quick to lay out."""
        return "".join(f"{mark:^{COLUMN}}" for mark in self.marks[block.start:block.stop])


@dataclass
class ReportGrid:
    """The round the report shows: who paid what per period (a mark per member and period, from the
    kept period cells) and every period's draw and payout."""
    round: Round
    periods: list
    rows: list[GridRow]
    draws: object  # state.Draws

    @staticmethod
    def header(block: range) -> str:
        return "".join(f"{number + 1:^{COLUMN}}" for number in block)

    def blocks(self, size: int) -> list[range]:
        """The grid's period columns in blocks of `size` (each a table on its own landscape pages), up
        to the last period with a mark: the blocks after it would be blank (nothing due or paid yet)."""
        marked = max((n for row in self.rows for n, mark in enumerate(row.marks, 1) if mark), default=0)
        return [range(start, min(start + size, len(self.periods))) for start in range(0, marked, size)]


def report_grid(box: Box) -> ReportGrid | None:
    """The box's current round as the report's grid, in a fixed number of queries (one for every
    cell), or None before any round has started."""
    r = current_round(box.id)
    if r is None or r.status == "draft":
        return None
    r = fresh(r)
    periods = periods_in(r)
    summaries = list(db.session.scalars(
        select(MemberSummary).join(Membership, Membership.id == MemberSummary.membership_id)
        .options(contains_eager(MemberSummary.membership)).where(MemberSummary.round_id == r.id)
        .order_by(Membership.display_name, Membership.id)))
    cells = cells_in(r, periods, [s.membership_id for s in summaries], r.summaries_on)
    rows = []
    for s in summaries:
        marks = [""] * len(periods)
        for cell in cells.get(s.membership_id, ()):
            marks[cell.period - 1] = MARKS[cell.status]
        rows.append(GridRow(s.membership.display_name, s.paid, s.arrears, marks))
    return ReportGrid(r, periods, rows, draws_of(r))
