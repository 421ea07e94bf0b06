"""The seat market: two holders trade seats that have not collected (before the start or during
the round), with the manager's approval. The trade is priced so nobody gains by it: the holders
moving to the earlier seat pay the others the difference of the two payouts' present values at the
round's rate, at the period of the approval (rotation.pricing.swap_price), as one ledger entry:

    swap   Dr member:<payer> (their part of the price); Cr member:<payee> (their part)

So each holder's NPV at r is what it was before the trade, to within one minor unit."""
from decimal import Decimal

from sqlalchemy import func, select

from flask_babel import gettext as _, lazy_gettext as _l
from hamyan import ledger
from hamyan.blueprints.rosca.models import Rosca, RoscaPeriod, SeatHolding, Swap
from hamyan.blueprints.rosca.services.common import KIND, author, managing, member_account
from hamyan.blueprints.rosca.services.setup import seat_of
from hamyan.blueprints.rosca.services.state import refresh
from hamyan.boxes.access import VIEW, authorize
from hamyan.core import clock, parse, uow
from hamyan.core.errors import Conflict, NotFound, ValidationError
from hamyan.extensions import db
from hamyan.i18n import Amount, box_text, number
from hamyan.rotation import pricing, shares


def rate(rosca: Rosca) -> Decimal:
    return Decimal(rosca.rate_ppm) / 1_000_000


def _collected(rosca: Rosca) -> int:
    """How many periods have been paid out (seats 1..this have collected)."""
    return db.session.scalar(select(func.count()).where(RoscaPeriod.box_id == rosca.box_id,
                                                        RoscaPeriod.payout_entry_id.isnot(None)))


def _pair(rosca: Rosca, first, second):
    a, b = sorted((seat_of(rosca, first, "earlier"), seat_of(rosca, second, "later")), key=lambda s: s.number)
    if a.number == b.number:
        raise ValidationError(_("Choose two different seats."), field="later")
    if rosca.status == "finished":
        raise ValidationError(_("The round is finished."), field="status")
    done = _collected(rosca)
    if a.number <= done:
        raise ValidationError(_("Seat %(number)s has already collected; only seats that have not collected are traded.", number=number(a.number, rosca.box)),
                              field="earlier")
    for seat in (a, b):
        if not seat.holdings:
            raise ValidationError(_("Seat %(number)s is free: take it instead of trading for it.", number=number(seat.number, rosca.box)), field="later")
    if {h.membership_id for h in a.holdings} & {h.membership_id for h in b.holdings}:
        raise ValidationError(_("Someone holds part of both seats; a trade needs two different holders."), field="later")
    return a, b, done


def quote(rosca: Rosca, earlier: int, later: int) -> int:
    """What the later seat's holders would pay (negative: receive) to trade now."""
    a, b, done = _pair(rosca, earlier, later)
    return pricing.swap_price((a.number, a.payout), (b.number, b.payout), done, rate(rosca))


@uow.box_write
def request_swap(actor, box_id, earlier, later) -> Swap:
    """A holder of one of the seats (or the manager) asks to trade; the manager approves."""
    access = authorize(actor, box_id, VIEW, KIND)
    rosca = db.session.get(Rosca, access.box.id)
    a, b = _pair(rosca, earlier, later)[:2]
    own = access.membership.id if access.membership else None
    if not access.can_manage and own not in {h.membership_id for h in a.holdings + b.holdings}:
        raise ValidationError(_("You can ask to trade only a seat you hold."), field="earlier")
    if db.session.scalar(select(Swap.id).where(Swap.box_id == rosca.box_id, Swap.status == "requested",
                                               Swap.earlier.in_((a.number, b.number)) | Swap.later.in_((a.number, b.number)))):
        raise Conflict(_("One of these seats already has a trade waiting for the manager."), field="earlier")
    swap = Swap(box_id=rosca.box_id, earlier=a.number, later=b.number, status="requested",
                requested_by_id=author(actor))
    db.session.add(swap)
    db.session.flush()
    return swap


def _swap_in(box_id: int, swap_id) -> Swap:
    number = parse.record_id(swap_id)
    swap = db.session.get(Swap, number) if number else None
    if swap is None or swap.box_id != box_id:
        raise NotFound()
    if swap.status != "requested":
        raise Conflict(_("This trade was already approved.") if swap.status == "approved" else
                       _("This trade was already turned down."), field="swap")
    return swap


@uow.box_write
def approve_swap(actor, box_id, swap_id) -> Swap:
    box, rosca = managing(actor, box_id)
    swap = _swap_in(box.id, swap_id)
    a, b, done = _pair(rosca, swap.earlier, swap.later)
    price = pricing.swap_price((a.number, a.payout), (b.number, b.payout), done, rate(rosca))
    movers_earlier, movers_later = list(b.holdings), list(a.holdings)  # b's holders move to a, a's to b
    before = [(h.membership_id, h.fraction) for h in movers_earlier], [(h.membership_id, h.fraction) for h in movers_later]
    swap.note = box_text(box, _l("seat %(first)s: %(first_holders)s; seat %(second)s: %(second_holders)s"), first=a.number,
                         first_holders=[h.membership.display_name for h in movers_later], second=b.number,
                         second_holders=[h.membership.display_name for h in movers_earlier])[:300]
    if price:
        payers, payees = (movers_earlier, movers_later) if price > 0 else (movers_later, movers_earlier)
        amount = abs(price)
        legs = [(member_account(box, h.membership), part)
                for h, part in zip(payers, shares.split(amount, [h.fraction for h in payers]))]
        legs += [(member_account(box, h.membership), -part)
                 for h, part in zip(payees, shares.split(amount, [h.fraction for h in payees]))]
        entry = ledger.post("swap", [leg for leg in legs if leg[1]], idempotency_key=f"rosca:{box.id}:swap:{swap.id}",
                            effective_date=clock.today(box), box_id=box.id, created_by_id=author(actor),
                            memo=box_text(box, _l("Seats %(first)s and %(second)s traded: %(amount)s for the "
                                                  "difference in value"), first=a.number, second=b.number,
                                          amount=Amount(amount)))
        swap.entry_id = entry.id
    a.holdings.clear()
    b.holdings.clear()
    db.session.flush()
    for seat, holders in ((a, before[0]), (b, before[1])):
        seat.holdings.extend(SeatHolding(membership_id=m, numerator=f.numerator, denominator=f.denominator,
                                         position=i) for i, (m, f) in enumerate(holders))
    swap.status, swap.price, swap.at_period = "approved", price, done
    swap.decided_by_id, swap.decided_at = author(actor), clock.now()
    db.session.flush()
    refresh(rosca, [m for m, _ in before[0] + before[1]])
    return swap


@uow.box_write
def refuse_swap(actor, box_id, swap_id) -> Swap:
    box = managing(actor, box_id)[0]
    swap = _swap_in(box.id, swap_id)
    swap.status, swap.decided_by_id, swap.decided_at = "refused", author(actor), clock.now()
    return swap


def swaps_of(box_id: int, limit: int = 50, page: int = 1) -> list[Swap]:
    """A page of `limit` trades, newest first."""
    return list(db.session.scalars(select(Swap).filter_by(box_id=box_id).order_by(Swap.id.desc())
                                   .limit(limit).offset((page - 1) * limit)))
