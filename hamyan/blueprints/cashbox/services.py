"""Cashbox rules: the only code that writes cashbox tables or posts cashbox money to the ledger.

A cashbox is a fixed group saving together: each period every share pays its contribution into
the pot and one share wins the whole pot (shares × contribution). A round has as many periods as
shares, so every share wins exactly once.

Chart of accounts (per box, ledger codes):
    cash            debit-normal   money the box holds (the manager's till or bank account)
    member:<m>      credit-normal  member m's contributions paid minus payouts received: the
                                   member's net position (positive = the box owes them)
    fines:<m>       debit-normal   late fines charged to member m and not paid yet
    fine_income     credit-normal  the box's income from late fines

Entries (entry code: legs):
    contribution    Dr cash; Cr member:<m> (contribution part); Cr fines:<m> (fine part)
    fine            Dr fines:<m>; Cr fine_income
    payout          Dr member:<h> (h's part of the pot less what was netted);
                    Cr fines:<h> (fines netted); Cr cash (what is actually handed out)
    reversal        the mirror image of a contribution (a payment undone) or of a fine (waived)

Writes that decide from what they read (payments, undo, draws, fines, reminders, round set-up)
take turns per box: see _lock().

Where the money of one payment goes: first contributions already due (oldest period first), then
unpaid fines, then contributions of later periods (paying ahead). Per period the status of a
member is computed first-in first-out from the payments, so it never drifts from the ledger.

Sub-shares: amounts are split between a share's holders with money.allocate (largest remainder):
the units that do not divide go to the holders with the largest fractional parts, ties to the
holder listed first. A holder's dues through period p are their allocation of p × contribution
(per-period dues are the differences, so they may differ by one unit between periods), hence over
the round each holder pays exactly their allocation of the pot, which is what they receive when
the share wins, and the dues of all holders add up to the pot in every period.

Winner who owes (arrears = contributions due up to the drawn period + unpaid fines):
    "net"   the arrears are deducted from the payout and recorded as a payment (method "netted")
    "hold"  the whole payout waits until every holder of the winning share is clear; the manager
            then releases it.
A draw waits until the period is fully paid unless the manager overrides with a reason (kept on
the period). If the box holds less cash than a payout after an override, cash goes negative: the
manager advanced the difference, and the dashboard shows it.
"""
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from functools import lru_cache

from sqlalchemy import func, select

from hamyan.core import clock, parse
from hamyan import calendars, ledger, money
from hamyan.blueprints.cashbox import draws
from hamyan.blueprints.cashbox.models import (
    DRAW_MODES,
    FINE_KINDS,
    PERIOD_KINDS,
    WINNER_POLICIES,
    Cashbox,
    Fine,
    Holding,
    Payment,
    Period,
    Reminder,
    Round,
    Share,
)
from hamyan.boxes import services as boxes
from hamyan.boxes.models import Box, Membership
from hamyan.core.errors import Conflict, NotFound, ValidationError
from hamyan.extensions import db
from hamyan.ledger.models import CREDIT, DEBIT, Entry, LedgerAccount

KIND = "cashbox"
MAX_SHARES = 500
MAX_DAYS = 366
MAX_ID = 2**31 - 1  # ids are INT columns; larger ones cannot exist (and overflow SQLite's driver)
# A round may be set up or imported this far from today; a typo like 2062 for 2026 is refused.
MAX_YEARS_AWAY = 10


# ---------------------------------------------------------------- parsing shared by views and API

def _int_in(value, low: int, high: int, field: str, label: str) -> int:
    if isinstance(value, bool):
        raise ValidationError(f"{label} must be a whole number.", field=field)
    try:
        number = int(str(value).strip()) if not isinstance(value, int) else value
    except (TypeError, ValueError):
        raise ValidationError(f"{label} must be a whole number.", field=field) from None
    if not low <= number <= high:
        raise ValidationError(f"{label} must be between {low} and {high}.", field=field)
    return number


def _choice(value, options, field: str, label: str) -> str:
    if value not in options:
        raise ValidationError(f"{label} must be one of: {', '.join(options)}.", field=field)
    return value


def _date(value, field: str, label: str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value or "").strip())
    except ValueError:
        raise ValidationError(f"{label}: enter a date as YYYY-MM-DD.", field=field) from None


@dataclass
class RoundSettings:
    contribution: int
    share_count: int
    period_kind: str
    period_days: int
    first_due: date
    draw_mode: str


def parse_round_settings(currency: str, contribution, share_count, period_kind, period_days, first_due,
                         draw_mode) -> RoundSettings:
    period_kind = _choice(period_kind, PERIOD_KINDS, "period_kind", "Period")
    days = _int_in(period_days, 1, MAX_DAYS, "period_days", "Days per period") if period_kind == "days" else 7
    first = _date(first_due, "first_due", "First due date")
    today = clock.now().date()
    if abs(first.year - today.year) > MAX_YEARS_AWAY:
        raise ValidationError(f"Choose a first due date within {MAX_YEARS_AWAY} years of today.", field="first_due")
    return RoundSettings(
        contribution=parse.amount(contribution, currency, field="contribution"),
        share_count=_int_in(share_count, 1, MAX_SHARES, "share_count", "Number of shares"),
        period_kind=period_kind, period_days=days, first_due=first,
        draw_mode=_choice(draw_mode, DRAW_MODES, "draw_mode", "Draw mode"),
    )


def _fine_settings(currency: str, fine_kind, fine_value) -> tuple[str, int]:
    fine_kind = _choice(fine_kind or "none", FINE_KINDS, "fine_kind", "Late fine")
    if fine_kind == "none":
        return fine_kind, 0
    if fine_kind == "fixed":
        return fine_kind, parse.amount(fine_value, currency, field="fine_value")
    return fine_kind, int(parse.percent(fine_value, "fine_value", allow_zero=False) * 100)  # basis points


# ---------------------------------------------------------------- lookups

def cashbox_for(user, box_id: int) -> tuple[Box, Membership | None, Cashbox]:
    box, membership = boxes.box_for(user, box_id, KIND)
    return box, membership, db.session.get(Cashbox, box.id)


def is_managing(user, membership: Membership | None) -> bool:
    return user.is_admin or (membership is not None and membership.is_managing)


