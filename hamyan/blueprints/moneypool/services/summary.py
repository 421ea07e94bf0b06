"""Member summaries: the read model pages list instead of deriving a whole pool per request.

One MemberSummary row per saver. Every write that changes a saver's savings, dues, fees or loans
calls refresh() for the savers it touched (a loan touches its borrower and guarantors), in the same
unit of work; when the box's day has changed since the rows were worked out (dues fall due by the
calendar, not by a write) the whole pool is refreshed instead: by the hourly job, or by the first
page read of the day (fresh()). Beside the rows, one PoolSummary row keeps their totals and the
PoolInflow rows what active loans' installments still owe per day (moved by every change to a loan:
move_inflows()). reconcile() derives all of them from scratch and lists differences."""
from collections import Counter
from dataclasses import dataclass
from datetime import date, timedelta

from flask_babel import gettext as _
from sqlalchemy import case, func, select, true, update
from sqlalchemy.orm import contains_eager, joinedload, lazyload, selectinload

from hamyan.blueprints.moneypool.models import (
    Installment, Loan, MemberSummary, Pool, PoolInflow, PoolMember, PoolSummary, ShareChange)
from hamyan.boxes.models import Box, Membership
from hamyan.core import clock, uow
from hamyan.dues import status as dues_status
from hamyan.dues.bulk import Line
from hamyan.extensions import db
from hamyan.i18n import show_money

from .owed import _in_force, contributed, due_dates, dues, next_due, owed_and_arrears, share_amounts
from .common import PAGE_SIZE, _accounts, _natural, _offset, loan_state

FIELDS = ("name", "left_pool", "shares", "savings", "pledged", "paid", "owed", "arrears", "arrears_since", "fees_owed", "overdue", "status", "next_due",
          "next_amount", "loan_outstanding", "loan_next_due", "loan_next_amount", "loan_overdue_days", "late")


def loan_members(loan: Loan) -> list[int]:
    """The savers whose rows a change to this loan touches: the borrower and the guarantors."""
    return [loan.member_id] + [g.member_id for g in loan.guarantees]


def _derive(box: Box, pool: Pool, members: list[PoolMember], today: date, whole: bool,
            accounts: dict | None = None) -> dict[int, dict]:
    """Each member's summary values on `today`, in a fixed number of queries (`whole`: every member
    of the pool, whose accounts are all read at once unless given)."""
    ids = [m.id for m in members]
    amounts = share_amounts(box)
    dates = due_dates(pool, box, pool.first_due, today)
    upcoming = next_due(box, pool, today)
    paid = contributed(box, None if whole else ids)
    if accounts is None:
        accounts = _accounts(box) if whole else _accounts(
            box, [f"mp:member:{i}:{kind}" for i in ids for kind in ("savings", "pledged", "fees")])
    loans = {}
    for loan in db.session.scalars(select(Loan).options(selectinload(Loan.installments)).where(
            Loan.box_id == box.id, Loan.status == "active", *([] if whole else [Loan.member_id.in_(ids)]))):
        loans.setdefault(loan.member_id, []).append(loan_state(loan))
    out = {}
    for m in members:
        have = paid.get(m.id, 0)
        rows = dues(m, amounts, dates)
        owed, arrears = owed_and_arrears(rows, today, have)
        oldest, since, running = None, None, 0  # the status of the oldest contribution not settled
        for day, _shares, amount in rows:
            covered = min(max(have - running, 0), amount)
            running += amount
            if covered < amount:
                oldest = dues_status.status(amount, covered, day, pool.grace_days, today)
                since = day if day <= today else None
                break
        status = oldest or (dues_status.PAID if owed else dues_status.UPCOMING)
        nxt = dues(m, amounts, [upcoming])
        states = loans.get(m.id, [])
        first = min((line for s in states for line in s.lines if line.unpaid), key=lambda line: line.due_date,
                    default=None)
        overdue = max((s.days_overdue(today) for s in states), default=0)
        fees = _natural(accounts.get(f"mp:member:{m.id}:fees"))
        out[m.id] = dict(
            name=m.membership.display_name, left_pool=m.left_on is not None, shares=_in_force(m.share_changes, today, "shares") if m.left_on is None else 0,
            savings=_natural(accounts.get(f"mp:member:{m.id}:savings")),
            pledged=_natural(accounts.get(f"mp:member:{m.id}:pledged")),
            paid=have, owed=owed, arrears=arrears, arrears_since=since if arrears else None,
            fees_owed=fees, overdue=arrears + fees, status=status,
            next_due=nxt[0][0] if nxt else None, next_amount=nxt[0][2] if nxt else 0,
            loan_outstanding=sum(s.outstanding_principal for s in states),
            loan_next_due=first.due_date if first else None, loan_next_amount=first.unpaid if first else 0,
            loan_overdue_days=overdue, late=status == dues_status.LATE or overdue > 0)
    return out


