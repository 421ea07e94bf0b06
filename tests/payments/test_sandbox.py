"""Paying through the sandbox gateway: each outcome leaves the ledger exact."""
import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from hamyan import ledger
from hamyan.blueprints.payments import services
from hamyan.blueprints.payments.gateways import sandbox
from hamyan.blueprints.payments.models import GatewayEvent, PaymentIntent, SandboxPayment
from hamyan.blueprints.cashbox.services.state import reconcile
from hamyan.core import clock, uow
from hamyan.extensions import db
from tests.conftest import login
from tests.payments.conftest import entries


def pay_page(client, box_id, amount="100"):
    """Ann asks to pay; the sandbox authority she is sent to."""
    response = client.post(f"/boxes/{box_id}/pay", data={"amount": amount})
    assert response.status_code == 302, response.get_data(as_text=True)[-2000:]
    location = response.headers["Location"]
    assert "/payments/sandbox/" in location
    return location.rsplit("/", 1)[1]


def choose(client, authority, choice):
    return client.post(f"/payments/sandbox/{authority}", data={"choice": choice})


def intent_of(authority) -> PaymentIntent:
    db.session.expire_all()
    return db.session.scalar(select(PaymentIntent).filter_by(authority=authority))


def cash(box):
    return ledger.accounts_of(box.id, subject=("box", box.id), purposes=["cash"])[0].balance if \
        ledger.accounts_of(box.id, subject=("box", box.id), purposes=["cash"]) else 0


def outcomes(intent):
    return [e.outcome for e in db.session.scalars(select(GatewayEvent).filter_by(intent_id=intent.id)
                                                  .order_by(GatewayEvent.id))]


def test_success_posts_one_entry_and_the_member_sees_it_paid(cashbox, ann_client):
    before = entries(cashbox.box.id)
    authority = pay_page(ann_client, cashbox.box.id)
    intent = intent_of(authority)
    assert (intent.amount, intent.fee, intent.charged, intent.status) == (10000, 100, 10100, "created")
    back = choose(ann_client, authority, "success")
    assert back.headers["Location"].endswith(f"/payments/return/sandbox?authority={authority}")
    page = ann_client.get(back.headers["Location"], follow_redirects=True).get_data(as_text=True)
    assert 'data-status="succeeded"' in page
    intent = intent_of(authority)
    assert intent.status == "succeeded" and intent.ref_id and intent.entry_id
    assert entries(cashbox.box.id) == before + 1
    entry = db.session.get(ledger.Entry, intent.entry_id)
    assert entry.code == "contribution" and sorted(p.amount for p in entry.postings) == [-10000, 10000]
    # two callbacks (the sandbox resends) and the return: settled once, the rest duplicates
    assert outcomes(intent) == ["settled", "duplicate", "duplicate"]
    assert ledger.check().ok and reconcile() == []
    member_page = ann_client.get(f"/cashbox/{cashbox.box.id}/me").get_data(as_text=True)
    assert 'id="owes-now">$0.00' in member_page


@pytest.mark.parametrize("choice, status", [("failure", "failed"), ("cancel", "cancelled")])
def test_failure_and_cancel_post_nothing(cashbox, ann_client, choice, status):
    before = entries(cashbox.box.id)
    authority = pay_page(ann_client, cashbox.box.id)
    ann_client.get(choose(ann_client, authority, choice).headers["Location"])
    assert intent_of(authority).status == status
    assert entries(cashbox.box.id) == before


def test_callback_after_the_member_returned_posts_once(cashbox, ann_client):
    before = entries(cashbox.box.id)
    authority = pay_page(ann_client, cashbox.box.id)
    back = choose(ann_client, authority, "late")
    assert db.session.get(SandboxPayment, authority).pending_callback
    ann_client.get(back.headers["Location"])  # the return verifies and settles before any callback
    assert intent_of(authority).status == "succeeded" and entries(cashbox.box.id) == before + 1
    ann_client.post(f"/payments/sandbox/{authority}/callback")
    assert entries(cashbox.box.id) == before + 1
    assert outcomes(intent_of(authority)) == ["settled", "duplicate", "duplicate"]


