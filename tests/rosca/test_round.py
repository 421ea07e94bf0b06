"""A whole 12-seat round: fair pricing at 2% with a 1% fee, deposits, a shared seat, a trade before
the start and one during the round, a late payer (a payout made early with a recorded reason), and a
member who collected and then stopped paying (a default covered by their deposit). It ends finished,
with `flask ledger check` clean and every member's net position equal to what they paid minus what
they received (the payout with its share of the fee) plus the trade prices."""
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from sqlalchemy import select

from hamyan.blueprints.rosca import services as rs
from hamyan.blueprints.rosca.models import MemberSummary, RoscaPayment, Seat, Swap
from hamyan.core import clock
from hamyan.core.errors import ValidationError
from hamyan.extensions import db
from hamyan.ledger import check
from hamyan.ledger.models import LedgerAccount
from hamyan.rotation import shares
from tests.rosca.helpers import make_rosca, rosca_of

FIRST = date(2026, 1, 10)
NAMES = ["Ali", "Bita", "Dara", "Elham", "Nima", "Parsa", "Roya", "Lale", "Sina", "Taha", "Yas"]
RATE = Decimal("0.02")


def npv_at(payout: int, seat: int, now: int) -> Decimal:
    return Decimal(payout) / (1 + RATE) ** (seat - now)


def test_whole_round(make_user):
    manager = make_user("boss@example.com", "Boss")
    with clock.frozen(FIRST - timedelta(days=20)):
        box = make_rosca(manager, seats=12, contribution="10", rate="2", fee="1", deposit="30", first_due=FIRST,
                         grace_days=0)
        rosca = rosca_of(box)
        total = sum(s.payout for s in rosca.seats)
        assert total == 144 * 1000 - 1440 and sum(s.fee for s in rosca.seats) == 1440
        m = {name: rs.add_member(manager, box.id, name) for name in NAMES + ["Omid"]}
        order = ["Ali", "Bita", "Dara", "Elham", None, "Parsa", "Roya", "Lale", "Sina", "Taha", "Yas", "Ali"]
        for number, name in enumerate(order, 1):
            holders = [(m["Nima"].id, "1/2"), (m["Omid"].id, "1/2")] if name is None else [(m[name].id, "1")]
            rs.assign_seat(manager, box.id, number, holders)
        with pytest.raises(ValidationError, match="Deposits still to pay: \u2068"):
            rs.start(manager, box.id)
        for member, due in rs.deposit_due(rosca).items():
            rs.record_deposit(manager, box.id, member, str(Decimal(due) / 100))
        # A trade before the start: Sina (seat 9) moves to seat 2, Bita to seat 9.
        payouts = {s.number: s.payout for s in rosca.seats}
        swap = rs.request_swap(manager, box.id, 2, 9)
        rs.approve_swap(manager, box.id, swap.id)
        assert abs((npv_at(payouts[2], 2, 0) - swap.price) - npv_at(payouts[9], 9, 0)) <= 1
        assert _holders(box, 2) == [m["Sina"].id] and _holders(box, 9) == [m["Bita"].id]
        rs.start(manager, box.id)

    periods = rs.periods_of(rosca)
    for period in periods:
        k, due_day = period.number, period.due_date
        with clock.frozen(due_day):
            _, states = rs.member_states(rosca)
            for member_id, state in states.items():
                name = state.membership.display_name
                if (name == "Lale" and k == 4) or (name == "Dara" and k >= 10):
                    continue
                owed = state.cum_due[k] - state.paid
                if owed > 0:
                    rs.record_payment(manager, box.id, member_id, str(Decimal(owed) / 100), request_key=f"{k}:{member_id}")
        with clock.frozen(due_day + timedelta(days=1)):
            if k == 4:  # Lale is late: paying out before the period is collected needs a reason
                with pytest.raises(ValidationError, match="not collected"):
                    rs.pay_out(manager, box.id, 4)
                rs.pay_out(manager, box.id, 4, override_reason="Lale pays tomorrow; the box holds enough")
                assert _summary(box, m["Lale"]).status == "late"
            if k == 10:  # Dara collected at period 3 and stopped paying: a default covered by the deposit
                dara = _summary(box, m["Dara"])
                assert dara.defaulted and dara.collected and dara.arrears == 1000
                assert dara.deposit_held == 3000 and dara.at_risk == 0  # 3 periods still owed, 3 in the deposit
                rs.cover_default(manager, box.id, m["Dara"].id)
                assert _summary(box, m["Dara"]).arrears == 0
            if k in (11, 12):
                rs.cover_default(manager, box.id, m["Dara"].id)
            if k != 4:
                rs.pay_out(manager, box.id, k, request_key=f"payout-{k}")
                # a retry with the same key is the first result, with nothing written
                again = rs.pay_out(manager, box.id, k, request_key=f"payout-{k}")
                assert again.number == k and again.payout_entry_id == period.payout_entry_id
        with clock.frozen(due_day + timedelta(days=2)):
            if k == 4:
                rs.record_payment(manager, box.id, m["Lale"].id, "10", request_key="lale-late")
                assert _summary(box, m["Lale"]).status == "paid"  # the member's standing now
            if k == 6:  # a trade during the round: Roya (seat 7) and Taha (seat 10)
                payouts = {s.number: s.payout for s in rosca.seats}
                swap = rs.request_swap(manager, box.id, 7, 10)
                rs.approve_swap(manager, box.id, swap.id)
                assert swap.at_period == 6
                assert abs((npv_at(payouts[7], 7, 6) - swap.price) - npv_at(payouts[10], 10, 6)) <= 1
                assert abs((npv_at(payouts[10], 10, 6) + swap.price) - npv_at(payouts[7], 7, 6)) <= 1
    cells = rs.grid_cells(rosca, list(db.session.scalars(select(MemberSummary).filter_by(box_id=box.id))),
                          periods, clock.today(box))
    assert cells[m["Lale"].id][3][3] in ("paid", "paid late")
    with clock.frozen(periods[-1].due_date + timedelta(days=3)):
        assert rosca.status == "active"  # deposits still held
        released = dict((member.display_name, amount) for member, amount in rs.release_deposits(manager, box.id))
        assert "Dara" not in released and released["Ali"] == 6000
    assert rosca.status == "finished"
    assert rs.box_cash(box.id) == 1440  # the fee, and nothing else
    report = check()
    assert report.ok, report
    assert rs.reconcile() == []
    _nets_match(box, rosca)


