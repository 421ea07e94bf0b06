"""Managers drawing, paying or retrying at the same moment: each write sees the one before (threads)."""
import threading
from datetime import date, timedelta

import pytest

from hamyan.blueprints.cashbox import services as cb
from hamyan.blueprints.cashbox.models import Fine, Payment, Period
from hamyan.errors import Conflict, ServiceError, ValidationError
from hamyan.extensions import db
from hamyan.ledger import check
from hamyan.ledger.models import Entry
from tests.cashbox.helpers import fill_shares, first_round, make_box


def _race(app, work, threads=4):
    barrier = threading.Barrier(threads)
    outcomes = []

    def run():
        with app.app_context():
            barrier.wait()
            try:
                outcomes.append(work())
            except ServiceError as error:
                outcomes.append(error)
            finally:
                db.session.remove()

    workers = [threading.Thread(target=run) for _ in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return outcomes


@pytest.mark.mysql_only
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



def test_racing_payments_of_one_member_allocate_in_turn(app, make_user):
    """Different keys, same member, same moment: each payment sees what the one before wrote, so
    none overpays the round and a later one settles the fine an earlier one did not reach."""
    manager = make_user("manager@example.com", "Manager")
    box = make_box(manager, shares=2, contribution="100", first_due=date.today() - timedelta(days=5),
                   fine_kind="fixed", fine_value="10")
    a, b = fill_shares(manager, box, ["A", "B"])
    cb.start_round(manager, box.id, first_round(box).id)
    assert cb.assess_fines(box.id) == 2  # each owes 100 for period 1 and a 10 fine; 200 over the round
    box_id, manager_id = box.id, manager.id
    db.session.commit()

    def pay(member_id, amount):
        def work():
            from hamyan.blueprints.auth.models import User

            return cb.record_payment(db.session.get(User, manager_id), box_id, member_id, amount).id
        return work

    # 150 = 100 due + 10 fine + 40 ahead; a second 150 would pass the 200 the round asks of A.
    outcomes = _race(app, pay(a.id, "150"))
    assert sum(isinstance(o, int) for o in outcomes) == 1, outcomes
    assert all(isinstance(o, ValidationError) for o in outcomes if not isinstance(o, int))
    # 60 to period 1, then 40 to period 1 + the 10 fine + 10 ahead.
    _race(app, pay(b.id, "60"), threads=2)
    db.session.rollback()  # a fresh snapshot, after the threads' commits
    state = cb.round_state(first_round(box)).by_membership
    assert (state[a.id].paid, state[a.id].fines_unpaid) == (14000, 0)
    assert (state[b.id].paid, state[b.id].fines_unpaid) == (11000, 0)
    assert check().ok


def test_racing_fine_runs_fine_once(app, make_user):
    """The hourly job on two hosts and a manager's click at the same moment: one fine each."""
    manager = make_user("manager@example.com", "Manager")
    box = make_box(manager, shares=2, contribution="100", first_due=date.today() - timedelta(days=5),
                   fine_kind="fixed", fine_value="10")
    fill_shares(manager, box, ["A", "B"])
    cb.start_round(manager, box.id, first_round(box).id)
    box_id = box.id
    db.session.commit()
    outcomes = _race(app, lambda: cb.assess_fines(box_id), threads=3)
    assert sorted(outcomes) == [0, 0, 2]
    db.session.rollback()
    assert db.session.query(Fine).count() == 2 and check().ok


def test_a_draw_and_the_winners_payment_at_once(app, make_user):
    """The draw nets the winner's arrears unless a payment settled them first: never both."""
    manager = make_user("manager@example.com", "Manager")
    box = make_box(manager, shares=2, contribution="100")
    a, b = fill_shares(manager, box, ["A", "B"])  # share 1 (A) wins period 1
    cb.start_round(manager, box.id, first_round(box).id)
    cb.record_payment(manager, box.id, b.id, "100")
    box_id, manager_id, a_id = box.id, manager.id, a.id
    db.session.commit()

    def work(which):
        from hamyan.blueprints.auth.models import User

        user = db.session.get(User, manager_id)
        if which == 0:
            return cb.draw(user, box_id, 1, override_reason="A pays from the pot").number
        return cb.record_payment(user, box_id, a_id, "150").id  # 100 due + 50 ahead

    barrier, outcomes = threading.Barrier(2), []

    def run(which):
        with app.app_context():
            barrier.wait()
            try:
                outcomes.append(work(which))
            except ServiceError as error:
                outcomes.append(error)
            finally:
                db.session.remove()

    workers = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    db.session.rollback()
    state = cb.round_state(first_round(box)).by_membership[a_id]
    assert state.paid in (15000, 10000), outcomes  # paid then drawn, or netted then refused (250 > 200)
    assert check().ok


def test_double_clicked_start_and_next_round(app, make_user):
    """A double-clicked "Start round" or "Start round 2": one round, and the second click is told why."""
    manager = make_user("manager@example.com", "Manager")
    box = make_box(manager, shares=1, contribution="10")
    (a,) = fill_shares(manager, box, ["A"])
    box_id, manager_id, round_id = box.id, manager.id, first_round(box).id
    db.session.commit()

    def as_manager(action):
        def work():
            from hamyan.blueprints.auth.models import User

            return action(db.session.get(User, manager_id), box_id, round_id).id
        return work

    outcomes = _race(app, as_manager(cb.start_round), threads=2)
    assert outcomes.count(round_id) == 1 and any(isinstance(o, Conflict) for o in outcomes), outcomes
    db.session.rollback()
    assert db.session.query(Period).count() == 1
    cb.record_payment(manager, box_id, a.id, "10")
    cb.draw(manager, box_id)
    db.session.commit()
    outcomes = _race(app, as_manager(cb.start_next_round), threads=2)
    assert sum(isinstance(o, int) for o in outcomes) == 1 and any(isinstance(o, Conflict) for o in outcomes)
    db.session.rollback()
    assert [r.number for r in cb.rounds_of(box_id)] == [2, 1]
