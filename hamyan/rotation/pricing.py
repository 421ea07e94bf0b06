"""Seat pricing for a rotation whose order is sold in advance (ROSCA). Pure; amounts are integer
minor units, rates are Decimals per period.

N seats each pay c every period for N periods, so the round collects N²·c; seat k collects its
payout at period k. What is paid out is everything collected minus the operator's fee:

    total = N²·c − fee,   fee = N²·c × fee% (rounded half up, once)

Methods (each gives N weights; the payouts are `total` split by those weights):

    manual   a table of payouts typed by the manager; it must add up to `total` exactly
    linear   from a lowest payout L (seat 1) rising by the same step to seat N:
             weight_k = L + (k − 1)·d with d = 2·(total/N − L)/(N − 1), so the highest is 2·total/N − L
    fair     payout_k = A·(1 + r)^k with A chosen so the payouts add up to `total`: every seat has
             the same net present value at r (what it collects, discounted k periods, minus the
             same contributions)

Rounding, once: the weights split `total` by largest remainder (money.allocate): each payout is
floored, and the units left over (fewer than N) go one each to the seats with the largest
fractional parts, ties to the earlier seat. So the payouts always add up to `total` to the unit,
and no payout is more than one minor unit from its exact value (a fair seat's NPV stays within
one minor unit of every other's).

A swap of two seats that have not collected is priced so both holders keep their NPV (swap_price)."""
from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction

from hamyan import money

METHODS = ("manual", "linear", "fair")
MAX_RATE = Decimal("0.5")  # 50% a period: anything above is a typo, not a price


def _pow(rate: Decimal, k: int) -> Fraction:
    return Fraction(1 + Fraction(rate)) ** k


def fee_amount(seats: int, contribution: int, fee_percent: Decimal) -> int:
    collected = seats * seats * contribution
    return int((Decimal(collected) * fee_percent / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def total(seats: int, contribution: int, fee_percent: Decimal) -> int:
    """What the payouts add up to: everything collected minus the fee."""
    return seats * seats * contribution - fee_amount(seats, contribution, fee_percent)


def check_rate(rate: Decimal) -> None:
    if rate < 0 or rate > MAX_RATE:
        raise ValueError("rate must be from 0 to 50% a period")


def fair(seats: int, amount: int, rate: Decimal) -> list[int]:
    """payout_k ∝ (1 + r)^k, adding up to `amount`."""
    check_rate(rate)
    return money.allocate(amount, [_pow(rate, k) for k in range(1, seats + 1)])


def linear(seats: int, amount: int, lowest: int) -> list[int]:
    """From `lowest` at seat 1 rising evenly; lowest must be at most the average payout."""
    if seats == 1:
        return [amount]
    average = Fraction(amount, seats)
    if lowest < 0 or lowest > average:
        raise ValueError("the lowest payout must be from 0 to the average payout")
    step = 2 * (average - lowest) / (seats - 1)
    return money.allocate(amount, [lowest + step * k for k in range(seats)])


def manual(seats: int, amount: int, table: list[int]) -> list[int]:
    if len(table) != seats:
        raise ValueError(f"give exactly {seats} payouts")
    if any(p < 0 for p in table):
        raise ValueError("a payout cannot be negative")
    if sum(table) != amount:
        raise ValueError(f"the payouts add up to {sum(table)}, not {amount}")
    return list(table)


def effective_rate(payout: int, seat: int, seats: int, contribution: int) -> float:
    """The rate per period at which the seat's payout is worth exactly its contributions (the
    seat's internal rate of return): what an early seat pays to borrow, what a late seat earns.
    For display only (a float, never money), found by bisection between −50% and +100% a period
    (the ends when it lies outside)."""
    def value(rate: float) -> float:
        v = 1 / (1 + rate)
        paid_in = seats if v == 1 else v * (1 - v ** seats) / (1 - v)
        return payout * v ** seat - contribution * paid_in

    low, high = -0.5, 1.0
    if value(low) * value(high) > 0:  # outside the range: the nearer end
        return low if abs(value(low)) < abs(value(high)) else high
    for _ in range(60):
        middle = (low + high) / 2
        if value(low) * value(middle) <= 0:
            high = middle
        else:
            low = middle
    return (low + high) / 2


def swap_price(earlier: tuple[int, int], later: tuple[int, int], now: int, rate: Decimal) -> int:
    """What the holder moving to the earlier seat pays the holder moving to the later one, at
    period `now` (0 before the round starts), so both keep their NPV: the difference of the two
    payouts' values at `now`. earlier/later: (seat number, payout), both after `now`. Negative when
    the earlier seat is worth less (the other holder pays). Rounded half up once."""
    (a, pay_a), (b, pay_b) = earlier, later
    if not now < a < b:
        raise ValueError("swap two seats that have not collected, the earlier first")
    exact = pay_a / _pow(rate, a - now) - pay_b / _pow(rate, b - now)
    with localcontext() as context:
        context.prec = 50
        return int((Decimal(exact.numerator) / Decimal(exact.denominator)).quantize(Decimal(1), rounding=ROUND_HALF_UP))