def member_in_sight(user, box_id: int, membership_id: int | None = None) -> tuple[Box, Membership]:
    """The member whose shares, payments and statement the user asks for: themself (no id, or
    their own), anyone active in the box for managers. Anyone else answers 404, like another box."""
    box, own, _ = cashbox_for(user, box_id)
    if membership_id is None or (own is not None and own.id == membership_id):
        if own is None:
            raise NotFound()
        return box, own
    target = db.session.get(Membership, membership_id) if 0 < membership_id <= MAX_ID else None
    if (not is_managing(user, own) or target is None or target.box_id != box.id or target.left_at is not None):
        raise NotFound()
    return box, target


def payments_in_sight(user, box_id: int, round_id: int | None, membership_id: int | None, page: int,
                      per_page: int = 25):
    """Payments, newest first: all of them for managers, members only their own."""
    box, own, _ = cashbox_for(user, box_id)
    if not is_managing(user, own):
        membership_id = own.id
    return payments_page(box.id, round_id, membership_id, page, per_page)


def require_manager(user, box_id: int) -> tuple[Box, Cashbox]:
    box = boxes.require_manager(user, box_id, KIND)
    return box, db.session.get(Cashbox, box.id)


def rounds_of(box_id: int) -> list[Round]:
    return list(db.session.scalars(select(Round).filter_by(box_id=box_id).order_by(Round.number.desc())))


def current_round(box_id: int) -> Round | None:
    """The active round, else the draft, else the latest finished one."""
    return _current(rounds_of(box_id))


def _current(rounds: list[Round]) -> Round | None:
    for status in ("active", "draft"):
        for r in rounds:
            if r.status == status:
                return r
    return rounds[0] if rounds else None


def chosen_round(box_id: int, round_id: int | None) -> tuple[list[Round], Round]:
    """The box's rounds (newest first) and the one asked for, else the current one; 404 if none."""
    rounds = rounds_of(box_id)
    r = next((x for x in rounds if x.id == round_id), None) if round_id else _current(rounds)
    if r is None:
        raise NotFound()
    return rounds, r


def round_in_box(box_id: int, round_id: int) -> Round:
    r = db.session.get(Round, round_id) if 0 < round_id <= MAX_ID else None
    if r is None or r.box_id != box_id:
        raise NotFound()
    return r


def _active_round(box_id: int, round_id: int | None = None) -> Round:
    if round_id is not None:
        r = round_in_box(box_id, round_id)
        if r.status == "finished":
            raise ValidationError(f"Round {r.number} is finished; it takes no more payments.", field="round_id")
        if r.status == "draft":
            raise ValidationError(f"Round {r.number} has not started yet.", field="round_id")
        return r
    r = db.session.scalar(select(Round).filter_by(box_id=box_id, status="active"))
    if r is None:
        raise ValidationError("No round is running. Start a round first.", field="round_id")
    return r


def active_members(box_id: int) -> list[Membership]:
    return list(db.session.scalars(
        select(Membership).where(Membership.box_id == box_id, Membership.left_at.is_(None))
        .order_by(Membership.display_name, Membership.id)))


def _membership_in(box_id: int, membership_id) -> Membership:
    try:
        membership_id = int(membership_id)
    except (TypeError, ValueError):
        raise ValidationError("Choose a member.", field="membership_id") from None
    m = db.session.get(Membership, membership_id) if 0 < membership_id <= MAX_ID else None
    if m is None or m.box_id != box_id or m.left_at is not None:
        raise ValidationError("That person is not a member of this box.", field="membership_id")
    return m


# ---------------------------------------------------------------- ledger accounts

def _cash(box: Box) -> LedgerAccount:
    return ledger.open_account(box.id, "cash", "Cash held by the box", box.currency, type=ledger.ASSET,
                               subject=("box", box.id), purpose="cash")


def _fine_income(box: Box) -> LedgerAccount:
    return ledger.open_account(box.id, "fine_income", "Late fine income", box.currency, type=ledger.INCOME,
                               subject=("box", box.id), purpose="fine_income")


def box_cash(box: Box) -> int:
    """What the box holds now (read only: no account is opened by looking)."""
    account = db.session.scalar(select(LedgerAccount).filter_by(box_id=box.id, code="cash"))
    return account.balance if account else 0


def member_account(box: Box, membership: Membership) -> LedgerAccount:
    return ledger.open_account(box.id, f"member:{membership.id}", f"Contributions of {membership.display_name}",
                               box.currency, type=ledger.LIABILITY, subject=("membership", membership.id),
                               purpose="contributions")


def fines_account(box: Box, membership: Membership) -> LedgerAccount:
    return ledger.open_account(box.id, f"fines:{membership.id}", f"Fines owed by {membership.display_name}",
                               box.currency, type=ledger.ASSET, subject=("membership", membership.id), purpose="fines")


# ---------------------------------------------------------------- box and round set-up

def create_cashbox(actor, name, currency, contribution, share_count, period_kind, first_due, draw_mode,
                   period_days=7, timezone="UTC", locale="en", calendar="gregorian", grace_days=0,
                   fine_kind="none", fine_value=None, winner_policy="net") -> Box:
    currency = boxes.validate_box_settings(currency, timezone, locale, calendar)
    settings = parse_round_settings(currency, contribution, share_count, period_kind, period_days, first_due,
                                    draw_mode)
    grace = _int_in(grace_days if grace_days not in (None, "") else 0, 0, MAX_DAYS, "grace_days", "Grace days")
    fine_kind, fine_value = _fine_settings(currency, fine_kind, fine_value)
    policy = _choice(winner_policy, WINNER_POLICIES, "winner_policy", "Winner who owes")
    if db.session.scalar(select(Box.id).join(Membership, Membership.box_id == Box.id).where(
            Box.kind == KIND, Box.name == (name or "").strip(), Membership.user_id == actor.id,
            Membership.left_at.is_(None))):
        # Also makes a double submit of the new-box form create one box (as for money pools).
        raise Conflict("You already have a cashbox with this name; choose another.", field="name")
    box = boxes.create_box(actor, KIND, name, currency, timezone, locale, calendar)
    db.session.add(Cashbox(box_id=box.id, grace_days=grace, fine_kind=fine_kind, fine_value=fine_value,
                           winner_policy=policy))
    db.session.flush()
    r = Round(box_id=box.id, number=1, status="draft", **settings.__dict__)
    r.shares = [Share(number=n, draw_position=n) for n in range(1, settings.share_count + 1)]
    db.session.add(r)
    _cash(box)
    _fine_income(box)
    db.session.commit()
    return box


