"""The state of a round, derived from the plan and the ordered payments (never stored as the
truth), and the member summaries pages read instead of deriving a whole round per request.

round_state() works out, per member, what is due and paid in every period with the dues engine:
a holder's dues through period p are their allocation of p x contribution (dues.obligations), a
payment settles the oldest dues first, and every status and arrears figure follows dues.status.

Summaries (MemberSummary, one row per member of a started round) are the read model: every write
that changes a member's state refreshes that member's row in the same unit of work (payments,
undo, fines, waivers, draws, rule changes), and the whole round's rows are refreshed when the
box's day changes (dues fall due by the calendar, not by a write): by the hourly job, or by the
first page read of the day. reconcile() recomputes every row from scratch and lists differences."""
from collections import defaultdict
from dataclasses import dataclass, field
from functools import cached_property
from datetime import date

from sqlalchemy import case, func, insert, or_, select, update
from sqlalchemy.orm import contains_eager, joinedload, lazyload, selectinload

from hamyan.blueprints.cashbox.models import (
    Cashbox, Holding, MemberSummary, Payment, Period, PeriodCell, Round, Share)
from hamyan.boxes.models import Box, Membership
from hamyan.core import clock, uow
from hamyan.dues import calendar, late, obligations
from hamyan.dues import status as dues_status
from hamyan.extensions import db
from hamyan.ledger.models import Entry, LedgerAccount, Posting
from hamyan.rotation import shares as rotation_shares
from hamyan.web.listing import paged


@dataclass
class Cell:
    period: int
    due: int
    paid: int
    status: str  # one of dues.status.STATUSES
    fine: int = 0
    settled_on: date | None = None  # the day the last of `due` was paid, once it is


@dataclass
class MemberState:
    membership: Membership
    cum_due: list = field(default_factory=list)  # cum_due[p]: contributions due through period p
    holdings: list = field(default_factory=list)  # (share number, fraction)
    paid: int = 0  # contributions paid in this round (cash, bank and netted)
    fines_charged: int = 0
    fines_paid: int = 0
    received: int = 0
    cells: list = field(default_factory=list)
    arrears: int = 0  # contributions due by today and unpaid
    due_now: int = 0  # contributions due by today
    periods_due: int = 0  # how many periods are due by today
    payments: list = field(default_factory=list)

    @property
    def fines_unpaid(self) -> int:
        return self.fines_charged - self.fines_paid

    @property
    def round_total(self) -> int:
        """Contributions due over the whole round: exactly the pot parts of the member's shares."""
        return self.cum_due[-1] if self.cum_due else 0

    def due_through(self, number: int) -> int:
        return self.cum_due[number] if self.cum_due else 0

    @property
    def owes_now(self) -> int:
        return self.arrears + self.fines_unpaid

    @property
    def status(self) -> str:
        """The member's standing: the status of their oldest unsettled due period (late, partly
        paid, due), else paid when something fell due, else upcoming."""
        due = self.cells[:self.periods_due]
        if any(c.status == dues_status.LATE for c in due):
            return dues_status.LATE
        unsettled = next((c.status for c in due if c.status in dues_status.UNSETTLED), None)
        return unsettled or (dues_status.PAID if due else dues_status.UPCOMING)

    def next_payment(self, due_dates: list[date], today: date) -> tuple[date, int] | None:
        """The first period due today or later that is not fully paid: (due date, still to pay)."""
        return next(((day, c.due - c.paid) for c, day in zip(self.cells, due_dates)
                     if day >= today and c.paid < c.due), None)

    @property
    def shares_label(self) -> str:
        return ", ".join(str(n) if f == 1 else f"{n}:{f}" for n, f in self.holdings)