def test_callback_before_the_member_returns_and_replays(cashbox, ann_client, client):
    before = entries(cashbox.box.id)
    authority = pay_page(ann_client, cashbox.box.id)
    choose(ann_client, authority, "success")  # callbacks settle while the member is still away
    assert intent_of(authority).status == "succeeded"
    row = db.session.get(SandboxPayment, authority)
    body = json.dumps({"authority": authority, "intent": row.intent_public_id, "status": "paid", "amount": row.paid,
                       "currency": "USD", "ref_id": row.ref_id, "sent_at": "x"}).encode()
    for _ in range(3):  # a replayed genuine callback
        response = client.post("/payments/callback/sandbox", data=body,
                               headers={sandbox.SIGNATURE_HEADER: sandbox.sign(body)})
        assert response.status_code == 200 and response.json["outcome"] == "duplicate"
    ann_client.get(f"/payments/return/sandbox?authority={authority}")
    assert entries(cashbox.box.id) == before + 1


def test_tampered_callback_is_refused_and_logged(cashbox, ann_client, client):
    before = entries(cashbox.box.id)
    authority = pay_page(ann_client, cashbox.box.id)
    intent = intent_of(authority)
    body = json.dumps({"authority": authority, "intent": intent.public_id, "status": "paid", "amount": 10100,
                       "currency": "USD"}).encode()
    forged = client.post("/payments/callback/sandbox", data=body, headers={sandbox.SIGNATURE_HEADER: "0" * 64})
    assert forged.status_code == 400 and forged.json["error"]["code"] == "refused"
    unsigned = client.post("/payments/callback/sandbox", data=body)
    assert unsigned.status_code == 400
    signed = sandbox.sign(body)
    altered = body.replace(b"10100", b"90100")
    assert client.post("/payments/callback/sandbox", data=altered,
                       headers={sandbox.SIGNATURE_HEADER: signed}).status_code == 400
    refused = db.session.scalars(select(GatewayEvent).filter_by(outcome="refused")).all()
    assert len(refused) == 3 and all(e.reason == "bad signature" for e in refused)
    assert intent_of(authority).status == "created" and entries(cashbox.box.id) == before
    # a genuine signature on a genuine body for an unpaid payment settles nothing either
    ok = client.post("/payments/callback/sandbox", data=body, headers={sandbox.SIGNATURE_HEADER: signed})
    assert ok.status_code == 200 and ok.json["outcome"] == "waiting" and entries(cashbox.box.id) == before


def test_wrong_amount_is_a_mismatch_and_posts_nothing(cashbox, ann_client, app):
    before = entries(cashbox.box.id)
    authority = pay_page(ann_client, cashbox.box.id)
    ann_client.get(choose(ann_client, authority, "wrong_amount").headers["Location"])
    intent = intent_of(authority)
    assert intent.status == "mismatch" and intent.failure == "the gateway took $100.99, not $101.00"
    assert entries(cashbox.box.id) == before
    manager = login(app.test_client(), "boss@example.com")
    page = manager.get(f"/boxes/{cashbox.box.id}/online-payments").get_data(as_text=True)
    assert f'id="intent-{intent.public_id}" class="table-danger"' in page and "the gateway took $100.99" in page


def test_settled_then_refunded_posts_a_reversal(cashbox, ann_client):
    authority = pay_page(ann_client, cashbox.box.id)
    ann_client.get(choose(ann_client, authority, "success").headers["Location"])
    intent = intent_of(authority)
    before = entries(cashbox.box.id)
    services.refund(cashbox.manager, cashbox.box.id, intent.public_id, "paid twice by mistake")
    intent = intent_of(authority)
    assert intent.status == "refunded" and entries(cashbox.box.id) == before + 1
    reversal = db.session.get(ledger.Entry, intent.refund_entry_id)
    assert reversal.reverses_id == intent.entry_id
    assert db.session.get(SandboxPayment, authority).outcome == "refunded"
    _, _, rows = services.reconciliation(cashbox.manager, cashbox.box.id, 1)
    assert rows[0].problems == () and rows[0].refunded and services.check() == []
    with pytest.raises(Exception):
        services.refund(cashbox.manager, cashbox.box.id, intent.public_id, "again")
    assert ledger.check().ok