def update_rules(actor, box_id: int, grace_days, fine_kind, fine_value, winner_policy) -> Cashbox:
    box, cashbox = require_manager(actor, box_id)
    cashbox.grace_days = _int_in(grace_days, 0, MAX_DAYS, "grace_days", "Grace days")
    cashbox.fine_kind, cashbox.fine_value = _fine_settings(box.currency, fine_kind, fine_value)
    cashbox.winner_policy = _choice(winner_policy, WINNER_POLICIES, "winner_policy", "Winner who owes")
    db.session.commit()
    return cashbox


def _draft(actor, box_id: int, round_id: int) -> tuple[Box, Round]:
    box, _ = require_manager(actor, box_id)
    _lock(box.id)  # a double-clicked "Start round" starts it once; the second click is told it has
    r = round_in_box(box.id, round_id)
    if r.status != "draft":
        raise Conflict(f"Round {r.number} has already started; its shares and amounts are fixed.", field="round_id")
    return box, r


def update_round(actor, box_id: int, round_id: int, contribution, share_count, period_kind, period_days,
                 first_due, draw_mode) -> Round:
    box, r = _draft(actor, box_id, round_id)
    settings = parse_round_settings(box.currency, contribution, share_count, period_kind, period_days,
                                    first_due, draw_mode)
    for key, value in settings.__dict__.items():
        if key != "share_count":
            setattr(r, key, value)
    if settings.share_count > r.share_count:
        r.shares.extend(Share(number=n, draw_position=n) for n in range(r.share_count + 1, settings.share_count + 1))
    elif settings.share_count < r.share_count:
        r.shares = [s for s in r.shares if s.number <= settings.share_count]
        positions = sorted(r.shares, key=lambda s: (s.draw_position or 0, s.number))
        for position, share in enumerate(positions, 1):
            share.draw_position = position
    r.share_count = settings.share_count
    db.session.commit()
    return r


def _share(r: Round, number) -> Share:
    number = _int_in(number, 1, MAX_SHARES, "share", "Share number")
    for share in r.shares:
        if share.number == number:
            return share
    raise NotFound(f"Round {r.number} has no share {number}.")


def set_holders(actor, box_id: int, round_id: int, share_number, holders: list[tuple]) -> Share:
    """Replace who holds a share: [(membership_id, fraction), ...]; fractions may sum to less than
    one while the round is a draft (it cannot start until every share is fully held), never more."""
    box, r = _draft(actor, box_id, round_id)
    share = _share(r, share_number)
    parsed, seen = [], set()
    for index, (membership_id, fraction) in enumerate(holders):
        m = _membership_in(box.id, membership_id)
        if m.id in seen:
            raise ValidationError(f"{m.display_name} is listed twice on share {share.number}.", field="holders")
        seen.add(m.id)
        parsed.append((m, parse.fraction(fraction, field="holders")))
    total = sum((f for _, f in parsed), Fraction(0))
    if total > 1:
        raise ValidationError(f"The parts of share {share.number} add up to {total}, more than one share.",
                              field="holders")
    share.holdings.clear()
    db.session.flush()
    share.holdings.extend(Holding(membership_id=m.id, numerator=f.numerator, denominator=f.denominator,
                                  position=i) for i, (m, f) in enumerate(parsed))
    db.session.commit()
    return share


def set_order(actor, box_id: int, round_id: int, share_numbers: list) -> Round:
    """Predefined draws: the share numbers in the order they win, period 1 first."""
    _, r = _draft(actor, box_id, round_id)
    try:
        order = [int(n) for n in share_numbers]
    except (TypeError, ValueError):
        raise ValidationError("List share numbers, e.g. 3, 1, 2.", field="order") from None
    if sorted(order) != list(range(1, r.share_count + 1)):
        raise ValidationError(f"List each share from 1 to {r.share_count} exactly once.", field="order")
    by_number = {s.number: s for s in r.shares}
    for position, number in enumerate(order, 1):
        by_number[number].draw_position = position
    db.session.commit()
    return r


def _nth_due(first: date, kind: str, days: int, calendar: str, n: int) -> date:
    """Monthly periods follow the box's calendar, clamped to the month's last day."""
    if kind == "monthly":
        return calendars.add_months(first, n, calendar)
    return first + timedelta(days=(7 if kind == "weekly" else days) * n)


def due_dates(r: Round, calendar: str) -> list[date]:
    return [_nth_due(r.first_due, r.period_kind, r.period_days, calendar, n) for n in range(r.share_count)]


def start_round(actor, box_id: int, round_id: int) -> Round:
    box, r = _draft(actor, box_id, round_id)
    unheld = [s.number for s in r.shares if s.held != 1]
    if unheld:
        listed = ", ".join(map(str, unheld[:20])) + ("…" if len(unheld) > 20 else "")
        raise ValidationError(f"Every share must be fully held before the round starts. Not fully held: {listed}.",
                              field="shares")
    if db.session.scalar(select(Round.id).filter_by(box_id=box.id, status="active")):
        raise Conflict("Another round of this box is still running.", field="round_id")
    for number, due in enumerate(due_dates(r, box.calendar), 1):
        seed = draws.new_seed() if r.draw_mode == "random" else None
        db.session.add(Period(round_id=r.id, number=number, due_date=due, seed=seed,
                              seed_hash=draws.commitment(seed) if seed else None))
    for m in {h.membership for s in r.shares for h in s.holdings}:
        member_account(box, m)
        fines_account(box, m)
    r.status = "active"
    r.started_at = clock.now()
    db.session.commit()
    return r


