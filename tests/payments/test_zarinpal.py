"""The Zarinpal-style adapter against a local fake of the provider: request -> authority ->
StartPay -> the payer returns with Authority and Status -> verify (100, then 101 "already
verified") -> one entry; timeouts and errors change nothing and are retried."""
import pytest
from sqlalchemy import select

from hamyan.blueprints.payments import services
from hamyan.blueprints.payments.models import GatewayEvent, PaymentIntent
from hamyan.extensions import db
from tests.i18n import english_left, latin_words
from tests.payments.conftest import entries
from tests.payments.fake_zarinpal import FakeZarinpal, serve


@pytest.fixture
def provider(app):
    fake = FakeZarinpal()
    server, url = serve(fake)
    saved = {k: app.config[k] for k in ("PAYMENTS_GATEWAY", "ZARINPAL_BASE_URL", "ZARINPAL_TIMEOUT",
                                         "ZARINPAL_MERCHANT_ID", "ZARINPAL_ACCESS_TOKEN", "ZARINPAL_GRAPHQL_URL")}
    app.config.update(PAYMENTS_GATEWAY="zarinpal", ZARINPAL_BASE_URL=url, ZARINPAL_TIMEOUT=0.5,
                      ZARINPAL_MERCHANT_ID="00000000-0000-0000-0000-000000000000",
                      ZARINPAL_ACCESS_TOKEN="test-token", ZARINPAL_GRAPHQL_URL=f"{url}/api/v4/graphql/")
    yield fake
    app.config.update(saved)
    server.shutdown()


def started(ann_client, box_id):
    response = ann_client.post(f"/boxes/{box_id}/pay", data={"amount": "100"})
    assert response.status_code == 302, response.get_data(as_text=True)[-1500:]
    authority = response.headers["Location"].rsplit("/", 1)[1]
    assert "/pg/StartPay/" in response.headers["Location"]
    return authority, db.session.scalar(select(PaymentIntent).filter_by(authority=authority))


def test_pay_return_verify_once_then_already_verified(cashbox, ann_client, provider):
    before = entries(cashbox.box.id)
    authority, intent = started(ann_client, cashbox.box.id)
    path, body = provider.requests[0]
    assert path == "/pg/v4/payment/request.json" and body["amount"] == intent.charged == 10100
    assert body["callback_url"] == "http://localhost/payments/return/zarinpal"
    provider.paid[authority] = intent.charged
    back = ann_client.get(f"/payments/return/zarinpal?Authority={authority}&Status=OK")
    assert back.status_code == 302
    db.session.expire_all()
    intent = db.session.get(PaymentIntent, intent.id)
    assert intent.status == "succeeded" and intent.ref_id == str(201 + int(authority[1:]))
    assert entries(cashbox.box.id) == before + 1
    # the payer reloads the return URL: settled already, the provider is not even asked
    ann_client.get(f"/payments/return/zarinpal?Authority={authority}&Status=OK")
    assert entries(cashbox.box.id) == before + 1
    # a verify that races another one answers 101: still paid, still one entry
    db.session.execute(db.update(PaymentIntent).where(PaymentIntent.id == intent.id).values(status="created"))
    verified = services.gateways.gateway("zarinpal").verify(intent)
    assert (verified.status, verified.message, verified.ref_id) == ("paid", "already verified", intent.ref_id)
    services.settle(intent.box_id, intent.id, verified)  # the product's idempotency key answers the first entry
    assert entries(cashbox.box.id) == before + 1


def test_cancelled_at_the_provider(cashbox, ann_client, provider):
    before = entries(cashbox.box.id)
    authority, intent = started(ann_client, cashbox.box.id)
    ann_client.get(f"/payments/return/zarinpal?Authority={authority}&Status=NOK")
    db.session.expire_all()
    assert db.session.get(PaymentIntent, intent.id).status == "failed"
    assert entries(cashbox.box.id) == before


@pytest.mark.parametrize("mode", ["timeout", "error"])
def test_provider_down_at_verify_changes_nothing_and_is_retried(cashbox, ann_client, provider, mode):
    before = entries(cashbox.box.id)
    authority, intent = started(ann_client, cashbox.box.id)
    provider.paid[authority] = intent.charged
    provider.mode = mode
    ann_client.get(f"/payments/return/zarinpal?Authority={authority}&Status=OK")
    db.session.expire_all()
    assert db.session.get(PaymentIntent, intent.id).status == "created" and entries(cashbox.box.id) == before
    event = db.session.scalars(select(GatewayEvent).filter_by(intent_id=intent.id)).one()
    assert event.outcome == "error"
    provider.mode = "ok"  # the payer reloads, or the expiry job asks again
    ann_client.get(f"/payments/return/zarinpal?Authority={authority}&Status=OK")
    db.session.expire_all()
    assert db.session.get(PaymentIntent, intent.id).status == "succeeded" and entries(cashbox.box.id) == before + 1


@pytest.mark.parametrize("mode", ["timeout", "error", "refuse"])
def test_provider_down_at_request_fails_the_intent_and_says_so(cashbox, ann_client, provider, mode):
    provider.mode = mode
    response = ann_client.post(f"/boxes/{cashbox.box.id}/pay", data={"amount": "100"})
    assert response.status_code == 200 and "did not answer" in response.get_data(as_text=True)
    intent = db.session.scalars(select(PaymentIntent)).one()
    assert intent.status == "failed" and intent.authority is None


