"""The units' summary rows (the read model) equal a from-scratch derivation after any sequence of
months issued, assessments in installments, payments (also back-dated, and of the owner's or the
resident's part), their undo, late fees and their waivers, and days passing."""
import uuid
from datetime import date, timedelta

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from hamyan.blueprints.aptbox import services
from hamyan.blueprints.aptbox.models import Unit, UnitPayment, UnitSummary
from hamyan.blueprints.auth.models import User
from hamyan.boxes.models import Box
from hamyan.core.errors import ServiceError
from hamyan.dues.models import LateCharge
from hamyan.extensions import db
from hamyan.ledger import check
from tests.aptbox.conftest import insert_units
from tests.conftest import property_examples

START = date(2026, 3, 1)
UNIT = st.integers(0, 2)
PICK = st.integers(0, 50)
OPS = st.one_of(
    st.tuples(st.just("issue"), st.integers(0, 2)),
    st.tuples(st.just("assess"), st.integers(1, 3)),
    st.tuples(st.just("pay"), UNIT, st.integers(1, 400), st.integers(0, 40), st.sampled_from([None, "owner", "resident"])),
    st.tuples(st.just("undo"), PICK),
    st.tuples(st.just("late")),
    st.tuples(st.just("waive"), PICK),
    st.tuples(st.just("wait"), st.integers(1, 25)),
)


def _nth(rows, n):
    return rows[n % len(rows)] if rows else None


def _apply(board, box, units, day, op):
    if op[0] == "issue":
        month = date(2026, 3 + op[1], 1)
        services.issue_month(board, box.id, f"{month.year}-{month.month:02d}")
    elif op[0] == "assess":
        services.create_assessment(board, box.id, "Roof", "900000", "area", installments=op[1])
    elif op[0] == "pay":
        _, which, thousands, back, part = op
        services.record_payment(board, box.id, units[which].id, str(thousands * 1000),
                                max(day - timedelta(days=back), START), "REF", key=uuid.uuid4().hex, part=part)
    elif op[0] == "undo" and (row := _nth(db.session.query(UnitPayment).order_by(UnitPayment.id).all(), op[1])):
        services.reverse_payment(board, box.id, row.id, "test")
    elif op[0] == "late":
        services.assess_late_fees(board, box.id)
    elif op[0] == "waive" and (row := _nth(db.session.query(LateCharge).order_by(LateCharge.id).all(), op[1])):
        services.waive_late_fee(board, box.id, row.subject_id, row.reference, "test")


@settings(max_examples=property_examples(25), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(OPS, min_size=1, max_size=16))
@example(ops=[("issue", 0), ("assess", 2), ("pay", 0, 200, 0, "owner"), ("wait", 15), ("late",),
              ("pay", 1, 100, 12, None), ("waive", 0), ("issue", 1), ("undo", 0), ("wait", 20), ("late",),
              ("pay", 2, 400, 30, "resident")])
def test_summaries_equal_a_derivation_from_scratch(make_user, today, rebuilt, ops):
    day = today(START)

    def build():
        board = make_user("board@example.com", "Board")
        box = services.create_building(board, "Yas", "IRR", "UTC", "en", "gregorian", late_fee_kind="fixed",
                                       late_fee_value="5000", grace_days="3")
        units = insert_units(box, [(1, 0, 80, 2, 1, True), (2, 1, 95.5, 1, 0, True), (3, 2, 60, 0, 1, False)])
        services.add_component(board, box.id, name="Cleaning", amount="300000", basis="equal")
        services.add_component(board, box.id, name="Repairs fund", amount="200000", basis="area", payer="owner")
        return board.id, box.id, [unit.id for unit in units]

    board_id, box_id, unit_ids = rebuilt("building", build)
    board, box = db.session.get(User, board_id), db.session.get(Box, box_id)
    units = [db.session.get(Unit, unit_id) for unit_id in unit_ids]
    for op in ops:
        if op[0] == "wait":
            day = today(day + timedelta(days=op[1]))
            continue
        try:
            _apply(board, box, units, day, op)
        except ServiceError:
            pass  # a refusal changes nothing
        assert services.reconcile() == [], op
    today(day + timedelta(days=1))
    services.fresh(box)  # a new day: the first read brings every row to today
    assert services.reconcile() == []
    assert db.session.query(UnitSummary).filter_by(box_id=box.id).count() == 3
    assert check().ok
