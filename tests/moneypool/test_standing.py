"""The stakeholder report's standing of money pools (collection rate, arrears, loans outstanding and
at risk) equals a direct computation from the savers' positions and loans."""
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from hamyan.blueprints.moneypool import services
from hamyan.blueprints.moneypool.models import Loan, Pool
from hamyan.extensions import db
from hamyan.statements.stakeholder import AT_RISK_DAYS, Figures, rows, standing
from tests.moneypool.conftest import key


def test_standing_equals_a_direct_computation(pool_factory, clock):
    box, manager, savers = pool_factory(members=3, users=0, one_open_loan=False, require_no_arrears=False,
                                        min_membership_months=0)
    clock.today = date(2025, 1, 10)
    for m in savers[:2]:
        services.record_contribution(manager, box.id, m.id, "1000", date(2025, 1, 5), key())
    loan = services.request_loan(manager, box.id, "1500", 3, key(), member_id=savers[0].id)
    services.approve(manager, box.id, loan.id)
    services.disburse(manager, box.id, loan.id, date(2025, 1, 10))
    clock.today = date(2025, 4, 20)  # the loan's installments from February are unpaid: over 30 days
    for month in (2, 3):  # saver 0 is paid through March, saver 1 through January, saver 2 never paid
        services.record_contribution(manager, box.id, savers[0].id, "1000", date(2025, month, 5), key())
    services.summary.fresh(box)

    pool = db.session.get(Pool, box.id)
    positions = services.positions(box, pool, services.summary._members(box))
    loans = [services.loan_summary(one, clock.today) for one in db.session.scalars(
        select(Loan).filter_by(box_id=box.id, status="active"))]
    found = standing()["USD"]
    assert found.due == sum(p.owed for p in positions) == 4 * 3 * 1000_00
    assert found.collected == sum(min(p.paid, p.owed) for p in positions)
    assert found.arrears == sum(p.arrears for p in positions)
    assert found.loans == sum(s.outstanding for s in loans) > 0
    assert found.loans_at_risk == sum(s.outstanding for s in loans if s.days_overdue > AT_RISK_DAYS) == found.loans
    table = {figure: now for figure, now, _ in rows(Figures(date(2025, 3, 1), date(2025, 3, 31)),
                                                    Figures(date(2025, 2, 1), date(2025, 2, 28)), {"USD": found})}
    assert table["collection rate % USD"] == (Decimal(100 * found.collected) / found.due).quantize(Decimal("0.1"))