@dataclass
class RoundState:
    round: Round
    box: Box
    cashbox: Cashbox
    today: date
    periods: list
    members: list  # MemberState, by display name
    shares: list
    fines: dict  # (period id, membership id) -> late fees charged and not waived

    @property
    def by_membership(self) -> dict:
        return {s.membership.id: s for s in self.members}

    @cached_property
    def schedule(self) -> list[tuple[int, int, date]]:
        """(period id, number, due date) of every period, first first."""
        return [(p.id, p.number, p.due_date) for p in self.periods]

    @cached_property
    def periods_due(self) -> int:
        """How many periods are due by the state's day."""
        return calendar.periods_due([p.due_date for p in self.periods], self.today)

    @property
    def drawn(self) -> int:
        return sum(1 for p in self.periods if p.drawn_at is not None)

    def collected(self, number: int) -> int:
        return sum(s.cells[number - 1].paid for s in self.members if s.cells)

    def fully_paid(self, number: int) -> bool:
        return all(s.paid >= s.due_through(number) for s in self.members)

    @property
    def total_arrears(self) -> int:
        return sum(s.owes_now for s in self.members)


def split(amount: int, holdings: list[Holding]) -> list[int]:
    """A share's amount split between its holders exactly (rotation.shares.split)."""
    return rotation_shares.split(amount, [h.fraction for h in holdings])


def round_state(r: Round, today: date | None = None, membership_ids=None) -> RoundState:
    """Everything about a round in a fixed number of queries, whatever its size. With
    membership_ids (a collection), only those members are worked out (one member's page, one page
    of the grid, a write about one member)."""
    box = db.session.get(Box, r.box_id)
    cashbox = db.session.get(Cashbox, r.box_id)
    today = today or clock.today(box)
    wanted = set(membership_ids) if membership_ids is not None else None
    shares_query = select(Share).where(Share.round_id == r.id).order_by(Share.number)
    if wanted is not None:
        shares_query = shares_query.where(Share.id.in_(
            select(Holding.share_id).where(Holding.membership_id.in_(wanted or [0]))))
    shares = list(db.session.scalars(
        shares_query.options(db.selectinload(Share.holdings).joinedload(Holding.membership))))
    periods = list(db.session.scalars(select(Period).where(Period.round_id == r.id).order_by(Period.number)))
    states: dict[int, MemberState] = {}
    for share in shares:
        if not share.holdings:
            continue
        dues = obligations.cumulative_dues(r.contribution, r.share_count, tuple(h.fraction for h in share.holdings))
        for holding, cumulative in zip(share.holdings, dues):
            if wanted is not None and holding.membership_id not in wanted:
                continue
            state = states.setdefault(holding.membership_id, MemberState(holding.membership))
            state.cum_due = obligations.add_dues(state.cum_due, cumulative)
            state.holdings.append((share.number, holding.fraction))
    # Only their days and amounts count here: not the entries a payment loads with it for pages
    payments = (select(Payment).where(Payment.round_id == r.id, ~Payment.reversal.has())
                .options(lazyload(Payment.entry), lazyload(Payment.reversal)).order_by(Payment.paid_on, Payment.id))
    if wanted is not None:
        payments = payments.where(Payment.membership_id.in_(wanted or [0]))
    for payment in db.session.scalars(payments):
        state = states.get(payment.membership_id)
        if state is None:  # a holder removed from a draft never has payments; guard anyway
            state = states.setdefault(payment.membership_id, MemberState(payment.membership))
        state.payments.append(payment)
        state.fines_paid += payment.fine_amount
    fines = defaultdict(int)
    if periods:
        period_ids = {f"period:{p.id}": p.id for p in periods}  # services.fines.reference
        for fined_id, reference, amount in late.unwaived(r.box_id, "membership", period_ids, wanted):
            fines[(period_ids[reference], fined_id)] = amount
            if fined_id in states:
                states[fined_id].fines_charged += amount
    shares_by_id = {s.id: s for s in shares}
    for period in periods:
        if period.winner_share_id in shares_by_id and period.payout_status == "paid":
            winners = shares_by_id[period.winner_share_id].holdings
            for holding, part in zip(winners, split(r.pot, winners)):
                if holding.membership_id in states:
                    states[holding.membership_id].received += part
    for state in states.values():
        if not state.cum_due:
            state.cum_due = [0] * (r.share_count + 1)
    members = sorted(states.values(), key=lambda s: (s.membership.display_name.lower(), s.membership.id))
    rs = RoundState(r, box, cashbox, today, periods, members, shares, fines)
    for state in members:
        _work_out(rs, state)
    return rs


