"""Schedules against a table computed independently with numpy-financial and floats."""
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import numpy_financial as npf
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hamyan.lending import schedules

pytestmark = pytest.mark.dialect_free  # no database: the MySQL leg leaves it out

COMBOS = [  # principal (minor units), yearly rate %, installments, months per installment
    (10_000_000, Decimal(12), 12, 1),
    (250_000_00, Decimal(18), 24, 1),
    (1_000_000, Decimal(4), 36, 1),
    (75_000_000, Decimal("23.5"), 10, 1),
    (999_999, Decimal("7.25"), 7, 3),
    (5_000_00, Decimal(30), 4, 6),
]


def half_up(x: float) -> int:
    return int(Decimal(repr(x)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def reference(method, principal, rate, n, months):
    """The same rules, computed a different way: numpy-financial for the annuity, floats elsewhere."""
    r = float(rate) / 100 * months / 12
    if method == "flat":
        interest = half_up(principal * r * n)
        p = [principal // n] * (n - 1) + [principal - principal // n * (n - 1)]
        i = [interest // n] * (n - 1) + [interest - interest // n * (n - 1)]
        return list(zip(p, i))
    balance, rows = principal, []
    payment = half_up(float(npf.pmt(r, n, -principal)))
    for k in range(n):
        interest = half_up(balance * r)
        if method == "annuity":
            part = balance if k == n - 1 else payment - interest
        else:
            part = principal // n if k < n - 1 else balance
        rows.append((part, interest))
        balance -= part
    return rows


@pytest.mark.parametrize("method", ["flat", "annuity", "equal_principal"])
@pytest.mark.parametrize("principal,rate,n,months", COMBOS)
def test_matches_independent_table(method, principal, rate, n, months):
    ours = schedules.amounts(principal, rate, n, months, method)
    assert ours == reference(method, principal, rate, n, months)
    assert sum(p for p, _ in ours) == principal


@pytest.mark.parametrize("principal,rate,n,months", COMBOS)
def test_annuity_installments_are_equal_but_the_last(principal, rate, n, months):
    lines = schedules.amounts(principal, rate, n, months, "annuity")
    payment = schedules.annuity_payment(principal, schedules.periodic_rate(rate, months), n)
    assert payment == half_up(float(npf.pmt(float(rate) / 100 * months / 12, n, -principal)))
    assert all(p + i == payment for p, i in lines[:-1])
    assert abs(sum(lines[-1]) - payment) <= n  # rounding drift lands on the last installment only


def test_interest_free_splits_principal_with_remainder_last():
    lines = schedules.build(1_000_003, Decimal(0), 4, 1, "none", date(2026, 1, 31))
    assert [(l.principal, l.interest) for l in lines] == [(250_000, 0)] * 3 + [(250_003, 0)]
    assert [l.due_date for l in lines] == [date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31), date(2026, 4, 30)]


def test_flat_interest_worked_example():
    # 1,200,000 at 12% a year over 12 months: 144,000 interest, 112,000 a month.
    lines = schedules.amounts(1_200_000, Decimal(12), 12, 1, "flat")
    assert set(lines) == {(100_000, 12_000)}


def test_persian_calendar_due_dates_follow_persian_months():
    dates = schedules.due_dates(date(2026, 3, 21), 3, 1, "persian")  # 1 Farvardin 1405
    assert dates == [date(2026, 3, 21), date(2026, 4, 21), date(2026, 5, 22)]


@settings(max_examples=150, deadline=None)
@given(principal=st.integers(1, 10**12), rate=st.decimals(0, 60, places=3), n=st.integers(1, 120),
       months=st.sampled_from([1, 2, 3, 6, 12]), method=st.sampled_from(schedules.METHODS))
def test_schedule_always_sums_exactly(principal, rate, n, months, method):
    lines = schedules.amounts(principal, rate, n, months, method)
    # Never an installment of nothing: at most one per minor unit (an annuity may end early).
    assert len(lines) == min(n, principal) or method == "annuity" and len(lines) <= min(n, principal)
    assert sum(p for p, _ in lines) == principal
    assert all(p >= 0 and i >= 0 and p + i > 0 for p, i in lines)
    if method == "none" or rate == 0:
        assert all(i == 0 for _, i in lines)
    if method == "flat":
        r = schedules.periodic_rate(rate, months)
        term = min(n, principal)
        assert sum(i for _, i in lines) == int((principal * r * term).quantize(Decimal(1), ROUND_HALF_UP))


@pytest.mark.parametrize("principal, rate, n, months, method", [
    (1_000_000, "18", 360, 2, "annuity"),  # rounding the payment up cleared it ~100 installments early
    (1000, "1", 189, 12, "annuity"),
    (5, "0", 12, 1, "none"),  # 5 cents left after a prepayment, spread over 12 months
    (5, "12", 12, 1, "flat"),
    (7, "12", 12, 1, "equal_principal"),
])
def test_tiny_amounts_never_make_an_installment_of_nothing(principal, rate, n, months, method):
    lines = schedules.amounts(principal, Decimal(rate), n, months, method)
    assert all(p + i > 0 and p >= 0 and i >= 0 for p, i in lines) and len(lines) <= n
    assert sum(p for p, _ in lines) == principal