def start_next_round(actor, box_id: int, round_id: int) -> Round:
    """A draft copy of a finished round (same shares, holders and amounts) for the manager to change."""
    box, _ = require_manager(actor, box_id)
    _lock(box.id)  # submitted twice at once: one draft
    prev = round_in_box(box.id, round_id)
    if prev.status != "finished":
        raise Conflict(f"Round {prev.number} has not finished yet.", field="round_id")
    if db.session.scalar(select(Round.id).where(Round.box_id == box.id, Round.status != "finished")):
        raise Conflict("This box already has a round in preparation or running.", field="round_id")
    first_due = _nth_due(prev.first_due, prev.period_kind, prev.period_days, box.calendar, prev.share_count)
    number = db.session.scalar(select(func.max(Round.number)).filter_by(box_id=box.id)) + 1
    r = Round(box_id=box.id, number=number, status="draft", contribution=prev.contribution,
              share_count=prev.share_count, period_kind=prev.period_kind, period_days=prev.period_days,
              first_due=first_due, draw_mode=prev.draw_mode, previous_id=prev.id)
    for old in prev.shares:
        share = Share(number=old.number, draw_position=old.number)
        share.holdings = [Holding(membership_id=h.membership_id, numerator=h.numerator, denominator=h.denominator,
                                  position=h.position) for h in old.holdings if h.membership.left_at is None]
        r.shares.append(share)
    db.session.add(r)
    db.session.commit()
    return r


def add_member(actor, box_id: int, display_name: str, email: str | None = None) -> Membership:
    """Add someone (with or without an account) so they can hold shares."""
    require_manager(actor, box_id)
    _lock(box_id)
    name = (display_name or "").strip()
    if name and any(m.display_name.lower() == name.lower() for m in active_members(box_id)):
        # Pages tell members apart by name; this also makes a double submit add them once.
        raise Conflict(f"{name} is already a member; give a name that tells them apart.", field="display_name")
    membership = boxes.add_member(actor, box_id, display_name, email, "member")
    db.session.commit()
    return membership


# ---------------------------------------------------------------- the state of a round (read model)

@dataclass
class Cell:
    period: int
    due: int
    paid: int
    status: str  # upcoming, due, partly paid, paid, paid late, late
    fine: int = 0


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


@dataclass
class RoundState:
    round: Round
    box: Box
    cashbox: Cashbox
    today: date
    periods: list
    members: list  # MemberState, by display name
    shares: list

    @property
    def by_membership(self) -> dict:
        return {s.membership.id: s for s in self.members}

    @property
    def drawn(self) -> int:
        return sum(1 for p in self.periods if p.drawn_at is not None)

    @property
    def next_period(self) -> Period | None:
        return next((p for p in self.periods if p.drawn_at is None), None)

    @property
    def next_due(self) -> date | None:
        return next((p.due_date for p in self.periods if p.due_date >= self.today), None)

    def collected(self, number: int) -> int:
        return sum(s.cells[number - 1].paid for s in self.members if s.cells)

    def collected_by_period(self) -> list[int]:
        totals = [0] * len(self.periods)
        for s in self.members:
            for i, cell in enumerate(s.cells):
                totals[i] += cell.paid
        return totals

    def fully_paid(self, number: int) -> bool:
        return all(s.paid >= s.due_through(number) for s in self.members)

    @property
    def total_arrears(self) -> int:
        return sum(s.owes_now for s in self.members)


def split(amount: int, holdings: list[Holding]) -> list[int]:
    """A share's amount split between its holders exactly (largest remainder, ties to the first)."""
    return money.allocate(amount, [h.fraction for h in holdings])


@lru_cache(maxsize=256)
def _cumulative_dues(contribution: int, periods: int, fractions: tuple) -> tuple:
    """Per holder, the contributions due through each period 0..N: the holder's allocation of
    p × contribution. Per-period dues are the differences, so each holder pays over the round
    exactly their allocation of the pot, which is what they receive when the share wins."""
    if fractions == (1,):
        return (tuple(contribution * p for p in range(periods + 1)),)
    rows = [money.allocate(contribution * p, list(fractions)) for p in range(periods + 1)]
    return tuple(zip(*rows))


def round_state(r: Round, today: date | None = None, membership_id: int | None = None) -> RoundState:
    """Everything pages need about a round in a fixed number of queries, whatever its size.
    With membership_id, only that member's state is worked out (for writes about one member)."""
    box = db.session.get(Box, r.box_id)
    cashbox = db.session.get(Cashbox, r.box_id)
    today = today or clock.today_in(box.timezone)
    shares_query = select(Share).where(Share.round_id == r.id).order_by(Share.number)
    if membership_id is not None:
        shares_query = shares_query.where(Share.id.in_(select(Holding.share_id).filter_by(membership_id=membership_id)))
    shares = list(db.session.scalars(
        shares_query.options(db.selectinload(Share.holdings).joinedload(Holding.membership))))
    periods = list(db.session.scalars(select(Period).where(Period.round_id == r.id).order_by(Period.number)))
    states: dict[int, MemberState] = {}
    for share in shares:
        if not share.holdings:
            continue
        dues = _cumulative_dues(r.contribution, r.share_count, tuple(h.fraction for h in share.holdings))
        for holding, cumulative in zip(share.holdings, dues):
            if membership_id is not None and holding.membership_id != membership_id:
                continue
            state = states.setdefault(holding.membership_id, MemberState(holding.membership))
            state.cum_due = [a + b for a, b in zip(state.cum_due, cumulative)] if state.cum_due else list(cumulative)
            state.holdings.append((share.number, holding.fraction))
    payments = (select(Payment).where(Payment.round_id == r.id, ~Payment.reversal.has())
                .order_by(Payment.paid_on, Payment.id))
    if membership_id is not None:
        payments = payments.where(Payment.membership_id == membership_id)
    for payment in db.session.scalars(payments):
        state = states.get(payment.membership_id)
        if state is None:  # a holder removed from a draft never has payments; guard anyway
            state = states.setdefault(payment.membership_id, MemberState(payment.membership))
        state.payments.append(payment)
        state.fines_paid += payment.fine_amount
    fines = defaultdict(int)
    if periods:
        for period_id, fined_id, amount in db.session.execute(
                select(Fine.period_id, Fine.membership_id, Fine.amount)
                .where(Fine.period_id.in_([p.id for p in periods]), ~Fine.reversal.has())):
            fines[(period_id, fined_id)] = amount
            if fined_id in states:
                states[fined_id].fines_charged += amount
    shares_by_id = {s.id: s for s in shares}
    for period in periods:
        if period.winner_share_id in shares_by_id and period.payout_status == "paid":
            winners = shares_by_id[period.winner_share_id].holdings
            for holding, part in zip(winners, split(r.pot, winners)):
                if holding.membership_id in states:
                    states[holding.membership_id].received += part
    grace = timedelta(days=cashbox.grace_days)
    # Plain tuples: this loop runs members × periods times, ORM attribute access is slow there.
    schedule = [(p.id, p.number, p.due_date, p.due_date + grace) for p in periods]
    for state in states.values():
        if not state.cum_due:
            state.cum_due = [0] * (r.share_count + 1)
        running, paid_dates = 0, []
        for payment in state.payments:
            running += payment.amount
            paid_dates.append((running, payment.paid_on))
        state.paid = running
        due_by_today = 0
        cum_due, member_id, cells = state.cum_due, state.membership.id, state.cells
        for period_id, number, due_date, late_after in schedule:
            cumulative, before = cum_due[number], cum_due[number - 1]
            due = cumulative - before
            covered = min(max(running - before, 0), due)
            if covered >= due:
                settled_on = next((day for total, day in paid_dates if total >= cumulative), None)
                status = "paid late" if settled_on and settled_on > late_after else "paid"
            elif today > late_after:
                status = "late"
            elif covered > 0:
                status = "partly paid"
            elif due_date <= today:
                status = "due"
            else:
                status = "upcoming"
            if due_date <= today:
                due_by_today = cumulative
            cells.append(Cell(number, due, covered, status, fines.get((period_id, member_id), 0)))
        state.arrears = max(due_by_today - running, 0)
    members = sorted(states.values(), key=lambda s: (s.membership.display_name.lower(), s.membership.id))
    return RoundState(r, box, cashbox, today, periods, members, shares)


