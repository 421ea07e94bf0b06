"""Money is an int of minor units plus the box's currency. Conversions and splits live here.

Rounding rule: parsing never rounds (more decimals than the currency has is an error); computed
amounts (interest, fractions) are rounded once with ROUND_HALF_UP, and splits use largest-remainder
allocation so the parts always add up to the whole.
"""
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from fractions import Fraction

from babel.numbers import format_currency, format_decimal, get_currency_precision

from hamyan.errors import ValidationError
from hamyan.ledger.service import MAX_AMOUNT


def minor_digits(currency: str) -> int:
    return get_currency_precision(currency)


def to_minor(value: Decimal | int | str, currency: str) -> int:
    """Round a computed major-unit amount to minor units, half up, once."""
    scaled = Decimal(value).scaleb(minor_digits(currency))
    return int(scaled.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def to_major(amount: int, currency: str) -> Decimal:
    return Decimal(amount).scaleb(-minor_digits(currency))


_DIGIT_MAP = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩٫٬", "01234567890123456789.,")


def parse_amount(text, currency: str, field: str = "amount", allow_zero: bool = False) -> int:
    """Parse what a person typed ("1,250.50", Persian digits too) into minor units."""
    if isinstance(text, bool):
        raise ValidationError("Enter an amount.", field=field)
    if isinstance(text, (int, Decimal)):
        raw = str(text)
    else:
        raw = str(text or "").strip().translate(_DIGIT_MAP).replace(",", "").replace(" ", "")
    if not raw:
        raise ValidationError("Enter an amount.", field=field)
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise ValidationError("Enter a number, e.g. 1250 or 1250.50.", field=field) from None
    if not value.is_finite():
        raise ValidationError("Enter a number, e.g. 1250 or 1250.50.", field=field)
    digits = minor_digits(currency)
    if abs(value) > MAX_AMOUNT:
        raise ValidationError("The amount is too large.", field=field)
    if value != value.quantize(Decimal(1).scaleb(-digits)):
        raise ValidationError(f"{currency} amounts have at most {digits} decimal places.", field=field)
    amount = int(value.scaleb(digits))
    if amount < 0 or (amount == 0 and not allow_zero):
        raise ValidationError("The amount must be more than zero.", field=field)
    if amount > MAX_AMOUNT:
        raise ValidationError("The amount is too large.", field=field)
    return amount


def format_money(amount: int, currency: str, locale: str = "en") -> str:
    return format_currency(to_major(amount, currency), currency, locale=locale)


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