def _work_out(rs: RoundState, state: MemberState) -> None:
    """A member's paid total, cells, arrears and what is due by the state's day, from their dues and
    their payments (in the order they were paid)."""
    grace, today, periods, periods_due = rs.cashbox.grace_days, rs.today, rs.periods, rs.periods_due
    paid_by_day = [(p.paid_on, p.amount) for p in state.payments]
    state.paid = sum(amount for _, amount in paid_by_day)
    settled = obligations.settled_on(paid_by_day, state.cum_due[:len(periods) + 1])
    cum_due, member_id = state.cum_due, state.membership.id
    state.cells = cells = []
    # Plain values: this loop runs members x periods times, ORM attribute access is slow there.
    for (period_id, number, due_date), settled_on in zip(rs.schedule, settled):
        cumulative, before = cum_due[number], cum_due[number - 1]
        due = cumulative - before
        covered = min(max(state.paid - before, 0), due)
        cells.append(Cell(number, due, covered,
                          dues_status.status(due, covered, due_date, grace, today, settled_on),
                          rs.fines.get((period_id, member_id), 0), settled_on if covered >= due else None))
    state.periods_due = periods_due
    state.due_now = cum_due[periods_due] if periods else 0
    state.arrears = obligations.arrears(cum_due, periods_due, state.paid) if periods else 0


def count_payment(rs: RoundState, payment: Payment) -> None:
    """Bring a derived state up to date with a payment its write just recorded (as round_state
    would derive it now), so the write refreshes the summaries without deriving the member again."""
    state = rs.by_membership[payment.membership_id]
    state.payments.append(payment)
    state.payments.sort(key=lambda p: (p.paid_on, p.id))  # a back-dated payment settles in its day's place
    state.fines_paid += payment.fine_amount
    _work_out(rs, state)


# ---------------------------------------------------------------- summaries (the read model)

SUMMARY_FIELDS = ("shares", "round_total", "paid", "paid_through", "due_now", "arrears", "fines_unpaid", "received",
                  "status", "next_due", "next_amount")


def _summary_values(state: MemberState, due_dates: list[date], today: date) -> dict:
    nxt = state.next_payment(due_dates, today)
    # The number of periods fully paid (cum_due ascends, so the last one paid for).
    paid_through = max((p for p, cum in enumerate(state.cum_due) if cum <= state.paid), default=0)
    return dict(shares=state.shares_label[:200], round_total=state.round_total, paid=state.paid,
                paid_through=paid_through, due_now=state.due_now, arrears=state.arrears, fines_unpaid=state.fines_unpaid,
                received=state.received, status=state.status, next_due=nxt[0] if nxt else None,
                next_amount=nxt[1] if nxt else 0)


