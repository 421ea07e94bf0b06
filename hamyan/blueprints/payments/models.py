"""Online payments' tables: each box's choices, payment intents, and every notification a gateway
sent (kept whether accepted or refused, so a tampered or replayed callback leaves a trace)."""
from flask_babel import lazy_gettext as _l

from hamyan.core import clock
from hamyan.extensions import db

MEMBER, BOX = "member", "box"  # who bears the gateway's fee
FEE_BEARERS = (MEMBER, BOX)

# An intent's life: created -> (the payer is at the gateway) -> succeeded | failed | cancelled |
# expired | mismatch (the gateway took another amount: a person must look); succeeded -> refunded.
CREATED, SUCCEEDED, FAILED, CANCELLED, EXPIRED, MISMATCH, REFUNDED = (
    "created", "succeeded", "failed", "cancelled", "expired", "mismatch", "refunded")
STATUSES = (CREATED, SUCCEEDED, FAILED, CANCELLED, EXPIRED, MISMATCH, REFUNDED)
OPEN = (CREATED, EXPIRED)  # a verified payment may still settle these (an expired one was paid late)
STATUS_NAMES = {CREATED: _l("started"), SUCCEEDED: _l("paid"), FAILED: _l("failed"), CANCELLED: _l("cancelled"),
                EXPIRED: _l("expired"), MISMATCH: _l("amount differs"), REFUNDED: _l("refunded")}
FEE_BEARER_NAMES = {MEMBER: _l("the member"), BOX: _l("the box")}
# What Hamyan made of a gateway's notification (GatewayEvent.outcome, kind), as the managers' page says it.
OUTCOME_NAMES = {"settled": _l("settled"), "duplicate": _l("repeated"), "waiting": _l("waiting"),
                 "refused": _l("refused"), "flagged": _l("flagged"), "error": _l("error"), **STATUS_NAMES}
EVENT_KIND_NAMES = {"callback": _l("callback"), "return": _l("return"), "expire": _l("expiry")}


class PaymentSettings(db.Model):
    """A box's payment choices: online payments (a box without a row does not take them), and the
    card or account members pay to by card-to-card or bank transfer ("I have paid", reports.py)."""

    __tablename__ = "pay_settings"
    __table_args__ = (db.CheckConstraint("fee_bearer IN ('member', 'box')", name="fee_bearer"),)

    box_id = db.Column(db.Integer, db.ForeignKey("box.id"), primary_key=True)
    online_enabled = db.Column(db.Boolean, nullable=False, default=False)
    fee_bearer = db.Column(db.String(6), nullable=False, default=MEMBER)
    payee_account = db.Column(db.String(26), nullable=True)  # 16 card digits or an IBAN (IR + 24 digits)
    payee_name = db.Column(db.String(120), nullable=True)  # the card's or account's holder


class PaymentIntent(db.Model):
    """One attempt by a member to pay a box online. `amount` is what settles what the member owes;
    `charged` is what the gateway takes from the payer (amount + fee when the member bears it)."""

    __tablename__ = "pay_intent"
    __table_args__ = (
        db.CheckConstraint("amount > 0 AND charged > 0 AND fee >= 0", name="amounts"),
        db.CheckConstraint("status IN ('created', 'succeeded', 'failed', 'cancelled', 'expired', 'mismatch', "
                           "'refunded')", name="status"),
        db.UniqueConstraint("gateway", "authority", name="uq_pay_intent_gateway_authority"),
        db.Index("ix_pay_intent_box_created", "box_id", "created_at"),
        db.Index("ix_pay_intent_status_expires", "status", "expires_at"),
    )

    id = db.Column(db.Integer, primary_key=True)
    public_id = db.Column(db.String(32), nullable=False, unique=True)  # in URLs and sent to the gateway
    box_id = db.Column(db.Integer, db.ForeignKey("box.id"), nullable=False)
    membership_id = db.Column(db.Integer, db.ForeignKey("membership.id"), nullable=False, index=True)
    amount = db.Column(db.BigInteger, nullable=False)
    fee = db.Column(db.BigInteger, nullable=False, default=0)
    fee_bearer = db.Column(db.String(6), nullable=False)
    charged = db.Column(db.BigInteger, nullable=False)
    currency = db.Column(db.String(3), nullable=False)
    gateway = db.Column(db.String(20), nullable=False)
    authority = db.Column(db.String(64), nullable=True)  # the gateway's id of the payment
    ref_id = db.Column(db.String(64), nullable=True)  # the gateway's settlement reference once verified
    status = db.Column(db.String(10), nullable=False, default=CREATED)
    failure = db.Column(db.String(200), nullable=False, default="")
    entry_id = db.Column(db.Integer, db.ForeignKey("ledger_entry.id"), nullable=True, unique=True)
    refund_entry_id = db.Column(db.Integer, db.ForeignKey("ledger_entry.id"), nullable=True, unique=True)
    target = db.Column(db.String(40), nullable=True)  # what it pays for, in the product's words ("unit:12")
    request_key = db.Column(db.String(80), nullable=True, unique=True)  # an API caller's Idempotency-Key
    request_hash = db.Column(db.String(64), nullable=True)
    created_by_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=True)
    created_at = db.Column(db.DateTime, nullable=False, default=clock.now)
    expires_at = db.Column(db.DateTime, nullable=False)
    settled_at = db.Column(db.DateTime, nullable=True)

    membership = db.relationship("Membership", lazy="joined")


