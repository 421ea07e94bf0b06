"""A loan's state, replayed: the plan from its terms, then every event in order.

Nothing here is stored or mutated in place: what is paid, late or owed on a loan is computed from
its terms and its ordered events (repayments that were not undone, reschedules, penalties), so
undoing ANY repayment is a reversal entry and a replay without it, and a back-dated repayment
simply takes its place in date order. Pure functions: no database, no request.

Events apply in date order; on the same day repayments and reschedules go in the order they were
recorded, and penalties (charged at the end of a deadline day) after them.

The rules a member reads on the pool's "How it works" page:
- A repayment pays what is due, oldest installment first, and within one installment its penalty,
  then its interest, then its principal (`OLDEST_FIRST`).
- Money beyond what is due pays later installments' penalties, then principal only: prepaying
  never costs interest that is not yet due. `advance` keeps the plan (the next installments'
  principal is paid early, their interest stays due on their dates); `shorten` and `reduce`
  re-plan the principal left, keeping the installment about the same (fewer installments) or the
  number of installments (smaller ones).
- Once no principal is left and nothing due is unpaid, the loan is cleared and interest not yet
  due is dropped. `payoff(on)` is therefore what clears the loan on a day: everything due by then,
  every unpaid penalty and the principal still to come. It is the only definition of the figure.
"""
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from hamyan.dues.calendar import add_months
from hamyan.lending import schedules

PREPAY_MODES = ("advance", "shorten", "reduce")


class Amounts:
    """What an installment (replayed here, or its kept row) adds up to."""

    @property
    def total(self) -> int:
        return self.principal + self.interest + self.penalty

    @property
    def paid(self) -> int:
        return self.paid_principal + self.paid_interest + self.paid_penalty

    @property
    def unpaid(self) -> int:
        return self.total - self.paid


@dataclass
class Line(Amounts):
    """One installment as replayed."""

    number: int
    due_date: date
    principal: int
    interest: int
    penalty: int = 0
    paid_principal: int = 0
    paid_interest: int = 0
    paid_penalty: int = 0
    prepayment: bool = False  # principal paid ahead of the plan, shown as its own settled line
    carried: int = 0  # part of the interest that was already due and moved here by a reschedule


@dataclass
class Split:
    """How one repayment was applied."""

    principal: int = 0
    interest: int = 0
    penalty: int = 0

    @property
    def total(self) -> int:
        return self.principal + self.interest + self.penalty


@dataclass(frozen=True)
class Terms:
    amount: int
    annual_rate: Decimal
    term: int
    period_months: int
    method: str
    first_due: date
    calendar: str = "gregorian"


@dataclass(frozen=True)
class Payment:
    ref: object  # the caller's handle for the repayment (its row), to find its split
    on: date
    amount: int
    mode: str = "advance"
    order: tuple = ()  # tie-break on the same day: the order it was recorded in


@dataclass(frozen=True)
class Reschedule:
    on: date
    term: int
    first_due: date
    order: tuple = ()


@dataclass(frozen=True)
class Penalty:
    on: date  # the day it was charged (the end of the installment's grace days)
    number: int  # the installment it is charged on
    amount: int
    order: tuple = ()


class Allocation:
    """The repayment allocation order: a named strategy, so a product may choose another one."""

    name = "oldest installment first; within it penalty, then interest, then principal"
    PARTS = ("penalty", "interest", "principal")

    def pay(self, line: Line, budget: int, split: Split, parts=PARTS) -> int:
        """Pay the given parts of one line from budget; returns what is left."""
        for part in parts:
            take = min(getattr(line, part) - getattr(line, f"paid_{part}"), budget)
            if take > 0:
                setattr(line, f"paid_{part}", getattr(line, f"paid_{part}") + take)
                setattr(split, part, getattr(split, part) + take)
                budget -= take
        return budget


OLDEST_FIRST = Allocation()


@dataclass
class LoanState:
    lines: list[Line]
    splits: dict = field(default_factory=dict)  # Payment.ref -> Split
    unapplied: dict = field(default_factory=dict)  # Payment.ref -> money that found nothing owed
    cleared_on: date | None = None

    @property
    def outstanding_principal(self) -> int:
        return sum(line.principal - line.paid_principal for line in self.lines)

    @property
    def unpaid(self) -> int:
        return sum(line.unpaid for line in self.lines)

    def due_by(self, on: date) -> int:
        """Unpaid amounts of installments due on or before `on`."""
        return sum(line.unpaid for line in self.lines if line.due_date <= on)

    def payoff(self, on: date) -> int:
        """What clears the loan on `on` (see the module doc: the one definition)."""
        return self.due_by(on) + sum(line.penalty - line.paid_penalty + line.principal - line.paid_principal
                                     for line in self.lines if line.due_date > on)

    def days_overdue(self, on: date) -> int:
        late = [line.due_date for line in self.lines if line.due_date < on and line.unpaid]
        return (on - min(late)).days if late else 0

    def next_line(self, on: date) -> Line | None:
        return next((line for line in self.ordered() if line.unpaid and line.due_date >= on), None)

    def ordered(self) -> list[Line]:
        return sorted(self.lines, key=lambda line: (line.due_date, line.number))


