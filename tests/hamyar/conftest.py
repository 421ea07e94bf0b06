"""A moneypool with savings, a loan and a repayment, for the analytics and Hamyar tests."""
from datetime import date

import pytest

from tests.moneypool.conftest import clock, key, pool_factory  # noqa: F401  (the pool's fixtures)


@pytest.fixture
def busy_pool(pool_factory, clock):  # noqa: F811
    """(box, manager, savers): three savers (m0..m2@example.com), m0 with savings, a late fee
    and a disbursed loan partly repaid."""
    from hamyan.blueprints.moneypool import services

    box, boss, savers = pool_factory(members=3)
    clock.today = date(2025, 6, 1)
    services.record_contribution(boss, box.id, savers[0].id, "5000", date(2025, 5, 1), key())
    services.record_contribution(boss, box.id, savers[1].id, "2000", date(2025, 5, 2), key())
    loan = services.request_loan(boss, box.id, "1000", 6, key(), member_id=savers[0].id)
    services.approve(boss, box.id, loan.id)
    services.disburse(boss, box.id, loan.id)
    services.repay(boss, box.id, loan.id, "100", None, key())
    return box, boss, savers