def _holders(box, number):
    seat = db.session.scalar(select(Seat).filter_by(box_id=box.id, number=number))
    return [h.membership_id for h in seat.holdings]


def _summary(box, member):
    rs.fresh(rosca_of(box))  # what every page does first: the summaries of the box's today
    return db.session.get(MemberSummary, (box.id, member.id))


def _nets_match(box, rosca):
    """Each member's ledger position = paid − received − fee + trade prices, worked out here from the
    business rows and the seat split, not from the summaries."""
    paid: dict = {}
    for p in db.session.scalars(select(RoscaPayment).filter_by(box_id=box.id)):
        if p.kind != "deposit":
            paid[p.membership_id] = paid.get(p.membership_id, 0) + p.amount
    received: dict = {}
    for seat in db.session.scalars(select(Seat).filter_by(box_id=box.id)):
        fractions = [h.fraction for h in seat.holdings]
        for h, part, fee in zip(seat.holdings, shares.split(seat.payout, fractions), shares.split(seat.fee, fractions)):
            received[h.membership_id] = received.get(h.membership_id, 0) + part + fee
    traded: dict = {}
    for swap in db.session.scalars(select(Swap).filter_by(box_id=box.id, status="approved")):
        assert swap.price is not None
    for account in db.session.scalars(select(LedgerAccount).filter_by(box_id=box.id, purpose="contributions")):
        net = account.natural_balance
        swaps = _summary_swaps(box, account.subject_id)
        traded[account.subject_id] = swaps
        assert net == paid.get(account.subject_id, 0) - received.get(account.subject_id, 0) + swaps
        assert net == db.session.get(MemberSummary, (box.id, account.subject_id)).position
    assert sum(traded.values()) == 0  # a trade moves money between members only
    assert sum(Fraction(s.held) for s in rosca.seats) == 12


def _summary_swaps(box, membership_id):
    return db.session.get(MemberSummary, (box.id, membership_id)).swaps
