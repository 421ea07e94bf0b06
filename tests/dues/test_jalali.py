"""Jalali dates in and out: every date a Persian-calendar box shows is Jalali with the month's name,
every date typed there is read as Jalali (any digits), an impossible one is refused on its field,
and the API keeps ISO Gregorian dates."""
from datetime import date, datetime

import jdatetime
import pytest

from hamyan.boxes import services as boxes
from hamyan.core import uow
from hamyan.core.errors import ValidationError
from hamyan.dues.calendar import day_text, format_day, format_moment, parse_day
from tests.conftest import login

PERSIAN_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


def _month_ends(year):
    return [(month, 31 if month <= 6 else 30 if month < 12 else (30 if jdatetime.date(year, 1, 1).isleap() else 29))
            for month in range(1, 13)]


@pytest.mark.parametrize("year", [1403, 1404])
def test_every_month_end_round_trips_in_latin_and_persian_digits(year):
    assert jdatetime.date(1403, 1, 1).isleap() and not jdatetime.date(1404, 1, 1).isleap()
    for month, last in _month_ends(year):
        typed = f"{year}/{month:02d}/{last:02d}"
        day = parse_day(typed, "persian", "paid_on")
        assert day_text(day, "persian") == typed
        assert parse_day(typed.translate(PERSIAN_DIGITS), "persian", "paid_on") == day
        assert parse_day(typed.replace("/", "-"), "persian", "paid_on") == day
        assert day_text(parse_day(f"{year}/{month}/1", "persian", "paid_on"), "persian") == f"{year}/{month:02d}/01"
        with pytest.raises(ValidationError) as refused:
            parse_day(f"{year}/{month:02d}/{last + 1:02d}", "persian", "paid_on")
        assert refused.value.fields == {"paid_on": refused.value.message}


def test_an_impossible_day_is_refused_with_a_reason():
    with pytest.raises(ValidationError, match="no such day in the Persian calendar"):
        parse_day("1405/12/31", "persian", "paid_on")
    with pytest.raises(ValidationError, match="1404 is not a leap year, so Esfand has 29 days"):
        parse_day("۱۴۰۴/۱۲/۳۰", "persian", "paid_on", "Paid on")
    assert parse_day("1403/12/30", "persian", "paid_on") == date(2025, 3, 20)
    with pytest.raises(ValidationError, match="write it as 1405/09/11"):
        parse_day("11 Azar", "persian", "paid_on")
    # An ISO Gregorian date (what the API sends) is read in any box.
    assert parse_day("2026-12-02", "persian", "paid_on") == date(2026, 12, 2)


def test_dates_show_the_persian_month_by_name():
    assert format_day(date(2026, 12, 2), "persian", "fa") == "11 آذر 1405"
    assert format_day(date(2026, 12, 2), "persian", "en") == "11 Azar 1405"
    assert format_day(date(2025, 3, 20), "persian", "fa_IR") == "30 اسفند 1403"
    assert format_day(date(2026, 12, 2), "gregorian", "en") == "Dec 2, 2026"
    # A stored UTC time in the box's zone: 04:29 UTC is 07:59 in Tehran.
    assert format_moment(datetime(2026, 12, 2, 4, 29), "Asia/Tehran", "persian", "fa") == "11 آذر 1405، 07:59"


def _persian_box(owner):
    with uow.transaction():
        return boxes.create_box(owner, "cashbox", "صندوق خانوادگی رضایی", "IRR", "Asia/Tehran", "fa_IR", "persian")


def test_a_persian_box_asks_for_jalali_dates_in_text_inputs(client, make_user, app):
    from hamyan.web.fields import day_input

    user = make_user("mina@example.com", "مینا")
    box = _persian_box(user)
    login(client, "mina@example.com")
    attributes = str(day_input(box))  # outside a page: in the box's language, so its digits
    assert 'type="text"' in attributes and 'placeholder="۱۴۰۵/۰۹/۱۱"' in attributes and 'dir="ltr"' in attributes
    page = client.get(f"/cashbox/{box.id}/payments").get_data(as_text=True)
    assert 'type="date"' not in page and 'placeholder="1405/09/11"' in page


def test_the_api_document_says_dates_are_iso_gregorian(client):
    spec = client.get("/api/v1/openapi.json").get_json()
    assert "ISO 8601 Gregorian" in spec["info"]["description"]


def test_a_new_box_form_takes_a_jalali_first_due_date_without_script(user_client):
    """The calendar is chosen on the same form, so its date input is text (a picker holds only
    Gregorian dates): a Persian manager types 1405/09/10 and picks the Persian calendar."""
    client = user_client("modir@example.com", "مدیر")
    page = client.get("/cashbox/new").get_data(as_text=True)
    assert 'type="date"' not in page and 'placeholder="1405/09/11 · 2026-03-15"' in page
