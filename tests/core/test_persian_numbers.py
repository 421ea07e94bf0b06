"""Digits and money on Persian pages: Persian digits and separators (a box may keep Latin digits),
rial or toman per box (stored in rials, 1 toman = 10 rials), and amounts typed the Persian way."""
from datetime import date

import pytest
from flask_babel import refresh

from hamyan import money
from hamyan.boxes import services as boxes
from hamyan.core import parse, uow
from tests.conftest import login


def test_amounts_read_as_a_persian_person_writes_them():
    for typed in ("۱٬۲۵۰٬۰۰۰", "١٬٢٥٠٬٠٠٠", "۱۲۵۰۰۰۰", "1,250,000", " ۱ ۲۵۰ ۰۰۰ "):
        assert parse.amount(typed, "IRR", locale="fa_IR") == 1250000
        assert parse.amount(typed, "IRR") == 1250000
    assert parse.amount("۱۲٫۵۰", "USD", locale="fa_IR") == 1250


def test_money_in_persian_is_the_number_then_rial_or_toman():
    assert money.format_money(1250000, "IRR", "fa", latin_digits=False) == "۱٬۲۵۰٬۰۰۰\u00a0ریال"
    assert money.format_money(1250000, "IRR", "fa", toman=True, latin_digits=False) == "۱۲۵٬۰۰۰\u00a0تومان"
    assert money.format_money(1250005, "IRR", "fa", toman=True, latin_digits=False) == "۱۲۵٬۰۰۰٫۵\u00a0تومان"
    assert money.format_money(1250000, "IRR", "fa_IR") == "1,250,000\u00a0ریال"
    assert money.format_money(1250000, "IRR", "en", toman=True) == "125,000\u00a0toman"
    assert money.format_money(125050, "USD", "en") == "$1,250.50"


def test_a_negative_amount_in_persian_keeps_its_sign_before_the_number():
    """Right to left a bare minus stands after the number (۱۲۵٬۰۰۰- on a unit's running balance): the
    signed number is set apart left to right (Unicode's LRI ... PDI), the unit still after it."""
    assert money.format_money(-1250000, "IRR", "fa", latin_digits=False) == "\u2066-۱٬۲۵۰٬۰۰۰\u2069\u00a0ریال"
    assert money.format_plain(-1250000, "IRR", "fa_IR") == "\u2066-1,250,000\u2069"
    assert money.format_money(-150, "USD", "en") == "-$1.50"  # left to right already


@pytest.fixture
def persian_box(make_user):
    owner = make_user("mina@example.com", "مینا")
    with uow.transaction():
        return boxes.create_box(owner, "cashbox", "صندوق خانوادگی رضایی", "IRR", "Asia/Tehran", "fa_IR", "persian")


def _render(app, box, language="fa"):
    source = "{{ 1250000|money(box) }} | {{ 1250000|amount(box) }} | {{ day|day(box) }} | {{ 1234|num(box) }} | {{ unit_of(box) }}"
    with app.test_request_context("/", headers={"Accept-Language": language}):
        refresh()  # the test's app context would keep the language of the last render
        return app.jinja_env.from_string(source).render(box=box, day=date(2026, 12, 2))


def test_a_persian_page_writes_amounts_dates_and_numbers_in_persian_digits(app, persian_box):
    assert _render(app, persian_box) == "۱٬۲۵۰٬۰۰۰\u00a0ریال | ۱٬۲۵۰٬۰۰۰ | ۱۱ آذر ۱۴۰۵ | ۱٬۲۳۴ | ریال"
    persian_box.show_toman = True
    assert _render(app, persian_box) == "۱۲۵٬۰۰۰\u00a0تومان | ۱۲۵٬۰۰۰ | ۱۱ آذر ۱۴۰۵ | ۱٬۲۳۴ | تومان"
    persian_box.latin_digits = True
    assert _render(app, persian_box) == "125,000\u00a0تومان | 125,000 | 11 آذر 1405 | 1,234 | تومان"
    # An English page writes amounts in the box's own number format (fa_IR here), and dates in English.
    assert _render(app, persian_box, "en") == "125,000\u00a0تومان | 125,000 | 11 Azar 1405 | 1,234 | تومان"


def test_a_manager_chooses_latin_digits_and_tomans(client, persian_box):
    login(client, "mina@example.com")
    response = client.post(f"/boxes/{persian_box.id}/settings", data={"name": persian_box.name, "locale": "fa_IR",
                                                                     "latin_digits": "y", "show_toman": "y"})
    assert response.status_code in (302, 204), response.get_data(as_text=True)[:300]
    assert persian_box.latin_digits and persian_box.show_toman
