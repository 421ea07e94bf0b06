"""Managers drawing, paying, retrying or double-clicking at the same moment, in threads on the
leg's database: each write of a box sees the one before it (the box lock in services._lock)."""
import threading
from datetime import timedelta

from hamyan.blueprints.auth.models import User
from hamyan.blueprints.cashbox import services as cb
from hamyan.blueprints.cashbox.models import Payment, Period
from hamyan.dues.models import LateCharge
from hamyan.core.errors import Conflict, ServiceError, ValidationError
from hamyan.extensions import db
from hamyan.ledger import check
from hamyan.ledger.models import Entry
from tests.cashbox.helpers import fill_shares, first_round, make_box, utc_today


def _race(app, manager, *works):
    """Run each work(manager) in its own thread and app context, all released at once. Returns
    what they returned or the ServiceError they raised; the test's session then sees their commits."""
    manager_id = manager.id
    db.session.commit()
    barrier, outcomes = threading.Barrier(len(works)), []

    def run(work):
        with app.app_context():
            user = db.session.get(User, manager_id)
            barrier.wait()
            try:
                outcomes.append(work(user))
            except ServiceError as error:
                outcomes.append(error)
            finally:
                db.session.remove()

    workers = [threading.Thread(target=run, args=(work,)) for work in works]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    db.session.rollback()  # a fresh snapshot, after the threads' commits
    return outcomes


def _running(manager, shares=2, **rules):
    box = make_box(manager, shares=shares, contribution="100", **rules)
    members = fill_shares(manager, box, [chr(ord("A") + i) for i in range(shares)])
    cb.start_round(manager, box.id, first_round(box).id)
    return box, members


def test_racing_retries_and_draws(app, make_user):
    manager = make_user("manager@example.com", "Manager")
    box, (a, b) = _running(manager, draw_mode="random")
    box_id, a_id, b_id = box.id, a.id, b.id
    ids = _race(app, manager, *[lambda u: cb.record_payment(u, box_id, a_id, "100", request_key="same").id] * 4)
    assert len(set(ids)) == 1 and db.session.query(Payment).count() == 1
    cb.record_payment(manager, box_id, b_id, "100")
    outcomes = _race(app, manager, *[lambda u: cb.draw(u, box_id, 1).number] * 4)
    assert outcomes.count(1) == 1 and all(isinstance(o, Conflict) for o in outcomes if o != 1)
    assert db.session.query(Period).filter(Period.drawn_at.isnot(None)).count() == 1
    assert db.session.query(Entry).filter_by(code="payout").count() == 1
    assert check().ok


def test_racing_payments_of_one_member_allocate_in_turn(app, make_user):
    """Different keys, same member, same moment: each payment sees what the one before wrote, so
    none overpays the round and a later one settles the fine an earlier one did not reach."""
    manager = make_user("manager@example.com", "Manager")
    box, (a, b) = _running(manager, first_due=utc_today() - timedelta(days=5), fine_kind="fixed", fine_value="10")
    assert cb.assess_fines(box.id, history=True) == 2  # each owes 100 for period 1 and a 10 fine; 200 over the round
    box_id, a_id, b_id = box.id, a.id, b.id
    # 150 = 100 due + 10 fine + 40 ahead; a second 150 would pass the 200 the round asks of A.
    outcomes = _race(app, manager, *[lambda u: cb.record_payment(u, box_id, a_id, "150").id] * 4)
    assert sum(isinstance(o, int) for o in outcomes) == 1, outcomes
    assert all(isinstance(o, ValidationError) for o in outcomes if not isinstance(o, int))
    # 60 to period 1, then 40 to period 1 + the 10 fine + 10 ahead.
    _race(app, manager, *[lambda u: cb.record_payment(u, box_id, b_id, "60").id] * 2)
    state = cb.round_state(first_round(box)).by_membership
    assert (state[a_id].paid, state[a_id].fines_unpaid) == (14000, 0)
    assert (state[b_id].paid, state[b_id].fines_unpaid) == (11000, 0)
    assert check().ok


def test_racing_fine_runs_fine_once(app, make_user):
    """The hourly job on two hosts and a manager's click at the same moment: one fine each."""
    manager = make_user("manager@example.com", "Manager")
    box, _ = _running(manager, first_due=utc_today() - timedelta(days=5), fine_kind="fixed", fine_value="10")
    box_id = box.id
    assert sorted(_race(app, manager, *[lambda u: cb.assess_fines(box_id, history=True)] * 3)) == [0, 0, 2]
    assert db.session.query(LateCharge).count() == 2 and check().ok


def test_a_draw_and_the_winners_payment_at_once(app, make_user):
    """The draw nets the winner's arrears unless a payment settled them first: never both."""
    manager = make_user("manager@example.com", "Manager")
    box, (a, b) = _running(manager)  # share 1 (A) wins period 1
    cb.record_payment(manager, box.id, b.id, "100")
    box_id, a_id = box.id, a.id
    outcomes = _race(app, manager, lambda u: cb.draw(u, box_id, 1, override_reason="A pays from the pot").number,
                     lambda u: cb.record_payment(u, box_id, a_id, "150").id)  # 100 due + 50 ahead
    state = cb.round_state(first_round(box)).by_membership[a_id]
    assert state.paid in (15000, 10000), outcomes  # paid then drawn, or netted then refused (250 > 200)
    assert check().ok


def test_double_clicked_start_and_next_round(app, make_user):
    """A double-clicked "Start round" or "Start round 2": one round, and the second click is told why."""
    manager = make_user("manager@example.com", "Manager")
    box = make_box(manager, shares=1, contribution="10")
    (a,) = fill_shares(manager, box, ["A"])
    box_id, round_id = box.id, first_round(box).id
    outcomes = _race(app, manager, *[lambda u: cb.start_round(u, box_id, round_id).id] * 2)
    assert outcomes.count(round_id) == 1 and any(isinstance(o, Conflict) for o in outcomes), outcomes
    assert db.session.query(Period).count() == 1
    cb.record_payment(manager, box_id, a.id, "10")
    cb.draw(manager, box_id)
    outcomes = _race(app, manager, *[lambda u: cb.start_next_round(u, box_id, round_id).id] * 2)
    assert sum(isinstance(o, int) for o in outcomes) == 1 and any(isinstance(o, Conflict) for o in outcomes)
    assert [r.number for r in cb.rounds_of(box_id)] == [2, 1]
