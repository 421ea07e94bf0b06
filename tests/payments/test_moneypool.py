"""A money pool saver pays their savings online: a contribution like the manager's, late fees first."""
from sqlalchemy import select

from hamyan import ledger
from hamyan.blueprints.moneypool import services as mp
from hamyan.blueprints.moneypool.models import Contribution
from hamyan.blueprints.payments import services
from hamyan.blueprints.payments.models import PaymentIntent, SandboxPayment
from hamyan.extensions import db
from tests.conftest import login
from tests.moneypool.conftest import clock, pool_factory  # noqa: F401  the pool fixtures


def test_a_saver_pays_online_and_a_refund_undoes_it(app, pool_factory):
    box, manager, savers = pool_factory(members=2)
    services.update_settings(manager, box.id, True, "member")
    client = login(app.test_client(), "m0@example.com")
    page = client.get(f"/pools/{box.id}/members/{savers[0].id}").get_data(as_text=True)
    assert f'id="pay-online" href="/boxes/{box.id}/pay?amount=' in page
    response = client.post(f"/boxes/{box.id}/pay", data={"amount": "1000"})
    authority = response.headers["Location"].rsplit("/", 1)[1]
    client.get(client.post(f"/payments/sandbox/{authority}", data={"choice": "success"}).headers["Location"])
    intent = db.session.scalar(select(PaymentIntent).filter_by(authority=authority))
    assert intent.status == "succeeded"
    row = db.session.scalar(select(Contribution).filter_by(entry_id=intent.entry_id))
    assert (row.member_id, row.amount) == (savers[0].id, 100000)
    services.refund(manager, box.id, intent.public_id, "wrong person")
    db.session.expire_all()
    assert db.session.get(Contribution, row.id).reversed_at is not None
    assert db.session.get(SandboxPayment, authority).outcome == "refunded"
    assert ledger.check().ok and mp.reconcile() == []


def test_the_pool_bears_the_fee_and_its_books_still_reconcile(app, pool_factory):
    box, manager, savers = pool_factory(members=1)
    services.update_settings(manager, box.id, True, "box")
    client = login(app.test_client(), "m0@example.com")
    authority = client.post(f"/boxes/{box.id}/pay", data={"amount": "1000"}).headers["Location"].rsplit("/", 1)[1]
    client.get(client.post(f"/payments/sandbox/{authority}", data={"choice": "success"}).headers["Location"])
    intent = db.session.scalar(select(PaymentIntent).filter_by(authority=authority))
    assert (intent.status, intent.charged, intent.fee) == ("succeeded", 100000, 1000)
    assert ledger.check().ok and mp.reconcile() == []
    services.refund(manager, box.id, intent.public_id, "test")
    assert ledger.check().ok and mp.reconcile() == []
