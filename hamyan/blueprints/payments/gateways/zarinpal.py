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

from hamyan.blueprints.payments.gateways import FAILED, PAID, GatewayError, Refused, Started, Verified

OK, ALREADY_VERIFIED = 100, 101
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
                raise GatewayError(f"the provider answered HTTP {error.code}") from None
        except (urllib.error.URLError, socket.timeout, TimeoutError, ValueError) as error:
            raise GatewayError(f"the provider could not be reached: {error}") from None
        if not isinstance(answer, dict):
            raise GatewayError("the provider's answer is not a JSON object")
        return answer

    @staticmethod
    def _code(answer: dict) -> tuple[int | None, dict, str]:
        data = answer.get("data") if isinstance(answer.get("data"), dict) else {}
        errors = answer.get("errors") if isinstance(answer.get("errors"), dict) else {}
        code = data.get("code", errors.get("code"))
        return (code if isinstance(code, int) else None), data, str(errors.get("message") or data.get("message") or "")

    def start(self, intent, return_url: str) -> Started:
        answer = self._call("/pg/v4/payment/request.json", {
            "merchant_id": current_app.config["ZARINPAL_MERCHANT_ID"], "amount": intent.charged,
            "currency": "IRR", "callback_url": return_url, "description": f"Hamyan payment {intent.public_id}"})
        code, data, message = self._code(answer)
        if code != OK or not isinstance(data.get("authority"), str):
            raise GatewayError(f"the provider refused the payment request ({code}: {message})")
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
            raise GatewayError("the provider's answer has no code")
        return Verified(FAILED, message=f"{code}: {message}")

    def check_callback(self, body: bytes, headers) -> dict:
        raise Refused("this provider sends no server-to-server callbacks")

    def refund(self, intent) -> None:
        config = current_app.config
        if not config["ZARINPAL_ACCESS_TOKEN"]:
            raise GatewayError("Set ZARINPAL_ACCESS_TOKEN to refund through Zarinpal, or refund this payment "
                               "in its merchant panel.")
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
        raise GatewayError(f"the provider refused the refund ({message})")