def refresh_summaries(r: Round, membership_ids=None, state: RoundState | None = None) -> None:
    """Bring the summary rows of a started round (or of some of its members) up to date, inside
    the running unit of work. Called by every write that changes what a member owes or got; a
    write that derived these members' state and kept it up to date with what it wrote
    (count_payment) hands it over as `state` rather than have it derived again."""
    if r.status == "draft":
        return
    if not uow.active():
        raise RuntimeError("summaries are written by a unit of work")
    today = clock.today(db.session.get(Box, r.box_id))
    if r.summaries_on != today:  # the day moved on: every row changes, not only these members'
        membership_ids = state = None
    if state is None or state.today != today:
        state = round_state(r, today, membership_ids=membership_ids)
    due_dates = [p.due_date for p in state.periods]
    rows = {s.membership_id: s for s in db.session.scalars(
        select(MemberSummary).where(MemberSummary.round_id == r.id,
                                    *([MemberSummary.membership_id.in_(membership_ids or [0])]
                                      if membership_ids is not None else [])))}
    for member in state.members:
        values = _summary_values(member, due_dates, state.today)
        row = rows.get(member.membership.id)
        if row is None:
            row = MemberSummary(round_id=r.id, box_id=r.box_id, membership_id=member.membership.id)
            db.session.add(row)
        for key, value in values.items():
            setattr(row, key, value)
    _write_cells(r, state.members)
    if membership_ids is None:
        r.summaries_on = state.today
    db.session.flush()


CELL_FIELDS = ("due", "paid", "settled_on", "fine")


def _cell_values(cell: Cell) -> tuple:
    return cell.due, cell.paid, cell.settled_on, cell.fine


def _kept_cells(r: Round, membership_ids=None) -> dict[tuple[int, int], tuple]:
    """(membership id, period number) -> the kept cell's CELL_FIELDS."""
    query = select(PeriodCell.membership_id, PeriodCell.number, *(getattr(PeriodCell, f) for f in CELL_FIELDS)).where(
        PeriodCell.round_id == r.id)
    if membership_ids is not None:
        query = query.where(PeriodCell.membership_id.in_(membership_ids or [0]))
    return {(m, n): tuple(values) for m, n, *values in db.session.execute(query)}


def _write_cells(r: Round, members: list[MemberState]) -> None:
    """Insert or update the period cells of these members where they differ from the derivation
    (a payment changes a few of a member's cells; the daily refresh usually none)."""
    kept = _kept_cells(r, [m.membership.id for m in members])
    new, changed = [], []
    for member in members:
        for cell in member.cells:
            values = _cell_values(cell)
            old = kept.get((member.membership.id, cell.period))
            if old != values:
                row = dict(round_id=r.id, membership_id=member.membership.id, number=cell.period,
                           **dict(zip(CELL_FIELDS, values)))
                (new if old is None else changed).append(row)
    if new:
        db.session.execute(insert(PeriodCell), new)
    if changed:
        db.session.execute(update(PeriodCell), changed)  # by primary key


def fresh(r: Round) -> Round:
    """The round with summaries of the box's today: refreshed (one box write) on the first read of
    a new day, unless the hourly job already did."""
    if r.status != "draft" and r.summaries_on != clock.today(db.session.get(Box, r.box_id)):
        with uow.box_transaction(r.box_id):
            r = db.session.get(Round, r.id)
            if r.summaries_on != clock.today(db.session.get(Box, r.box_id)):
                refresh_summaries(r)
    return r


def reconcile() -> list[str]:
    """Every summarized round's rows against a from-scratch derivation as of their day: one line
    per difference (the product's `reconcile`, run by `flask ledger check`). A round summarized
    never yet (just upgraded) is filled by its first read or the hourly job."""
    problems = []
    for r in db.session.scalars(select(Round).where(Round.status != "draft", Round.summaries_on.isnot(None))
                                .order_by(Round.id)):
        state = round_state(r, r.summaries_on)
        due_dates = [p.due_date for p in state.periods]
        rows = {s.membership_id: s for s in db.session.scalars(select(MemberSummary).filter_by(round_id=r.id))}
        for member in state.members:
            row = rows.pop(member.membership.id, None)
            name = f"cashbox round {r.id} member {member.membership.id}"
            if row is None:
                problems.append(f"{name}: no summary row")
                continue
            expected = _summary_values(member, due_dates, state.today)
            for key in SUMMARY_FIELDS:
                if getattr(row, key) != expected[key]:
                    problems.append(f"{name}: {key} is {getattr(row, key)!r}, derived {expected[key]!r}")
        problems.extend(f"cashbox round {r.id} member {m}: summary of no holder" for m in rows)
        kept = _kept_cells(r)
        for member in state.members:
            for cell in member.cells:
                old = kept.pop((member.membership.id, cell.period), None)
                if old != _cell_values(cell):
                    problems.append(f"cashbox round {r.id} member {member.membership.id} period {cell.period}: "
                                    f"cell {dict(zip(CELL_FIELDS, old)) if old else None}, "
                                    f"derived {dict(zip(CELL_FIELDS, _cell_values(cell)))}")
        problems.extend(f"cashbox round {r.id} member {m} period {n}: cell of no holder" for m, n in kept)
    return problems


