"""Usage events: what happened, by whom and in which box, never what was said or how much.
No names, emails, phones or amounts: `detail` is at most a code (a box's kind, an entry's code)."""
from hamyan.core import clock
from hamyan.extensions import db


class UsageEvent(db.Model):
    """One key action (see events.NAMES), written in the unit of work of the action itself, so an
    action that rolls back leaves no event. Never updated."""

    __tablename__ = "usage_event"
    __table_args__ = (db.Index("ix_usage_event_name_at", "name", "at"),
                      db.Index("ix_usage_event_user_at", "user_id", "at"))

    id = db.Column(db.Integer, primary_key=True)
    at = db.Column(db.DateTime, nullable=False, default=clock.now, index=True)
    name = db.Column(db.String(30), nullable=False)
    # Plain ids, no foreign keys: the history outlives a deleted box.
    user_id = db.Column(db.Integer, nullable=True)  # who acted (or signed up)
    box_id = db.Column(db.Integer, nullable=True, index=True)
    detail = db.Column(db.String(30), nullable=False, default="")


class BoxDay(db.Model):
    """A box's dues, arrears and loans at the end of a day (the analytics.snapshot job): the read
    model the trend charts draw from, since the summaries only know today."""

    __tablename__ = "analytics_box_day"

    box_id = db.Column(db.Integer, primary_key=True)  # no foreign key: the history outlives a deleted box
    day = db.Column(db.Date, primary_key=True, index=True)
    due = db.Column(db.BigInteger, nullable=False, default=0)
    arrears = db.Column(db.BigInteger, nullable=False, default=0)
    loans_out = db.Column(db.BigInteger, nullable=False, default=0)
    loans_at_risk = db.Column(db.BigInteger, nullable=False, default=0)
