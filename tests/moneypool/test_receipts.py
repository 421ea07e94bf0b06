"""Receipts in a pool (hamyan.notify.receipts): a loan's entries reach its borrower through the
pool's subject_members hook; a waived late fee is told."""
from datetime import date

from hamyan.blueprints.moneypool import services as mp
from tests.notify.test_receipts import receipts


def test_pool_repayment_reaches_the_borrower_through_the_loan(pool_factory, clock):
    from tests.moneypool.conftest import key
    from tests.moneypool.test_loans import _fund, _user

    box, manager, savers = pool_factory(members=2, require_no_arrears=False)
    clock.today = date(2025, 1, 10)
    _fund(box, manager, savers, "5000")
    borrower, other = (s.membership.user for s in savers)
    assert any("payment of" in m.subject for m in receipts(user_id=borrower.id))
    loan = mp.request_loan(_user(savers[0]), box.id, "4000", 4, key())
    mp.approve(manager, box.id, loan.id)
    mp.disburse(manager, box.id, loan.id, date(2025, 1, 10))
    mp.repay(manager, box.id, loan.id, "1000", None, key())
    told = receipts(user_id=borrower.id)[-1]
    assert told.subject.endswith("loan repayment of $1,000.00 recorded")
    assert "Loan repayment #1 of $1,000.00 recorded on" in told.body and "Entry #" in told.body  # the pool's first
    assert not any("repayment" in m.subject for m in receipts(user_id=other.id))


def test_a_waived_late_fee_is_told(pool_factory, clock):
    from tests.moneypool.conftest import key

    box, manager, savers = pool_factory(members=1, late_fee="10", grace_days=5)
    clock.today = date(2025, 2, 20)
    mp.assess(box.id, history=True)
    mp.waive_late_fee(manager, box.id, savers[0].id, date(2025, 1, 5), "Paid in cash", key())
    last = receipts(user_id=savers[0].membership.user.id, channel="email")[-1]
    assert last.subject.endswith("late fee of $10.00 waived") and "Paid in cash" in last.body


def test_managers_hear_of_a_loan_request(pool_factory, clock):
    from sqlalchemy import select

    from hamyan.extensions import db
    from hamyan.notify.models import OutboxMessage
    from tests.moneypool.conftest import key
    from tests.moneypool.test_loans import _fund, _user

    box, manager, savers = pool_factory(members=2)
    clock.today = date(2025, 1, 10)
    _fund(box, manager, savers, "5000")
    loan = mp.request_loan(_user(savers[0]), box.id, "1000", 4, key(), purpose="سقف خانه")
    told = db.session.scalars(select(OutboxMessage).filter_by(kind="loan_request")).all()
    assert {(m.channel, m.recipient) for m in told} == {("email", "boss@example.com"), ("inapp", str(manager.id))}
    email = next(m for m in told if m.channel == "email")
    assert "Member 0 asks for a loan of $1,000.00" in email.subject and "سقف خانه" in email.body
    assert f"/loans/{loan.id}" in email.body