def plan(terms: Terms) -> list[Line]:
    return [Line(line.number, line.due_date, line.principal, line.interest)
            for line in schedules.build(terms.amount, terms.annual_rate, terms.term, terms.period_months,
                                        terms.method, terms.first_due, terms.calendar)]


def _rank(event) -> tuple:
    return (event.on, 1 if isinstance(event, Penalty) else 0, event.order)


def replay(terms: Terms, events, allocation: Allocation = OLDEST_FIRST) -> LoanState:
    """The loan after its events (in any order: they are sorted here)."""
    state = LoanState(plan(terms))
    for event in sorted(events, key=_rank):
        if isinstance(event, Payment):
            _pay(state, terms, event, allocation)
        elif isinstance(event, Reschedule):
            _reschedule(state, terms, event)
        else:
            line = next((x for x in state.lines if x.number == event.number), None)
            if line is not None and state.cleared_on is None:
                line.penalty = event.amount
    return state


def _pay(state: LoanState, terms: Terms, payment: Payment, allocation: Allocation) -> None:
    split = state.splits[payment.ref] = Split()
    budget = payment.amount if state.cleared_on is None else 0
    for line in state.ordered():
        if line.due_date <= payment.on:
            budget = allocation.pay(line, budget, split)
    later = [line for line in state.ordered() if line.due_date > payment.on]
    for line in later:
        budget = allocation.pay(line, budget, split, ("penalty",))
    if budget and payment.mode == "advance":
        for line in later:
            budget = allocation.pay(line, budget, split, ("principal",))
    elif budget:
        prepaid = min(budget, state.outstanding_principal)
        if prepaid:
            split.principal += prepaid
            budget -= prepaid
            _replan(state, terms, payment.on, None if payment.mode == "shorten" else
                    max(len([x for x in later if x.principal > x.paid_principal]), 1),
                    None, prepaid=prepaid, on=payment.on)
    if budget and state.cleared_on is None:
        state.unapplied[payment.ref] = budget
    elif state.cleared_on is not None and payment.amount:
        state.unapplied[payment.ref] = payment.amount
    if state.cleared_on is None and state.outstanding_principal == 0 and state.due_by(payment.on) == 0 and all(
            line.penalty == line.paid_penalty for line in state.lines):
        for line in later:  # interest not yet due is never owed once the principal is repaid
            line.interest = line.paid_interest
        state.lines = [line for line in state.lines if line.total or line.prepayment]
        state.cleared_on = payment.on


def _reschedule(state: LoanState, terms: Terms, event: Reschedule) -> None:
    """A new plan for what is still owed: unpaid interest already due moves into the first new
    installment; penalties stay where they are."""
    carry = 0
    for line in state.lines:
        if line.due_date <= event.on and line.interest > line.paid_interest:
            carry += line.interest - line.paid_interest
            line.interest = line.paid_interest
    _replan(state, terms, date.min, event.term, event.first_due, carry=carry, on=event.on)


def _replan(state: LoanState, terms: Terms, after: date, n: int | None, first_due: date | None,
            prepaid: int = 0, carry: int = 0, on: date | None = None) -> None:
    """Replace the unpaid installments due after `after` by a new plan for the principal left.

    n=None keeps the installment about what it was and shortens the plan. A prepayment is kept as
    its own settled line dated the day it was paid, so principal lines always add up to the loan.
    Interest that was already due and carried here by a reschedule stays owed."""
    remaining = state.outstanding_principal - prepaid
    future = [line for line in state.ordered() if line.due_date > after and (
        line.principal > line.paid_principal or line.interest > line.paid_interest)]
    regular = future[0].principal + future[0].interest - future[0].carried if future else 0
    starting = first_due or (future[0].due_date if future else add_months(on or after, terms.period_months,
                                                                           terms.calendar))
    for line in future:
        carry += max(line.carried - line.paid_interest, 0)
        line.principal, line.interest, line.carried = line.paid_principal, line.paid_interest, 0
    state.lines = [line for line in state.lines if line not in future or line.paid or line.penalty]
    number = max((line.number for line in state.lines), default=0) + 1
    if prepaid:
        state.lines.append(Line(number, on, prepaid, 0, paid_principal=prepaid, prepayment=True))
        number += 1
    if remaining <= 0:
        if carry:
            state.lines.append(Line(number, starting, 0, carry, carried=carry))
        return
    if n is None:
        n = schedules.shortest_term(remaining, terms.annual_rate, max(len(future), 1), terms.period_months,
                                    terms.method, regular)
    for k, line in enumerate(schedules.build(remaining, terms.annual_rate, n, terms.period_months, terms.method,
                                             starting, terms.calendar, first_number=number)):
        extra = carry if k == 0 else 0
        state.lines.append(Line(line.number, line.due_date, line.principal, line.interest + extra, carried=extra))
