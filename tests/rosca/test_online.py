"""A ROSCA member pays a contribution online through the sandbox gateway: one contribution whatever
the callbacks, settling the oldest dues; a refund reverses it while the box holds the money."""
import pytest
from sqlalchemy import func, select

from hamyan import ledger
from hamyan.blueprints.payments import services as payments
from hamyan.blueprints.payments.models import PaymentIntent
from hamyan.blueprints.rosca import services as rs
from hamyan.blueprints.rosca.models import MemberSummary, RoscaPayment
from hamyan.core.errors import Conflict
from hamyan.extensions import db
from hamyan.ledger.models import Entry
from tests.conftest import login
from tests.rosca.helpers import make_rosca


@pytest.fixture
def round_(make_user, app):
    """Three seats of 100 a month, the first due yesterday; Ali (with an account) holds seat 1."""
    manager = make_user("m@example.com", "مدیر")
    make_user("ali@example.com", "علی")
    box = make_rosca(manager, seats=3, contribution="100")
    ali = rs.add_member(manager, box.id, "علی", "ali@example.com")
    others = [rs.add_member(manager, box.id, name) for name in ("سارا", "رضا")]
    for number, member in enumerate([ali, *others], 1):
        rs.assign_seat(manager, box.id, number, [(member.id, "1")])
    rs.start(manager, box.id)
    payments.update_settings(manager, box.id, True, "member")
    return manager, box, ali, others


def pay(client, box, amount):
    response = client.post(f"/boxes/{box.id}/pay", data={"amount": amount})
    assert response.status_code == 302, response.get_data(as_text=True)[-1500:]
    authority = response.headers["Location"].rsplit("/", 1)[1]
    client.get(client.post(f"/payments/sandbox/{authority}", data={"choice": "success"}).headers["Location"])
    db.session.expire_all()
    return db.session.scalar(select(PaymentIntent).filter_by(authority=authority))


def arrears(box, member) -> int:
    db.session.expire_all()
    return db.session.scalar(select(MemberSummary.arrears).filter_by(box_id=box.id, membership_id=member.id))


def clean():
    assert ledger.check().ok and rs.reconcile() == [] and payments.check() == []


def test_a_member_pays_a_contribution_online_once(round_, app):
    manager, box, ali, others = round_
    client = login(app.test_client(), "ali@example.com")
    page = client.get(f"/rosca/{box.id}/mine").get_data(as_text=True)
    assert 'id="pay-online"' in page and "amount=100.00" in page
    intent = pay(client, box, "100")
    assert intent.status == "succeeded" and arrears(box, ali) == 0
    rows = db.session.scalars(select(RoscaPayment).filter_by(box_id=box.id)).all()
    assert [(r.kind, r.amount, r.method, r.entry_id) for r in rows] == [
        ("contribution", 10000, "bank", intent.entry_id)]
    clean()


def test_refund_reverses_the_contribution_until_it_is_paid_out(round_, app):
    manager, box, ali, others = round_
    client = login(app.test_client(), "ali@example.com")
    intent = pay(client, box, "100")
    payments.refund(manager, box.id, intent.public_id, "پرداخت تکراری")
    db.session.expire_all()
    intent = db.session.get(PaymentIntent, intent.id)
    assert intent.status == "refunded" and db.session.get(Entry, intent.refund_entry_id).reverses_id == intent.entry_id
    assert arrears(box, ali) == 10000
    with pytest.raises(Conflict):
        payments.refund(manager, box.id, intent.public_id, "again")
    clean()
    # paid again, the period collected and paid out to Ali's seat: the money is gone, no refund
    intent = pay(client, box, "100")
    for member in others:
        rs.record_payment(manager, box.id, member.id, "100")
    rs.pay_out(manager, box.id, 1)
    count = db.session.scalar(select(func.count(Entry.id)).filter_by(box_id=box.id))
    with pytest.raises(Conflict, match="paid out"):
        payments.refund(manager, box.id, intent.public_id, "too late")
    db.session.expire_all()
    assert db.session.get(PaymentIntent, intent.id).status == "succeeded"
    assert db.session.scalar(select(func.count(Entry.id)).filter_by(box_id=box.id)) == count
    clean()


def test_more_than_the_round_is_a_mismatch_with_no_entry(round_, app):
    manager, box, ali, others = round_
    before = db.session.scalar(select(func.count(Entry.id)).filter_by(box_id=box.id))
    intent = pay(login(app.test_client(), "ali@example.com"), box, "400")
    assert intent.status == "mismatch" and "more than" in intent.failure and intent.entry_id is None
    assert db.session.scalar(select(func.count(Entry.id)).filter_by(box_id=box.id)) == before
    clean()


def test_outsiders_cannot_pay_into_the_round(round_, app, make_user):
    manager, box, ali, others = round_
    make_user("eve@example.com", "Eve")
    assert login(app.test_client(), "eve@example.com").post(f"/boxes/{box.id}/pay",
                                                            data={"amount": "100"}).status_code == 404


def test_the_api_reverses_a_contribution_once(round_, client, api_token):
    manager, box, ali, others = round_
    payment = rs.record_payment(manager, box.id, ali.id, "100")
    headers = api_token(manager)
    first = client.post(f"/api/v1/roscas/{box.id}/payments/{payment.id}/reverse", json={"reason": "اشتباه"},
                        headers=headers)
    again = client.post(f"/api/v1/roscas/{box.id}/payments/{payment.id}/reverse", json={"reason": "اشتباه"},
                        headers=headers)
    assert first.status_code == 200 and again.json == first.json and first.json["reverses_id"] == payment.entry_id
    assert arrears(box, ali) == 10000
    assert client.post(f"/api/v1/roscas/{box.id}/payments/{payment.id + 99}/reverse", json={"reason": "x"},
                       headers=headers).status_code == 404
    assert client.post(f"/api/v1/roscas/{box.id}/payments/{payment.id}/reverse", json={"reason": ""},
                       headers=headers).status_code == 422
    clean()