def _members(box: Box, ids=None) -> list[PoolMember]:
    # populate_existing: share changes added in this unit of work are not in loaded collections yet
    query = (select(PoolMember).where(PoolMember.box_id == box.id).order_by(PoolMember.id)
             .execution_options(populate_existing=True))
    if ids is not None:
        query = query.where(PoolMember.id.in_(ids))
    return list(db.session.scalars(query))


def refresh(box: Box, member_ids=None) -> None:
    """Bring the rows of these savers (None: every saver) up to date inside the running unit of work."""
    if not uow.active():
        raise RuntimeError("summaries are written by a unit of work")
    db.session.flush()
    pool = db.session.get(Pool, box.id)
    today = clock.today(box)
    totals = db.session.get(PoolSummary, box.id)
    if pool.summaries_on != today or totals is None:  # the day moved on: every row changes, not only these savers'
        member_ids = None
    elif not member_ids:
        return
    whole = member_ids is None
    members = _members(box, None if whole else sorted(set(member_ids)))
    values = _derive(box, pool, members, today, whole)
    rows = {s.member_id: s for s in db.session.scalars(select(MemberSummary).where(
        MemberSummary.box_id == box.id, *([] if whole else [MemberSummary.member_id.in_(values)])))}
    if totals is None:
        totals = PoolSummary(box_id=box.id)
        db.session.add(totals)
    if whole:
        totals.savers = totals.shares = totals.late = 0
    for member_id, row_values in values.items():
        row = rows.get(member_id)
        if row is None:
            row = MemberSummary(member_id=member_id, box_id=box.id)
            db.session.add(row)
        elif not whole:
            _count(totals, row.shares, row.late, -1)
        for key, value in row_values.items():
            setattr(row, key, value)
        _count(totals, row.shares, row.late, 1)
    if whole:
        _replace_inflows(box, inflows(box))
        pool.summaries_on = today
    db.session.flush()


def _count(totals: PoolSummary, shares: int, late: bool, sign: int) -> None:
    """Add (sign 1) or take away (-1) one summary row's part of the pool's totals."""
    totals.savers += sign
    totals.shares += sign * shares
    totals.late += sign * int(late)


def renamed(box: Box, membership: Membership) -> None:
    """The saver's summary row keeps their name (the table's order): the product's `renamed`."""
    db.session.execute(update(MemberSummary).where(MemberSummary.member_id.in_(
        select(PoolMember.id).where(PoolMember.membership_id == membership.id))).values(name=membership.display_name))


def totals(box: Box) -> PoolSummary:
    """The pool's totals row, kept by the session for its life: the identity map holds rows only
    while something refers to them, and a dashboard asks for it three times."""
    found = db.session.get(PoolSummary, box.id)
    if found is None:
        return PoolSummary(box_id=box.id, savers=0, shares=0, late=0)
    db.session.info.setdefault("pool_totals", {})[box.id] = found
    return found


# ------------------------------------------------------------- installments falling due per day
def _unpaid(inst) -> int:
    return inst.principal + inst.interest - inst.paid_principal - inst.paid_interest


def loan_inflows(loan: Loan) -> Counter:
    """What the loan's installments still owe per due date, while it is being repaid."""
    days = Counter()
    if loan.status == "active":
        for inst in loan.installments:
            if _unpaid(inst) > 0:
                days[inst.due_date] += _unpaid(inst)
    return days


def move_inflows(box: Box, before: Counter, after: Counter) -> None:
    """A loan's installments or status changed from `before` to `after` (loan_inflows): move the
    pool's per-day rows by the difference, in the running unit of work."""
    change = {day: after.get(day, 0) - before.get(day, 0) for day in before.keys() | after.keys()}
    change = {day: amount for day, amount in change.items() if amount}
    if not change:
        return
    rows = {r.due_date: r for r in db.session.scalars(select(PoolInflow).where(
        PoolInflow.box_id == box.id, PoolInflow.due_date.in_(change)))}
    for day, amount in change.items():
        row = rows.get(day)
        if row is None:
            db.session.add(PoolInflow(box_id=box.id, due_date=day, amount=amount))
        elif row.amount + amount:
            row.amount += amount
        else:
            db.session.delete(row)


