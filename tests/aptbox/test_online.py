"""Paying a building's charges online through the sandbox gateway: each payer (owner, resident)
pays their own part of their unit first, an overpayment stays as the unit's credit, a refund posts
the reversal; duplicates, double submits and other people's units change nothing."""
import io
from datetime import date

import pytest
from pypdf import PdfReader
from sqlalchemy import func, select

from hamyan import ledger
from hamyan.blueprints.aptbox import services
from hamyan.blueprints.aptbox.models import UnitPayment
from hamyan.blueprints.auth.models import User
from hamyan.blueprints.payments import services as payments
from hamyan.blueprints.payments.models import GatewayEvent, PaymentIntent
from hamyan.core import clock
from hamyan.core.errors import Conflict, ValidationError
from hamyan.extensions import db
from hamyan.ledger.models import Entry
from tests.aptbox.conftest import insert_units
from tests.conftest import login


@pytest.fixture
def flat(building, make_user, app, today):
    """Unit 1: owner Omid and resident Rana; unit 2: Sara owns and lives in it. Charges of March:
    cleaning 700,000 by area (the resident's), reserve 300,000 a unit (the owner's)."""
    box, board = building()
    units = insert_units(box, [(1, 0, 100, 2, 0, True), (2, 1, 100, 2, 0, True)])
    services.add_component(board, box.id, name="نظافت", amount="1400000", basis="area")
    services.add_component(board, box.id, name="ذخیره", amount="600000", basis="equal", payer="owner")
    services.issue_month(board, box.id, "2026-03")
    for email, name, unit, relation in (("omid@example.com", "امید", units[0], "owner"),
                                        ("rana@example.com", "رعنا", units[0], "resident"),
                                        ("sara@example.com", "سارا", units[1], "owner")):
        make_user(email, name)
        services.add_person(board, box.id, unit.id, name, email, relation)
    payments.update_settings(board, box.id, True, "member")
    today(date(2026, 3, 6))  # the charges are due (the 5th), not late yet
    return box, board, units


def position(box, unit):
    from hamyan.blueprints.aptbox.models import Building

    db.session.expire_all()
    pos = services.position(box, db.session.get(Building, box.id), unit.id)
    return pos.values["balance"], services.owed_by(pos, clock.today(box))


def pay(client, box, amount, target=None, choice="success"):
    """Pay through the sandbox; the intent."""
    response = client.post(f"/boxes/{box.id}/pay", data={"amount": amount, **({"target": target} if target else {})})
    assert response.status_code == 302, response.get_data(as_text=True)[-1500:]
    authority = response.headers["Location"].rsplit("/", 1)[1]
    back = client.post(f"/payments/sandbox/{authority}", data={"choice": choice})
    client.get(back.headers["Location"])
    db.session.expire_all()
    return db.session.scalar(select(PaymentIntent).filter_by(authority=authority))


def clean(box):
    assert ledger.check().ok and services.reconcile() == [] and payments.check() == []


def test_each_payer_sees_and_pays_their_own_part(flat, app):
    box, board, units = flat
    rana = login(app.test_client(), "rana@example.com")
    page = rana.get(f"/buildings/{box.id}/units/{units[0].id}").get_data(as_text=True)
    assert "Your part as the resident" in page and 'id="pay-online"' in page
    assert f"target=unit:{units[0].id}" in page and "amount=700000" in page
    form = rana.get(f"/boxes/{box.id}/pay?target=unit:{units[0].id}").get_data(as_text=True)
    assert 'id="target-label"' in form and "Unit 1 (resident)" in form
    intent = pay(rana, box, "700000")
    assert intent.status == "succeeded" and intent.target == f"unit:{units[0].id}"
    balance, parts = position(box, units[0])
    assert (balance, parts) == (300_000, {"owner": 300_000, "resident": 0})
    payment = db.session.scalar(select(UnitPayment).filter_by(entry_id=intent.entry_id))
    assert (payment.part, payment.amount, payment.payer) == ("resident", 700_000, "رعنا")
    # the sandbox sent its callback twice and the payer came back: one payment
    assert [e.outcome for e in db.session.scalars(select(GatewayEvent).filter_by(intent_id=intent.id))] == [
        "settled", "duplicate", "duplicate"]
    assert db.session.scalar(select(func.count(UnitPayment.id)).filter_by(unit_id=units[0].id)) == 1
    omid = login(app.test_client(), "omid@example.com")
    assert "Your part as the owner" in omid.get(f"/buildings/{box.id}/units/{units[0].id}").get_data(as_text=True)
    # the owner pays more than his part: the rest is the unit's credit
    pay(omid, box, "500000")
    assert position(box, units[0]) == (-200_000, {"owner": 0, "resident": 0})
    statement = omid.get(f"/buildings/{box.id}/units/{units[0].id}").get_data(as_text=True)
    assert "owner&#39;s payment ref online sandbox" in statement and "resident&#39;s payment ref" in statement
    clean(box)


def test_a_resident_paying_less_leaves_the_owner_s_part_alone(flat, app):
    box, board, units = flat
    rana = login(app.test_client(), "rana@example.com")
    pay(rana, box, "200000")
    assert position(box, units[0]) == (800_000, {"owner": 300_000, "resident": 500_000})
    pdf = rana.get(f"/buildings/{box.id}/units/{units[0].id}/statement")
    text = " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.data)).pages).split())
    assert "by the owner IRR300,000" in text and "by the resident IRR500,000" in text
    assert "resident's payment ref online sandbox" in text
    # a payment the board records for the whole unit settles the oldest, owner's part first
    services.record_payment(board, box.id, units[0].id, "400000", reference="FIS-1", key="k1")
    assert position(box, units[0]) == (400_000, {"owner": 0, "resident": 400_000})
    clean(box)


