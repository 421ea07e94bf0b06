from hamyan.core import clock
from hamyan.extensions import db


class OutboxMessage(db.Model):
    """Every email or SMS the app sends, kept whether or not a transport is configured."""

    __tablename__ = "outbox_message"

    id = db.Column(db.Integer, primary_key=True)
    channel = db.Column(db.String(10), nullable=False, default="email")
    recipient = db.Column(db.String(254), nullable=False, index=True)
    subject = db.Column(db.String(255), nullable=False)
    body = db.Column(db.Text, nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=clock.now)
    sent_at = db.Column(db.DateTime, nullable=True)
    attempts = db.Column(db.Integer, nullable=False, default=0)
    last_error = db.Column(db.String(500), nullable=True)
