from hamyan.core import clock
from hamyan.extensions import db


class ReferralCode(db.Model):
    """A user's own code for sign-up links (/r/<code>), made the first time they open their invite page."""

    __tablename__ = "hamyar_referral_code"

    user_id = db.Column(db.Integer, db.ForeignKey("user.id"), primary_key=True)
    code = db.Column(db.String(16), nullable=False, unique=True)
    created_at = db.Column(db.DateTime, nullable=False, default=clock.now)


class Referral(db.Model):
    """Who brought whom through a referral code (invitations to a box keep their own invitee)."""

    __tablename__ = "hamyar_referral"

    id = db.Column(db.Integer, primary_key=True)
    referrer_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=False, index=True)
    referred_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=False, unique=True)
    created_at = db.Column(db.DateTime, nullable=False, default=clock.now)

    referred = db.relationship("User", foreign_keys=[referred_id])


class Announcement(db.Model):
    """A notice from the operator every signed-in user sees (the bar under the navigation and their
    inbox) from when it is written until it ends."""

    __tablename__ = "hamyar_announcement"

    id = db.Column(db.Integer, primary_key=True)
    author_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=False)
    title = db.Column(db.String(200), nullable=False)
    body = db.Column(db.Text, nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=clock.now, index=True)
    ended_at = db.Column(db.DateTime, nullable=True)
