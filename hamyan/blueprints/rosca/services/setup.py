"""Setting a ROSCA up: the box and its pricing (rotation.pricing), the seat sale (members take
free seats or parts of one, the manager assigns or keeps seats back), deposits, and the start."""
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from flask_babel import gettext as _
from hamyan import money
from hamyan.blueprints.rosca.models import PERIOD_KINDS, PRICING_METHODS, Rosca, RoscaPeriod, Seat, SeatHolding
from hamyan.blueprints.rosca.services.common import (
    KIND, cash_account, deposits_by_member, draft, fee_account, managing, member_account,
    membership_in)
from hamyan.blueprints.rosca.services.state import refresh, seat_parts
from hamyan.boxes import services as boxes
from hamyan.boxes.access import VIEW, authorize
from hamyan.boxes.models import Box, Membership
from hamyan.core import clock, parse, uow
from hamyan.core.errors import Conflict, NotFound, ValidationError
from hamyan.dues import calendar, obligations
from hamyan.extensions import db
from hamyan.i18n import digits, isolate, listed, number as num, show_money
from hamyan.rotation import pricing, shares

MAX_SEATS = 200
MAX_DAYS = 366
MAX_YEARS_AWAY = 10


@dataclass(frozen=True)
class Pricing:
    method: str
    rate: Decimal  # per period, e.g. Decimal("0.02")
    fee_percent: Decimal
    payouts: list  # per seat, after the fee
    fees: list  # per seat, its part of the fee

    @property
    def rate_ppm(self) -> int:
        return int(self.rate * 1_000_000)


def _rate(value, required: bool) -> Decimal:
    raw = parse.normalize(value)
    if not raw:
        if required:
            raise ValidationError(_("Enter the rate per period, e.g. 2 for 2 percent."), field="rate")
        return Decimal(0)
    if raw.startswith("-"):
        raise ValidationError(_("The rate cannot be negative."), field="rate")
    try:
        percent = parse.percent(raw, "rate", maximum=50, places=3)
    except ValidationError:
        raise ValidationError(_("Enter a rate per period from 0 to 50 percent, e.g. 2 or 1.5."), field="rate") from None
    return percent / 100