# ---------------------------------------------------------------- payments

def _existing_payment(key: str) -> Payment | None:
    entry = db.session.scalar(select(Entry).filter_by(idempotency_key=key))
    if entry is None:
        return None
    payment = db.session.scalar(select(Payment).filter_by(entry_id=entry.id))
    if payment is None:
        raise Conflict("This idempotency key was already used for something else.", field="idempotency_key")
    return payment


def _lock(box_id: int) -> None:
    """Money writes of one box that decide from what they read take turns on the box's cashbox row:
    payments and their undo, draws and releases, fines, reminders. Otherwise two payments of a
    member at the same moment both pay the same arrears (and may pass what the round asks), a draw
    nets arrears a payment is settling, two fine runs fine a period twice."""
    ledger.lock_for_decision(select(Cashbox.box_id).where(Cashbox.box_id == box_id))


def record_payment(actor, box_id: int, membership_id, amount, method: str = "cash", reference: str = "",
                   paid_on=None, request_key: str | None = None, round_id: int | None = None) -> Payment:
    """Record money a member paid. `request_key` makes a retried submit return the first payment."""
    box, _ = require_manager(actor, box_id)
    key = f"cashbox:{box.id}:payment:{request_key}" if request_key else None
    if key and len(key) > 200:
        raise ValidationError("The idempotency key is too long (at most 120 characters).", field="idempotency_key")
    _lock(box.id)
    r = _active_round(box.id, round_id)
    member = _membership_in(box.id, membership_id)
    value = parse.amount(amount, box.currency, field="amount")
    method = _choice(method, ("cash", "bank"), "method", "Method")
    reference = (reference or "").strip()
    if method == "bank" and not reference:
        raise ValidationError("A bank transfer needs its reference.", field="reference")
    if len(reference) > 120:
        raise ValidationError("A reference has at most 120 characters.", field="reference")
    today = clock.today_in(box.timezone)
    paid_on = today if paid_on in (None, "") else _date(paid_on, "paid_on", "Paid on")
    if paid_on > today:
        raise ValidationError("A payment cannot be dated in the future.", field="paid_on")
    if paid_on < r.first_due - timedelta(days=MAX_DAYS):
        raise ValidationError(f"A payment to round {r.number} cannot be dated more than a year before its first "
                              "due date.", field="paid_on")
    if key:
        existing = _existing_payment(key)
        if existing is not None:
            if (existing.membership_id, existing.amount + existing.fine_amount, existing.method) != (member.id, value, method):
                raise Conflict("This idempotency key was already used for a different payment.", field="idempotency_key")
            return existing
    round_now = round_state(r, today, member.id)
    state = round_now.by_membership.get(member.id)
    if state is None:
        raise ValidationError(f"{member.display_name} holds no share in round {r.number}.", field="membership_id")
    total_due = state.round_total
    periods_due = sum(1 for p in round_now.periods if p.due_date <= paid_on)
    due_now = max(state.due_through(periods_due) - state.paid, 0)
    to_arrears = min(value, due_now)
    to_fines = min(value - to_arrears, state.fines_unpaid)
    ahead = value - to_arrears - to_fines
    if state.paid + to_arrears + ahead > total_due:
        owed = total_due - state.paid + state.fines_unpaid
        raise ValidationError(f"That is more than {member.display_name} owes for the whole round "
                              f"({money.format_money(owed, box.currency, box.locale)}).", field="amount")
    contribution = to_arrears + ahead
    legs = [(_cash(box), value)]
    if contribution:
        legs.append((member_account(box, member), -contribution))
    if to_fines:
        legs.append((fines_account(box, member), -to_fines))
    memo = f"Contribution from {member.display_name}, round {r.number}" + (f" ({method} {reference})" if reference else f" ({method})")
    entry = ledger.post("contribution", legs, idempotency_key=key or f"cashbox:{box.id}:payment:{uuid.uuid4().hex}",
                        effective_date=paid_on, memo=memo, box_id=box.id, created_by_id=actor.id)
    payment = Payment(round_id=r.id, membership_id=member.id, amount=contribution, fine_amount=to_fines,
                      method=method, reference=reference, paid_on=paid_on, entry_id=entry.id, created_by_id=actor.id)
    db.session.add(payment)
    db.session.flush()
    _finish_if_done(r)
    db.session.commit()
    return payment