def test_a_paid_amount_the_provider_refuses_to_verify(cashbox, ann_client, provider):
    authority, intent = started(ann_client, cashbox.box.id)
    provider.paid[authority] = intent.charged - 1
    ann_client.get(f"/payments/return/zarinpal?Authority={authority}&Status=OK")
    db.session.expire_all()
    intent = db.session.get(PaymentIntent, intent.id)
    assert intent.status == "failed" and intent.failure == "the gateway said: the amount paid is not the amount asked for (code \u2068-50\u2069)"


def test_the_providers_errors_read_in_the_boxs_language(cashbox, ann_client, provider, box_sets_language):
    """A Persian box keeps what the provider said in Persian (its texts are English): the meaning of a
    code it knows; a code it does not know keeps the provider's own text."""
    cashbox.box.locale = "fa_IR"
    db.session.commit()
    authority, intent = started(ann_client, cashbox.box.id)
    provider.paid[authority] = intent.charged - 1
    ann_client.get(f"/payments/return/zarinpal?Authority={authority}&Status=OK")
    db.session.expire_all()
    failure = db.session.get(PaymentIntent, intent.id).failure
    # the negative code set apart, so it reads -50 (not 50-) inside right-to-left text
    assert failure == "پاسخ درگاه: مبلغ پرداخت‌شده با مبلغ درخواستی یکی نیست (کد \u2068-50\u2069)", failure
    assert services.gateways.gateway("zarinpal").said(-99, "Something new") == "\u2068-99\u2069: Something new"


@pytest.mark.parametrize("mode, said", [("timeout", "درگاه در دسترس نبود"), ("error", "درگاه با خطا پاسخ داد")])
def test_a_provider_out_of_reach_is_said_in_persian(cashbox, ann_client, provider, box_sets_language, mode, said):
    """A Persian payer whose provider cannot be reached reads so in Persian, on the pay form and in
    what the managers see of the failed payment (the connection's own words go to the log)."""
    cashbox.box.locale, cashbox.box.name = "fa_IR", "صندوق خانواده"
    db.session.commit()
    provider.mode = mode
    response = ann_client.post(f"/boxes/{cashbox.box.id}/pay", data={"amount": "100"},
                               headers={"Accept-Language": "fa-IR,fa;q=0.9"})
    page = response.get_data(as_text=True)
    assert "درگاه پرداخت پاسخ نداد" in page and said in page and not english_left(page), english_left(page)
    failure = db.session.scalars(select(PaymentIntent)).one().failure
    assert said in failure and not latin_words(failure), failure


def test_the_adapter_takes_no_callbacks(cashbox, client, provider):
    response = client.post("/payments/callback/zarinpal", data=b"{}")
    assert response.status_code == 400


def paid_intent(cashbox, ann_client, provider):
    authority, intent = started(ann_client, cashbox.box.id)
    provider.paid[authority] = intent.charged
    ann_client.get(f"/payments/return/zarinpal?Authority={authority}&Status=OK")
    db.session.expire_all()
    return db.session.get(PaymentIntent, intent.id)


def test_refund_through_the_provider_posts_the_reversal_once(cashbox, ann_client, provider):
    intent = paid_intent(cashbox, ann_client, provider)
    before = entries(cashbox.box.id)
    services.refund(cashbox.manager, cashbox.box.id, intent.public_id, "بازگشت وجه")
    db.session.expire_all()
    intent = db.session.get(PaymentIntent, intent.id)
    assert intent.status == "refunded" and entries(cashbox.box.id) == before + 1
    assert provider.refunded == {intent.ref_id: intent.charged}
    assert provider.requests[-1][1]["variables"]["session_id"] == intent.ref_id
    with pytest.raises(services.Conflict):
        services.refund(cashbox.manager, cashbox.box.id, intent.public_id, "again")
    assert entries(cashbox.box.id) == before + 1 and services.check() == []


@pytest.mark.parametrize("mode", ["timeout", "error", "refuse"])
def test_a_refund_the_provider_does_not_make_posts_nothing(cashbox, ann_client, provider, mode):
    intent = paid_intent(cashbox, ann_client, provider)
    before = entries(cashbox.box.id)
    provider.mode = mode
    with pytest.raises(services.ValidationError):
        services.refund(cashbox.manager, cashbox.box.id, intent.public_id, "refund")
    db.session.expire_all()
    assert db.session.get(PaymentIntent, intent.id).status == "succeeded" and entries(cashbox.box.id) == before
    provider.mode = "ok"  # asked again: refunded once
    services.refund(cashbox.manager, cashbox.box.id, intent.public_id, "refund")
    db.session.expire_all()
    assert db.session.get(PaymentIntent, intent.id).status == "refunded" and entries(cashbox.box.id) == before + 1


def test_a_refund_whose_answer_was_lost_is_not_made_twice(cashbox, ann_client, provider):
    intent = paid_intent(cashbox, ann_client, provider)
    provider.refunded[intent.ref_id] = intent.charged  # the provider refunded; Hamyan never heard back
    services.refund(cashbox.manager, cashbox.box.id, intent.public_id, "refund")
    db.session.expire_all()
    assert db.session.get(PaymentIntent, intent.id).status == "refunded"
    assert provider.refunded == {intent.ref_id: intent.charged}


def test_without_an_access_token_the_refund_is_refused(cashbox, ann_client, provider, app):
    intent = paid_intent(cashbox, ann_client, provider)
    app.config["ZARINPAL_ACCESS_TOKEN"] = ""
    with pytest.raises(services.ValidationError, match="ZARINPAL_ACCESS_TOKEN"):
        services.refund(cashbox.manager, cashbox.box.id, intent.public_id, "refund")
