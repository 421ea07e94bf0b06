"""The sandbox gateway shipped with Hamyan for demos and tests. It plays the provider: its own page
(/payments/sandbox/<authority>) lets the tester pay, fail, cancel, pay a wrong amount, or pay with
the callback held back until after the payer has returned. Its callbacks are HMAC-SHA256 signed
(X-Sandbox-Signature: hex of the body) and a successful payment's callback is sent twice, as real
providers do."""
import hashlib
import hmac
import json
import secrets

from flask import current_app, url_for

from hamyan.blueprints.payments.gateways import CANCELLED, FAILED, PAID, WAITING, Refused, Started, Verified
from hamyan.blueprints.payments.models import SandboxPayment
from hamyan.core import clock
from hamyan.extensions import db

SIGNATURE_HEADER = "X-Sandbox-Signature"
CHOICES = ("success", "failure", "cancel", "late", "wrong_amount")


def _secret() -> bytes:
    configured = current_app.config["PAYMENTS_SANDBOX_SECRET"]
    if configured:
        return configured.encode()
    return hmac.new(current_app.config["SECRET_KEY"].encode(), b"payments-sandbox", hashlib.sha256).digest()


def sign(body: bytes) -> str:
    return hmac.new(_secret(), body, hashlib.sha256).hexdigest()


class SandboxGateway:
    name = "sandbox"

    def start(self, intent, return_url: str) -> Started:
        """Writes nothing (a provider's request is not our transaction): the sandbox's own row is
        made when its page is first opened (`opened`)."""
        authority = "SBX" + sign(intent.public_id.encode())[:32]
        return Started(authority, url_for("payments.sandbox_page", authority=authority))

    def verify(self, intent) -> Verified:
        row = db.session.get(SandboxPayment, intent.authority) if intent.authority else None
        if row is None:  # the payer never opened the sandbox's page
            return Verified(WAITING)
        status = {"paid": PAID, "failed": FAILED, "cancelled": CANCELLED}.get(row.outcome, WAITING)
        return Verified(status, row.paid, row.currency, row.ref_id)

    def check_callback(self, body: bytes, headers) -> dict:
        given = headers.get(SIGNATURE_HEADER, "")
        if not hmac.compare_digest(given.encode(), sign(body).encode()):
            raise Refused("bad signature")
        try:
            payload = json.loads(body)
        except ValueError:
            raise Refused("the body is not JSON") from None
        if not isinstance(payload, dict) or not isinstance(payload.get("authority"), str):
            raise Refused("no authority in the callback")
        return payload

    def refund(self, intent) -> None:
        row = db.session.get(SandboxPayment, intent.authority)
        row.outcome = "refunded"


def opened(authority: str) -> SandboxPayment | None:
    """The sandbox's payment for an authority it handed out (made on first sight, like the
    provider's record of the request), or None for an authority it never gave."""
    from sqlalchemy import select

    from hamyan.blueprints.payments.models import PaymentIntent

    row = db.session.get(SandboxPayment, authority, with_for_update=True)
    if row is None:
        intent = db.session.scalar(select(PaymentIntent).filter_by(gateway="sandbox", authority=authority))
        if intent is None:
            return None
        row = SandboxPayment(authority=authority, intent_public_id=intent.public_id, amount=intent.charged,
                             currency=intent.currency)
        db.session.add(row)
        db.session.flush()
    return row


def choose(row: SandboxPayment, choice: str) -> bytes | None:
    """The tester's choice on the sandbox page; the signed callback body to send now (None: held back)."""
    if choice not in CHOICES:
        raise Refused("unknown choice")
    if row.outcome != "waiting":
        return None
    if choice in ("success", "late", "wrong_amount"):
        row.outcome, row.ref_id = "paid", str(secrets.randbelow(10**10))
        row.paid = row.amount - 1 if choice == "wrong_amount" else row.amount
    else:
        row.outcome = "failed" if choice == "failure" else "cancelled"
    body = json.dumps({"authority": row.authority, "intent": row.intent_public_id, "status": row.outcome,
                       "amount": row.paid, "currency": row.currency, "ref_id": row.ref_id,
                       "sent_at": clock.now().isoformat()}, sort_keys=True).encode()
    if choice == "late":
        row.pending_callback = body.decode()
        return None
    return body
