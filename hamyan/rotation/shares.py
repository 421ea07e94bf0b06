"""A share (a seat) may be held in parts (Fractions summing to one). Any amount of the share, a
contribution or a payout, is split between its holders with money.allocate: each part floored,
the units left over to the largest fractional remainders, ties to the holder listed first. So the
parts always add up to the whole, and the same amount always splits the same way."""
from fractions import Fraction

from hamyan import money


def split(amount: int, fractions: list) -> list[int]:
    return money.allocate(amount, [Fraction(f) for f in fractions])


def fully_held(fractions: list) -> bool:
    return sum((Fraction(f) for f in fractions), Fraction(0)) == 1
