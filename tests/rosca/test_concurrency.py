"""Managers paying out, retrying and trading at the same moment, in threads on the leg's database:
each write of a box sees the one before it (the box lock), so a period is paid once."""
from datetime import timedelta

from hamyan.blueprints.rosca import services as rs
from hamyan.blueprints.rosca.models import RoscaPayment, RoscaPeriod, Swap
from hamyan.core.errors import Conflict
from hamyan.extensions import db
from hamyan.ledger import check
from tests.cashbox.test_concurrency import _race
from tests.rosca.helpers import fill, make_rosca, utc_today


def test_racing_payouts_retries_and_trades(app, make_user):
    manager = make_user("manager@example.com", "Manager")
    box = make_rosca(manager, seats=4, first_due=utc_today() - timedelta(days=1))
    members = fill(manager, box, ["A", "B", "C", "D"])
    rs.start(manager, box.id)
    box_id, first = box.id, members[0].id
    ids = _race(app, manager, *[lambda u: rs.record_payment(u, box_id, first, "100", request_key="same").id] * 4)
    assert len(set(ids)) == 1 and db.session.query(RoscaPayment).count() == 1
    for m in members[1:]:
        rs.record_payment(manager, box_id, m.id, "100")
    outcomes = _race(app, manager, *[lambda u: rs.pay_out(u, box_id, 1).number] * 4)
    assert outcomes.count(1) == 1 and all(isinstance(o, Conflict) for o in outcomes if o != 1)
    assert db.session.query(RoscaPeriod).filter(RoscaPeriod.payout_entry_id.isnot(None)).count() == 1
    swap_id = rs.request_swap(manager, box_id, 2, 3).id
    outcomes = _race(app, manager, *[lambda u: rs.approve_swap(u, box_id, swap_id).status] * 3)
    assert outcomes.count("approved") == 1 and db.session.query(Swap).one().status == "approved"
    assert check().ok and rs.reconcile() == []
