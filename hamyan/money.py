"""Money is an int of minor units plus the box's currency. Conversions and splits live here.

Rounding rule: parsing (core.parse.amount) never rounds: more decimals than the currency has is an
error. Computed amounts (interest, fractions) are rounded once with ROUND_HALF_UP, and splits use
largest-remainder allocation so the parts always add up to the whole.
"""
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from functools import lru_cache

from babel.numbers import format_currency, format_decimal, get_currency_precision


def minor_digits(currency: str) -> int:
    return get_currency_precision(currency)


def to_minor(value: Decimal | int | str, currency: str) -> int:
    """Round a computed major-unit amount to minor units, half up, once."""
    scaled = Decimal(value).scaleb(minor_digits(currency))
    return int(scaled.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def to_major(amount: int, currency: str) -> Decimal:
    """MySQL's SUM answers a Decimal, and a zero Decimal times -1 is -0, which babel prints "-$0.00":
    zero is always written without a sign."""
    value = Decimal(amount).scaleb(-minor_digits(currency))
    return value.copy_abs() if value == 0 else value


# Formatting is Babel's locale data and pattern work on every call (a grid page formats hundreds of
# amounts, most of them the same few): the pure results are kept.
@lru_cache(maxsize=8192)
def format_money(amount: int, currency: str, locale: str = "en") -> str:
    return format_currency(to_major(amount, currency), currency, locale=locale)


@lru_cache(maxsize=8192)
def format_plain(amount: int, currency: str, locale: str = "en") -> str:
    """The number without the currency sign, for tables with a currency in the header."""
    digits = minor_digits(currency)
    return format_decimal(to_major(amount, currency), format=f"#,##0{'.' + '0' * digits if digits else ''}",
                          locale=locale)


def allocate(total: int, weights: list) -> list[int]:
    """Split total into parts proportional to weights (ints or Fractions), summing exactly to total.

    Each part is floored; the units left over go one each to the largest fractional remainders,
    ties to the earliest part. So the remainder always lands on a documented, repeatable place."""
    weights = [Fraction(w) for w in weights]
    whole = sum(weights)
    if not weights or whole <= 0 or any(w < 0 for w in weights):
        raise ValueError("weights must be non-negative and not all zero")
    exact = [Fraction(total) * w / whole for w in weights]
    parts = [int(x // 1) for x in exact]
    left = total - sum(parts)
    order = sorted(range(len(weights)), key=lambda i: (-(exact[i] - parts[i]), i))
    for i in order[:left]:
        parts[i] += 1
    return parts
