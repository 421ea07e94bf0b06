"""The round's state, derived from the plan (seats, holders, due dates) and the ordered payments,
and the member summaries pages read instead of deriving the whole round per request.

A holder's dues through period p are their largest-remainder part of p x c for each seat they hold
(dues.obligations), payments settle the oldest dues first, and status follows dues.status. A member
who has collected a payout and then falls late is a default: what they still owe for the round,
less the deposit held for them, is at risk.

refresh() writes the summary rows of the members a write changed (all of them when the box's day
moved on), in the write's unit of work; reconcile() derives every row from scratch and lists the
differences (flask ledger check)."""
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from hamyan.blueprints.rosca.models import MemberSummary, Rosca, RoscaPayment, RoscaPeriod, Seat, SeatHolding
from hamyan.boxes.models import Box, Membership
from hamyan.core import clock, uow
from hamyan.dues import calendar, late, obligations
from hamyan.dues import status as dues_status
from hamyan.extensions import db
from hamyan.ledger.models import Entry, LedgerAccount, Posting
from hamyan.rotation import shares as rotation_shares

DUES_KINDS = ("contribution", "cover", "netted")  # payments that settle dues
LATE_SUBJECT = "membership"  # a late fee is charged to a member for a period: reference "period:<number>"


def late_references(rosca: Rosca) -> list[str]:
    return [f"period:{n}" for n in range(1, rosca.seat_count + 1)]


@dataclass
class MemberState:
    membership: Membership
    cum_due: list = field(default_factory=list)
    holdings: list = field(default_factory=list)  # (seat number, fraction)
    paid_by_day: list = field(default_factory=list)
    received: int = 0
    fee: int = 0
    swaps: int = 0
    deposit_held: int = 0
    collected: bool = False
    late_charged: int = 0  # late fees charged and not waived
    late_paid: int = 0  # of the contributions, what paid late fees

    @property
    def late_owed(self) -> int:
        return self.late_charged - self.late_paid

    @property
    def paid(self) -> int:
        return sum(amount for _, amount in self.paid_by_day)

    @property
    def round_total(self) -> int:
        return self.cum_due[-1] if self.cum_due else 0

    @property
    def seats_label(self) -> str:
        return ", ".join(str(n) if f == 1 else f"{n} ({f})" for n, f in self.holdings)


def seat_parts(amount: int, seat: Seat) -> dict[int, int]:
    """A seat's amount split between its holders: membership id -> part."""
    holders = seat.holdings
    return dict(zip([h.membership_id for h in holders], rotation_shares.split(amount, [h.fraction for h in holders])))