class GatewayEvent(db.Model):
    """A notification from a gateway (server-to-server callback or the payer's return) and what
    Hamyan made of it: settled, duplicate, failed, refused (bad signature, amount, currency or
    intent), or error (the gateway could not be asked)."""

    __tablename__ = "pay_gateway_event"

    id = db.Column(db.Integer, primary_key=True)
    intent_id = db.Column(db.Integer, db.ForeignKey("pay_intent.id"), nullable=True, index=True)
    gateway = db.Column(db.String(20), nullable=False)
    kind = db.Column(db.String(10), nullable=False)  # callback, return, expire
    outcome = db.Column(db.String(10), nullable=False)
    reason = db.Column(db.String(300), nullable=False, default="")
    payload = db.Column(db.Text, nullable=False)
    request_id = db.Column(db.String(64), nullable=False, default="")
    ip = db.Column(db.String(45), nullable=False, default="")
    received_at = db.Column(db.DateTime, nullable=False, default=clock.now, index=True)


class SandboxPayment(db.Model):
    """The sandbox gateway's own books (it plays the provider): what the payer chose on its page."""

    __tablename__ = "pay_sandbox"

    authority = db.Column(db.String(64), primary_key=True)
    intent_public_id = db.Column(db.String(32), nullable=False)
    amount = db.Column(db.BigInteger, nullable=False)  # what the provider was asked to take
    currency = db.Column(db.String(3), nullable=False)
    paid = db.Column(db.BigInteger, nullable=True)  # what it took (None: nothing)
    outcome = db.Column(db.String(12), nullable=False, default="waiting")  # waiting, paid, failed, cancelled
    ref_id = db.Column(db.String(64), nullable=True)
    pending_callback = db.Column(db.Text, nullable=True)  # a late callback not sent yet
    created_at = db.Column(db.DateTime, nullable=False, default=clock.now)


# A reported payment's life: pending -> confirmed (recorded as a payment) | rejected (with a reason).
PENDING, CONFIRMED, REJECTED = "pending", "confirmed", "rejected"
CARD, TRANSFER = "card", "transfer"
METHODS = {CARD: _l("Card to card"), TRANSFER: _l("Bank transfer")}
REPORT_STATUS_NAMES = {PENDING: _l("pending"), CONFIRMED: _l("confirmed"), REJECTED: _l("rejected")}


class ReportedPayment(db.Model):
    """A payment a member says they made to the box's card or account ("I have paid"), in any box,
    with a reference and optionally the receipt; a manager confirms it (recorded through the
    product's apply_payment, like a payment the manager enters: `entry_id`) or rejects it."""

    __tablename__ = "pay_report"
    __table_args__ = (
        db.CheckConstraint("amount > 0", name="amount"),
        db.CheckConstraint("status IN ('pending', 'confirmed', 'rejected')", name="status"),
        db.CheckConstraint("method IN ('card', 'transfer')", name="method"),
        db.Index("ix_pay_report_box_status", "box_id", "status"),
    )

    id = db.Column(db.Integer, primary_key=True)
    box_id = db.Column(db.Integer, db.ForeignKey("box.id"), nullable=False)
    membership_id = db.Column(db.Integer, db.ForeignKey("membership.id"), nullable=False, index=True)
    amount = db.Column(db.BigInteger, nullable=False)
    method = db.Column(db.String(8), nullable=False, default=CARD)
    paid_on = db.Column(db.Date, nullable=False)
    reference = db.Column(db.String(80), nullable=False)  # the bank's tracking number
    target = db.Column(db.String(40), nullable=True)  # what it pays for, in the product's words ("unit:12")
    receipt_path = db.Column(db.String(255), nullable=True)  # under the instance folder
    receipt_name = db.Column(db.String(120), nullable=True)
    receipt_type = db.Column(db.String(40), nullable=True)
    status = db.Column(db.String(10), nullable=False, default=PENDING)
    reason = db.Column(db.String(300), nullable=True)  # why it was rejected
    entry_id = db.Column(db.Integer, db.ForeignKey("ledger_entry.id"), nullable=True, unique=True)
    request_key = db.Column(db.String(80), nullable=True, unique=True)  # a double submit reports once
    created_at = db.Column(db.DateTime, nullable=False, default=clock.now)
    decided_at = db.Column(db.DateTime, nullable=True)
    decided_by_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=True)

    membership = db.relationship("Membership", lazy="joined")
