"""Partner businesses' API keys (granted boxes and actions), their webhook subscriptions and the
webhook deliveries (the log every attempt is kept in)."""
from hamyan.core import clock, sealed
from hamyan.extensions import db


class PartnerKey(db.Model):
    """A key a partner business calls the API with. Only the SHA-256 of its secret is stored; the
    secret is shown once, when the admin creates it."""

    __tablename__ = "partner_key"

    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(120), nullable=False)
    prefix = db.Column(db.String(16), nullable=False)  # the secret's first characters, to tell keys apart
    key_hash = db.Column(db.String(64), nullable=False, unique=True)
    can_manage = db.Column(db.Boolean, nullable=False, default=False)  # else read only
    created_at = db.Column(db.DateTime, nullable=False, default=clock.now)
    created_by_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=True)
    revoked_at = db.Column(db.DateTime, nullable=True)
    last_used_at = db.Column(db.DateTime, nullable=True)

    boxes = db.relationship("PartnerKeyBox", lazy="selectin", cascade="all, delete-orphan")


class PartnerKeyBox(db.Model):
    __tablename__ = "partner_key_box"

    key_id = db.Column(db.Integer, db.ForeignKey("partner_key.id"), primary_key=True)
    box_id = db.Column(db.Integer, db.ForeignKey("box.id"), primary_key=True)


class WebhookSubscription(db.Model):
    """Where a partner wants events sent. The signing secret must be read to sign, so it is kept
    sealed (hamyan.core.sealed) and shown once at creation, like the key."""

    __tablename__ = "webhook_subscription"

    id = db.Column(db.Integer, primary_key=True)
    key_id = db.Column(db.Integer, db.ForeignKey("partner_key.id"), nullable=False, index=True)
    url = db.Column(db.String(500), nullable=False)
    events = db.Column(db.String(500), nullable=False)  # comma separated, or "*"
    secret_sealed = db.Column(db.String(255), nullable=False)
    active = db.Column(db.Boolean, nullable=False, default=True)
    created_at = db.Column(db.DateTime, nullable=False, default=clock.now)

    key = db.relationship("PartnerKey", lazy="joined")

    SEAL_PURPOSE = "webhook-secret"

    @property
    def secret(self) -> str:
        return sealed.unseal(self.secret_sealed, self.SEAL_PURPOSE)

    @secret.setter
    def secret(self, value: str) -> None:
        self.secret_sealed = sealed.seal(value, self.SEAL_PURPOSE)


class WebhookDelivery(db.Model):
    """One event for one subscription: written in the unit of work that caused the event, sent after
    it commits, retried with backoff until delivered or out of attempts; replayable."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (db.Index("ix_webhook_delivery_status_next", "status", "next_attempt_at"),)

    id = db.Column(db.Integer, primary_key=True)
    subscription_id = db.Column(db.Integer, db.ForeignKey("webhook_subscription.id"), nullable=False, index=True)
    event = db.Column(db.String(40), nullable=False)
    box_id = db.Column(db.Integer, db.ForeignKey("box.id"), nullable=True)
    payload = db.Column(db.Text, nullable=False)  # the JSON body sent, fixed at the event
    status = db.Column(db.String(10), nullable=False, default="pending")  # pending, delivered, failed
    attempts = db.Column(db.Integer, nullable=False, default=0)
    next_attempt_at = db.Column(db.DateTime, nullable=False, default=clock.now)
    last_status = db.Column(db.Integer, nullable=True)
    last_error = db.Column(db.String(300), nullable=False, default="")
    created_at = db.Column(db.DateTime, nullable=False, default=clock.now)
    delivered_at = db.Column(db.DateTime, nullable=True)

    subscription = db.relationship("WebhookSubscription", lazy="joined")
