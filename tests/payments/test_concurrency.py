"""20 callbacks for one intent at the same moment, in threads on the leg's database: one settles."""
import json
import threading

import pytest

from hamyan import ledger
from hamyan.blueprints.payments import services
from hamyan.blueprints.payments.gateways import sandbox
from hamyan.blueprints.payments.models import GatewayEvent, PaymentIntent
from hamyan.core import uow
from hamyan.extensions import db
from tests.payments.conftest import entries


@pytest.mark.mysql_only
def test_twenty_simultaneous_callbacks_post_once(app, cashbox):
    intent = services.create_intent(cashbox.manager, cashbox.box.id, "100", cashbox.ann.id)
    with app.test_request_context():
        services.start(intent, "http://localhost/back")
    with uow.transaction():
        row = sandbox.opened(intent.authority)
        body = sandbox.choose(row, "success")
    before = entries(cashbox.box.id)
    db.session.commit()
    barrier, outcomes = threading.Barrier(20), []

    def deliver():
        with app.app_context():
            with app.test_client() as client:
                barrier.wait()
                response = client.post("/payments/callback/sandbox", data=body,
                                       headers={sandbox.SIGNATURE_HEADER: sandbox.sign(body)})
                outcomes.append((response.status_code, response.get_json()["outcome"]))
            db.session.remove()

    threads = [threading.Thread(target=deliver) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    db.session.rollback()
    assert sorted(outcomes) == [(200, "duplicate")] * 19 + [(200, "settled")]
    assert entries(cashbox.box.id) == before + 1
    assert db.session.get(PaymentIntent, intent.id).status == "succeeded"
    assert db.session.query(GatewayEvent).filter_by(intent_id=intent.id).count() == 20
    assert ledger.check().ok
    assert json.loads(body)["status"] == "paid"
