"""The member summaries and period cells (the read model) equal a from-scratch derivation after any sequence of
payments, undone payments, back-dated payments, fines, waivers, draws and days passing."""
from datetime import date, datetime, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hamyan.blueprints.auth.models import User
from hamyan.blueprints.cashbox import services as cb
from hamyan.blueprints.cashbox.models import Payment, PeriodCell
from hamyan.boxes.models import Box, Membership
from hamyan.dues.models import LateCharge
from hamyan.core import clock
from hamyan.core.errors import ServiceError
from hamyan.extensions import db
from hamyan.ledger import check
from tests.cashbox.helpers import first_round, make_box
from tests.conftest import property_examples

START = date(2026, 3, 2)

OPS = st.one_of(
    st.tuples(st.just("pay"), st.integers(0, 3), st.integers(1, 250), st.integers(0, 30)),
    st.tuples(st.just("undo"), st.integers(0, 50)),
    st.tuples(st.just("fine")),
    st.tuples(st.just("waive"), st.integers(0, 50)),
    st.tuples(st.just("draw"), st.booleans()),
    st.tuples(st.just("wait"), st.integers(1, 12)),
)


def _build(manager):
    with clock.frozen(datetime.combine(START, datetime.min.time()) + timedelta(hours=12)):
        box = make_box(manager, shares=3, contribution="100", first_due=START, grace_days=1, fine_kind="fixed",
                       fine_value="5")
        r = first_round(box)
        members = [cb.add_member(manager, box.id, f"M{i}") for i in range(4)]
        cb.set_holders(manager, box.id, r.id, 1, [(members[0].id, "1")])
        cb.set_holders(manager, box.id, r.id, 2, [(members[1].id, "1/2"), (members[2].id, "1/2")])
        cb.set_holders(manager, box.id, r.id, 3, [(members[3].id, "1")])
        cb.start_round(manager, box.id, r.id)
    return manager.id, box.id, [m.id for m in members]


def _run(manager, box, members, ops):
    day = START
    for op in ops:
        if op[0] == "wait":
            day += timedelta(days=op[1])
            continue
        with clock.frozen(datetime.combine(day, datetime.min.time()) + timedelta(hours=12)):
            try:
                if op[0] == "pay":
                    _, who, units, back = op
                    cb.record_payment(manager, box.id, members[who].id, str(units),
                                      paid_on=max(day - timedelta(days=back), START - timedelta(days=30)))
                elif op[0] == "undo":
                    payments = db.session.query(Payment).filter(Payment.method != "netted").order_by(Payment.id).all()
                    if payments:
                        cb.reverse_payment(manager, box.id, payments[op[1] % len(payments)].id, "test")
                elif op[0] == "fine":
                    cb.assess_fines(box.id, actor=manager, history=True)
                elif op[0] == "waive":
                    fines = db.session.query(LateCharge).order_by(LateCharge.id).all()
                    if fines:
                        cb.waive_fine(manager, box.id, fines[op[1] % len(fines)].id, "test")
                elif op[0] == "draw":
                    cb.draw(manager, box.id, override_reason="test" if op[1] else None)
            except ServiceError:
                pass  # a refusal changes nothing
            assert cb.reconcile() == [], op
    with clock.frozen(datetime.combine(day, datetime.min.time()) + timedelta(hours=12)):
        cb.fresh(first_round(box))  # a new day: the first read brings every row to today
        assert cb.reconcile() == []
    # reconcile() compared every kept period cell (4 holders x 3 periods) with the derivation.
    assert db.session.query(PeriodCell).filter_by(round_id=first_round(box).id).count() == 12
    assert check().ok


@settings(max_examples=property_examples(12), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(OPS, min_size=1, max_size=14))
def test_summaries_equal_a_derivation_from_scratch(make_user, rebuilt, ops):
    manager_id, box_id, member_ids = rebuilt("cashbox", lambda: _build(make_user("boss@example.com", "Boss")))
    members = [db.session.get(Membership, member_id) for member_id in member_ids]
    _run(db.session.get(User, manager_id), db.session.get(Box, box_id), members, ops)


def test_reconcile_reports_a_period_cell_that_differs_from_the_derivation(make_user):
    manager = make_user("boss@example.com", "Boss")
    box = make_box(manager, shares=2, contribution="100")
    r = first_round(box)
    a, b = (cb.add_member(manager, box.id, name) for name in ("A", "B"))
    cb.set_holders(manager, box.id, r.id, 1, [(a.id, "1")])
    cb.set_holders(manager, box.id, r.id, 2, [(b.id, "1")])
    cb.start_round(manager, box.id, r.id)
    cb.record_payment(manager, box.id, a.id, "100")
    assert cb.reconcile() == []
    cell = db.session.get(PeriodCell, (r.id, a.id, 1))
    assert (cell.due, cell.paid) == (10000, 10000) and cell.settled_on is not None
    cell.paid = 5000
    db.session.delete(db.session.get(PeriodCell, (r.id, b.id, 2)))
    db.session.flush()
    assert cb.reconcile() == [
        f"cashbox round {r.id} member {a.id} period 1: cell {{'due': 10000, 'paid': 5000, 'settled_on': "
        f"{cell.settled_on!r}, 'fine': 0}}, derived {{'due': 10000, 'paid': 10000, 'settled_on': "
        f"{cell.settled_on!r}, 'fine': 0}}",
        f"cashbox round {r.id} member {b.id} period 2: cell None, derived {{'due': 10000, 'paid': 0, "
        f"'settled_on': None, 'fine': 0}}"]
    db.session.rollback()