def reverse_payment(actor, box_id: int, payment_id, reason: str) -> Payment:
    """Undo a payment recorded by mistake: a reversal entry in the ledger; the payment stays listed."""
    box, _ = require_manager(actor, box_id)
    payment = db.session.get(Payment, payment_id) if isinstance(payment_id, int) and 0 < payment_id <= MAX_ID else None
    if payment is None or db.session.get(Round, payment.round_id).box_id != box.id:
        raise NotFound()
    reason = _reason(reason, "payment is undone")
    if payment.method == "netted":
        raise ValidationError("An amount netted from a payout cannot be undone on its own.", field="payment_id")
    _lock(box.id)
    r = db.session.get(Round, payment.round_id)
    if r.status != "active":
        raise ValidationError(f"Round {r.number} is {r.status}; its payments are final.", field="payment_id")
    if payment.reversal is not None:
        raise Conflict("This payment has already been undone.", field="payment_id")
    return _post_reversal(box, actor, payment, f"Payment undone: {reason}", f"reverse-payment:{payment.id}")


def _reason(reason, what: str) -> str:
    reason = (reason or "").strip()
    if not reason or len(reason) > 300:
        raise ValidationError(f"Say in up to 300 characters why the {what}.", field="reason")
    return reason


def _post_reversal(box: Box, actor, row, memo: str, action: str):
    """Undo row's ledger entry (a payment's, a fine's) by a reversal dated today; one commit. The
    row stays, and shows the reversal."""
    ledger.reverse(db.session.get(Entry, row.entry_id), memo=memo, idempotency_key=f"cashbox:{box.id}:{action}",
                   effective_date=clock.today_in(box.timezone), created_by_id=actor.id)
    db.session.commit()
    db.session.refresh(row)
    return row


