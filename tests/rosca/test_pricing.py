"""rotation.pricing: every method's payouts add up exactly to what is collected minus the fee;
fair pricing gives every seat the same NPV at r (computed here independently, in Decimal); a
swap's price keeps both holders' NPV."""
from decimal import Decimal, getcontext

import pytest

from hamyan.rotation import pricing

pytestmark = pytest.mark.dialect_free  # no database: the MySQL leg leaves it out

getcontext().prec = 60
CASES = [(n, c, fee) for n in (2, 5, 12, 30) for c in (1, 999, 5_000_000) for fee in (Decimal(0), Decimal("1.5"))]


def npv(payout, k, n, c, r):
    """Independent of the module: Decimal discounting at (1 + r)."""
    factor = Decimal(1) + r
    return Decimal(payout) / factor ** k - sum(Decimal(c) / factor ** t for t in range(1, n + 1))


@pytest.mark.parametrize("n,c,fee", CASES)
@pytest.mark.parametrize("rate", [Decimal(0), Decimal("0.01"), Decimal("0.035"), Decimal("0.5")])
def test_fair_sums_exactly_and_npvs_equal(n, c, fee, rate):
    total = pricing.total(n, c, fee)
    assert total == n * n * c - pricing.fee_amount(n, c, fee)
    payouts = pricing.fair(n, total, rate)
    assert sum(payouts) == total and len(payouts) == n
    values = [npv(p, k, n, c, rate) for k, p in enumerate(payouts, 1)]
    assert max(values) - min(values) <= 1  # one minor unit


@pytest.mark.parametrize("n,c,fee", CASES)
def test_linear_sums_exactly_and_rises(n, c, fee):
    total = pricing.total(n, c, fee)
    lowest = total // n // 2
    payouts = pricing.linear(n, total, lowest)
    assert sum(payouts) == total
    assert payouts[0] in (lowest, lowest + 1) and payouts == sorted(payouts)


def test_linear_refuses_a_lowest_above_the_average():
    with pytest.raises(ValueError):
        pricing.linear(4, 400, 101)


def test_manual_must_balance():
    assert pricing.manual(3, 300, [90, 100, 110]) == [90, 100, 110]
    with pytest.raises(ValueError):
        pricing.manual(3, 300, [90, 100, 111])
    with pytest.raises(ValueError):
        pricing.manual(3, 300, [100, 200])


@pytest.mark.parametrize("rate", [Decimal(-1) / 100, Decimal("0.51")])
def test_absurd_rates_are_refused(rate):
    with pytest.raises(ValueError):
        pricing.fair(5, 100, rate)


def test_remainder_goes_to_the_largest_fractions():
    # 10 units over 3 equal weights: 3, 3, 3 and the one left to the earliest seat (ties to the earlier)
    assert pricing.fair(3, 10, Decimal(0)) == [4, 3, 3]


@pytest.mark.parametrize("now,a,b", [(0, 2, 9), (3, 4, 12), (6, 7, 8)])
@pytest.mark.parametrize("method", ["fair", "linear"])
def test_a_swap_keeps_both_npvs(now, a, b, method):
    n, c, r = 12, 1_000_000, Decimal("0.02")
    total = pricing.total(n, c, Decimal(0))
    payouts = pricing.fair(n, total, r) if method == "fair" else pricing.linear(n, total, total // n // 2)
    pa, pb = payouts[a - 1], payouts[b - 1]
    price = pricing.swap_price((a, pa), (b, pb), now, r)
    factor = Decimal(1) + r
    value = lambda p, k: Decimal(p) / factor ** (k - now)  # noqa: E731 — the payout's value at `now`
    # The later seat's holder moves to a and pays `price`; the earlier's moves to b and receives it.
    assert abs((value(pa, a) - price) - value(pb, b)) <= Decimal("0.5")
    assert abs((value(pb, b) + price) - value(pa, a)) <= Decimal("0.5")
    if method == "fair":
        assert abs(price) <= 1  # fair seats are already worth the same


def test_swap_needs_two_uncollected_seats_in_order():
    with pytest.raises(ValueError):
        pricing.swap_price((3, 100), (5, 100), 3, Decimal(0))


@pytest.mark.parametrize("n", [2, 12, 200])
def test_effective_rates_are_finite_for_any_size(n):
    """A seat's rate is shown for rounds of any length (no overflow, no division by zero)."""
    c = 10_000_000
    payouts = pricing.fair(n, pricing.total(n, c, Decimal(1)), Decimal("0.02"))
    rates = [pricing.effective_rate(p, k, n, c) for k, p in enumerate(payouts, 1)]
    assert all(-0.5 <= r <= 1 for r in rates)
    assert abs(pricing.effective_rate(n * c, 1, n, c)) < 1e-6  # collecting exactly N·c costs nothing