def test_an_owner_living_in_the_unit_pays_all_of_it(flat, app):
    box, board, units = flat
    sara = login(app.test_client(), "sara@example.com")
    assert "Unpaid: " in sara.get(f"/buildings/{box.id}/units/{units[1].id}").get_data(as_text=True)
    intent = pay(sara, box, "1000000")
    assert db.session.scalar(select(UnitPayment.part).filter_by(entry_id=intent.entry_id)) is None
    assert position(box, units[1]) == (0, {"owner": 0, "resident": 0})
    clean(box)


def test_a_refund_reverses_the_payment(flat, app):
    box, board, units = flat
    intent = pay(login(app.test_client(), "rana@example.com"), box, "700000")
    payments.refund(board, box.id, intent.public_id, "paid twice")
    db.session.expire_all()
    intent = db.session.get(PaymentIntent, intent.id)
    reversal = db.session.get(Entry, intent.refund_entry_id)
    assert intent.status == "refunded" and reversal.reverses_id == intent.entry_id
    assert position(box, units[0]) == (1_000_000, {"owner": 300_000, "resident": 700_000})
    with pytest.raises(Conflict):
        payments.refund(board, box.id, intent.public_id, "again")
    clean(box)


def test_failures_scoping_and_bad_input_post_nothing(flat, app, make_user):
    box, board, units = flat
    rana = login(app.test_client(), "rana@example.com")
    entries = db.session.scalar(select(func.count(Entry.id)).filter_by(box_id=box.id))
    assert pay(rana, box, "700000", choice="cancel").status == "cancelled"
    for amount in ("abc", "1e9", "-5", "0"):
        response = rana.post(f"/boxes/{box.id}/pay", data={"amount": amount})
        assert response.status_code == 200 and "is-invalid" in response.get_data(as_text=True)
    response = rana.post(f"/boxes/{box.id}/pay", data={"amount": "1000", "target": f"unit:{units[1].id}"})
    assert response.status_code == 200 and "Choose what you are paying for" in response.get_data(as_text=True)
    make_user("eve@example.com", "Eve")
    assert login(app.test_client(), "eve@example.com").post(f"/boxes/{box.id}/pay",
                                                            data={"amount": "1000"}).status_code == 404
    assert db.session.scalar(select(func.count(Entry.id)).filter_by(box_id=box.id)) == entries
    # a member tied to no unit has nothing to pay for
    make_user("nobody@example.com", "Nobody")
    from hamyan.boxes.models import Membership

    with pytest.raises(ValidationError) as error:
        payments.create_intent(board, box.id, "1000", db.session.scalar(
            select(Membership.id).filter_by(box_id=box.id, role="board")))
    assert set(error.value.fields) == {"target"}


def test_the_api_names_the_unit_and_a_retry_is_the_same_intent(flat, app, client, api_token):
    box, board, units = flat
    headers = {**api_token(db.session.scalar(select(User).filter_by(email="omid@example.com"))),
               "Idempotency-Key": "pay-1"}
    first = client.post(f"/api/v1/boxes/{box.id}/payment-intents", json={"amount": "300000"}, headers=headers)
    again = client.post(f"/api/v1/boxes/{box.id}/payment-intents", json={"amount": "300000"}, headers=headers)
    assert first.status_code == 201 and again.json["id"] == first.json["id"]
    assert first.json["target"] == f"unit:{units[0].id}"
    other = client.post(f"/api/v1/boxes/{box.id}/payment-intents", json={"amount": "300000",
                                                                          "target": f"unit:{units[1].id}"},
                        headers=headers)
    assert other.status_code == 409
    bad = client.post(f"/api/v1/boxes/{box.id}/payment-intents", json={"amount": "300000",
                                                                        "target": f"unit:{units[1].id}"},
                      headers={**headers, "Idempotency-Key": "pay-2"})
    assert bad.status_code == 422 and "target" in bad.json["error"]["fields"]


def test_the_board_reverses_a_unit_payment_over_the_api(flat, client, api_token):
    box, board, units = flat
    payment = services.record_payment(board, box.id, units[0].id, "400000", reference="FIS-1", key="k1")
    headers = api_token(board)
    url = f"/api/v1/buildings/{box.id}/units/{units[0].id}/payments/{payment.id}/reverse"
    assert client.post(f"/api/v1/buildings/{box.id}/units/{units[1].id}/payments/{payment.id}/reverse",
                       json={"reason": "x"}, headers=headers).status_code == 404
    first = client.post(url, json={"reason": "ثبت اشتباه"}, headers=headers)
    again = client.post(url, json={"reason": "ثبت اشتباه"}, headers=headers)
    assert first.status_code == 200 and again.json == first.json and first.json["reverses_id"] == payment.entry_id
    assert position(box, units[0]) == (1_000_000, {"owner": 300_000, "resident": 700_000})
    rana = api_token(db.session.scalar(select(User).filter_by(email="rana@example.com")))
    assert client.post(url, json={"reason": "x"}, headers=rana).status_code == 403
    clean(box)