def member_states(rosca: Rosca, membership_ids=None) -> tuple[list[RoscaPeriod], dict[int, MemberState]]:
    """The periods and the state of every holder (or of these members), in a fixed number of
    queries whatever the size of the round."""
    wanted = set(membership_ids) if membership_ids is not None else None
    seats_query = select(Seat).where(Seat.box_id == rosca.box_id).order_by(Seat.number)
    if wanted is not None:
        seats_query = seats_query.where(Seat.id.in_(
            select(SeatHolding.seat_id).where(SeatHolding.membership_id.in_(wanted or [0]))))
    seats = list(db.session.scalars(seats_query.options(
        db.selectinload(Seat.holdings).joinedload(SeatHolding.membership))))
    periods = list(db.session.scalars(select(RoscaPeriod).filter_by(box_id=rosca.box_id).order_by(RoscaPeriod.number)))
    paid_out = {p.number for p in periods if p.paid_out}
    states: dict[int, MemberState] = {}
    for seat in seats:
        if not seat.holdings:
            continue
        dues = obligations.cumulative_dues(rosca.contribution, rosca.seat_count,
                                           tuple(h.fraction for h in seat.holdings))
        received, fees = seat_parts(seat.payout, seat), seat_parts(seat.fee, seat)
        for holding, cumulative in zip(seat.holdings, dues):
            if wanted is not None and holding.membership_id not in wanted:
                continue
            state = states.setdefault(holding.membership_id, MemberState(holding.membership))
            state.cum_due = obligations.add_dues(state.cum_due, cumulative)
            state.holdings.append((seat.number, holding.fraction))
            if seat.number in paid_out:
                state.collected = True
                state.received += received[holding.membership_id]
                state.fee += fees[holding.membership_id]
    reversed_ = select(Entry.id).where(Entry.reverses_id == RoscaPayment.entry_id).exists()
    payments = (select(RoscaPayment.membership_id, RoscaPayment.paid_on, RoscaPayment.amount, RoscaPayment.late_fees)
                .where(RoscaPayment.box_id == rosca.box_id, RoscaPayment.kind.in_(DUES_KINDS), ~reversed_)
                .order_by(RoscaPayment.paid_on, RoscaPayment.id))
    if wanted is not None:
        payments = payments.where(RoscaPayment.membership_id.in_(wanted or [0]))
    for membership_id, paid_on, amount, late_fees in db.session.execute(payments):
        if membership_id in states:
            states[membership_id].late_paid += late_fees
            if amount > late_fees:
                states[membership_id].paid_by_day.append((paid_on, amount - late_fees))
    for membership_id, _, amount in late.unwaived(rosca.box_id, LATE_SUBJECT, late_references(rosca), wanted):
        if membership_id in states:
            states[membership_id].late_charged += amount
    accounts = select(LedgerAccount.subject_id, LedgerAccount.balance).where(
        LedgerAccount.box_id == rosca.box_id, LedgerAccount.purpose == "deposit")
    for membership_id, balance in db.session.execute(accounts):
        if membership_id in states:
            states[membership_id].deposit_held = -balance  # a liability: credit balance
    swaps = (select(LedgerAccount.subject_id, Posting.amount).join(Posting, Posting.account_id == LedgerAccount.id)
             .join(Entry, Entry.id == Posting.entry_id)
             .where(LedgerAccount.box_id == rosca.box_id, LedgerAccount.purpose == "contributions",
                    Entry.code == "swap"))
    for membership_id, amount in db.session.execute(swaps):
        if membership_id in states:
            states[membership_id].swaps -= amount  # credit (negative) = received
    return periods, states


@dataclass
class Standing:
    """What a member's summary says, worked out from their state as of a day."""
    due_now: int
    arrears: int
    status: str
    periods_due: int
    on_time: int
    cells: list  # (period number, due, paid, status)


def standing(rosca: Rosca, state: MemberState, due_dates: list[date], today: date) -> Standing:
    periods_due = calendar.periods_due(due_dates, today)
    cum, paid = state.cum_due, state.paid
    settled = obligations.settled_on(state.paid_by_day, cum[:len(due_dates) + 1])
    cells = []
    for number, (due_date, settled_on) in enumerate(zip(due_dates, settled), 1):
        due = cum[number] - cum[number - 1]
        covered = min(max(paid - cum[number - 1], 0), due)
        cells.append((number, due, covered,
                      dues_status.status(due, covered, due_date, rosca.grace_days, today, settled_on)))
    due = [c[3] for c in cells[:periods_due]]
    if dues_status.LATE in due:
        status = dues_status.LATE
    else:
        status = next((s for s in due if s in dues_status.UNSETTLED), None) or (
            dues_status.PAID if due else dues_status.UPCOMING)
    return Standing(cum[periods_due] if cum else 0, obligations.arrears(cum, periods_due, paid) if cum else 0,
                    status, periods_due, sum(1 for s in due if s == dues_status.PAID), cells)


FIELDS = ("seats", "round_total", "paid", "due_now", "arrears", "received", "fee", "swaps", "deposit_held",
          "collected", "status", "defaulted", "at_risk", "periods_due", "on_time")


def summary_values(rosca: Rosca, state: MemberState, due_dates: list[date], today: date) -> dict:
    s = standing(rosca, state, due_dates, today)
    defaulted = state.collected and s.status == dues_status.LATE
    return dict(seats=state.seats_label[:200], round_total=state.round_total, paid=state.paid, due_now=s.due_now,
                arrears=s.arrears, received=state.received, fee=state.fee, swaps=state.swaps,
                deposit_held=state.deposit_held, collected=state.collected, status=s.status, defaulted=defaulted,
                at_risk=max(state.round_total - state.paid - state.deposit_held, 0) if defaulted else 0,
                periods_due=s.periods_due, on_time=s.on_time)


