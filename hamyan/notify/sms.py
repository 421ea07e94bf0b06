"""Text messages: a provider interface and its two providers.

    send(to, text) -> the provider's message id, or raises SmsError (transient: try again later;
                      permanent: this message will never go, e.g. a refused number or a bad key)
    statuses(ids)  -> {id: PENDING | DELIVERED | UNDELIVERED}, polled later (delivery reports)

`log` (the default) writes the message to the log and keeps it in the outbox: nothing leaves the
machine. `gateway` speaks the HTTP API most Iranian SMS gateways share: the API key is part of the
URL ({SMS_API_URL}/{SMS_API_KEY}/sms/send.json), the sender is a line number, and the answer is JSON
{"return": {"status": 200, "message": "..."}, "entries": [{"messageid": 123, "status": 1}]}.
The key is never logged: errors name the path after it."""
import json
import logging
import socket
import urllib.error
import urllib.parse
import urllib.request
import uuid

from flask import current_app

log = logging.getLogger(__name__)

PENDING, DELIVERED, UNDELIVERED = "pending", "delivered", "undelivered"
# The gateway's entry status codes: queued/sent to the operator, delivered, failed or blocked.
GATEWAY_DELIVERED = {10}
GATEWAY_UNDELIVERED = {6, 11, 13, 14, 100}
# Answers that will not change by trying again: bad parameters, key, sender line or number.
PERMANENT_STATUSES = {400, 401, 403, 404, 411, 412, 414, 422}


class SmsError(Exception):
    def __init__(self, message: str, transient: bool, retry_after: int | None = None):
        super().__init__(message)
        self.transient = transient
        self.retry_after = retry_after  # seconds the gateway asked us to wait (rate limit)


class LogProvider:
    """Writes each message to the log; the outbox row is the record."""

    def send(self, to: str, text: str) -> str:
        log.info("sms to %s: %s", to, text)
        return f"log-{uuid.uuid4().hex[:16]}"

    def statuses(self, ids: list[str]) -> dict[str, str]:
        return {i: DELIVERED for i in ids}


class GatewayProvider:
    def __init__(self, url: str, api_key: str, sender: str, timeout: float = 10):
        self.url, self.api_key, self.sender, self.timeout = url.rstrip("/"), api_key, sender, timeout

    def _call(self, path: str, params: dict) -> dict:
        data = urllib.parse.urlencode(params).encode()
        request = urllib.request.Request(f"{self.url}/{urllib.parse.quote(self.api_key, safe='')}/{path}",
                                         data=data, method="POST",
                                         headers={"Content-Type": "application/x-www-form-urlencoded"})
        status, retry_after, raw = 0, None, b""
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, raw = error.code, error.read()
            retry_after = _seconds(error.headers.get("Retry-After"))
        except (urllib.error.URLError, socket.timeout, TimeoutError, ConnectionError) as error:
            reason = getattr(error, "reason", error)
            raise SmsError(f"{path}: gateway unreachable ({reason})", transient=True) from None
        try:
            answer = json.loads(raw or b"{}")
            code = int(answer.get("return", {}).get("status", status))
            message = str(answer.get("return", {}).get("message", ""))[:200]
        except (ValueError, AttributeError, TypeError):
            raise SmsError(f"{path}: HTTP {status}, not the gateway's JSON", transient=True) from None
        if code == 200 and status == 200:
            return answer
        if code == 429 or status == 429:
            raise SmsError(f"{path}: rate limited ({message})", transient=True, retry_after=retry_after)
        raise SmsError(f"{path}: {code} {message}".strip(),
                       transient=code not in PERMANENT_STATUSES and status not in PERMANENT_STATUSES)

    def send(self, to: str, text: str) -> str:
        answer = self._call("sms/send.json", {"receptor": to, "sender": self.sender, "message": text})
        try:
            return str(answer["entries"][0]["messageid"])
        except (KeyError, IndexError, TypeError):
            raise SmsError("sms/send.json: the answer has no message id", transient=True) from None

    def statuses(self, ids: list[str]) -> dict[str, str]:
        answer = self._call("sms/status.json", {"messageid": ",".join(ids)})
        found = {}
        for entry in answer.get("entries") or []:
            code = int(entry.get("status", 0))
            found[str(entry.get("messageid"))] = (DELIVERED if code in GATEWAY_DELIVERED else
                                                  UNDELIVERED if code in GATEWAY_UNDELIVERED else PENDING)
        return found


def _seconds(value) -> int | None:
    try:
        return max(0, int(value))
    except (TypeError, ValueError):
        return None


def provider():
    """The configured provider (HAMYAN_SMS_PROVIDER: log or gateway)."""
    cfg = current_app.config
    if cfg["SMS_PROVIDER"] == "gateway":
        return GatewayProvider(cfg["SMS_API_URL"], cfg["SMS_API_KEY"], cfg["SMS_SENDER"], cfg["SMS_TIMEOUT"])
    return LogProvider()
