"""A Zarinpal-style adapter (REST v4): request -> authority -> the payer is sent to the provider's
StartPay page -> the provider sends the payer back with Authority and Status -> Hamyan calls verify,
which answers code 100 with a ref_id, 101 when it was verified before ("already verified": the
same payment, so Hamyan treats it as paid and settles it once), or a negative error code.

Amounts go to the provider in the box's currency's minor units (rials for IRR). There is no
server-to-server callback: the return is the only notification, and verify is the truth.

A refund is the provider's GraphQL AddRefund for the transaction (its session id: the ref_id verify
answered) and the whole amount taken, with the merchant's access token. A refund the provider
already holds for the transaction counts as done (like verify's 101), so a retry after a lost
answer refunds once; any other error refunds nothing and the payment stays settled.

Settings: ZARINPAL_MERCHANT_ID, ZARINPAL_BASE_URL (https://payment.zarinpal.com by default,
the sandbox is https://sandbox.zarinpal.com), ZARINPAL_TIMEOUT seconds, ZARINPAL_ACCESS_TOKEN and
ZARINPAL_GRAPHQL_URL (refunds)."""
import json
import socket
import urllib.error
import urllib.request

from flask import current_app
from flask_babel import lazy_gettext as _l

from hamyan.blueprints.payments.gateways import FAILED, PAID, GatewayError, Refused, Started, Verified
from hamyan.i18n import isolate

OK, ALREADY_VERIFIED = 100, 101
# What the provider's error codes mean: its own texts are English, and what a gateway said is kept in
# the box's language (payments.services writes it with i18n.box_text), so the codes a payer meets are
# said here; a code not here keeps the provider's text.
MEANINGS = {
    -9: _l("the payment request's details are not valid"),
    -10: _l("the merchant ID or this server's address is not accepted"),
    -11: _l("the merchant account is not active"),
    -12: _l("too many attempts; try again later"),
    -15: _l("the merchant account is suspended"),
    -50: _l("the amount paid is not the amount asked for"),
    -51: _l("the payment was not made (cancelled or refused by the bank)"),
    -52: _l("the provider had an unexpected error"),
    -53: _l("the payment belongs to another merchant"),
    -54: _l("the payment's authority is not valid"),
}
REFUND = """mutation AddRefund($session_id: ID!, $amount: BigInteger!, $description: String,
  $method: InstantPayoutActionTypeEnum, $reason: RefundReasonEnum) {
  resource: AddRefund(session_id: $session_id, amount: $amount, description: $description, method: $method,
                      reason: $reason) { terminal_id id amount timeline { refund_amount refund_time refund_status } }
}"""


class ZarinpalGateway:
    name = "zarinpal"

    def _call(self, path: str, body: dict, url: str | None = None, headers: dict | None = None) -> dict:
        config = current_app.config
        request = urllib.request.Request(
            url or config["ZARINPAL_BASE_URL"].rstrip("/") + path, data=json.dumps(body).encode(), method="POST",
            headers={"Content-Type": "application/json", "Accept": "application/json", **(headers or {})})
        try:
            with urllib.request.urlopen(request, timeout=config["ZARINPAL_TIMEOUT"]) as response:
                answer = json.loads(response.read())
        except urllib.error.HTTPError as error:  # the provider answers errors with 4xx and a JSON body
            try:
                answer = json.loads(error.read())
            except ValueError:
                current_app.logger.warning("zarinpal %s: HTTP %s", path or url, error.code)
                raise GatewayError(_l("the provider answered with an error")) from None
        except (urllib.error.URLError, socket.timeout, TimeoutError, ValueError) as error:
            # What the connection said is for the operator's log; people read that it could not be reached.
            current_app.logger.warning("zarinpal %s: %s", path or url, error)
            raise GatewayError(_l("the provider could not be reached")) from None
        if not isinstance(answer, dict):
            raise GatewayError(_l("the provider's answer could not be read"))
        return answer

    @staticmethod
    def _code(answer: dict) -> tuple[int | None, dict, str]:
        data = answer.get("data") if isinstance(answer.get("data"), dict) else {}
        errors = answer.get("errors") if isinstance(answer.get("errors"), dict) else {}
        code = data.get("code", errors.get("code"))
        return (code if isinstance(code, int) else None), data, str(errors.get("message") or data.get("message") or "")

    @staticmethod
    def said(code: int | None, message: str):
        """The provider's error: its meaning, in the language being written, when the code is known.
        The code is set apart: a negative one in Persian text would read "(کد 50-)"."""
        if code in MEANINGS:
            return _l("%(meaning)s (code %(code)s)", meaning=MEANINGS[code], code=isolate(code))
        return f"{isolate(code)}: {message}"

    def start(self, intent, return_url: str) -> Started:
        answer = self._call("/pg/v4/payment/request.json", {
            "merchant_id": current_app.config["ZARINPAL_MERCHANT_ID"], "amount": intent.charged,
            "currency": "IRR", "callback_url": return_url, "description": f"Hamyan payment {intent.public_id}"})
        code, data, message = self._code(answer)
        if code != OK or not isinstance(data.get("authority"), str):
            raise GatewayError(_l("the provider refused the payment request: %(error)s", error=self.said(code, message)))
        authority = data["authority"]
        return Started(authority, current_app.config["ZARINPAL_BASE_URL"].rstrip("/") + f"/pg/StartPay/{authority}")

    def verify(self, intent) -> Verified:
        answer = self._call("/pg/v4/payment/verify.json", {
            "merchant_id": current_app.config["ZARINPAL_MERCHANT_ID"], "amount": intent.charged,
            "authority": intent.authority})
        code, data, message = self._code(answer)
        if code in (OK, ALREADY_VERIFIED):
            # verify names the amount it was asked to check: the provider refuses (-50) when the
            # payer paid another amount, so a verified payment is of intent.charged
            return Verified(PAID, intent.charged, intent.currency, str(data.get("ref_id", "")),
                            "already verified" if code == ALREADY_VERIFIED else "")
        if code is None:
            raise GatewayError(_l("the provider's answer could not be read"))
        return Verified(FAILED, message=self.said(code, message))

    def check_callback(self, body: bytes, headers) -> dict:
        raise Refused("this provider sends no server-to-server callbacks")

    def refund(self, intent) -> None:
        config = current_app.config
        if not config["ZARINPAL_ACCESS_TOKEN"]:
            raise GatewayError(_l("Set ZARINPAL_ACCESS_TOKEN to refund through Zarinpal, or refund this payment "
                                  "in its merchant panel."))
        answer = self._call("", {"query": REFUND, "variables": {
            "session_id": intent.ref_id, "amount": intent.charged, "description": f"Hamyan refund {intent.public_id}",
            "method": "CARD", "reason": "CUSTOMER_REQUEST"}}, url=config["ZARINPAL_GRAPHQL_URL"],
            headers={"Authorization": f"Bearer {config['ZARINPAL_ACCESS_TOKEN']}"})
        resource = (answer.get("data") or {}).get("resource") if isinstance(answer.get("data"), dict) else None
        if isinstance(resource, dict) and resource.get("id"):
            return
        errors = answer.get("errors") if isinstance(answer.get("errors"), list) else []
        message = "; ".join(str(e.get("message", "")) for e in errors if isinstance(e, dict)) or "no answer"
        if "already" in message.lower() and "refund" in message.lower():
            return  # this transaction's refund was made before: a retry after a lost answer
        raise GatewayError(_l("the provider refused the refund (%(error)s)", error=message))
