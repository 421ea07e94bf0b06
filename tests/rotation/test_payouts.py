"""A position's payout: split between holders, netted against what they owe, paid from the cash
there is, the rest owed; never more cash than the box holds."""
from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hamyan.rotation import order, payouts, shares

pytestmark = pytest.mark.dialect_free  # no database: the MySQL leg leaves it out


def test_a_payout_nets_dues_then_charges_and_never_exceeds_cash():
    plan = payouts.plan(300, [Fraction(1, 2), Fraction(1, 2)], [(100, 20), (0, 0)], cash=100)
    assert [(p.part, p.netted_dues, p.netted_charges, p.cash, p.owed) for p in plan] == [
        (150, 100, 20, 30, 0), (150, 0, 0, 70, 80)]


def test_owed_payouts_are_paid_oldest_first_as_cash_comes_in():
    assert payouts.pay_owed([50, 80], 100) == [50, 50]
    assert payouts.pay_owed([50, 80], 0) == [0, 0]


def test_predefined_order():
    assert order.winner("predefined", 2, [1, 2, 3], {1: 3, 2: 1, 3: 2}, None) == 3


@given(st.integers(0, 10**9), st.lists(st.integers(1, 9), min_size=1, max_size=5), st.integers(-10**6, 10**9),
       st.data())
def test_payout_parts_add_up_and_cash_never_goes_below_zero(amount, weights, cash, data):
    fractions = [Fraction(w, sum(weights)) for w in weights]
    owing = [(data.draw(st.integers(0, amount)), data.draw(st.integers(0, amount))) for _ in weights]
    plan = payouts.plan(amount, fractions, owing, cash)
    assert sum(p.part for p in plan) == amount == sum(shares.split(amount, fractions))
    for p, (dues, charges) in zip(plan, owing):
        assert p.netted + p.cash + p.owed == p.part and p.netted_dues <= dues and p.netted_charges <= charges
    assert sum(p.cash for p in plan) <= max(cash, 0)