def inflows(box: Box) -> dict[date, int]:
    """What every active loan's installments still owe per due date, derived from the installments."""
    unpaid = _unpaid(Installment)
    return {day: int(amount) for day, amount in db.session.execute(
        select(Installment.due_date, func.sum(unpaid)).join(Loan, Loan.id == Installment.loan_id)
        .where(Loan.box_id == box.id, Loan.status == "active", unpaid > 0).group_by(Installment.due_date))}


def _replace_inflows(box: Box, days: dict[date, int]) -> None:
    db.session.execute(PoolInflow.__table__.delete().where(PoolInflow.box_id == box.id))
    if days:
        db.session.execute(PoolInflow.__table__.insert(), [dict(box_id=box.id, due_date=day, amount=amount)
                                                            for day, amount in days.items()])


def fresh(box: Box) -> None:
    """Summaries of the box's today: refreshed (one box write) on the first read of a new day,
    unless the hourly job already did."""
    pool = db.session.get(Pool, box.id)
    if pool.summaries_on != clock.today(box):
        with uow.box_transaction(box.id):
            refresh(db.session.get(Box, box.id))


def rebuild(box_id: int) -> None:
    """Every row of the pool worked out again, in its own box write: for pools whose rows were
    inserted directly (test builders, the bench), not through the services."""
    with uow.box_transaction(box_id):
        db.session.get(Pool, box_id).summaries_on = None
        refresh(db.session.get(Box, box_id))


def reconcile(accounts_by_box: dict) -> list[str]:
    """Every summarized pool's rows against a from-scratch derivation as of their day: one line per
    difference. A pool never summarized yet (just upgraded) is filled by its first read or the job.
    accounts_by_box: the pools' accounts the caller already read (box id -> accounts)."""
    problems = []
    for pool in db.session.scalars(select(Pool).where(Pool.summaries_on.isnot(None)).order_by(Pool.box_id)):
        box = db.session.get(Box, pool.box_id)
        expected = _derive(box, pool, _members(box), pool.summaries_on, True, accounts_by_box.get(box.id))
        rows = {s.member_id: s for s in db.session.scalars(select(MemberSummary).filter_by(box_id=box.id))}
        for member_id, values in expected.items():
            row = rows.pop(member_id, None)
            name = f"moneypool {box.id} member {member_id}"
            if row is None:
                problems.append(f"{name}: no summary row")
                continue
            problems.extend(f"{name}: {key} is {getattr(row, key)!r}, derived {values[key]!r}"
                            for key in FIELDS if getattr(row, key) != values[key])
        problems.extend(f"moneypool {box.id} member {m}: summary of no saver" for m in rows)
        problems.extend(_totals_problems(box))
    return problems


def _totals_problems(box: Box) -> list[str]:
    """The pool's totals and per-day inflows against their rows and loans, one line per difference."""
    problems = []
    kept = db.session.get(PoolSummary, box.id)
    savers, shares, late = db.session.execute(
        select(func.count(), func.coalesce(func.sum(MemberSummary.shares), 0),
               func.coalesce(func.sum(case((MemberSummary.late.is_(True), 1), else_=0)), 0))
        .where(MemberSummary.box_id == box.id)).one()
    for key, value in (("savers", savers), ("shares", shares), ("late", late)):
        if (getattr(kept, key) if kept else None) != int(value):
            problems.append(f"moneypool {box.id} totals: {key} is {getattr(kept, key) if kept else None!r}, "
                            f"summed {int(value)!r}")
    rows = dict(db.session.execute(select(PoolInflow.due_date, PoolInflow.amount).where(PoolInflow.box_id == box.id)).all())
    expected = inflows(box)
    for day in sorted(rows.keys() | expected.keys()):
        if rows.get(day) != expected.get(day):
            problems.append(f"moneypool {box.id} installments due {day.isoformat()}: kept {rows.get(day)!r}, "
                            f"derived {expected.get(day)!r}")
    return problems


# ---------------------------------------------------------------- what pages read
ATTENTION = 10  # rows in each attention list
DUE_SOON_DAYS = 7  # loans whose next installment falls due within this many days are listed


def page(box: Box, page: int, name: str = "", per_page: int = PAGE_SIZE) -> tuple[list[MemberSummary], int]:
    """One page of savers' summaries whose name contains `name` (any case), those still in the pool
    first, by name: read in the order of the summaries' own index, counted by the pool's totals
    unless a name is searched (a search reads the names it matches)."""
    query = (select(MemberSummary).join(PoolMember, PoolMember.id == MemberSummary.member_id)
             .join(Membership, Membership.id == PoolMember.membership_id)
             .options(contains_eager(MemberSummary.member).contains_eager(PoolMember.membership),
                      # a row shows the kept shares, not the saver's changes of them
                      contains_eager(MemberSummary.member).lazyload(PoolMember.share_changes))
             .where(MemberSummary.box_id == box.id))
    if name.strip():
        query = query.where(func.lower(MemberSummary.name).contains(name.strip().lower(), autoescape=True))
        total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    else:
        total = totals(box).savers
    rows = list(db.session.scalars(query.order_by(MemberSummary.left_pool, MemberSummary.name, MemberSummary.member_id)
                                   .limit(per_page).offset(_offset(page, per_page))))
    return rows, total


