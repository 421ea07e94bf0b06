"""Money is an int of minor units plus the box's currency. Conversions and splits live here.

Rounding rule: parsing (core.parse.amount) never rounds: more decimals than the currency has is an
error. Computed amounts (interest, fractions) are rounded once with ROUND_HALF_UP, and splits use
largest-remainder allocation so the parts always add up to the whole.
"""
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from functools import lru_cache

from babel.numbers import format_currency, format_decimal, get_currency_precision, get_currency_symbol


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
def format_money(amount: int, currency: str, locale: str = "en", *, toman: bool = False, latin_digits: bool = True) -> str:
    """An amount with its currency, as a person of `locale` reads it. Persian: the number first, then
    ریال or تومان (a rial box may show tomans: 1 toman = 10 rials), with Persian digits and separators
    unless `latin_digits`."""
    toman = toman and currency == "IRR"
    if toman or _persian(locale):
        unit = _unit(currency, locale, toman)
        return f"{format_plain(amount, currency, locale, toman=toman, latin_digits=latin_digits)}\u00a0{unit}"
    return format_currency(to_major(amount, currency), currency, locale=locale)


@lru_cache(maxsize=8192)
def format_plain(amount: int, currency: str, locale: str = "en", *, toman: bool = False, latin_digits: bool = True) -> str:
    """The number without the currency sign, for tables with a currency in the header."""
    digits = minor_digits(currency)
    value = to_major(amount, currency)
    if toman and currency == "IRR":
        value, digits = value / 10, 1 if amount % 10 else 0
    persian = _persian(locale)
    text = format_decimal(value, format=f"#,##0{'.' + '0' * digits if digits else ''}", locale=locale,
                          numbering_system="default" if persian and not latin_digits else "latn")
    text = text.translate(PERSIAN_DIGITS) if persian and not latin_digits else text
    # Right to left, a minus sign stands after the number ("۱۲۵-"): a negative one is set apart left to right.
    return f"\u2066{text}\u2069" if persian and amount < 0 else text


PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


def unit_name(currency: str, locale: str = "en", toman: bool = False) -> str:
    """What an amount of the box is counted in: ریال / تومان on Persian pages, else the ISO code (or toman)."""
    return _unit(currency, locale, toman and currency == "IRR")


def _unit(currency: str, locale: str, toman: bool) -> str:
    if _persian(locale):
        return "تومان" if toman else ("ریال" if currency == "IRR" else get_currency_symbol(currency, locale=locale))
    return "toman" if toman else currency


def _persian(locale: str) -> bool:
    return str(locale).startswith("fa")


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