def refresh(rosca: Rosca, membership_ids=None) -> None:
    """Bring the summaries of a started round (or of these members) up to date, inside the write."""
    if rosca.status == "draft":
        return
    if not uow.active():
        raise RuntimeError("summaries are written by a unit of work")
    today = clock.today(db.session.get(Box, rosca.box_id))
    if rosca.summaries_on != today:  # the day moved on: every member's standing may have
        membership_ids = None
    periods, states = member_states(rosca, membership_ids)
    due_dates = [p.due_date for p in periods]
    query = select(MemberSummary).filter_by(box_id=rosca.box_id)
    if membership_ids is not None:
        query = query.where(MemberSummary.membership_id.in_(membership_ids or [0]))
    rows = {row.membership_id: row for row in db.session.scalars(query)}
    for membership_id, state in states.items():
        row = rows.pop(membership_id, None)
        if row is None:
            row = MemberSummary(box_id=rosca.box_id, membership_id=membership_id)
            db.session.add(row)
        for key, value in summary_values(rosca, state, due_dates, today).items():
            setattr(row, key, value)
    for row in rows.values():  # a member who no longer holds a seat (swaps keep holders; kept for safety)
        db.session.delete(row)
    if membership_ids is None:
        rosca.summaries_on = today
    db.session.flush()


def fresh(rosca: Rosca) -> Rosca:
    """The round with summaries of the box's today: refreshed (one box write) on the first read of
    a new day."""
    if rosca.status != "draft" and rosca.summaries_on != clock.today(db.session.get(Box, rosca.box_id)):
        with uow.box_transaction(rosca.box_id):
            rosca = db.session.get(Rosca, rosca.box_id)
            refresh(rosca)
    return rosca


def reconcile() -> list[str]:
    """Every started round's summaries against a from-scratch derivation as of their day, and
    every seat's payout and fee against the ledger's payout entries."""
    problems = []
    for rosca in db.session.scalars(select(Rosca).where(Rosca.status != "draft", Rosca.summaries_on.isnot(None))
                                    .order_by(Rosca.box_id)):
        periods, states = member_states(rosca)
        due_dates = [p.due_date for p in periods]
        rows = {r.membership_id: r for r in db.session.scalars(select(MemberSummary).filter_by(box_id=rosca.box_id))}
        for membership_id, state in states.items():
            name = f"rosca {rosca.box_id} member {membership_id}"
            row = rows.pop(membership_id, None)
            if row is None:
                problems.append(f"{name}: no summary row")
                continue
            expected = summary_values(rosca, state, due_dates, rosca.summaries_on)
            problems.extend(f"{name}: {key} is {getattr(row, key)!r}, derived {expected[key]!r}"
                            for key in FIELDS if getattr(row, key) != expected[key])
        problems.extend(f"rosca {rosca.box_id} member {m}: summary of no holder" for m in rows)
        positions = dict(db.session.execute(select(LedgerAccount.subject_id, LedgerAccount.balance).where(
            LedgerAccount.box_id == rosca.box_id, LedgerAccount.purpose == "contributions")).all())
        fees = dict(db.session.execute(select(LedgerAccount.subject_id, LedgerAccount.balance).where(
            LedgerAccount.box_id == rosca.box_id, LedgerAccount.purpose == "late_fees")).all())
        for membership_id, state in states.items():
            # The ledger's position (a liability: credit is negative) is paid - received - fee + swaps.
            expected = state.paid - state.received - state.fee + state.swaps
            if -positions.get(membership_id, 0) != expected:
                problems.append(f"rosca {rosca.box_id} member {membership_id}: ledger position "
                                f"{-positions.get(membership_id, 0)}, business rows say {expected}")
            if fees.get(membership_id, 0) != state.late_owed:
                problems.append(f"rosca {rosca.box_id} member {membership_id}: late fees owed "
                                f"{fees.get(membership_id, 0)} in the ledger, business rows say {state.late_owed}")
    return problems
