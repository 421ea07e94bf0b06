"""The gateway provider against a local fake gateway: sends, polls delivery, and tells transient
errors (500, rate limits, timeouts, garbage) from permanent ones (a bad key, a refused number)."""
import pytest

from hamyan.notify.sms import DELIVERED, PENDING, GatewayProvider, SmsError
from tests.notify.fake_sms import KEY, FakeGateway

pytestmark = pytest.mark.dialect_free  # no database: the MySQL leg leaves it out


@pytest.fixture
def gateway():
    with FakeGateway() as fake:
        yield fake


def provider(gateway, key=KEY):
    return GatewayProvider(gateway.url, key, "10004346", timeout=0.5)


def test_send_and_poll_delivery(gateway):
    sms = provider(gateway)
    message_id = sms.send("+989121234567", "سلام، قسط شما سررسید شد")
    assert gateway.sent == [("+989121234567", "10004346", "سلام، قسط شما سررسید شد", message_id)]
    assert sms.statuses([message_id]) == {message_id: PENDING}
    gateway.delivered.add(message_id)
    assert sms.statuses([message_id]) == {message_id: DELIVERED}


@pytest.mark.parametrize("answer, transient, words", [
    ("error", True, "500"), ("rate", True, "rate limited"), ("timeout", True, "unreachable"),
    ("garbage", True, "not the gateway's JSON"), ("number", False, "411 invalid receptor"),
])
def test_errors_say_whether_to_try_again(gateway, answer, transient, words):
    gateway.then(answer)
    with pytest.raises(SmsError) as raised:
        provider(gateway).send("+989121234567", "hi")
    assert raised.value.transient is transient and words in str(raised.value)
    assert gateway.sent == []
    if answer == "rate":
        assert raised.value.retry_after == 30


def test_a_bad_key_is_permanent_and_never_shown(gateway):
    with pytest.raises(SmsError) as raised:
        provider(gateway, key="wrong-secret-key").send("+989121234567", "hi")
    assert raised.value.transient is False and "401" in str(raised.value)
    assert "wrong-secret-key" not in str(raised.value)


def test_an_unreachable_gateway_is_transient():
    with pytest.raises(SmsError) as raised:
        GatewayProvider("http://127.0.0.1:9/v1", KEY, "1000", timeout=0.5).send("+989121234567", "hi")
    assert raised.value.transient