def of(member: PoolMember) -> MemberSummary | None:
    return db.session.get(MemberSummary, member.id)


def of_members(member_ids) -> dict[int, MemberSummary]:
    """These savers' rows (savers of several pools: the list of pools), in one query."""
    return {s.member_id: s for s in db.session.scalars(
        select(MemberSummary).options(joinedload(MemberSummary.member))
        .where(MemberSummary.member_id.in_(list(member_ids) or [0])))}


@dataclass
class Attention:
    late: list  # savers late on savings or with a loan overdue: most overdue first, then longest overdue loan
    loans_due: list  # savers whose next loan installment falls due within DUE_SOON_DAYS, soonest first
    late_count: int


def attention(box: Box) -> Attention:
    """Who the manager should call: two queries on the summaries' indexes, the count from the totals."""
    eager = (joinedload(MemberSummary.member).lazyload(PoolMember.share_changes),)  # rows show kept figures
    late = list(db.session.scalars(
        # `late = true`, not `late IS true`: MariaDB reads the late list's index only for the former; every
        # key descending (ties: the newest saver first), so it reads that index backwards and stops at the limit
        select(MemberSummary).options(*eager).where(MemberSummary.box_id == box.id, MemberSummary.late == true())
        .order_by(MemberSummary.overdue.desc(), MemberSummary.loan_overdue_days.desc(), MemberSummary.member_id.desc())
        .limit(ATTENTION)))
    soon = clock.today(box) + timedelta(days=DUE_SOON_DAYS)
    due = list(db.session.scalars(
        select(MemberSummary).options(*eager).where(MemberSummary.box_id == box.id,
                                                    MemberSummary.loan_next_due <= soon)
        .order_by(MemberSummary.loan_next_due, MemberSummary.member_id).limit(ATTENTION)))
    return Attention(late, due, totals(box).late)


def expected_savings(box: Box, pool: Pool, dates: list[date], amounts: list | None = None) -> dict[date, int]:
    """Savings falling due on each of these future dates if savers keep their shares: the pool's
    total of shares, except savers with a share change after today, worked out one by one (few).
    `amounts`: the pool's share amounts, when already read."""
    today = clock.today(box)
    amounts = share_amounts(box) if amounts is None else amounts
    # The pool's savers among the few with a change still to come: read from the changes' own
    # index (by date), each looked up by id in the pool, never the pool's savers one by one.
    changing = list(db.session.scalars(select(PoolMember).where(
        PoolMember.box_id == box.id,
        PoolMember.id.in_(select(ShareChange.member_id).where(ShareChange.effective_from > today)))))
    steady = totals(box).shares - (db.session.scalar(  # a saver who left counts no shares
        select(func.sum(MemberSummary.shares)).where(MemberSummary.member_id.in_([m.id for m in changing]))) or 0
        if changing else 0)
    flows = {day: int(steady) * _in_force(amounts, day, "amount") for day in dates}
    for member in changing:
        if member.left_on is not None:
            continue
        for day, _shares, amount in dues(member, amounts, dates):
            flows[day] += amount
    return flows


def period_lines(box: Box) -> list[Line]:
    """Every saver still in the pool with what they owe by the next due date (late savings and
    fees, then that date's contribution), by name (the bulk entry form): one query."""
    today = clock.today(box)
    rows = db.session.execute(
        select(MemberSummary, Membership.display_name).join(PoolMember, PoolMember.id == MemberSummary.member_id)
        .join(Membership, Membership.id == PoolMember.membership_id)
        .where(MemberSummary.box_id == box.id, PoolMember.left_on.is_(None))
        .order_by(Membership.display_name, PoolMember.id)).all()
    lines = []
    for s, name in rows:
        late = max(s.owed - s.paid, 0) + s.fees_owed
        upcoming = s.next_amount if s.next_due and s.next_due > today else 0
        note = _("%(amount)s of it is already due.", amount=show_money(late, box)) if late and upcoming else ""
        lines.append(Line(s.member_id, name, late + upcoming, note))
    return lines
