"""Amounts as pages and reports print them."""
from decimal import Decimal

import pytest

from hamyan.money import format_money, format_plain, to_major

pytestmark = pytest.mark.dialect_free  # no database: the MySQL leg leaves it out


def test_zero_is_printed_without_a_sign():
    # MySQL's SUM() answers Decimals; a zero sum turned to the other side (times -1) is
    # Decimal("-0"), once printed "-$0.00".
    minus_zero = Decimal(0) * -1
    assert format_money(minus_zero, "USD") == "$0.00"
    assert format_plain(minus_zero, "USD") == "0.00"
    assert str(to_major(minus_zero, "IRR")) == "0"
    assert format_money(-150, "USD") == "-$1.50"
