"""What savers owe: due dates, the share amounts and shares in force on a day, each saver's dues
from the share history, what they paid, and the arrears of it. Reads only: savings' writes and the
summaries (summary.py) both build on them."""
from datetime import date

from sqlalchemy import func, select

from hamyan.blueprints.moneypool.models import Contribution, Pool, PoolMember, ShareAmount
from hamyan.boxes.models import Box
from hamyan.core import clock
from hamyan.dues import calendar, obligations
from hamyan.dues.calendar import add_months
from hamyan.extensions import db


def _in_force(history: list, day: date, attr: str) -> int:
    """The value of the last change effective on or before day (history sorted by effective_from)."""
    value = 0
    for row in history:
        if row.effective_from > day:
            break
        value = getattr(row, attr)
    return value


def _walk_from(pool: Pool, box: Box, day: date) -> int:
    """The number of a due date from which a walk to `day` may start: every earlier one falls in an
    earlier month than `day` (a walk from the first due date took ~200 steps a forecast at 40 months)."""
    (first_year, first_month), (year, month) = (calendar.month_of(pool.first_due, box.calendar),
                                                calendar.month_of(day, box.calendar))
    return max(((year - first_year) * 12 + month - first_month) // pool.period_months - 1, 0)


def due_dates(pool: Pool, box: Box, start: date, end: date) -> list[date]:
    """Contribution due dates in [start, end]."""
    out, i = [], _walk_from(pool, box, start)
    while True:
        day = add_months(pool.first_due, i * pool.period_months, box.calendar)
        if day > end:
            return out
        if day >= start:
            out.append(day)
        i += 1


def share_amounts(box: Box) -> list[ShareAmount]:
    return share_amounts_of([box.id])[box.id]


def share_amounts_of(box_ids) -> dict[int, list[ShareAmount]]:
    """Each of these pools' share amounts, first first, in one query."""
    out = {box_id: [] for box_id in box_ids}
    for row in db.session.scalars(select(ShareAmount).where(ShareAmount.box_id.in_(list(out) or [0]))
                                  .order_by(ShareAmount.box_id, ShareAmount.effective_from)):
        out[row.box_id].append(row)
    return out


def dues(member: PoolMember, amounts: list[ShareAmount], dates: list[date]) -> list[tuple[date, int, int]]:
    """(due date, shares, amount owed) for each due date while the member was in the pool."""
    out = []
    for day in dates:
        if day < member.joined_on or (member.left_on is not None and day > member.left_on):
            continue
        shares = _in_force(member.share_changes, day, "shares")
        if shares:
            out.append((day, shares, shares * _in_force(amounts, day, "amount")))
    return out


def contributed(box: Box, member_ids: list[int] | None = None, as_of: date | None = None) -> dict[int, int]:
    """Savings paid per member (late fees excluded), one query."""
    query = (select(Contribution.member_id, func.sum(Contribution.amount - Contribution.fees))
             .where(Contribution.box_id == box.id, Contribution.reversed_at.is_(None))
             .group_by(Contribution.member_id))
    if member_ids is not None:
        query = query.where(Contribution.member_id.in_(member_ids))
    if as_of is not None:
        query = query.where(Contribution.paid_on <= as_of)
    return {mid: int(total or 0) for mid, total in db.session.execute(query)}


def owed_and_arrears(rows, today: date, paid: int) -> tuple[int, int]:
    """What a member's dues rows (day, shares, amount; ascending) ask through today, and the
    arrears of it by the dues engine's one definition (today's due date counts)."""
    days, cum = [], [0]
    for day, _shares, amount in rows:
        days.append(day)
        cum.append(cum[-1] + amount)
    due = calendar.periods_due(days, today)
    return cum[due], obligations.arrears(cum, due, paid)


def next_due(box: Box, pool: Pool, today: date | None = None) -> date:
    """The first contribution due date on or after today."""
    today = today or clock.today(box)
    i = _walk_from(pool, box, today)
    while True:
        day = add_months(pool.first_due, i * pool.period_months, box.calendar)
        if day >= today:
            return day
        i += 1