# ---------------------------------------------------------------- what pages read

@dataclass
class Totals:
    members: int
    owed_now: int  # dues past due and unpaid fines, all members
    late: int  # members with a late period
    behind: int  # members who have not fully paid the period asked about


def totals(r: Round, period_number: int = 0) -> Totals:
    """The round's totals from its summaries: one query, whatever the number of members. `behind`
    counts the members who have not fully paid period `period_number`."""
    return round_totals([r.id], period_number).get(r.id, Totals(0, 0, 0, 0))


def round_totals(round_ids: list[int], period_number: int = 0) -> dict[int, Totals]:
    """totals() of several rounds in one query (a list of boxes)."""
    rows = db.session.execute(
        select(MemberSummary.round_id, func.count(), func.sum(MemberSummary.arrears + MemberSummary.fines_unpaid),
               func.sum(case((MemberSummary.status == dues_status.LATE, 1), else_=0)),
               func.sum(case((MemberSummary.paid_through < period_number, 1), else_=0)))
        .where(MemberSummary.round_id.in_(round_ids or [0])).group_by(MemberSummary.round_id))
    return {round_id: Totals(*(int(x or 0) for x in values)) for round_id, *values in rows}


def attention(r: Round, limit: int = 10) -> list[MemberSummary]:
    """Late payers, most owed first: who the manager should call."""
    return list(db.session.scalars(
        select(MemberSummary).options(joinedload(MemberSummary.membership))
        .where(MemberSummary.round_id == r.id, MemberSummary.status == dues_status.LATE)
        .order_by((MemberSummary.arrears + MemberSummary.fines_unpaid).desc(), MemberSummary.membership_id)
        .limit(limit)))


def member_summaries(r: Round, search: str = "", page: int = 1, per_page: int = 25, members: int | None = None):
    """One page of the round's members by name, optionally those whose name contains `search`.
    `members`: the round's count of members (Totals.members), when already read: not counted again."""
    query = (select(MemberSummary).join(Membership, Membership.id == MemberSummary.membership_id)
             .options(contains_eager(MemberSummary.membership)).where(MemberSummary.round_id == r.id))
    if search:
        escaped = search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(Membership.display_name.ilike(f"%{escaped}%", escape="\\"))
    return paged(query.order_by(Membership.display_name, Membership.id), page, per_page,
                 total=None if search else members)


@dataclass
class Draws:
    periods: list  # the periods asked for (every period by default), first first
    shares: dict  # share id -> Share (with holders), for the winners and the predefined order
    by_position: dict  # period number -> share number in a predefined order
    payout_owed: dict  # payout entry id -> what of that payout is still owed to the winners (payouts_still_owed)


def periods_in(r: Round, numbers: range | None = None) -> list[Period]:
    """The round's periods numbered in `numbers` (every period without), first first."""
    query = select(Period).where(Period.round_id == r.id).order_by(Period.number)
    if numbers is not None:
        query = query.where(Period.number >= numbers.start, Period.number < numbers.stop)
    return list(db.session.scalars(query))


def periods_in_windows(r: Round, *windows: range) -> list[list[Period]]:
    """periods_in(r, window) for each of these windows, in one query."""
    wanted = [(Period.number >= w.start) & (Period.number < w.stop) for w in windows if w]
    read = list(db.session.scalars(select(Period).where(Period.round_id == r.id, or_(*wanted))
                                   .order_by(Period.number))) if wanted else []
    return [[p for p in read if p.number in w] for w in windows]


