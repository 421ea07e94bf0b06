"""Expenses with receipts, approval by a second board member, funds that never go below zero
without a recorded decision, transfers; receipts served only to the building's members."""
import io
import os
from datetime import date

import pytest
from flask import current_app
from sqlalchemy import func, select

from hamyan.blueprints.aptbox import services
from hamyan.blueprints.aptbox.models import Expense
from hamyan.core.errors import Conflict, Forbidden, ValidationError
from hamyan.extensions import db
from hamyan.ledger.models import Entry
from tests.aptbox.conftest import awkward, insert_units
from tests.conftest import login

PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 100


def uploads() -> list[str]:
    root = os.path.join(current_app.instance_path, "uploads", "aptbox")
    return [f for _, _, files in os.walk(root) for f in files]


@pytest.fixture
def funded(building):
    box, board = building()
    units = insert_units(box, awkward(3))
    services.record_payment(board, box.id, units[0].id, "10000000", None, "R1", key="seed")
    return box, board, units


@pytest.mark.parametrize("data,name,message", [
    (b"GIF89a" + b"0" * 10, "r.gif", "photo (JPEG or PNG) or a PDF"),
    (b"MZ\x90\x00", "receipt.pdf", "photo (JPEG or PNG) or a PDF"),  # an .exe named .pdf
    (b"%PDF-" + b"0" * (5 * 1024 * 1024), "big.pdf", "at most 5 MB"),
    (b"", "empty.png", "empty"),
])
def test_bad_receipts_are_refused_and_nothing_is_written(funded, data, name, message):
    box, board, _ = funded
    before = (db.session.scalar(select(func.count(Entry.id))), len(uploads()))
    with pytest.raises(ValidationError) as caught:
        services.add_expense(board, box.id, "1000", "cleaning", receipt=services.Receipt(data, name))
    assert message in caught.value.fields["receipt"]
    assert db.session.scalar(select(func.count(Expense.id))) == 0
    assert (db.session.scalar(select(func.count(Entry.id))), len(uploads())) == before


def test_a_fund_goes_below_zero_only_with_a_recorded_decision(funded):
    box, board, _ = funded
    with pytest.raises(ValidationError) as caught:
        services.add_expense(board, box.id, "10000001", "repairs")
    assert "below zero" in caught.value.fields["decision"]
    assert db.session.scalar(select(func.count(Expense.id))) == 0
    expense = services.add_expense(board, box.id, "10000001", "repairs", decision="Board meeting 12: pipes burst")
    assert expense.status == "approved" and services.fund_balances(box)["operating"] == -1
    with pytest.raises(ValidationError):
        services.transfer(board, box.id, "1", "operating", "reserve", key="t")


def test_a_back_dated_expense_needs_the_money_held_on_its_day(building, today):
    """Money paid in on 20 March cannot have paid an expense of 10 March: without the board's decision
    the fund would read below zero on the days between; so would a transfer."""
    box, board = building()
    unit = insert_units(box, awkward(1))[0]
    today(date(2026, 3, 25))
    services.record_payment(board, box.id, unit.id, "10000000", date(2026, 3, 20), "R1", key="seed")
    for write in (lambda: services.add_expense(board, box.id, "3000000", "repairs", date(2026, 3, 10)),
                  lambda: services.transfer(board, box.id, "3000000", "operating", "reserve", date(2026, 3, 10), key="t")):
        with pytest.raises(ValidationError) as caught:
            write()
        assert "below zero" in caught.value.fields["decision"]
    assert db.session.scalar(select(func.count(Expense.id))) == 0
    services.add_expense(board, box.id, "3000000", "repairs", date(2026, 3, 10), decision="Paid by the board, repaid later")
    services.add_expense(board, box.id, "3000000", "repairs", date(2026, 3, 21))
    assert services.fund_balances(box, date(2026, 3, 10))["operating"] == -3_000_000
    assert services.fund_balances(box)["operating"] == 4_000_000


def test_transfers_move_money_between_funds_once_per_key(funded):
    box, board, _ = funded
    first = services.transfer(board, box.id, "4000000", "operating", "reserve", None, "monthly", key="t1")
    assert services.transfer(board, box.id, "4000000", "operating", "reserve", None, "monthly", key="t1").id == first.id
    assert services.fund_balances(box) == {"operating": 6_000_000, "reserve": 4_000_000}
    with pytest.raises(ValidationError):
        services.transfer(board, box.id, "1", "reserve", "reserve", key="t2")


def test_a_second_board_member_approves(funded, make_user, app):
    box, board, units = funded
    services.update_rules(board, box.id, require_approval=True)
    other = make_user("second@example.com", "Second")
    services.add_person(board, box.id, units[1].id, "Second", "second@example.com", "owner", board=True)
    expense = services.add_expense(board, box.id, "2000000", "elevator", receipt=services.Receipt(PNG, "r.png"))
    assert expense.status == "pending" and services.fund_balances(box)["operating"] == 10_000_000
    with pytest.raises(Forbidden):
        services.approve_expense(board, box.id, expense.id)
    # On the page, approving asks first: what leaves which fund, and what the fund holds after.
    second = login(app.test_client(), "second@example.com")
    url = f"/buildings/{box.id}/expenses/{expense.id}/decide"
    asked = second.post(url, data={"action": "approve"}).get_data(as_text=True)
    assert "Yes, approve and pay it" in asked and "2,000,000" in asked and "8,000,000" in asked
    assert expense.status == "pending" and services.fund_balances(box)["operating"] == 10_000_000
    assert second.post(url, data={"action": "approve", "confirmed": "1"}).status_code == 302
    assert services.fund_balances(box)["operating"] == 8_000_000
    with pytest.raises(Conflict):
        services.approve_expense(other, box.id, expense.id)
    assert services.reconcile() == []


