"""On MariaDB, managers drawing or retrying a payment at the same moment still write once."""
import threading

import pytest

from hamyan.blueprints.cashbox import services as cb
from hamyan.blueprints.cashbox.models import Payment, Period
from hamyan.errors import Conflict
from hamyan.extensions import db
from hamyan.ledger import check
from hamyan.ledger.models import Entry
from tests.cashbox.helpers import fill_shares, first_round, make_box

pytestmark = pytest.mark.mysql_only


def _race(app, work, threads=4):
    barrier = threading.Barrier(threads)
    outcomes = []

    def run():
        with app.app_context():
            barrier.wait()
            try:
                outcomes.append(work())
            except Conflict as error:
                outcomes.append(error)
            finally:
                db.session.remove()

    workers = [threading.Thread(target=run) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return outcomes


def test_racing_draws_and_retries(app, is_mysql, make_user):
    if not is_mysql:
        pytest.skip("row locks are what this checks; SQLite serialises writers anyway")
    manager = make_user("manager@example.com", "Manager")
    box = make_box(manager, shares=2, contribution="10", draw_mode="random")
    a, b = fill_shares(manager, box, ["A", "B"])
    cb.start_round(manager, box.id, first_round(box).id)
    box_id, manager_id, a_id, b_id = box.id, manager.id, a.id, b.id
    db.session.commit()

    def pay():
        from hamyan.blueprints.auth.models import User

        return cb.record_payment(db.session.get(User, manager_id), box_id, a_id, "10", request_key="same").id

    ids = _race(app, pay)
    assert len(set(ids)) == 1 and db.session.query(Payment).count() == 1
    cb.record_payment(manager, box_id, b_id, "10")

    def draw():
        from hamyan.blueprints.auth.models import User

        return cb.draw(db.session.get(User, manager_id), box_id, 1).number

    outcomes = _race(app, draw)
    assert outcomes.count(1) == 1 and all(isinstance(o, Conflict) for o in outcomes if o != 1)
    assert db.session.query(Period).filter(Period.drawn_at.isnot(None)).count() == 1
    assert db.session.query(Entry).filter_by(code="payout").count() == 1
    assert check().ok