def draws_of(r: Round, numbers: range | None = None, periods: list[Period] | None = None) -> Draws:
    """The round's periods (those numbered in `numbers`, else all) with their winners, and the
    shares that win them (every share without `numbers`), in a fixed number of queries.
    `periods`: those in `numbers`, when already read."""
    shares = select(Share).where(Share.round_id == r.id)
    if numbers is not None:
        winners = select(Period.winner_share_id).where(Period.round_id == r.id, Period.number >= numbers.start,
                                                       Period.number < numbers.stop)
        shares = shares.where(Share.id.in_(winners) | ((Share.draw_position >= numbers.start)
                                                        & (Share.draw_position < numbers.stop)))
    shares = list(db.session.scalars(shares.options(selectinload(Share.holdings).joinedload(Holding.membership))))
    return Draws(periods if periods is not None else periods_in(r, numbers), {s.id: s for s in shares},
                 {s.draw_position: s.number for s in shares}, payouts_still_owed(r.box_id))


def payouts_still_owed(box_id: int) -> dict[int, int]:
    """Payout entry id -> what of that payout the box still owes its winners. Owed payouts are paid
    oldest first, so a winner's payout_owed balance is what their latest payouts left unpaid."""
    rows = db.session.execute(
        select(Posting.entry_id, Posting.account_id, Posting.amount, LedgerAccount.balance)
        .join(LedgerAccount, LedgerAccount.id == Posting.account_id)
        .join(Entry, Entry.id == Posting.entry_id)
        .where(LedgerAccount.box_id == box_id, LedgerAccount.purpose == "payout_owed", LedgerAccount.balance != 0,
               Entry.code == "payout")
        .order_by(Posting.entry_id.desc()))
    left, owed = {}, defaultdict(int)
    for entry_id, account_id, amount, balance in rows:
        part = min(-amount, left.setdefault(account_id, -balance))
        if part > 0:
            owed[entry_id] += part
            left[account_id] -= part
    return owed


@dataclass
class Progress:
    drawn: int
    next_period: Period | None  # the first not drawn
    next_due: date | None  # the first due date today or later


def progress(r: Round, today: date) -> Progress:
    """How far the round is, in two small queries whatever its length."""
    of_round = Period.round_id == r.id
    drawn, next_due = db.session.execute(select(
        select(func.count()).where(of_round, Period.drawn_at.isnot(None)).scalar_subquery(),
        select(func.min(Period.due_date)).where(of_round, Period.due_date >= today).scalar_subquery())).one()
    return Progress(
        drawn,
        db.session.scalar(select(Period).where(of_round, Period.drawn_at.is_(None)).order_by(Period.number).limit(1)),
        next_due)


