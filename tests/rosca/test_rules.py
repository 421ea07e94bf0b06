"""Bad input answers a clear error and writes nothing; retries answer the first result."""
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from hamyan.blueprints.rosca import services as rs
from hamyan.blueprints.rosca.models import Rosca, Seat, SeatHolding, Swap
from hamyan.boxes.models import Box
from hamyan.core import clock
from hamyan.core.errors import Conflict, NotFound, ValidationError
from hamyan.extensions import db
from hamyan.ledger.models import Entry
from tests.rosca.helpers import fill, make_rosca, rosca_of, utc_today


def _counts():
    return tuple(db.session.query(model).count() for model in (Box, Rosca, Seat, SeatHolding, Swap, Entry))


@pytest.mark.parametrize("kwargs,field,message", [
    (dict(pricing="manual", table=["100", "100", "100", "101"]), "table", "add up to"),
    (dict(pricing="manual", table=["100", "100"]), "table", "one payout per seat"),
    (dict(pricing="fair", rate="-1"), "rate", "cannot be negative"),
    (dict(pricing="fair", rate="50.5"), "rate", "from 0 to 50"),
    (dict(pricing="fair", rate=""), "rate", "Enter the rate"),
    (dict(pricing="linear", lowest="401"), "lowest", "at most the average"),
    (dict(fee="60"), "fee", "percentage"),
])
def test_bad_pricing_is_refused_with_nothing_written(make_user, kwargs, field, message):
    manager = make_user()
    before = _counts()
    with pytest.raises(ValidationError, match=message) as error:
        make_rosca(manager, seats=4, contribution="100", **kwargs)
    assert error.value.fields.get(field) and _counts() == before


def test_manual_and_linear_tables_that_balance(make_user):
    manager = make_user()
    box = make_rosca(manager, seats=4, contribution="100", pricing="manual", table=["350", "390", "410", "450"])
    assert [s.payout for s in rosca_of(box).seats] == [35000, 39000, 41000, 45000]
    box = make_rosca(manager, seats=4, contribution="100", pricing="linear", lowest="340", fee="2.5")
    seats = rosca_of(box).seats
    assert sum(s.payout for s in seats) == 160000 - 4000 and seats[0].payout == 34000


def test_seat_sale_rules(make_user):
    manager, member, other = make_user(), make_user("a@example.com", "Ali"), make_user("b@example.com", "Bita")
    box = make_rosca(manager, seats=3)
    for user in (member, other):
        m = rs.add_member(manager, box.id, user.name, user.email)
        m.user_id = user.id
    db.session.commit()
    rs.take_seat(member, box.id, 1)
    before = _counts()
    with pytest.raises(Conflict, match="Seat 1 is taken"):
        rs.take_seat(other, box.id, 1)
    rs.take_seat(member, box.id, 2, "1/2")
    with pytest.raises(Conflict, match="Only 1/2 of seat 2 is free"):
        rs.take_seat(other, box.id, 2, "2/3")
    rs.take_seat(other, box.id, 2, "1/2")  # a shared seat
    rs.leave_seat(other, box.id, 2)
    with pytest.raises(ValidationError, match="You hold no part of seat 2"):
        rs.leave_seat(other, box.id, 2)
    rs.take_seat(other, box.id, 2, "1/2")
    rs.reserve_seat(manager, box.id, 3, True)
    with pytest.raises(Conflict, match="kept by the manager"):
        rs.take_seat(other, box.id, 3)
    with pytest.raises(ValidationError, match="Still free: 3"):
        rs.start(manager, box.id)
    assert _counts()[4:] == before[4:] and rosca_of(box).status == "draft"
    with pytest.raises(NotFound):
        rs.take_seat(member, box.id, 9)


def _running(make_user, seats=3, **kwargs):
    manager = make_user()
    box = make_rosca(manager, seats=seats, first_due=utc_today() - timedelta(days=1), **kwargs)
    members = fill(manager, box, [f"Member {i}" for i in range(1, seats + 1)])
    rs.start(manager, box.id)
    for m in members:
        rs.record_payment(manager, box.id, m.id, "100")
    return manager, box, members


def test_payout_once_and_retries(make_user):
    manager, box, members = _running(make_user)
    first = rs.pay_out(manager, box.id, 1, request_key="k1")
    entries = db.session.query(Entry).count()
    assert rs.pay_out(manager, box.id, 1, request_key="k1").payout_entry_id == first.payout_entry_id
    with pytest.raises(Conflict, match="already used for a different payout"):
        rs.pay_out(manager, box.id, 1, "a reason", request_key="k1")
    with pytest.raises(Conflict, match="already paid out"):
        rs.pay_out(manager, box.id, 1)
    with pytest.raises(ValidationError, match="falls due on"):
        rs.pay_out(manager, box.id, 2)
    assert db.session.query(Entry).count() == entries


