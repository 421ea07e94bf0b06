"""The members' summary rows (the read model) equal a from-scratch derivation after any sequence of
contributions, undone and back-dated contributions, late fees and their waivers, payouts (also before a
period is collected), seat swaps and days passing."""
from datetime import date, datetime, time, timedelta

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from hamyan.blueprints.auth.models import User
from hamyan.blueprints.rosca import services as rs
from hamyan.blueprints.rosca.models import MemberSummary, RoscaPayment
from hamyan.boxes.models import Box, Membership
from hamyan.core.errors import ServiceError
from hamyan.dues.models import LateCharge
from hamyan.extensions import db
from hamyan.ledger import check
from tests.conftest import property_examples
from tests.rosca.helpers import make_rosca

START = date(2026, 3, 2)
WHO = st.integers(0, 3)
PICK = st.integers(0, 50)
OPS = st.one_of(
    st.tuples(st.just("pay"), WHO, st.integers(1, 400), st.integers(0, 20)),
    st.tuples(st.just("undo"), PICK),
    st.tuples(st.just("late")),
    st.tuples(st.just("waive"), PICK),
    st.tuples(st.just("payout"), st.booleans()),
    st.tuples(st.just("swap"), st.integers(1, 3)),
    st.tuples(st.just("wait"), st.integers(1, 12)),
)


def _nth(rows, n):
    return rows[n % len(rows)] if rows else None


def _apply(manager, box, members, today, op):
    if op[0] == "pay":
        _, who, units, back = op
        rs.record_payment(manager, box.id, members[who].id, str(units), paid_on=max(today - timedelta(days=back), START))
    elif op[0] == "undo" and (row := _nth(db.session.query(RoscaPayment).filter_by(kind="contribution")
                                          .order_by(RoscaPayment.id).all(), op[1])):
        rs.reverse_payment(manager, box.id, row.id, "test")
    elif op[0] == "late":
        rs.assess_late_fees(manager, box.id)
    elif op[0] == "waive" and (row := _nth(db.session.query(LateCharge).order_by(LateCharge.id).all(), op[1])):
        rs.waive_late_fee(manager, box.id, row.subject_id, row.reference.split(":")[1], "test")
    elif op[0] == "payout":
        rs.pay_out(manager, box.id, override_reason="test" if op[1] else None)
    elif op[0] == "swap":
        swap = rs.request_swap(manager, box.id, op[1], op[1] + 1)
        try:
            rs.approve_swap(manager, box.id, swap.id)
        except ServiceError:
            rs.refuse_swap(manager, box.id, swap.id)  # none left waiting to block the next
            raise


@settings(max_examples=property_examples(25), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(OPS, min_size=1, max_size=16))
@example(ops=[("wait", 3), ("pay", 0, 100, 0), ("pay", 1, 50, 3), ("late",), ("waive", 0), ("payout", True),
              ("wait", 7), ("pay", 3, 200, 5), ("swap", 2), ("undo", 1), ("late",), ("payout", False)])
def test_summaries_equal_a_derivation_from_scratch(make_user, clock, rebuilt, ops):
    today = START
    clock.set(datetime.combine(today, time(12)))

    def build():
        manager = make_user("m@example.com", "Manager")
        # Four seats, the second shared: a weekly round with a fee for paying after a day's grace.
        box = make_rosca(manager, seats=4, contribution="100", period_kind="weekly", grace_days=1,
                         late_fee_kind="fixed", late_fee_value="5", first_due=START)
        members = [rs.add_member(manager, box.id, f"M{i}") for i in range(4)]
        rs.assign_seat(manager, box.id, 1, [(members[0].id, "1")])
        rs.assign_seat(manager, box.id, 2, [(members[1].id, "1/2"), (members[2].id, "1/2")])
        rs.assign_seat(manager, box.id, 3, [(members[3].id, "1")])
        rs.assign_seat(manager, box.id, 4, [(members[0].id, "1")])
        rs.start(manager, box.id)
        return manager.id, box.id, [m.id for m in members]

    manager_id, box_id, member_ids = rebuilt("rosca", build)
    manager, box = db.session.get(User, manager_id), db.session.get(Box, box_id)
    members = [db.session.get(Membership, member_id) for member_id in member_ids]
    for op in ops:
        if op[0] == "wait":
            today += timedelta(days=op[1])
            clock.set(datetime.combine(today, time(12)))
            continue
        try:
            _apply(manager, box, members, today, op)
        except ServiceError:
            pass  # a refusal changes nothing
        assert rs.reconcile() == [], op
    rs.fresh(db.session.get(rs.Rosca, box.id))  # a new day: the first read brings every row to today
    assert rs.reconcile() == []
    assert db.session.query(MemberSummary).filter_by(box_id=box.id).count() == 4
    assert check().ok
