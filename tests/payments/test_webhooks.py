"""Webhooks to a local receiver: a payment settled through the sandbox is delivered signed; a 500
is retried after the backoff; a delivery can be replayed; a box not granted sends nothing."""
import hashlib
import hmac
import json
import threading
from datetime import timedelta

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from hamyan import partners
from hamyan.core import clock
from hamyan.extensions import db
from hamyan.partners import webhooks
from hamyan.partners.models import WebhookDelivery, WebhookSubscription
from tests.payments.test_sandbox import choose, pay_page

SYSTEM = partners.Principal("system")


class Receiver:
    """Answers each POST with the next status of `answers` (then 200) and keeps what it got."""

    def __init__(self):
        self.answers, self.got = [], []

    def __call__(self, environ, start_response):
        request = Request(environ)
        self.got.append((dict(request.headers), request.get_data()))
        return Response("ok", self.answers.pop(0) if self.answers else 200)(environ, start_response)


@pytest.fixture
def receiver(app):
    fake = Receiver()
    server = make_server("127.0.0.1", 0, fake, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    fake.url = f"http://127.0.0.1:{server.server_port}/hooks"
    app.config["WEBHOOKS_SEND_AFTER_COMMIT"] = False  # the test sends, so nothing races it
    yield fake
    app.config["WEBHOOKS_SEND_AFTER_COMMIT"] = True
    server.shutdown()


def verifies(secret: str, headers: dict, body: bytes) -> bool:
    expected = "v1=" + hmac.new(secret.encode(), headers["X-Hamyan-Timestamp"].encode() + b"." + body,
                                hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, headers["X-Hamyan-Signature"])


def test_payment_succeeded_delivered_signed_retried_and_replayed(cashbox, ann_client, receiver):
    key, _ = partners.create_key(SYSTEM, "PayCo", [cashbox.box.id], can_manage=False)
    _, secret = partners.subscribe(SYSTEM, key.id, receiver.url, ["payment.succeeded", "payment.failed"])
    receiver.answers = [500]
    authority = pay_page(ann_client, cashbox.box.id)
    ann_client.get(choose(ann_client, authority, "success").headers["Location"])
    delivery = db.session.scalars(select(WebhookDelivery)).one()  # settled once: one event
    assert delivery.event == "payment.succeeded" and delivery.status == "pending"

    assert webhooks.deliver() == "delivered 0 of 1"
    db.session.expire_all()
    delivery = db.session.get(WebhookDelivery, delivery.id)
    assert (delivery.status, delivery.attempts, delivery.last_status) == ("pending", 1, 500)
    assert webhooks.deliver() == "delivered 0 of 0"  # not due before its backoff
    with clock.frozen(clock.now() + timedelta(seconds=webhooks.BACKOFF_SECONDS + 1)):
        assert webhooks.deliver() == "delivered 1 of 1"
    db.session.expire_all()
    assert db.session.get(WebhookDelivery, delivery.id).status == "delivered"

    headers, body = receiver.got[-1]
    assert verifies(secret, headers, body) and not verifies("wrong", headers, body)
    payload = json.loads(body)
    assert payload["event"] == "payment.succeeded" and payload["box_id"] == cashbox.box.id
    assert payload["data"]["status"] == "succeeded" and headers["X-Hamyan-Event"] == "payment.succeeded"

    copy = webhooks.replay(SYSTEM, delivery.id)
    assert copy.id != delivery.id and copy.status == "delivered" and len(receiver.got) == 3
    assert json.loads(receiver.got[-1][1]) == payload


def test_no_event_for_a_box_not_granted_or_a_revoked_key(cashbox, ann_client, receiver):
    from tests.cashbox.helpers import make_box

    elsewhere = make_box(cashbox.manager, shares=1)
    key, _ = partners.create_key(SYSTEM, "PayCo", [elsewhere.id], can_manage=False)
    partners.subscribe(SYSTEM, key.id, receiver.url, ["*"])
    authority = pay_page(ann_client, cashbox.box.id)
    ann_client.get(choose(ann_client, authority, "success").headers["Location"])
    assert db.session.query(WebhookDelivery).count() == 0


def test_sent_right_after_the_commit(app, cashbox, ann_client, receiver):
    app.config["WEBHOOKS_SEND_AFTER_COMMIT"] = True
    key, _ = partners.create_key(SYSTEM, "PayCo", [cashbox.box.id], can_manage=False)
    partners.subscribe(SYSTEM, key.id, receiver.url, ["payment.failed"])
    db.session.commit()
    authority = pay_page(ann_client, cashbox.box.id)
    ann_client.get(choose(ann_client, authority, "failure").headers["Location"])
    assert webhooks.wait_for(lambda: len(receiver.got) == 1)
    assert json.loads(receiver.got[0][1])["event"] == "payment.failed"


def test_keys_and_subscriptions_refuse_bad_input(cashbox):
    from hamyan.core.errors import NotFound, ValidationError

    with pytest.raises(ValidationError):
        partners.create_key(SYSTEM, "X", [], can_manage=False)
    with pytest.raises(ValidationError):
        partners.create_key(SYSTEM, "X", [10**6], can_manage=False)
    key, _ = partners.create_key(SYSTEM, "X", [cashbox.box.id], can_manage=False)
    with pytest.raises(ValidationError):
        partners.subscribe(SYSTEM, key.id, "ftp://x", ["payment.succeeded"])
    with pytest.raises(ValidationError):
        partners.subscribe(SYSTEM, key.id, "https://x.example", ["payment.exploded"])
    with pytest.raises(NotFound):
        partners.subscribe(cashbox.manager, key.id, "https://x.example", ["payment.succeeded"])


def test_events_read_from_changes():
    rows = [{"table": "mp_loan", "op": "update", "id": 4, "fields": {"status": ["requested", "approved"]}},
            {"table": "ledger_entry", "op": "insert", "id": 9, "fields": {"code": "payout"}},
            {"table": "cashbox_period", "op": "update", "id": 2, "fields": {"drawn_at": [None, "2026-01-01"]}},
            {"table": "dues_late_charge", "op": "insert", "id": 3, "fields": {"subject_kind": "loan"}},
            {"table": "dues_reminder", "op": "insert", "id": 5, "fields": {"kind": "due"}},
            {"table": "apt_charge_run", "op": "insert", "id": 1, "fields": {}},
            {"table": "mp_loan", "op": "update", "id": 4, "fields": {"amount": [1, 2]}}]
    assert [e for e, _ in webhooks.events_in(rows)] == ["loan.approved", "payout.made", "draw.made", "loan.overdue",
                                                        "contribution.due", "charges.issued"]


def test_signing_secret_is_stored_sealed_and_unreadable_under_another_key(app, cashbox, receiver):
    key, _ = partners.create_key(SYSTEM, "PayCo", [cashbox.box.id], can_manage=False)
    sub, secret = partners.subscribe(SYSTEM, key.id, receiver.url, ["*"])
    stored = db.session.execute(select(WebhookSubscription.__table__)).one()._mapping
    assert secret not in "".join(str(value) for value in stored.values())
    assert db.session.get(WebhookSubscription, sub.id).secret == secret
    delivery = WebhookDelivery(subscription_id=sub.id, event="payment.succeeded", payload="{}")
    db.session.add(delivery)
    db.session.commit()
    app.config["SECRET_KEY"], old = "another-secret", app.config["SECRET_KEY"]
    try:
        assert webhooks.deliver() == "delivered 0 of 1"  # refused with a reason, never sent unsigned
    finally:
        app.config["SECRET_KEY"] = old
    db.session.expire_all()
    assert "SECRET_KEY" in db.session.get(WebhookDelivery, delivery.id).last_error and not receiver.got
