"""A ROSCA's payments are numbered per box: #1 is a new box's first, whatever other boxes hold, in the
API, on the pages and in the CSV export (never a database id)."""
from hamyan.blueprints.rosca import services as rs
from hamyan.extensions import db
from tests.conftest import login
from tests.listing.test_cashbox_lists import records_of
from tests.rosca.helpers import fill, make_rosca


def test_a_new_roscas_first_payment_is_number_one(client, make_user, api_token, app, clock):
    manager = make_user("manager@example.com", "Manager")
    boxes = []
    for _ in range(2):
        box = make_rosca(manager, seats=2)
        members = fill(manager, box, ["Ann", "Bob"])
        rs.start(manager, box.id)
        boxes.append((box, members))
    (old, old_members), (box, members) = boxes
    for _ in range(3):
        rs.record_payment(manager, old.id, old_members[0].id, "10")
    db.session.commit()
    h = api_token(manager)
    r = client.post(f"/api/v1/roscas/{box.id}/payments", json={"membership_id": members[1].id, "amount": "10"},
                    headers=h | {"Idempotency-Key": "p1"})
    assert r.status_code == 201 and r.json["number"] == 1 and r.json["id"] > 1, r.json
    second = client.post(f"/api/v1/roscas/{box.id}/payments", json={"membership_id": members[0].id, "amount": "10"},
                         headers=h)
    assert second.json["number"] == 2 and second.json["entry_number"] > r.json["entry_number"]
    web = login(app.test_client(), "manager@example.com")
    rows = records_of(web.get(f"/rosca/{box.id}/payments?export=csv"))
    assert sorted(row["No."] for row in rows) == ["1", "2"]
    assert {row["Entry"] for row in rows} == {str(r.json["entry_number"]), str(second.json["entry_number"])}


def test_receipts_and_statements_call_a_payment_by_its_number(make_user):
    """A member knows a payment by its number (#2 in the payments list); the ledger entry's number
    stays, on a line of its own, for whoever checks the books."""
    from datetime import timedelta

    from hamyan.boxes.models import Box
    from tests.notify.test_receipts import receipts
    from tests.rosca.helpers import utc_today

    manager = make_user("manager@example.com", "Manager")
    box = make_rosca(manager, seats=2)
    ann, bob = fill(manager, box, ["Ann", "Bob"])
    ann.email = "ann@example.com"
    rs.start(manager, box.id)
    mistake = rs.record_payment(manager, box.id, ann.id, "10")
    rs.reverse_payment(manager, box.id, mistake.id, "Typed twice")  # an entry that is no payment
    payment = rs.record_payment(manager, box.id, ann.id, "10")
    assert (payment.number, payment.entry.number) == (2, 3)
    body = receipts(recipient="ann@example.com")[-1].body
    assert "Payment #2 of $10.00 recorded on" in body and "\nEntry #3 in the box's books." in body
    assert "Payment #1 of $10.00 cancelled on" in receipts(recipient="ann@example.com")[-2].body
    statement = rs.member_statement(db.session.get(Box, box.id), ann, utc_today() - timedelta(days=1), utc_today())
    assert [(m.payment_number, m.entry_number) for m in statement.movements] == [(1, 1), (None, 2), (2, 3)]