def test_receipts_are_served_only_to_the_buildings_members(funded, app, make_user):
    box, board, units = funded
    expense = services.add_expense(board, box.id, "1000", "cleaning", receipt=services.Receipt(PNG, "r.png"))
    make_user("res@example.com", "Res")
    services.add_person(board, box.id, units[0].id, "Res", "res@example.com", "resident")
    make_user("eve@example.com", "Eve")
    other = services.create_building(make_user("other@example.com", "Other"), "Other")
    url = f"/buildings/{box.id}/expenses/{expense.id}/receipt"
    resident = login(app.test_client(), "res@example.com")
    response = resident.get(url)
    assert response.status_code == 200 and response.data == PNG and response.mimetype == "image/png"
    assert login(app.test_client(), "eve@example.com").get(url).status_code == 404
    assert login(app.test_client(), "other@example.com").get(url).status_code == 404
    assert login(app.test_client(), "other@example.com").get(
        f"/buildings/{other.id}/expenses/{expense.id}/receipt").status_code == 404
    assert app.test_client().get(url).status_code == 302  # to the sign-in page


def test_the_expense_page_uploads_a_receipt(funded, app):
    box, board, _ = funded
    client = login(app.test_client(), "board@example.com")
    response = client.post(f"/buildings/{box.id}/expenses", data={
        "which": "expense", "amount": "250000", "spent_on": "2026-03-01", "category": "cleaning",
        "fund": "operating", "vendor": "پاکان", "receipt": (io.BytesIO(b"GIF89a"), "x.gif")},
        content_type="multipart/form-data")
    assert "photo (JPEG or PNG) or a PDF" in response.get_data(as_text=True)
    response = client.post(f"/buildings/{box.id}/expenses", data={
        "which": "expense", "amount": "250000", "spent_on": "2026-03-01", "category": "cleaning",
        "fund": "operating", "vendor": "پاکان", "receipt": (io.BytesIO(PNG), "x.png")},
        content_type="multipart/form-data")
    assert response.status_code == 302
    page = client.get(f"/buildings/{box.id}/expenses").get_data(as_text=True)
    assert "پاکان" in page and "/receipt" in page


def test_a_resident_reports_a_payment_and_the_board_confirms_it(funded, app, make_user):
    """The building's residents use the shared "I have paid" (payments.reports): for their unit only."""
    from hamyan.blueprints.payments import reports

    box, board, units = funded
    make_user("res@example.com", "Res")
    services.add_person(board, box.id, units[1].id, "Res", "res@example.com", "resident")
    resident = login(app.test_client(), "res@example.com")
    unit_page = resident.get(f"/buildings/{box.id}/units/{units[1].id}").get_data(as_text=True)
    assert f"/boxes/{box.id}/reported-payments?target=unit:{units[1].id}" in unit_page
    url = f"/boxes/{box.id}/reported-payments"
    assert f'value="unit:{units[1].id}"' in resident.get(f"{url}?target=unit:{units[1].id}").get_data(as_text=True)
    bad = resident.post(url, data={"amount": "700000", "paid_on": "2026-03-01", "reference": "FIS-5",
                                   "method": "transfer", "receipt": (io.BytesIO(b"not an image"), "r.png")},
                        content_type="multipart/form-data")
    assert "photo (JPEG or PNG) or a PDF" in bad.get_data(as_text=True)
    other_unit = resident.post(url, data={"amount": "1", "reference": "x", "method": "transfer",
                                          "target": f"unit:{units[0].id}"})
    assert other_unit.status_code == 200 and "Choose what you paid for" in other_unit.get_data(as_text=True)
    ok = resident.post(url, data={"amount": "700000", "paid_on": "2026-03-01", "reference": "FIS-5",
                                  "method": "transfer", "receipt": (io.BytesIO(PNG), "r.png")},
                       content_type="multipart/form-data")
    assert ok.status_code == 302
    report = reports.listing(board, box.id).reports.items[0]
    assert report.target == f"unit:{units[1].id}"
    assert resident.get(f"{url}/{report.id}/receipt").data == PNG
    make_user("eve@example.com", "Eve")
    assert login(app.test_client(), "eve@example.com").get(f"{url}/{report.id}/receipt").status_code == 404
    assert resident.post(f"{url}/{report.id}/confirm").status_code == 403
    board_client = login(app.test_client(), "board@example.com")
    assert "1 payment(s) reported" in board_client.get(f"/buildings/{box.id}").get_data(as_text=True)
    assert f"Unit {units[1].number}" in board_client.get(url).get_data(as_text=True)
    board_client.post(f"{url}/{report.id}/confirm")
    assert services.fund_balances(box)["operating"] == 10_700_000
    board_client.post(f"{url}/{report.id}/confirm")  # a double click records it once
    assert services.fund_balances(box)["operating"] == 10_700_000
    assert services.reconcile() == []
