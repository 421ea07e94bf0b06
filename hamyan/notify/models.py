from hamyan.core import clock
from hamyan.extensions import db

EMAIL, SMS, INAPP = "email", "sms", "inapp"
CHANNELS = (EMAIL, SMS, INAPP)
QUEUED, SENDING, SENT, FAILED = "queued", "sending", "sent", "failed"


class OutboxMessage(db.Model):
    """Every email, text message and in-app message the app sends, kept whether or not a transport is
    configured: queued (due at next_attempt_at), sending (claimed by a dispatcher until
    claimed_until), sent, or failed for good. `dedupe_key` makes a send that must happen once (a
    reminder stage, a month's statement) unique per channel."""

    __tablename__ = "outbox_message"
    __table_args__ = (
        db.Index("ix_outbox_message_status_next_attempt_at", "status", "next_attempt_at"),
        db.CheckConstraint("channel IN ('email', 'sms', 'inapp')", name="channel"),
        db.CheckConstraint("status IN ('queued', 'sending', 'sent', 'failed')", name="status"),
    )

    id = db.Column(db.Integer, primary_key=True)
    channel = db.Column(db.String(10), nullable=False, default=EMAIL)
    recipient = db.Column(db.String(254), nullable=False, index=True)  # an email, an E.164 mobile, a user id
    subject = db.Column(db.String(255), nullable=False)
    body = db.Column(db.Text, nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=clock.now)
    sent_at = db.Column(db.DateTime, nullable=True)
    attempts = db.Column(db.Integer, nullable=False, default=0)
    last_error = db.Column(db.String(500), nullable=True)
    status = db.Column(db.String(10), nullable=False, default=QUEUED)
    next_attempt_at = db.Column(db.DateTime, nullable=False, default=clock.now)
    claimed_until = db.Column(db.DateTime, nullable=True)
    user_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=True, index=True)
    box_id = db.Column(db.Integer, db.ForeignKey("box.id"), nullable=True, index=True)
    kind = db.Column(db.String(40), nullable=True)  # reminder, statement, campaign, ...
    dedupe_key = db.Column(db.String(160), nullable=True, unique=True)
    provider_id = db.Column(db.String(64), nullable=True)  # the SMS gateway's message id
    delivery = db.Column(db.String(12), nullable=True)  # SMS: pending, delivered, undelivered
    delivered_at = db.Column(db.DateTime, nullable=True)
    attachment_path = db.Column(db.String(255), nullable=True)  # relative to the instance folder
    attachment_name = db.Column(db.String(120), nullable=True)
    read_at = db.Column(db.DateTime, nullable=True)  # in-app messages
    campaign_id = db.Column(db.Integer, db.ForeignKey("notify_campaign.id"), nullable=True, index=True)


class NotifyProfile(db.Model):
    """A user's mobile number (E.164) and quiet hours: no text message is sent from quiet_start to
    quiet_end (hours in `timezone`); one due then waits for the end."""

    __tablename__ = "notify_profile"

    user_id = db.Column(db.Integer, db.ForeignKey("user.id"), primary_key=True)
    phone = db.Column(db.String(20), nullable=True)
    quiet_start = db.Column(db.Integer, nullable=True)
    quiet_end = db.Column(db.Integer, nullable=True)
    timezone = db.Column(db.String(64), nullable=False, default="Asia/Tehran")


class ChannelPreference(db.Model):
    """Which channels a member wants for one box (no row: email and in-app on, SMS on when a mobile
    is known, monthly statements on)."""

    __tablename__ = "notify_channel_preference"
    __table_args__ = (db.UniqueConstraint("user_id", "box_id", name="uq_notify_channel_preference_user_box"),)

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=False)
    box_id = db.Column(db.Integer, db.ForeignKey("box.id"), nullable=False)
    email = db.Column(db.Boolean, nullable=False, default=True)
    sms = db.Column(db.Boolean, nullable=False, default=True)
    inapp = db.Column(db.Boolean, nullable=False, default=True)
    statements = db.Column(db.Boolean, nullable=False, default=True)


class Campaign(db.Model):
    """A message a manager sends to every member of a box (or an admin to every user: box_id None).
    Asking writes only this row; its recipients' outbox rows are written in batches by a background
    thread (or the notify.campaigns job, for one a restarted process left queued), and the
    dispatcher sends them: progress and the delivery report are counts of those rows."""

    __tablename__ = "notify_campaign"
    __table_args__ = (db.CheckConstraint("status IN ('queued', 'expanding', 'queued_all')", name="status"),)

    id = db.Column(db.Integer, primary_key=True)
    box_id = db.Column(db.Integer, db.ForeignKey("box.id"), nullable=True, index=True)
    author_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=False)
    subject = db.Column(db.String(200), nullable=False)
    body = db.Column(db.Text, nullable=False)
    status = db.Column(db.String(12), nullable=False, default="queued")
    recipients = db.Column(db.Integer, nullable=False, default=0)  # members reached so far
    created_at = db.Column(db.DateTime, nullable=False, default=clock.now)
    started_at = db.Column(db.DateTime, nullable=True)
    queued_at = db.Column(db.DateTime, nullable=True)  # when every recipient's messages were in the outbox
