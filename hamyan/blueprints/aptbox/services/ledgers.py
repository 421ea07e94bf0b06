"""Reading a unit's ledger (with a running balance) and the building's totals, for pages and the API."""
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import case, func, select

from hamyan.blueprints.aptbox.models import Unit, UnitSummary
from hamyan.core import clock
from hamyan.extensions import db
from hamyan.ledger import service as ledger
from hamyan.ledger.models import Entry, Posting
from hamyan.statements import Statement, account_statement

from .common import PAGE_SIZE, page_of



@dataclass
class LedgerLine:
    day: date
    memo: str
    code: str
    charged: int
    paid: int
    balance: int  # what the unit owes after the line; below 0 is credit


def unit_statement(box, unit: Unit, start: date | None = None, end: date | None = None) -> Statement:
    """The unit's receivable from the statements engine: charges and late fees raise it, payments
    lower it (start: the unit's first day; end: the last charge issued, future ones included)."""
    accounts = ledger.accounts_of(box.id, subject=("unit", unit.id))
    if start is None:
        first = db.session.scalar(select(func.min(Entry.effective_date)).join(Posting, Posting.entry_id == Entry.id)
                                  .where(Posting.account_id.in_([a.id for a in accounts] or [0])))
        start = min(first or clock.today(box), clock.today(box))
    return account_statement(_("Unit %(number)s", number=unit.number), box, accounts, start, end or start + timedelta(days=3650))


def unit_ledger(box, unit: Unit) -> list[LedgerLine]:
    statement = unit_statement(box, unit)
    running, lines = statement.opening, []
    for m in statement.movements:
        running += m.amount
        lines.append(LedgerLine(m.day, m.memo, m.code, max(m.amount, 0), max(-m.amount, 0), running))
    return lines


@dataclass
class Totals:
    units: int
    owed: int  # sum of positive balances
    credit: int
    arrears: int
    late_units: int


def totals(box) -> Totals:
    """The building's figures from its summary rows (one query)."""
    row = db.session.execute(select(
        func.count(UnitSummary.unit_id),
        func.coalesce(func.sum(case((UnitSummary.balance > 0, UnitSummary.balance), else_=0)), 0),
        func.coalesce(func.sum(case((UnitSummary.balance < 0, UnitSummary.balance), else_=0)), 0),
        func.coalesce(func.sum(UnitSummary.arrears), 0),
        func.coalesce(func.sum(case((UnitSummary.arrears > 0, 1), else_=0)), 0),
    ).where(UnitSummary.box_id == box.id)).one()
    return Totals(int(row[0]), int(row[1]), -int(row[2]), int(row[3]), int(row[4]))


def arrears_list(box, page: int = 1, size: int = PAGE_SIZE) -> tuple[list[tuple[Unit, UnitSummary]], int]:
    """One page of the units behind on their charges, most owed first, with days late, and how many there are."""
    return page_of(select(Unit, UnitSummary).join(UnitSummary, UnitSummary.unit_id == Unit.id)
                   .where(UnitSummary.box_id == box.id, UnitSummary.arrears > 0)
                   .order_by(UnitSummary.arrears.desc(), UnitSummary.days_late.desc(), Unit.number), page, size)