def payments_page(box_id: int, round_id: int | None, membership_id: int | None, page: int, per_page: int = 25):
    if not all(0 < x <= MAX_ID for x in (round_id, membership_id) if x is not None):
        raise NotFound()
    page = min(page, MAX_ID // per_page)  # past the last page is an empty page, not an overflow
    query = select(Payment).join(Round, Round.id == Payment.round_id).where(Round.box_id == box_id)
    if round_id:
        query = query.where(Payment.round_id == round_id)
    if membership_id:
        query = query.where(Payment.membership_id == membership_id)
    return db.paginate(query.options(db.joinedload(Payment.membership))
                       .order_by(Payment.paid_on.desc(), Payment.id.desc()),
                       page=page, per_page=per_page, error_out=False)


# ---------------------------------------------------------------- late fines

def _history(r: Round, state: RoundState) -> set[int]:
    """Numbers of the periods that were already late when the round started: a round set up from
    paper records, whose payments the manager has yet to enter as they were made."""
    started = clock.to_local(r.started_at, state.box.timezone).date()
    grace = timedelta(days=state.cashbox.grace_days)
    return {p.number for p in state.periods if p.due_date + grace < started}


def assess_fines(box_id: int, today: date | None = None, actor=None, history: bool = False) -> int:
    """Charge one fine per member per period that was not fully paid by its due date plus grace days.
    Idempotent: a (period, member) pair is fined at most once. Returns the number of fines charged.
    Periods already late when the round started are fined only with history=True (a manager who
    asks, the demo): the hourly job would fine them before the manager enters what was paid on
    time, and a fine, like every entry, can only be undone by a reversal."""
    if actor is not None:
        require_manager(actor, box_id)
    box = db.session.get(Box, box_id)
    cashbox = db.session.get(Cashbox, box_id)
    if cashbox is None or cashbox.fine_kind == "none":
        return 0
    _lock(box_id)  # the hourly job and a manager's click at once
    r = db.session.scalar(select(Round).filter_by(box_id=box_id, status="active"))
    if r is None:
        return 0
    state = round_state(r, today)
    by_number = {p.number: p for p in state.periods}
    skip = set() if history else _history(r, state)
    fined = {tuple(row) for row in db.session.execute(select(Fine.period_id, Fine.membership_id)  # waived too
                                                       .where(Fine.period_id.in_([p.id for p in state.periods])))}
    charged = 0
    for member in state.members:
        for cell in member.cells:
            period = by_number[cell.period]
            if (cell.status not in ("late", "paid late") or cell.period in skip
                    or (period.id, member.membership.id) in fined):
                continue
            if cashbox.fine_kind == "fixed":
                amount = cashbox.fine_value
            else:
                # Percent of the period's due, rounded half up once.
                amount = int((Decimal(cell.due) * cashbox.fine_value / 10000).quantize(Decimal(1), ROUND_HALF_UP))
            if amount <= 0:
                continue
            m = member.membership
            entry = ledger.post(
                "fine", [(fines_account(box, m), amount), (_fine_income(box), -amount)],
                idempotency_key=f"cashbox:{box.id}:fine:{period.id}:{m.id}",
                effective_date=period.due_date + timedelta(days=cashbox.grace_days + 1),
                memo=f"Late fine for {m.display_name}, round {r.number} period {period.number}",
                box_id=box.id, created_by_id=actor.id if actor else None)
            db.session.add(Fine(period_id=period.id, membership_id=m.id, amount=amount, entry_id=entry.id))
            charged += 1
    db.session.commit()
    return charged


def waive_fine(actor, box_id: int, fine_id: int, reason: str) -> Fine:
    """Take back a fine charged by mistake: a reversal entry; the fine stays listed as waived and
    its period is not fined again. Only while it is unpaid (else undo the payment that paid it)."""
    box, _ = require_manager(actor, box_id)
    reason = _reason(reason, "fine is waived")
    _lock(box.id)
    fine = db.session.get(Fine, fine_id) if isinstance(fine_id, int) and 0 < fine_id <= MAX_ID else None
    if fine is None or fine.period.round.box_id != box.id:
        raise NotFound()
    r = fine.period.round
    if r.status != "active":
        raise ValidationError(f"Round {r.number} is {r.status}; its fines are final.", field="fine_id")
    if fine.reversal is not None:
        raise Conflict("This fine has already been waived.", field="fine_id")
    owed = round_state(r, membership_id=fine.membership_id).by_membership[fine.membership_id].fines_unpaid
    if owed < fine.amount:
        raise ValidationError("This fine is already paid. Undo the payment that paid it first.", field="fine_id")
    return _post_reversal(box, actor, fine, f"Fine waived: {reason}", f"waive-fine:{fine.id}")


def fines_of(r: Round, membership_id: int) -> list[Fine]:
    return list(db.session.scalars(select(Fine).join(Period, Period.id == Fine.period_id)
                                   .where(Period.round_id == r.id, Fine.membership_id == membership_id)
                                   .order_by(Period.number)))


# ---------------------------------------------------------------- reminders

def send_reminders(box_id: int, days_before: int, today: date | None = None) -> int:
    """Email each member with an account what they still owe for a period: once when its due date
    is `days_before` days away or less, and once when it is late (past the grace days). One email
    per member and run lists every such period; a (period, member, kind) is told at most once, so
    hourly runs and re-runs after a crash send nothing twice. Returns the number of emails."""
    from flask import current_app

    from hamyan.blueprints.notify.services import notify

    _lock(box_id)  # two runs at once would both send
    r = db.session.scalar(select(Round).filter_by(box_id=box_id, status="active"))
    if r is None:
        return 0
    state = round_state(r, today)
    box, today = state.box, state.today
    told = {tuple(row) for row in db.session.execute(select(Reminder.period_id, Reminder.membership_id, Reminder.kind)
                                                      .where(Reminder.period_id.in_([p.id for p in state.periods])))}
    by_number = {p.number: p for p in state.periods}
    history = _history(r, state)
    link = f"{current_app.config['BASE_URL'].rstrip('/')}/cashbox/{box.id}/me"
    sent = 0
    for member in state.members:
        m = member.membership
        if m.user_id is None:  # added without an account: the manager reminds them
            continue
        lines, late = [], False
        for cell in member.cells:
            period = by_number[cell.period]
            if cell.paid >= cell.due:
                continue
            if cell.status == "late" and cell.period not in history:
                kind = "late"
            elif today <= period.due_date <= today + timedelta(days=days_before):
                kind = "due"
            else:
                continue
            if (period.id, m.id, kind) in told:
                continue
            db.session.add(Reminder(period_id=period.id, membership_id=m.id, kind=kind))
            late = late or kind == "late"
            lines.append(f"- Period {period.number}, due {calendars.format_day(period.due_date, box.calendar, box.locale)}: "
                         f"{money.format_money(cell.due - cell.paid, box.currency, box.locale)}"
                         + (" (late)" if kind == "late" else ""))
        if not lines:
            continue
        subject = f"{box.name}: " + ("a payment is late" if late else "a payment is due soon")
        notify(m.user.email, subject,
               f"Hello {m.display_name},\n\nIn {box.name}, round {r.number}, you still owe:\n" + "\n".join(lines)
               + (f"\n\nOverdue now, fines included: {money.format_money(member.owes_now, box.currency, box.locale)}."
                  if member.owes_now else "")
               + f"\n\nPay the manager in cash or by bank transfer. Your shares and payments: {link}")
        sent += 1
    db.session.commit()
    return sent


# ---------------------------------------------------------------- draws and payouts

def draw(actor, box_id: int, period_number=None, override_reason: str | None = None,
         request_key: str | None = None) -> Period:
    """Draw the next period's winner and pay out (or hold) the pot. Once per period."""
    box, cashbox = require_manager(actor, box_id)
    r = _lock_round(box.id)
    periods = list(db.session.scalars(select(Period).where(Period.round_id == r.id).order_by(Period.number)))
    pending = next((p for p in periods if p.drawn_at is None), None)
    if period_number not in (None, ""):
        number = _int_in(period_number, 1, r.share_count, "period", "Period")
        period = periods[number - 1]
        if period.drawn_at is not None:
            if request_key and period.request_key == request_key:
                return period
            raise Conflict(f"Period {number} has already been drawn.", field="period")
        if period is not pending:
            raise ValidationError(f"Draw period {pending.number} first.", field="period")
    if pending is None:
        raise Conflict("Every period of this round has been drawn.", field="period")
    period = pending
    reason = (override_reason or "").strip()
    if len(reason) > 500:
        raise ValidationError("Keep the reason under 500 characters.", field="override_reason")
    state = round_state(r)
    if not state.fully_paid(period.number) and not reason:
        collected = state.collected(period.number)
        raise ValidationError(
            f"Period {period.number} is not fully paid yet ({money.format_money(collected, box.currency, box.locale)} "
            f"of {money.format_money(r.pot, box.currency, box.locale)}). Wait, or give a reason to draw anyway.",
            field="override_reason")
    won = {p.winner_share_id for p in periods if p.winner_share_id}
    candidates = {s.number: s for s in state.shares if s.id not in won}
    if r.draw_mode == "random":
        number = draws.draw_winner(period.seed, period.number, list(candidates))
    else:
        number = next(s.number for s in state.shares if s.draw_position == period.number)
    period.winner = candidates[number]
    period.drawn_at = clock.now()
    period.drawn_by_id = actor.id
    period.override_reason = reason or None
    period.request_key = request_key
    _pay_out(box, cashbox, r, period, state, actor)
    _tell_winners(box, r, period)
    _finish_if_done(r)
    db.session.commit()
    return period


def _tell_winners(box: Box, r: Round, period: Period) -> None:
    from hamyan.blueprints.notify.services import notify

    holders = period.winner.holdings
    for holding, part in zip(holders, split(r.pot, holders)):
        m = holding.membership
        email = m.email or (m.user.email if m.user else None)
        if not email:
            continue
        outcome = ("It is paid out, less anything you owed." if period.payout_status == "paid"
                   else "It is held until what you owe is paid.")
        notify(email, f"{box.name}: share {period.winner.number} won period {period.number}",
               f"Share {period.winner.number} won period {period.number} of round {r.number} in {box.name}. "
               f"Your part of the pot is {money.format_money(part, box.currency, box.locale)}. {outcome}\n\n"
               + (f"Check the draw: seed {period.seed}, published commitment {period.seed_hash}."
                  if period.seed else "The winner followed the order set before the round started."))


def _pay_out(box: Box, cashbox: Cashbox, r: Round, period: Period, state: RoundState, actor,
             release: bool = False) -> None:
    holders = period.winner.holdings
    parts = split(r.pot, holders)
    by_member = state.by_membership
    owing = {}
    for holding in holders:
        s = by_member[holding.membership_id]
        contribution_arrears = max(s.due_through(period.number) - s.paid, 0)
        owing[holding.membership_id] = (contribution_arrears, s.fines_unpaid)
    if cashbox.winner_policy == "hold" and any(a + f for a, f in owing.values()):
        if release:
            names = ", ".join(by_member[m].membership.display_name for m, (a, f) in owing.items() if a + f)
            raise ValidationError(f"Still owing: {names}. The payout is released once they are clear.",
                                  field="period")
        period.payout_status = "held"
        return
    today = clock.today_in(box.timezone)
    legs, cash_out, netted = [], 0, []
    for holding, part in zip(holders, parts):
        m = holding.membership
        arrears, fines = owing[m.id]
        net_contribution = min(arrears, part)
        net_fines = min(fines, part - net_contribution)
        if part - net_contribution:
            legs.append((member_account(box, m), part - net_contribution))
        if net_fines:
            legs.append((fines_account(box, m), -net_fines))
        cash_out += part - net_contribution - net_fines
        if net_contribution or net_fines:
            netted.append((m, net_contribution, net_fines))
    if cash_out:
        legs.append((_cash(box), -cash_out))
    names = " + ".join(h.membership.display_name for h in holders)
    entry = ledger.post("payout", legs, idempotency_key=f"cashbox:{box.id}:payout:{r.id}:{period.number}",
                        effective_date=today, memo=f"Payout to share {period.winner.number} ({names}), "
                        f"round {r.number} period {period.number}", box_id=box.id, created_by_id=actor.id)
    for m, contribution, fines in netted:
        db.session.add(Payment(round_id=r.id, membership_id=m.id, amount=contribution, fine_amount=fines,
                               method="netted", reference=f"from payout of period {period.number}",
                               paid_on=today, entry_id=entry.id, created_by_id=actor.id))
    period.payout_status = "paid"
    period.payout_entry_id = entry.id
    period.paid_out_at = clock.now()
    db.session.flush()


def _lock_round(box_id: int) -> Round:
    _lock(box_id)
    return _active_round(box_id)


def release_payout(actor, box_id: int, period_number) -> Period:
    box, cashbox = require_manager(actor, box_id)
    r = _lock_round(box.id)
    number = _int_in(period_number, 1, r.share_count, "period", "Period")
    period = db.session.scalar(select(Period).filter_by(round_id=r.id, number=number))
    if period.payout_status != "held":
        raise Conflict(f"The payout of period {number} is not held.", field="period")
    _pay_out(box, cashbox, r, period, round_state(r), actor, release=True)
    _finish_if_done(r)
    db.session.commit()
    return period


def _finish_if_done(r: Round) -> None:
    """A round finishes when every period is drawn and paid out and no one owes anything."""
    db.session.flush()
    if db.session.scalar(select(func.count(Period.id)).where(Period.round_id == r.id, Period.payout_status != "paid")):
        return
    state = round_state(r)
    if (state.periods and all(p.payout_status == "paid" for p in state.periods)
            and all(s.paid == s.round_total and not s.fines_unpaid for s in state.members)):
        r.status = "finished"
        r.finished_at = clock.now()


# ---------------------------------------------------------------- member view and positions

@dataclass
class MemberView:
    state: MemberState
    round: Round
    won: list  # (period, amount)
    may_win: list  # (share number, period or None, due date or None)
    position: int  # the ledger's net position across all rounds (paid - received)
    due_dates: list  # due date of each period, period 1 first
    today: date

    @property
    def next_payment(self) -> tuple[date, int] | None:
        """The first period due today or later that is not fully paid: (due date, still to pay)."""
        return next(((day, c.due - c.paid) for c, day in zip(self.state.cells, self.due_dates)
                     if day >= self.today and c.paid < c.due), None)


def member_view(box: Box, r: Round, membership: Membership, today: date | None = None) -> MemberView:
    state = round_state(r, today)
    mine = state.by_membership.get(membership.id) or MemberState(membership)
    share_numbers = {number for number, _ in mine.holdings}
    won, may_win = [], []
    drawn_shares = {}
    numbers = {s.id: s.number for s in state.shares}
    for p in state.periods:
        if p.winner_share_id is not None:
            drawn_shares[numbers[p.winner_share_id]] = p
    for share in state.shares:
        if share.number not in share_numbers:
            continue
        holders = share.holdings
        part = dict(zip([h.membership_id for h in holders], split(r.pot, holders))).get(membership.id, 0)
        if share.number in drawn_shares:
            won.append((drawn_shares[share.number], part, share.number))
        elif r.draw_mode == "predefined":
            period = next((p for p in state.periods if p.number == share.draw_position), None)
            may_win.append((share.number, share.draw_position, period.due_date if period else None, part))
        else:
            may_win.append((share.number, None, None, part))
    account = db.session.scalar(select(LedgerAccount).filter_by(box_id=box.id, code=f"member:{membership.id}"))
    return MemberView(mine, r, won, may_win, account.natural_balance if account else 0,
                      [p.due_date for p in state.periods], state.today)


# ---------------------------------------------------------------- statements

def member_statement(box: Box, membership: Membership, start: date, end: date):
    from hamyan import statements

    accounts = ledger.accounts_of(box.id, subject=("membership", membership.id))
    return statements.account_statement(f"Member statement: {membership.display_name}", box, accounts,
                                        start, end, sign=CREDIT)


def manager_report(box: Box, start: date, end: date):
    """The box's cash over the period, and every ledger account's opening and closing balance."""
    from hamyan import statements

    cash = _cash(box)
    statement = statements.account_statement("Box manager report", box, [cash], start, end)
    accounts = ledger.accounts_of(box.id)
    ids = [a.id for a in accounts]
    opening = ledger.balances(ids, as_of=start - timedelta(days=1))
    closing = ledger.balances(ids, as_of=end)
    names = {m.id: m.display_name for m in db.session.scalars(select(Membership).filter_by(box_id=box.id))}
    rows = []
    for a in accounts:
        sign = 1 if a.normal_side == DEBIT else -1
        whose = names.get(a.subject_id, "?")
        label = {"cash": "Cash", "fine_income": "Fine income",
                 "contributions": f"Position of {whose} (paid − received)",
                 "fines": f"Unpaid fines of {whose}"}.get(a.purpose, a.name)
        rows.append((label, sign * opening[a.id], sign * closing[a.id]))
    return statement, rows
