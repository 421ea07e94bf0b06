"""What pages and the API read: the pricing explained, the seat board, the period grid (from the
member summaries, a page of members at a time), each member's on-time record across their boxes,
and one member's view. A fixed number of queries whatever the number of members."""
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction

from flask_babel import gettext as _
from flask_babel import ngettext
from markupsafe import Markup, escape
from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager, selectinload

from hamyan.blueprints.rosca.models import MemberSummary, Rosca, RoscaPeriod, Seat, SeatHolding
from hamyan.blueprints.rosca.services.market import quote, rate
from hamyan.boxes.models import Membership
from hamyan.dues import obligations
from hamyan.dues import status as dues_status
from hamyan.extensions import db
from hamyan.i18n import bdi, number, show_day, show_money
from hamyan.rotation import pricing
from hamyan.web import said
from hamyan.web.listing import paged


@dataclass(frozen=True)
class SeatPrice:
    number: int
    payout: int
    fee: int
    versus_pot: int  # payout − N·c: negative a discount (an early seat borrows), positive a premium
    effective_rate: float  # per period


@dataclass(frozen=True)
class PricingView:
    method: str
    rate: Decimal
    fee_percent: Decimal
    collected: int  # N²·c
    fee: int
    paid_out: int
    pot: int  # N·c, what a seat would collect with no pricing
    seats: list

    def chart(self, width: int = 640, height: int = 240) -> dict:
        """Bars of the payouts by seat and the N·c line, as numbers an SVG template draws."""
        top = max([s.payout for s in self.seats] + [self.pot]) or 1
        pad, bottom = 36, height - 24
        step = (width - pad - 8) / len(self.seats)
        bars = [dict(x=round(pad + i * step + step * 0.15, 1), w=round(step * 0.7, 1),
                     y=round(bottom - (bottom - 12) * s.payout / top, 1),
                     h=round((bottom - 12) * s.payout / top, 1), n=s.number, premium=s.versus_pot >= 0)
                for i, s in enumerate(self.seats)]
        return dict(width=width, height=height, bars=bars, bottom=bottom, pad=pad,
                    pot_y=round(bottom - (bottom - 12) * self.pot / top, 1),
                    label_every=max(len(self.seats) // 12, 1))


def pricing_view(rosca: Rosca, seats: list[Seat]) -> PricingView:
    r = rate(rosca)
    collected = rosca.seat_count * rosca.pot
    fee = sum(s.fee for s in seats)
    rows = [SeatPrice(s.number, s.payout, s.fee, s.payout - rosca.pot,
                      pricing.effective_rate(s.payout, s.number, rosca.seat_count, rosca.contribution))
            for s in seats]
    return PricingView(rosca.pricing, r, Decimal(rosca.fee_bp) / 100, collected, fee, collected - fee, rosca.pot, rows)


def seats_of(rosca: Rosca) -> list[Seat]:
    return list(db.session.scalars(select(Seat).filter_by(box_id=rosca.box_id).order_by(Seat.number)
                                   .options(selectinload(Seat.holdings).joinedload(SeatHolding.membership))))


@dataclass(frozen=True)
class Record:
    due: int  # periods fallen due across their boxes
    on_time: int

    @property
    def rate(self) -> float | None:
        return self.on_time / self.due if self.due else None


def records(memberships: list[Membership], today: date) -> dict[int, Record]:
    """Each member's on-time payment record across every box they belong to (by their account;
    a member without an account has only this box's): periods settled by the due date plus grace
    over periods fallen due, from the kept summaries of ROSCAs and cashbox period cells."""
    # Cashbox keeps a cell per member and period (the other rotation product); read, never written.
    from hamyan.blueprints.cashbox.models import Cashbox, Period, PeriodCell

    users = {m.id: m.user_id for m in memberships}
    everyone = select(Membership.id, Membership.user_id).where(
        Membership.user_id.in_([u for u in users.values() if u] or [0]))
    owner = {mid: ("u", uid) for mid, uid in db.session.execute(everyone)}
    owner.update({m.id: ("m", m.id) for m in memberships if not m.user_id})
    ids = list(owner)
    totals: dict = {}
    for mid, due, on_time in db.session.execute(
            select(MemberSummary.membership_id, MemberSummary.periods_due, MemberSummary.on_time)
            .where(MemberSummary.membership_id.in_(ids or [0]))):
        t = totals.setdefault(owner[mid], [0, 0])
        t[0], t[1] = t[0] + due, t[1] + on_time
    for mid, settled_on, due_date, grace in db.session.execute(
            select(PeriodCell.membership_id, PeriodCell.settled_on, Period.due_date, Cashbox.grace_days)
            .join(Period, (Period.round_id == PeriodCell.round_id) & (Period.number == PeriodCell.number))
            .join(Membership, Membership.id == PeriodCell.membership_id)
            .join(Cashbox, Cashbox.box_id == Membership.box_id)
            .where(PeriodCell.membership_id.in_(ids or [0]), Period.due_date <= today)):
        t = totals.setdefault(owner[mid], [0, 0])
        t[0] += 1
        t[1] += settled_on is not None and not dues_status.is_late(due_date, grace, settled_on)
    return {m.id: Record(*totals.get(("u", m.user_id) if m.user_id else ("m", m.id), (0, 0))) for m in memberships}


def summaries_page(rosca: Rosca, search: str = "", page: int = 1, per_page: int = 25, late_only: bool = False):
    """A page of the members by name (those whose name contains `search`; only those late, the
    defaults first, with late_only)."""
    query = (select(MemberSummary).join(Membership, Membership.id == MemberSummary.membership_id)
             .options(contains_eager(MemberSummary.membership)).where(MemberSummary.box_id == rosca.box_id))
    if late_only:
        query = query.where(MemberSummary.status == dues_status.LATE).order_by(
            MemberSummary.defaulted.desc(), MemberSummary.arrears.desc())
    if search:
        escaped = search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        query = query.where(Membership.display_name.ilike(f"%{escaped}%", escape="\\"))
    return paged(query.order_by(Membership.display_name, Membership.id), page, per_page)


@dataclass(frozen=True)
class Totals:
    members: int
    paid: int
    arrears: int
    late: int
    defaults: int
    at_risk: int


def summary_of(rosca: Rosca, membership: Membership) -> MemberSummary | None:
    return db.session.get(MemberSummary, (rosca.box_id, membership.id))


def totals(rosca: Rosca) -> Totals:
    row = db.session.execute(select(
        func.count(), func.sum(MemberSummary.paid), func.sum(MemberSummary.arrears),
        func.sum(db.case((MemberSummary.status == dues_status.LATE, 1), else_=0)),
        func.sum(db.case((MemberSummary.defaulted, 1), else_=0)), func.sum(MemberSummary.at_risk))
        .where(MemberSummary.box_id == rosca.box_id)).one()
    return Totals(*(int(x or 0) for x in row))


def periods_of(rosca: Rosca, numbers: range | None = None) -> list[RoscaPeriod]:
    query = select(RoscaPeriod).filter_by(box_id=rosca.box_id).order_by(RoscaPeriod.number)
    if numbers is not None:
        query = query.where(RoscaPeriod.number >= numbers.start, RoscaPeriod.number < numbers.stop)
    return list(db.session.scalars(query))


def window(count: int, page: int, size: int) -> tuple[range, int, int]:
    pages = max((count + size - 1) // size, 1)
    page = min(max(page, 1), pages)
    return range((page - 1) * size + 1, min(page * size, count) + 1), page, pages


def grid_cells(rosca: Rosca, summaries: list[MemberSummary], periods: list[RoscaPeriod], today: date) -> dict:
    """membership id -> [(period number, due, paid, status)] for a page of members and periods,
    from their summaries (paid settles the oldest dues first) and their seats: no payments read."""
    ids = [s.membership_id for s in summaries]
    holdings: dict[int, list] = {}
    for seat_id, membership_id, numerator, denominator, position in db.session.execute(
            select(SeatHolding.seat_id, SeatHolding.membership_id, SeatHolding.numerator, SeatHolding.denominator,
                   SeatHolding.position).join(Seat, Seat.id == SeatHolding.seat_id)
            .where(Seat.box_id == rosca.box_id, SeatHolding.membership_id.in_(ids or [0]))):
        holdings.setdefault(membership_id, []).append(seat_id)
    all_parts: dict[int, list] = {}
    seat_ids = {s for v in holdings.values() for s in v}
    for seat_id, membership_id, numerator, denominator in db.session.execute(
            select(SeatHolding.seat_id, SeatHolding.membership_id, SeatHolding.numerator, SeatHolding.denominator)
            .where(SeatHolding.seat_id.in_(seat_ids or [0])).order_by(SeatHolding.seat_id, SeatHolding.position)):
        all_parts.setdefault(seat_id, []).append((membership_id, numerator, denominator))
    cells = {}
    for summary in summaries:
        cum: list = []
        for seat_id in holdings.get(summary.membership_id, []):
            parts = all_parts[seat_id]
            dues = obligations.cumulative_dues(rosca.contribution, rosca.seat_count,
                                               tuple(Fraction(n, d) for _, n, d in parts))
            index = [m for m, _, _ in parts].index(summary.membership_id)
            cum = obligations.add_dues(cum, dues[index])
        row = []
        for p in periods:
            due = cum[p.number] - cum[p.number - 1] if cum else 0
            covered = min(max(summary.paid - (cum[p.number - 1] if cum else 0), 0), due)
            row.append((p.number, due, covered, dues_status.status(due, covered, p.due_date, rosca.grace_days, today)))
        cells[summary.membership_id] = row
    return cells


def consequences(rosca: Rosca, action: str, subject_id: int | None = None) -> list[Markup]:
    """What an irreversible action of the round will do, with its amounts, for its confirm step
    (hamyan.web.confirm): start, payout (the next seat), cover (a member's default; subject_id is
    the membership), swap (approving one; subject_id is the swap), leave (giving back one's part of
    a seat; subject_id is the seat's number), release. In the page's language, names set apart."""
    box = rosca.box
    membership_id = subject_id
    amount = lambda minor: show_money(minor, box)  # noqa: E731
    n = lambda value: number(value, box)  # noqa: E731
    if action == "swap":
        from hamyan.blueprints.rosca.models import Swap

        swap = db.session.get(Swap, subject_id)
        if swap is None or swap.box_id != box.id:
            return []
        price = quote(rosca, swap.earlier, swap.later)
        payer, paid = (swap.later, swap.earlier) if price >= 0 else (swap.earlier, swap.later)
        return [said(_("Seats %(earlier)s and %(later)s trade places: their holders collect at each other's period."),
                      earlier=n(swap.earlier), later=n(swap.later)),
                said(_("The holders of seat %(payer)s pay those of seat %(paid)s %(amount)s, recorded in both "
                        "accounts."), payer=n(payer), paid=n(paid), amount=amount(abs(price)))]
    if action == "leave":
        seat = db.session.scalar(select(Seat).filter_by(box_id=box.id, number=subject_id))
        if seat is None:
            return []
        return [said(_("You give back your part of seat %(number)s, the seat that collects %(amount)s in period "
                        "%(number)s."), number=n(seat.number), amount=amount(seat.payout)),
                said(_("It goes back on sale: anyone may take it before you take it again."))]
    if action == "start":
        return [said(_("The round starts: %(seats)s seats each pay %(amount)s a period (%(pot)s a period in all), "
                        "the first due %(day)s."), seats=n(rosca.seat_count), amount=amount(rosca.contribution),
                      pot=amount(rosca.pot), day=show_day(rosca.first_due, box)),
                said(_("Who holds each seat and every seat's payout are fixed from then on."))]
    if action == "payout":
        period = db.session.scalar(select(RoscaPeriod).filter_by(box_id=box.id, payout_entry_id=None)
                                   .order_by(RoscaPeriod.number).limit(1))
        seat = period and db.session.scalar(select(Seat).filter_by(box_id=box.id, number=period.number))
        if seat is None:
            return []
        names = Markup(" + ").join(bdi(h.membership.display_name) for h in seat.holdings)
        told = dict(number=n(seat.number), names=names, amount=amount(seat.payout), period=n(period.number))
        return [said(_("Seat %(number)s (%(names)s) collects its payout of %(amount)s for period %(period)s, after "
                        "the fee of %(fee)s kept back."), fee=amount(seat.fee), **told) if seat.fee else
                said(_("Seat %(number)s (%(names)s) collects its payout of %(amount)s for period %(period)s."), **told),
                said(_("What a holder still owes is taken from their part first; the rest is paid from the box's cash."))]
    if action == "cover":
        summary = db.session.get(MemberSummary, (box.id, membership_id))
        if summary is None:
            return []
        covered = min(summary.deposit_held, summary.arrears)
        return [said(_("%(covered)s of the %(held)s deposit held for %(name)s pays what they owe (%(owed)s)."),
                      covered=amount(covered), held=amount(summary.deposit_held),
                      name=bdi(summary.membership.display_name), owed=amount(summary.arrears))]
    from hamyan.blueprints.rosca.services.common import deposits_by_member

    held = {m: v for m, v in deposits_by_member(box.id).items() if v > 0}
    return [escape(ngettext("%(amount)s of deposits goes back to %(count)s member; the deposit first pays what its "
                             "member still owes.",
                             "%(amount)s of deposits go back to %(count)s members; each deposit first pays what its "
                             "member still owes.", len(held), amount=amount(sum(held.values())), count=n(len(held))))]
