"""One parser per kind of input: what forms and the API both accept, and what they refuse."""
from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest

from hamyan.core import parse
from hamyan.core.errors import ValidationError

pytestmark = pytest.mark.dialect_free  # no database: the MySQL leg leaves it out


@pytest.mark.parametrize("text, currency, minor", [
    ("1250", "USD", 125000), ("1,250.50", "USD", 125050), ("۱۲۵۰", "IRR", 1250), ("١٬٢٥٠٫٥", "USD", 125050),
    (" 1 250 ", "IRR", 1250), (700, "IRR", 700), ("0.01", "USD", 1),
])
def test_amounts_people_type(text, currency, minor):
    assert parse.amount(text, currency) == minor


@pytest.mark.parametrize("text, message", [
    ("1e9", "Enter a number"), ("1E3", "Enter a number"), ("0x10", "Enter a number"), ("NaN", "Enter a number"),
    ("Infinity", "Enter a number"), ("1,0,0", "Enter a number"), ("1.2.3", "Enter a number"), ("💰", "Enter a number"),
    ("-5", "more than zero"), ("0", "more than zero"), ("", "Enter an amount"), (None, "Enter an amount"),
    ("10.123", "at most 2 decimal"), ("99999999999999999999", "too large"), (12.5, "as text"), (True, "as text"),
])
def test_amounts_refused_with_a_message_on_the_field(text, message):
    with pytest.raises(ValidationError) as error:
        parse.amount(text, "USD", field="amount")
    assert message in error.value.message and error.value.fields == {"amount": error.value.message}


def test_a_whole_currency_has_no_decimals_and_zero_is_allowed_when_asked():
    with pytest.raises(ValidationError, match="whole numbers"):
        parse.amount("10.5", "IRR")
    assert parse.amount("0", "IRR", allow_zero=True) == 0


def test_other_kinds():
    assert parse.whole("۱۲", "n", 1, 20, "N") == 12
    assert parse.percent("2.5", "rate") == Decimal("2.5")
    assert parse.fraction("۱/۳") == Fraction(1, 3)
    assert parse.day("۲۰۲۶-۰۱-۰۵", "on") == date(2026, 1, 5)
    assert parse.record_id("7") == 7 and parse.record_id(2**40) is None and parse.record_id("x") is None
    for bad in ("1e2", "2.5", "", "٥٠٠"):
        with pytest.raises(ValidationError):
            parse.whole(bad, "n", 1, 24, "N")
    with pytest.raises(ValidationError, match="decimal places"):
        parse.percent("2.555", "rate")
    with pytest.raises(ValidationError, match="YYYY-MM-DD"):
        parse.day("2026-02-30", "on")


@pytest.mark.parametrize("typed, locale, minor", [
    ("12,50", "de_DE", 1250), ("1.250,50", "de_DE", 125050), ("1250,5", "de_DE", 125050),
    ("1 250,50", "fr_FR", 125050), ("۱٬۲۵۰٫۵", "fa_IR", 125050), ("1,250.50", None, 125050),
])
def test_amounts_follow_the_box_locale(typed, locale, minor):
    assert parse.amount(typed, "EUR", locale=locale) == minor


@pytest.mark.parametrize("typed, locale", [
    ("12,50", None), ("1,250.50", "de_DE"), ("1,2,3", "de_DE"), ("1,2,3", None), ("1_000", None),
    ("1E+999999999", None), ("1E+999999999", "de_DE"), ("1" * 40, None),
])
def test_amounts_outside_the_grammar_are_field_errors(typed, locale):
    with pytest.raises(ValidationError) as error:
        parse.amount(typed, "EUR", "amount", locale=locale)
    assert set(error.value.fields) == {"amount"}


@pytest.mark.parametrize("typed", ["a\u202eb", "a\u200bb", "a\nb", "a\x00b", "\ufeffa", "a\u2066b", "a\ud800"])
def test_free_text_refuses_control_bidi_and_zero_width_characters(typed):
    with pytest.raises(ValidationError, match="control or invisible"):
        parse.text(typed, "reference")
    with pytest.raises(ValidationError):
        parse.reason(typed)


def test_free_text_keeps_persian_zero_width_non_joiner_and_emoji():
    assert parse.text(" می\u200cخواهم 👨\u200d👩\u200d👧 ", "reason") == "می\u200cخواهم 👨\u200d👩\u200d👧"


def test_multiline_text_keeps_line_breaks_and_still_refuses_the_rest():
    body = "سلام همسایه‌ها\r\nجلسه ساعت ۸\nممنون"
    assert parse.text(body, "body", multiline=True) == body
    for typed in ("a\u202eb", "a\x00b", "a\tb", "a\u200bb"):
        with pytest.raises(ValidationError, match="direction marks") as error:
            parse.text(typed, "body", multiline=True)
        assert error.value.fields == {"body": error.value.message}



@pytest.mark.parametrize("language, currency, locale, example", [
    ("fa", "IRR", "fa_IR", "مثلاً ۱۲۵۰ یا ۱٬۲۵۰."),  # rials have no decimals; Persian separators
    ("fa", "USD", None, "مثلاً ۱۲۵۰ یا ۱٬۲۵۰٫۵۰."),
    ("fa", "EUR", "de_DE", "مثلاً ۱۲۵۰ یا ۱.۲۵۰,۵۰."),  # ٬ would read as this box's decimal comma
    ("en", "IRR", None, "e.g. 1250 or 1,250."),
    ("en", "USD", None, "e.g. 1250 or 1,250.50."),
])
def test_the_amount_example_follows_the_currency_and_the_pages_digits(app, language, currency, locale, example):
    """Issue 15: a Persian rial box's example read "۱,۲۵۰.۵۰", a decimal part rials do not have, with
    Latin separators."""
    from flask_babel import force_locale

    with app.test_request_context(), force_locale(language):
        with pytest.raises(ValidationError) as error:
            parse.amount("سه میلیون", currency, locale=locale)
        assert error.value.message.endswith(example), error.value.message
