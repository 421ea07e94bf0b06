"""A building's payments are numbered per box: #1 is a new box's first, whatever other boxes hold, in the
API, on the pages and in the CSV export (never a database id)."""
from hamyan.blueprints.aptbox import services as apt
from hamyan.extensions import db
from tests.aptbox.conftest import insert_units
from tests.conftest import login
from tests.listing.test_cashbox_lists import records_of


def test_a_new_buildings_first_payment_is_number_one(client, building, api_token, app):
    box, board = building()
    unit = insert_units(box, [(1, 1, 80, 2, 0, True)])[0]
    first = apt.record_payment(board, box.id, unit.id, "1000", reference="R1", key="a")
    db.session.commit()
    r = client.post(f"/api/v1/buildings/{box.id}/units/{unit.id}/payments", json={"amount": "500", "reference": "R2"},
                    headers=api_token(board) | {"Idempotency-Key": "b"})
    assert first.number == 1 and r.status_code == 201 and r.json["number"] == 2, r.json
    assert r.json["entry_number"] == db.session.get(type(first), r.json["id"]).entry.number
    rows = records_of(login(app.test_client(), "board@example.com").get(f"/buildings/{box.id}/payments?export=csv"))
    assert sorted(row["No."] for row in rows) == ["1", "2"]


def test_a_receipt_calls_a_buildings_payment_by_its_number(building):
    from tests.notify.test_receipts import receipts

    box, board = building()
    unit = insert_units(box, [(1, 1, 80, 2, 0, True)])[0]
    apt.add_person(board, box.id, unit.id, "Sara", "sara@example.com", "owner")
    apt.record_payment(board, box.id, unit.id, "1000", reference="R1", key="a")
    first = apt.record_payment(board, box.id, unit.id, "500", reference="R2", key="b")
    apt.reverse_payment(board, box.id, first.id, "Typed twice")
    told = [m.body for m in receipts(channel="email")]
    assert told and "Payment #2 of" in told[-1] and "cancelled on" in told[-1] and "Entry #3 in the box" in told[-1]
