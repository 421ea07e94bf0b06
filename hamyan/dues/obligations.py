"""Who owes what through each due date, and how payments settle it. Pure functions.

Cumulative dues: a holder's obligations are given as cumulative totals `cum[p]` = what they owe
through due date p (cum[0] = 0), so obligation p is cum[p] - cum[p - 1]. A part of a share (a
Fraction) owes its largest-remainder allocation of p x amount through period p (money.allocate),
so the holders of a share owe exactly the share's amount in every period, and each holder owes
over the whole schedule exactly their allocation of the total, whatever the rounding. No period
owes a negative amount as long as every part's share of one period is at least one minor unit
(the floor of p x amount x fraction then grows by at least the one unit the remainder can move);
`smallest_part_ok` is how a product checks that before a schedule starts.

Allocation: a payment settles obligations oldest first. `allocate_payment` splits one payment into
what goes to arrears (obligations due by the payment date), then to unpaid late charges, then to
obligations not due yet (paying ahead), refusing more than the whole schedule asks."""
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from functools import lru_cache

from hamyan import money

# A payment may be dated up to a year before a schedule's first due date (paid ahead when joining),
# never earlier: what products refuse on paid_on.
MAX_DAYS_BEFORE_FIRST_DUE = 366


@lru_cache(maxsize=256)
def cumulative_dues(amount: int, periods: int, fractions: tuple) -> tuple:
    """Per holder (one per fraction), the cumulative dues through each period 0..periods."""
    if fractions == (1,):
        return (tuple(amount * p for p in range(periods + 1)),)
    rows = [money.allocate(amount * p, [Fraction(f) for f in fractions]) for p in range(periods + 1)]
    return tuple(zip(*rows))


def smallest_part_ok(amount: int, fractions) -> bool:
    """Whether every part owes at least one minor unit a period (see the module doc)."""
    return all(amount * Fraction(f) >= 1 for f in fractions)


def add_dues(a: list | tuple, b: list | tuple) -> list:
    """The cumulative dues of a holder of two parts (e.g. two shares)."""
    return [x + y for x, y in zip(a, b)] if a else list(b)


def arrears(cum: list | tuple, periods_due: int, paid: int) -> int:
    """Owed on obligations due on or before today (the first `periods_due` ones) minus paid."""
    return max(cum[periods_due] - paid, 0)


def settled_on(payments: list[tuple[date, int]], cum: list | tuple) -> list[date | None]:
    """For each obligation 1..N, the day the payments (ascending by day) settled it, or None."""
    days, running, index = [], 0, 0
    for p in range(1, len(cum)):
        while running < cum[p] and index < len(payments):
            running += payments[index][1]
            index += 1
        days.append(payments[index - 1][0] if running >= cum[p] and index else None)
    return days


@dataclass(frozen=True)
class Allocation:
    to_arrears: int
    to_charges: int
    ahead: int

    @property
    def to_dues(self) -> int:
        return self.to_arrears + self.ahead


def allocate_payment(amount: int, arrears_now: int, charges_unpaid: int, not_yet_due: int) -> Allocation | None:
    """Split a payment oldest first: arrears, then late charges, then obligations not due yet.
    None when it is more than everything still owed (the caller refuses it)."""
    to_arrears = min(amount, arrears_now)
    to_charges = min(amount - to_arrears, charges_unpaid)
    ahead = amount - to_arrears - to_charges
    if ahead > not_yet_due:
        return None
    return Allocation(to_arrears, to_charges, ahead)
