"""The audit log: one row per unit of work that changed something (hamyan.core.uow)."""
from hamyan.core import clock
from hamyan.extensions import db


class AuditEvent(db.Model):
    """Who did what, acting for which box, when, and from where. Written in the same transaction as
    the change it describes, so a write and its audit row land together or not at all. Never updated."""

    __tablename__ = "audit_event"
    __table_args__ = (db.Index("ix_audit_event_box_at", "box_id", "at"),)

    id = db.Column(db.Integer, primary_key=True)
    at = db.Column(db.DateTime, nullable=False, default=clock.now, index=True)
    box_id = db.Column(db.Integer, db.ForeignKey("box.id"), nullable=True)  # None: not a box's write
    actor_kind = db.Column(db.String(10), nullable=False)  # user, partner, system, anonymous
    user_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=True)
    actor_label = db.Column(db.String(120), nullable=False, default="")  # a partner key's name, ...
    action = db.Column(db.String(120), nullable=False)  # the rule that ran, e.g. cashbox.record_payment
    request_id = db.Column(db.String(64), nullable=False, default="")
    ip = db.Column(db.String(45), nullable=False, default="")
    device = db.Column(db.String(200), nullable=False, default="")  # the User-Agent, cut short
    changes = db.Column(db.Text, nullable=False)  # JSON list: {table, op, id, fields: {name: [old, new]}}

    user = db.relationship("User", lazy="joined")
