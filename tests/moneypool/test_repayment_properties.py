"""Whatever the mix of partial, early and late payments, the schedule, the repayments and the ledger agree
to the unit, and a loan paid in full closes."""
from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hamyan.blueprints.auth.models import User
from hamyan.blueprints.moneypool import reports, services
from hamyan.blueprints.moneypool.models import PoolMember
from hamyan.boxes.models import Box
from hamyan.extensions import db
from hamyan.ledger import service as ledger
from tests.conftest import property_examples
from tests.moneypool.conftest import key

payments = st.lists(st.tuples(st.integers(1, 60), st.integers(1, 4000_00),
                              st.sampled_from(services.PREPAY_MODES)), min_size=1, max_size=8)


@settings(max_examples=property_examples(25), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(method=st.sampled_from(["none", "flat", "annuity", "equal_principal"]), term=st.integers(1, 12),
       amount=st.integers(1, 5000_00), steps=payments)
def test_any_payment_sequence_keeps_schedule_and_ledger_in_step(pool_factory, clock, rebuilt, method, term, amount,
                                                                 steps):
    clock.today = date(2025, 1, 10)

    def build():
        box, manager, savers = pool_factory(members=1, users=1, interest_method=method,
                                            annual_rate="0" if method == "none" else "15", max_term=12)
        services.record_contribution(manager, box.id, savers[0].id, "9000", clock.today, key())
        return box.id, manager.id, savers[0].id

    box_id, manager_id, saver_id = rebuilt(method, build)
    box, manager = db.session.get(Box, box_id), db.session.get(User, manager_id)
    saver = db.session.get(PoolMember, saver_id)
    loan = services.request_loan(saver.membership.user, box.id, f"{amount / 100:.2f}", term, key())
    services.approve(manager, box.id, loan.id)
    services.disburse(manager, box.id, loan.id, clock.today)
    principal_account = ledger.open_account(box.id, f"mp:loan:{loan.id}:principal", "", "USD",
                                            type="asset", subject=("loan", loan.id), purpose="principal")
    for days, value, mode in steps:
        if loan.status != "active":
            break
        clock.today += timedelta(days=days)
        limit = services.payoff(loan, clock.today)
        services.repay(manager, box.id, loan.id, f"{min(value, limit) / 100:.2f}", clock.today, key(), mode=mode)
        db.session.refresh(principal_account)
        lines = loan.installments
        assert sum(i.principal for i in lines) == amount
        assert all(i.principal >= 0 and i.interest >= 0 and 0 <= i.paid_principal <= i.principal for i in lines)
        assert principal_account.balance == services.outstanding_principal(loan)
        repaid = services.repayments(loan)
        assert sum(r.principal for r in repaid) == sum(i.paid_principal for i in lines)
        assert sum(r.interest for r in repaid) == sum(i.paid_interest for i in lines)
        assert (loan.status == "closed") == (services.outstanding_principal(loan) == 0 and
                                             all(i.unpaid == 0 for i in lines))
    assert reports.balance_sheet(box).balanced
    assert ledger.check().ok