def test_payout_never_more_than_the_box_holds(make_user):
    manager = make_user()
    box = make_rosca(manager, seats=3, first_due=utc_today() - timedelta(days=1), pricing="manual",
                     table=["400", "250", "250"])
    members = fill(manager, box, ["A", "B", "C"])
    rs.start(manager, box.id)
    for m in members:
        rs.record_payment(manager, box.id, m.id, "100")
    entries = db.session.query(Entry).count()
    with pytest.raises(ValidationError, match="can pay out"):
        rs.pay_out(manager, box.id, 1)  # 400 out of 300 collected, even with a reason
    with pytest.raises(ValidationError, match="can pay out"):
        rs.pay_out(manager, box.id, 1, "the manager insists")
    assert db.session.query(Entry).count() == entries


def test_swap_rules(make_user):
    manager, box, members = _running(make_user, seats=4)
    rs.pay_out(manager, box.id, 1)
    before = _counts()
    with pytest.raises(ValidationError, match="Seat 1 has already collected"):
        rs.request_swap(manager, box.id, 1, 3)
    with pytest.raises(ValidationError, match="two different seats"):
        rs.request_swap(manager, box.id, 3, 3)
    assert _counts() == before
    swap = rs.request_swap(manager, box.id, 2, 4)
    with pytest.raises(Conflict, match="already has a trade waiting"):
        rs.request_swap(manager, box.id, 4, 3)
    rs.approve_swap(manager, box.id, swap.id)
    with pytest.raises(Conflict, match="already approved"):
        rs.approve_swap(manager, box.id, swap.id)


def test_a_member_cannot_manage_and_strangers_get_404(make_user):
    from hamyan.core.errors import Forbidden

    manager, box, members = _running(make_user)
    stranger = make_user("s@example.com", "Stranger")
    with pytest.raises(NotFound):
        rs.pay_out(stranger, box.id, 1)
    with pytest.raises(NotFound):
        rs.request_swap(stranger, box.id, 2, 3)
    member_user = make_user("m@example.com", "Member")
    members[0].user_id = member_user.id
    db.session.commit()
    with pytest.raises(Forbidden):
        rs.pay_out(member_user, box.id, 1)


def test_payment_more_than_the_round_is_refused(make_user):
    manager, box, members = _running(make_user)
    with pytest.raises(ValidationError, match="more than Member 1 owes"):
        rs.record_payment(manager, box.id, members[0].id, "201")
    with clock.frozen(utc_today() + timedelta(days=40)):
        with pytest.raises(ValidationError, match="future"):
            rs.record_payment(manager, box.id, members[0].id, "100", paid_on=utc_today() + timedelta(days=41))


def test_reconcile_reports_a_summary_that_differs(make_user):
    from hamyan.blueprints.rosca.models import MemberSummary

    manager, box, members = _running(make_user)
    assert rs.reconcile() == []
    row = db.session.get(MemberSummary, (box.id, members[0].id))
    row.paid += 1
    db.session.commit()
    problems = rs.reconcile()
    assert any(f"member {members[0].id}: paid is" in p for p in problems), problems


def test_a_payment_dated_long_before_the_first_due_date_is_refused_on_its_field(make_user):
    """As in a cashbox: a payment may be dated up to a year before the first due date (paid ahead),
    not earlier; the refusal names paid_on and writes nothing."""
    from hamyan.blueprints.rosca.models import RoscaPayment

    manager, box, members = _running(make_user)
    first_due = rosca_of(box).first_due
    before = (db.session.scalar(select(func.count(RoscaPayment.id))), db.session.scalar(select(func.count(Entry.id))))
    for day in (first_due - timedelta(days=367), date(1990, 1, 1)):
        with pytest.raises(ValidationError, match="year before") as refused:
            rs.record_payment(manager, box.id, members[0].id, "10", paid_on=day)
        assert list(refused.value.fields) == ["paid_on"]
    assert (db.session.scalar(select(func.count(RoscaPayment.id))), db.session.scalar(select(func.count(Entry.id)))) == before
    rs.record_payment(manager, box.id, members[0].id, "10", paid_on=first_due - timedelta(days=366))
