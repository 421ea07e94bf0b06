"""Money writes racing the hourly assessment from other connections (both databases)."""
import threading
from datetime import date, datetime, timedelta

from sqlalchemy import func, select

from hamyan.blueprints.moneypool import reports, services
from hamyan.blueprints.moneypool.models import Contribution, Loan, Repayment
from hamyan.boxes.models import Box
from hamyan.extensions import db
from hamyan.ledger import service as ledger
from hamyan.ledger.models import Entry
from tests.moneypool.conftest import key
from tests.moneypool.test_loans import _fund, _user


def _race(app, *jobs):
    """Run the jobs at the same moment, each on its own connection; errors are returned."""
    start, errors = threading.Barrier(len(jobs)), []

    def worker(job):
        try:
            with app.app_context():
                start.wait()
                job()
        except Exception as exc:  # noqa: BLE001  asserted by the caller
            errors.append(repr(exc))

    threads = [threading.Thread(target=worker, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    db.session.rollback()
    db.session.expire_all()
    return errors


def test_a_repayment_racing_the_assessment_is_never_fined_for_what_it_paid(app, pool_factory, clock):
    box, manager, savers = pool_factory(members=1, require_no_arrears=False, penalty_percent="5", grace_days=5)
    clock.today = date(2025, 1, 10)
    _fund(box, manager, savers, "5000")
    loan = services.request_loan(_user(savers[0]), box.id, "4000", 4, key())  # 1000 a month from Feb 10
    services.approve(manager, box.id, loan.id)
    services.disburse(manager, box.id, loan.id, date(2025, 1, 10))
    box_id, manager_id, loan_id = box.id, manager.id, loan.id
    dues = [i.due_date for i in loan.installments]

    def repay(number):
        from hamyan.blueprints.auth.models import User

        services.repay(db.session.get(User, manager_id), box_id, loan_id, "1050", dues[number - 1], f"race-{number}")

    for number in (1, 2, 3):
        # Installment `number` is just past its grace days and is being paid (with room for a 50
        # penalty) in that very instant.
        clock.today = dues[number - 1] + timedelta(days=6)
        assert _race(app, lambda: services.assess(box_id, history=True), lambda n=number: repay(n)) == []
        inst = db.session.get(Loan, loan_id).installments[number - 1]
        assert db.session.execute(select(Repayment).filter_by(loan_id=loan_id, key=f"race-{number}")).scalar_one()
        # Either the payment came first (no penalty), or the penalty was charged first; either way
        # it is charged once, and the ledger agrees with the installments.
        assert inst.penalty == 0 or services.assess(box_id, history=True)["penalties"] == 0
    owed = sum(i.penalty - i.paid_penalty for i in db.session.get(Loan, loan_id).installments)
    account = services._accounts(db.session.get(type(box), box_id)).get(f"mp:loan:{loan_id}:penalty")
    assert services._natural(account) == owed
    assert ledger.check().ok and reports.balance_sheet(db.session.get(type(box), box_id)).balanced


def test_a_savings_payment_racing_the_assessment_is_never_fined(app, pool_factory, clock):
    box, manager, savers = pool_factory(members=1, late_fee="10", grace_days=5)
    box_id, manager_id, member_id = box.id, manager.id, savers[0].id

    def pay(day):
        from hamyan.blueprints.auth.models import User

        services.record_contribution(db.session.get(User, manager_id), box_id, member_id, "1010", day,
                                     f"pay-{day}")

    for month in (1, 2, 3):
        due = date(2025, month, 5)
        clock.today = due + timedelta(days=6)
        assert _race(app, lambda: services.assess(box_id, history=True), lambda d=due: pay(d)) == []
        fee = db.session.execute(select(Entry).where(
            Entry.idempotency_key == f"mp:{box_id}:late_fee:{member_id}:{due.isoformat()}")).scalar_one_or_none()
        payment = db.session.execute(select(Contribution).filter_by(key=f"pay-{due}")).scalar_one()
        # A fee charged first is taken from the payment (which also covers it); a fee for a period
        # paid on time never follows the payment.
        assert fee is None or payment.fees == 10_00
    assert ledger.check().ok and reports.balance_sheet(db.session.get(type(box), box_id)).balanced


def _lottery_with_two_approved_loans(pool_factory, clock):
    box, manager, savers = pool_factory(members=3, require_no_arrears=False, queue_policy="lottery")
    clock.today = date(2025, 1, 10)
    _fund(box, manager, savers[2:], "1500")  # cash for one loan of 1000, not two
    loans = []
    for saver in savers[:2]:
        loan = services.request_loan(_user(saver), box.id, "1000", 4, key())
        services.approve(manager, box.id, loan.id)
        loans.append(loan.id)
    return box.id, manager.id, loans


def test_two_draws_at_the_same_moment_pick_one_winner(app, pool_factory, clock):
    box_id, manager_id, _loans = _lottery_with_two_approved_loans(pool_factory, clock)

    def draw():
        from hamyan.blueprints.auth.models import User

        services.draw(db.session.get(User, manager_id), box_id)

    errors = _race(app, draw, draw)
    assert len(errors) == 1 and "won the last draw" in errors[0]
    assert db.session.scalar(select(func.count(Loan.id)).where(Loan.drawn_at.is_not(None))) == 1


def test_two_payouts_at_the_same_moment_never_spend_the_same_cash(app, pool_factory, clock):
    box_id, manager_id, loans = _lottery_with_two_approved_loans(pool_factory, clock)
    for loan_id in loans:  # as if each had won a draw: both may be paid out, if the cash allows
        db.session.get(Loan, loan_id).drawn_at = datetime(2025, 1, 10)
    db.session.commit()

    def disburse(loan_id):
        from hamyan.blueprints.auth.models import User

        services.disburse(db.session.get(User, manager_id), box_id, loan_id, date(2025, 1, 10))

    errors = _race(app, lambda: disburse(loans[0]), lambda: disburse(loans[1]))
    assert len(errors) == 1 and "Not enough cash" in errors[0]
    assert services.cash(db.session.get(Box, box_id)) == 500_00
    assert ledger.check().ok