def price(box: Box, seat_count: int, contribution: int, method, rate=None, fee=None, lowest=None,
          table=None) -> Pricing:
    """Parse a pricing request and price the seats of `box` (its currency; its errors write amounts as
    its pages do); every error names its field."""
    currency = box.currency
    method = parse.choice(method, PRICING_METHODS, "pricing", _("Pricing method"))
    fee_percent = parse.percent(fee if fee not in (None, "") else "0", "fee", maximum=50)
    rate_value = _rate(rate, method == "fair")
    amount = pricing.total(seat_count, contribution, fee_percent)
    if method == "fair":
        payouts = pricing.fair(seat_count, amount, rate_value)
    elif method == "linear":
        low = parse.amount(lowest, currency, field="lowest", allow_zero=True)
        try:
            payouts = pricing.linear(seat_count, amount, low)
        except ValueError:
            raise ValidationError(_("The lowest payout must be at most the average payout (%(amount)s).",
                                    amount=show_money(amount // seat_count, box)), field="lowest") from None
    else:
        rows = [x for x in (table or []) if parse.normalize(x)]
        if len(rows) != seat_count:
            raise ValidationError(_("Give one payout per seat: %(count)s amounts, seat 1 first.",
                                    count=num(seat_count, box)), field="table")
        values = [parse.amount(x, currency, field="table", allow_zero=True) for x in rows]
        if sum(values) != amount:
            raise ValidationError(
                _("The payouts add up to %(sum)s, but the round pays out %(amount)s (everything collected less the "
                  "fee); the difference is %(difference)s.", sum=show_money(sum(values), box),
                  amount=show_money(amount, box), difference=show_money(amount - sum(values), box)), field="table")
        payouts = pricing.manual(seat_count, amount, values)
    fee_total = pricing.fee_amount(seat_count, contribution, fee_percent)
    fees = money.allocate(fee_total, payouts) if fee_total and sum(payouts) else [0] * seat_count
    return Pricing(method, rate_value, fee_percent, payouts, fees)


def _schedule(currency: str, today: date, contribution, seat_count, period_kind, period_days, first_due):
    kind = parse.choice(period_kind, PERIOD_KINDS, "period_kind", _("Period"))
    days = parse.whole(period_days, "period_days", 1, MAX_DAYS, _("Days per period")) if kind == "days" else 7
    first = parse.day(first_due, "first_due", _("First due date"))
    if abs(first.year - today.year) > MAX_YEARS_AWAY:
        raise ValidationError(_("Choose a first due date within %(years)s years of today.", years=num(MAX_YEARS_AWAY)), field="first_due")
    return dict(contribution=parse.amount(contribution, currency, field="contribution"),
                seat_count=parse.whole(seat_count, "seat_count", 2, MAX_SEATS, _("Number of seats")),
                period_kind=kind, period_days=days, first_due=first)


@uow.box_write
def create_rosca(actor, name, currency, seat_count, contribution, period_kind, first_due, pricing_method="fair",
                 rate=None, fee=None, lowest=None, table=None, deposit=None, grace_days=0, period_days=7,
                 timezone="Asia/Tehran", locale="fa_IR", calendar="persian", late_fee_kind="none",
                 late_fee_value=None) -> Box:
    from hamyan.blueprints.rosca.services.late import fee_rule

    currency = boxes.validate_box_settings(currency, timezone, locale, calendar)
    late_kind, late_value = fee_rule(currency, late_fee_kind, late_fee_value)
    schedule = _schedule(currency, clock.today_in(timezone), contribution, seat_count, period_kind, period_days,
                         first_due)
    priced = price(Box(currency=currency, locale=locale), schedule["seat_count"], schedule["contribution"],
                   pricing_method, rate, fee, lowest, table)  # the box to be, unsaved
    deposit_value = parse.amount(deposit, currency, field="deposit", allow_zero=True) if parse.normalize(deposit) else 0
    grace = parse.whole(grace_days if grace_days not in (None, "") else 0, "grace_days", 0, MAX_DAYS, _("Grace days"))
    if db.session.scalar(select(Box.id).join(Membership, Membership.box_id == Box.id).where(
            Box.kind == KIND, Box.name == (name or "").strip(), Membership.user_id == actor.id,
            Membership.left_at.is_(None))):
        raise Conflict(_("You already have a ROSCA with this name; choose another."), field="name")
    box = boxes.create_box(actor, KIND, name, currency, timezone, locale, calendar)
    rosca = Rosca(box_id=box.id, status="draft", pricing=priced.method, rate_ppm=priced.rate_ppm,
                  fee_bp=int(priced.fee_percent * 100), deposit=deposit_value, grace_days=grace,
                  late_fee_kind=late_kind, late_fee_value=late_value, **schedule)
    rosca.seats = [Seat(number=k, payout=p, fee=f) for k, (p, f) in enumerate(zip(priced.payouts, priced.fees), 1)]
    db.session.add(rosca)
    cash_account(box)
    fee_account(box)
    return box


@uow.box_write
def reprice(actor, box_id, pricing_method, rate=None, fee=None, lowest=None, table=None) -> Rosca:
    """Change the pricing while the seats are on sale (holders keep their seats)."""
    box, rosca = draft(actor, box_id)
    priced = price(box, rosca.seat_count, rosca.contribution, pricing_method, rate, fee, lowest, table)
    rosca.pricing, rosca.rate_ppm, rosca.fee_bp = priced.method, priced.rate_ppm, int(priced.fee_percent * 100)
    for seat, payout, fee_part in zip(rosca.seats, priced.payouts, priced.fees):
        seat.payout, seat.fee = payout, fee_part
    return rosca


def seat_of(rosca: Rosca, number, field: str = "seat") -> Seat:
    n = parse.whole(number, field, 1, MAX_SEATS, _("Seat number"))
    seat = next((s for s in rosca.seats if s.number == n), None)
    if seat is None:
        raise NotFound(_("This ROSCA has no seat %(number)s.", number=num(n)))
    return seat


@uow.box_write
def take_seat(actor, box_id, seat_number, fraction="1") -> Seat:
    """A member takes a free seat, or a free part of one (a shared seat)."""
    access = authorize(actor, box_id, VIEW, KIND)
    rosca = db.session.get(Rosca, access.box.id)
    if rosca.status != "draft":
        raise Conflict(_("The round has started; seats are traded in the seat market now."), field="seat")
    if access.membership is None:
        raise ValidationError(_("Only members of the box take seats; a manager assigns them to others."), field="seat")
    seat = seat_of(rosca, seat_number)
    if seat.reserved and not access.can_manage:
        raise Conflict(_("Seat %(number)s is kept by the manager for a member with a good record.", number=num(seat.number)), field="seat")
    part = parse.fraction(fraction, field="fraction")
    if any(h.membership_id == access.membership.id for h in seat.holdings):
        raise Conflict(_("You already hold part of seat %(number)s.", number=num(seat.number)), field="seat")
    if seat.held + part > 1:
        free = 1 - seat.held
        raise Conflict(_("Seat %(number)s is taken.", number=num(seat.number)) if free == 0 else
                       _("Only %(part)s of seat %(number)s is free.", part=digits(free), number=num(seat.number)),
                       field="seat")
    seat.holdings.append(SeatHolding(membership_id=access.membership.id, numerator=part.numerator,
                                     denominator=part.denominator, position=len(seat.holdings)))
    db.session.flush()
    return seat


@uow.box_write
def leave_seat(actor, box_id, seat_number) -> Seat:
    """A member gives back their seat (or their part of one) while seats are on sale."""
    access = authorize(actor, box_id, VIEW, KIND)
    rosca = db.session.get(Rosca, access.box.id)
    if rosca.status != "draft":
        raise Conflict(_("The round has started; trade the seat in the seat market instead."), field="seat")
    seat = seat_of(rosca, seat_number)
    own = next((h for h in seat.holdings if access.membership and h.membership_id == access.membership.id), None)
    if own is None:
        raise ValidationError(_("You hold no part of seat %(number)s.", number=num(seat.number)), field="seat")
    seat.holdings.remove(own)
    db.session.flush()
    return seat


@uow.box_write
def assign_seat(actor, box_id, seat_number, holders: list[tuple]) -> Seat:
    """The manager sets who holds a seat: [(membership_id, fraction), ...]; [] frees it. The parts
    may add up to less than one while seats are on sale, never more."""
    box, rosca = draft(actor, box_id)
    seat = seat_of(rosca, seat_number)
    parsed = shares.holders(holders, lambda m: membership_in(box.id, m, "holders"), _("seat %(number)s", number=num(seat.number)))
    seat.holdings.clear()
    db.session.flush()
    seat.holdings.extend(SeatHolding(membership_id=m.id, numerator=f.numerator, denominator=f.denominator,
                                     position=i) for i, (m, f) in enumerate(parsed))
    db.session.flush()
    return seat


@uow.box_write
def reserve_seat(actor, box_id, seat_number, reserved: bool) -> Seat:
    """Keep a seat back (members cannot take it; the manager assigns it), or put it on sale."""
    rosca = draft(actor, box_id)[1]
    seat = seat_of(rosca, seat_number)
    seat.reserved = bool(reserved)
    return seat


@uow.box_write
def add_member(actor, box_id, display_name: str, email: str | None = None, same_name_ok: bool = False) -> Membership:
    """Add someone (with or without an account) so they can hold seats. A name another member has
    needs same_name_ok (boxes.services.SameName): that also makes a double submit add them once."""
    box = managing(actor, box_id)[0]
    return boxes.add_member(actor, box.id, display_name, email, "member", same_name_ok)


def deposit_due(rosca: Rosca) -> dict[int, int]:
    """What each holder owes as deposit: the deposit per seat split like the seat."""
    due: dict[int, int] = {}
    if rosca.deposit:
        for seat in rosca.seats:
            if not seat.holdings:  # a free seat owes no deposit yet (its split has nobody to go to)
                continue
            for membership_id, part in seat_parts(rosca.deposit, seat).items():
                due[membership_id] = due.get(membership_id, 0) + part
    return due


@uow.box_write
def start(actor, box_id) -> Rosca:
    box, rosca = draft(actor, box_id)
    free = [s.number for s in rosca.seats if not shares.fully_held([h.fraction for h in s.holdings])]
    if free:
        shown = listed(num(n, box) for n in free[:20]) + ("…" if len(free) > 20 else "")
        raise ValidationError(_("The round starts when every seat is taken. Still free: %(seats)s.", seats=shown), field="seats")
    tiny = [s.number for s in rosca.seats
            if not obligations.smallest_part_ok(rosca.contribution, [h.fraction for h in s.holdings])]
    if tiny:
        raise ValidationError(_("A part of seat %(number)s would owe less than one minor unit a period; use larger parts.",
                                number=num(tiny[0], box)), field="seats")
    held = deposits_by_member(box.id)
    short = [db.session.get(Membership, m).display_name for m, due in deposit_due(rosca).items()
             if held.get(m, 0) < due]
    if short:
        raise ValidationError(_("Deposits still to pay: %(names)s.", names=listed(map(isolate, sorted(short)))), field="deposit")
    for number, due in enumerate(calendar.due_dates(rosca.first_due, rosca.period_kind, rosca.period_days,
                                                    box.calendar, rosca.seat_count), 1):
        db.session.add(RoscaPeriod(box_id=box.id, number=number, due_date=due))
    for m in {h.membership for s in rosca.seats for h in s.holdings}:
        member_account(box, m)
    rosca.status = "active"
    rosca.started_at = clock.now()
    db.session.flush()
    refresh(rosca)
    return rosca