def window(count: int, page: int, size: int) -> tuple[range, int, int]:
    """The period numbers of one page of `size` periods out of `count`: (numbers, page, pages),
    the page brought into range."""
    pages = max((count + size - 1) // size, 1)
    page = min(max(page, 1), pages)
    return range((page - 1) * size + 1, min(page * size, count) + 1), page, pages


def cells_in(r: Round, periods: list[Period], membership_ids, today: date) -> dict[int, list[Cell]]:
    """The kept cells of these members in these periods (a window), with their status as of
    `today`: membership id -> cells, first period first."""
    cells = defaultdict(list)
    if not periods or not membership_ids:
        return cells
    grace = db.session.get(Cashbox, r.box_id).grace_days
    due_dates = {p.number: p.due_date for p in periods}
    rows = db.session.execute(
        select(PeriodCell.membership_id, PeriodCell.number, *(getattr(PeriodCell, f) for f in CELL_FIELDS))
        .where(PeriodCell.round_id == r.id, PeriodCell.membership_id.in_(membership_ids),
               PeriodCell.number.in_(due_dates)).order_by(PeriodCell.membership_id, PeriodCell.number))
    for membership_id, number, due, paid, settled_on, fine in rows:
        status = dues_status.status(due, paid, due_dates[number], grace, today, settled_on)
        cells[membership_id].append(Cell(number, due, paid, status, fine, settled_on))
    return cells


# ---------------------------------------------------------------- one member

@dataclass
class MemberView:
    summary: MemberSummary  # a blank one before the round starts
    round: Round
    won: list  # (period, amount, share number)
    may_win: list  # (share number, period or None, due date or None, amount)
    position: int  # the ledger's net position across all rounds (paid - received)
    periods: list  # the page of periods shown
    cells: list  # the member's cells in those periods
    page: int
    pages: int
    payments: list  # the latest payments of the round, newest first
    today: date

    @property
    def next_payment(self) -> tuple[date, int] | None:
        return (self.summary.next_due, self.summary.next_amount) if self.summary.next_due else None

    @property
    def share_labels(self) -> list[str]:
        return self.summary.shares.split(", ") if self.summary.shares else []


def member_view(box: Box, r: Round, membership: Membership, page: int = 1, per_page: int = 24) -> MemberView:
    """One member's round from their summary, their shares and one page of their period cells:
    a fixed number of small queries, whatever the number of members and periods."""
    r = fresh(r)
    today = clock.today(box)
    summary = db.session.get(MemberSummary, (r.id, membership.id)) or MemberSummary(
        round_id=r.id, membership_id=membership.id, membership=membership, shares="", round_total=0, paid=0, paid_through=0, due_now=0,
        arrears=0, fines_unpaid=0, received=0, status=dues_status.UPCOMING, next_due=None, next_amount=0)
    shares = list(db.session.scalars(
        select(Share).where(Share.round_id == r.id, Share.id.in_(
            select(Holding.share_id).where(Holding.membership_id == membership.id)))
        .order_by(Share.number).options(joinedload(Share.holdings))).unique())
    share_ids, positions = {s.id for s in shares}, {s.draw_position for s in shares if s.draw_position}
    numbers, page, pages = window(r.share_count if r.status != "draft" else 0, page, per_page)
    # The periods the member's shares won or will win, and the page of their history: one read.
    wanted = Period.winner_share_id.in_(share_ids) | Period.number.in_(positions)
    if numbers:
        wanted |= (Period.number >= numbers.start) & (Period.number < numbers.stop)
    read = list(db.session.scalars(select(Period).where(Period.round_id == r.id, wanted).order_by(Period.number)))
    deciding = {p.number: p for p in read if p.winner_share_id in share_ids or p.number in positions}
    periods = [p for p in read if p.number in numbers]
    won_by = {p.winner_share_id: p for p in deciding.values() if p.winner_share_id}
    won, may_win = [], []
    for share in shares:
        part = dict(zip([h.membership_id for h in share.holdings], split(r.pot, share.holdings))).get(membership.id, 0)
        if share.id in won_by:
            won.append((won_by[share.id], part, share.number))
        elif r.draw_mode == "predefined":
            period = deciding.get(share.draw_position)
            may_win.append((share.number, share.draw_position, period.due_date if period else None, part))
        else:
            may_win.append((share.number, None, None, part))
    cells = cells_in(r, periods, [membership.id], today).get(membership.id, [])
    payments = list(db.session.scalars(
        select(Payment).where(Payment.round_id == r.id, Payment.membership_id == membership.id, ~Payment.reversal.has())
        .order_by(Payment.paid_on.desc(), Payment.id.desc()).limit(10)))
    account = db.session.scalar(select(LedgerAccount).filter_by(box_id=box.id, code=f"member:{membership.id}"))
    return MemberView(summary, r, won, may_win, account.natural_balance if account else 0, periods, cells, page,
                      pages, payments, today)