def test_box_bears_the_fee(cashbox, ann_client):
    services.update_settings(cashbox.manager, cashbox.box.id, True, "box")
    authority = pay_page(ann_client, cashbox.box.id)
    intent = intent_of(authority)
    assert (intent.amount, intent.fee, intent.charged) == (10000, 100, 10000)
    ann_client.get(choose(ann_client, authority, "success").headers["Location"])
    intent = intent_of(authority)
    assert intent.status == "succeeded"
    fee = db.session.scalar(select(ledger.Entry).filter_by(idempotency_key=f"online:{intent.public_id}:fee"))
    assert fee is not None and sorted(p.amount for p in fee.postings) == [-100, 100]
    assert ledger.check().ok and reconcile() == []


def test_stale_intents_expire_unless_paid(cashbox, ann_client):
    paid_late = pay_page(ann_client, cashbox.box.id)
    abandoned = pay_page(ann_client, cashbox.box.id)
    with uow.transaction():
        sandbox.choose(sandbox.opened(paid_late), "late")  # paid; the callback never comes
    assert "0 of 0" in services.expire_stale()  # not stale yet
    with clock.frozen(clock.now() + timedelta(minutes=31)):
        assert "1 of 2" in services.expire_stale()
    assert intent_of(paid_late).status == "succeeded" and intent_of(abandoned).status == "expired"


def test_who_may_pay_and_see(cashbox, ann_client, user_client):
    stranger = user_client("stranger@example.com")
    assert stranger.post(f"/boxes/{cashbox.box.id}/pay", data={"amount": "1"}).status_code == 404
    authority = pay_page(ann_client, cashbox.box.id)
    public_id = intent_of(authority).public_id
    assert stranger.get(f"/payments/{public_id}").status_code == 404
    assert ann_client.get(f"/payments/{public_id}").status_code == 200
    assert ann_client.get(f"/boxes/{cashbox.box.id}/online-payments").status_code == 403
    services.update_settings(cashbox.manager, cashbox.box.id, False, "member")
    page = ann_client.post(f"/boxes/{cashbox.box.id}/pay", data={"amount": "1"})
    assert page.status_code == 200 and "does not take online payments" in page.get_data(as_text=True)
    assert "pay-online" not in ann_client.get(f"/cashbox/{cashbox.box.id}/me").get_data(as_text=True)


def test_pay_online_button_on_the_members_own_page(cashbox, ann_client):
    page = ann_client.get(f"/cashbox/{cashbox.box.id}/me").get_data(as_text=True)
    assert f'id="pay-online" href="/boxes/{cashbox.box.id}/pay?amount=100.00"' in page


def test_sandbox_page_refuses_unknown_authorities_and_choices(cashbox, ann_client, client):
    assert client.get("/payments/sandbox/SBXnothing").status_code == 404
    authority = pay_page(ann_client, cashbox.box.id)
    assert client.get(f"/payments/sandbox/{authority}").status_code == 200
    assert client.post(f"/payments/sandbox/{authority}", data={"choice": "steal"}).status_code == 400
    assert intent_of(authority).status == "created"


def test_the_callback_url_takes_no_csrf_token(make_app):
    strict = make_app(WTF_CSRF_ENABLED=True).test_client()
    response = strict.post("/payments/callback/sandbox", data=b"{}")
    assert response.status_code == 400 and response.json["error"]["fields"]["callback"] == "bad signature"


def test_ledger_check_reports_an_intent_the_ledger_does_not_back(cashbox, ann_client, app):
    authority = pay_page(ann_client, cashbox.box.id)
    ann_client.get(choose(ann_client, authority, "success").headers["Location"])
    assert services.check() == []
    intent = intent_of(authority)
    with uow.transaction():  # a bug or a hand edit: the intent says more than its entry moved
        db.session.get(PaymentIntent, intent.id).amount = 20000
    problems = services.check()
    assert problems == [f"box {cashbox.box.id} intent {intent.public_id}: entry {intent.entry_id} moved 10000, "
                        f"the intent was for 20000"]
    result = app.test_cli_runner().invoke(args=["ledger", "check"])
    assert result.exit_code == 1 and "payments: box" in result.output
    _, _, rows = services.reconciliation(cashbox.manager, cashbox.box.id, 1)
    assert rows[0].problems == ("the entry moved $100.00, the intent was for $200.00",)
