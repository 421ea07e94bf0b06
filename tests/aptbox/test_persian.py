"""Aptbox in Persian: every page of a Persian building right to left with no English left, as the
board and as a resident (names, references and numbers set apart as values)."""
import re

import pytest
from flask_babel import force_locale

from hamyan.blueprints.aptbox import services
from tests.aptbox.conftest import insert_units
from tests.conftest import login
from tests.i18n import english_left, persian_page


@pytest.fixture
def persian_building(make_user, today, app):
    """A Jalali building with units, a plan, an issued month, a payment, an expense, a notice and a poll."""
    board = make_user("board@example.com", "مدیر")
    box = services.create_building(board, "برج یاس", "IRR", "UTC", "fa_IR", "persian", late_fee_kind="fixed",
                                   late_fee_value="50000")
    units = insert_units(box, [(1, 0, 80, 2, 1, True), (2, 1, 95, 3, 1, True), (3, 2, 60, 0, 0, False)])
    services.update_unit(board, box.id, units[0].id, number="1", floor="0", area="80", occupants="2", parking="1",
                         occupied=True, owner_name="رضا", resident_name="سارا")
    services.add_component(board, box.id, name="نظافت", amount="4000000", basis="area")
    with force_locale("fa"):  # as a Persian board issues it from its page: the explanations are kept in Persian
        services.issue_month(board, box.id, services.next_month(box))
    make_user("res@example.com", "سارا")
    services.add_person(board, box.id, units[0].id, "سارا", "res@example.com", "resident")
    services.record_payment(board, box.id, units[1].id, "1000000", reference="REF-77", payer="علی", key="k1")
    services.add_expense(board, box.id, "500000", "cleaning", vendor="شرکت پاکان")
    services.announce(board, box.id, "جلسه", "جلسه‌ی ساختمان جمعه است.")
    services.create_poll(board, box.id, "رنگ نما؟", "سفید\nکرم", closes_on="1405/01/10")
    return box, board, units


def pages(box, units):
    base = f"/buildings/{box.id}"
    return (base, f"{base}/units", f"{base}/units?q=هیچ", f"{base}/units/{units[0].id}", f"{base}/units/{units[2].id}",
            f"{base}/expenses", f"{base}/reports", f"{base}/notices", f"{base}/charges/all")
    # /payments and /late-fees are and /collect are core's listing and sheet (web/listing.py, dues/lists.py,
    # box/bulk.html): reported to core's owner.


def test_the_boards_pages_read_in_persian(persian_building, app):
    box, board, units = persian_building
    client = login(app.test_client(), "board@example.com")
    base = f"/buildings/{box.id}"
    for url in pages(box, units) + (f"{base}/charges", f"{base}/units/import", "/buildings/new"):
        persian_page(client, url)


def test_a_residents_pages_read_in_persian(persian_building, app):
    box, board, units = persian_building
    client = login(app.test_client(), "res@example.com")
    for url in pages(box, units)[:4] + pages(box, units)[5:]:
        persian_page(client, url)


def test_the_csv_headers_read_in_persian_in_the_same_order(persian_building, app):
    box, board, units = persian_building
    client = login(app.test_client(), "board@example.com")
    fa = {"Accept-Language": "fa-IR,fa;q=0.9"}
    expenses = client.get(f"/buildings/{box.id}/export/expenses.csv", headers=fa).get_data(as_text=True)
    assert expenses.lstrip("\ufeff").splitlines()[0] == "تاریخ,صندوق,دسته,فروشنده,مبلغ,وضعیت,یادداشت,مصوبه"
    english = client.get(f"/buildings/{box.id}/export/charges.csv").get_data(as_text=True)
    assert english.lstrip("\ufeff").splitlines()[0] == "due,charge,unit,amount,owner_part"


def test_service_errors_speak_persian_on_the_page_and_in_the_api(persian_building, app, api_token):
    box, board, units = persian_building
    client = login(app.test_client(), "board@example.com")
    fa = {"Accept-Language": "fa-IR,fa;q=0.9"}
    poll = services.polls(box.id)[0]
    client.post(f"/buildings/{box.id}/polls/{poll.id}/close", headers=fa)
    again = client.post(f"/buildings/{box.id}/polls/{poll.id}/close", headers=fa)
    page = again.get_data(as_text=True)
    assert again.status_code == 409 and "این نظرسنجی پیش‌تر بسته شده است." in page
    assert not english_left(page), english_left(page)
    api = app.test_client()
    answer = api.post(f"/api/v1/buildings/{box.id}/expenses", headers={**api_token(board), **fa},
                      json={"amount": "999000000", "category": "repairs"})
    error = answer.get_json()["error"]
    assert answer.status_code == 422 and error["code"] == "validation_error"
    assert error["fields"]["decision"].startswith("با این کار موجودی صندوق جاری زیر صفر می‌رود (موجودی: ")
    assert re.search("[۰-۹]", error["message"]) and not re.search("[0-9]", error["message"]), error
