"""Operator plans and the subscriptions of the people who run boxes."""
from hamyan.core import clock
from hamyan.extensions import db


class Plan(db.Model):
    """What a subscriber may run: boxes they create, members per box (None: no limit), a trial, a
    monthly price in rials. The default plan holds for anyone without a current subscription."""

    __tablename__ = "plan"

    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(60), nullable=False, unique=True)
    max_boxes = db.Column(db.Integer, nullable=True)
    max_members = db.Column(db.Integer, nullable=True)
    trial_days = db.Column(db.Integer, nullable=False, default=0)
    price_rials = db.Column(db.BigInteger, nullable=False, default=0)  # a month
    is_default = db.Column(db.Boolean, nullable=False, default=False)
    created_at = db.Column(db.DateTime, nullable=False, default=clock.now)


class Subscription(db.Model):
    """A user's plan: current during its trial, then until renews_on (the day it must be renewed by);
    cancelled or lapsed, the default plan holds again."""

    __tablename__ = "subscription"

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=False, unique=True)
    plan_id = db.Column(db.Integer, db.ForeignKey("plan.id"), nullable=False, index=True)
    started_on = db.Column(db.Date, nullable=False)
    trial_ends_on = db.Column(db.Date, nullable=True)
    renews_on = db.Column(db.Date, nullable=True)
    cancelled_at = db.Column(db.DateTime, nullable=True)
    created_at = db.Column(db.DateTime, nullable=False, default=clock.now)

    plan = db.relationship("Plan", lazy="joined")
    user = db.relationship("User")
