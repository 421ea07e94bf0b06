"""What every product has in common: the box, who belongs to it, and invitations to it."""
from flask_babel import lazy_gettext as _l

from hamyan.core import clock
from hamyan.extensions import db, exact_string


KINDS = ("cashbox", "moneypool", "aptbox", "rosca")
MANAGER, MEMBER, BOARD, RESIDENT = "manager", "member", "board", "resident"
ROLES = (MANAGER, MEMBER, BOARD, RESIDENT)
MANAGING_ROLES = frozenset({MANAGER, BOARD})
# What pages call each role (the API and the database keep the English codes).
ROLE_NAMES = {MANAGER: _l("manager"), MEMBER: _l("member"), BOARD: _l("board"), RESIDENT: _l("resident")}


def role_name(role: str) -> str:
    return str(ROLE_NAMES.get(role, role))
CALENDARS = ("gregorian", "persian")


class Box(db.Model):
    __tablename__ = "box"
    __table_args__ = (
        db.CheckConstraint("kind IN ('cashbox', 'moneypool', 'aptbox', 'rosca')", name="kind"),
    )

    id = db.Column(db.Integer, primary_key=True)
    kind = db.Column(db.String(20), nullable=False, index=True)
    name = db.Column(db.String(120), nullable=False)
    currency = db.Column(db.String(3), nullable=False)  # ISO 4217
    timezone = db.Column(db.String(64), nullable=False, default="UTC")
    locale = db.Column(db.String(20), nullable=False, default="en")
    calendar = db.Column(db.String(20), nullable=False, default="gregorian")
    # Persian pages show Persian digits unless the box chooses Latin ones (hamyan.i18n).
    latin_digits = db.Column(db.Boolean, nullable=False, default=False)
    # A rial box may show its amounts in tomans (1 toman = 10 rials); amounts are stored in rials.
    show_toman = db.Column(db.Boolean, nullable=False, default=False)
    # When reminders go out (dues.reminders.timing): days before a due date (0: none before) and the
    # days late, canonical "2,10"; empty follows the platform's REMINDER_DAYS_BEFORE / REMINDER_LATE_DAYS.
    reminder_days_before = db.Column(db.Integer, nullable=True)
    reminder_late_days = db.Column(db.String(40), nullable=True)
    created_at = db.Column(db.DateTime, nullable=False, default=clock.now)
    created_by_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=True)
    # Archived: read-only (every box write refuses, core.uow) and hidden from the dashboard until restored.
    archived_at = db.Column(db.DateTime, nullable=True)

    memberships = db.relationship("Membership", back_populates="box", lazy="dynamic")

    def __repr__(self):
        return f"<Box {self.id} {self.kind} {self.name!r}>"


class Membership(db.Model):
    """A person in a box. user_id is empty for someone the manager added who has no account yet;
    accepting an invitation links the account."""

    __tablename__ = "membership"
    __table_args__ = (
        db.UniqueConstraint("box_id", "user_id", name="uq_membership_box_user"),
        db.CheckConstraint("role IN ('manager', 'member', 'board', 'resident')", name="role"),
        # A page of a box's members by name, read in index order (no sort of 10,000 rows).
        db.Index("ix_membership_box_left_name", "box_id", "left_at", "display_name"),
    )

    id = db.Column(db.Integer, primary_key=True)
    box_id = db.Column(db.Integer, db.ForeignKey("box.id"), nullable=False, index=True)
    user_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=True, index=True)
    display_name = db.Column(db.String(120), nullable=False)
    # Normalised like User.email: an account is linked once that address is verified by its owner.
    email = db.Column(exact_string(254), nullable=True)
    role = db.Column(db.String(20), nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=clock.now)
    left_at = db.Column(db.DateTime, nullable=True)

    box = db.relationship("Box", back_populates="memberships")
    user = db.relationship("User")

    @property
    def is_managing(self) -> bool:
        return self.role in MANAGING_ROLES


class Invitation(db.Model):
    """A link emailed to one address. Only an account with that verified address may accept it;
    it ends when accepted, revoked (by a manager, or by sending a newer one) or expired."""

    __tablename__ = "invitation"

    id = db.Column(db.Integer, primary_key=True)
    box_id = db.Column(db.Integer, db.ForeignKey("box.id"), nullable=False, index=True)
    membership_id = db.Column(db.Integer, db.ForeignKey("membership.id"), nullable=True)
    email = db.Column(exact_string(254), nullable=False)
    role = db.Column(db.String(20), nullable=False)
    invited_by_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=clock.now)
    accepted_at = db.Column(db.DateTime, nullable=True)
    accepted_by_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=True)
    revoked_at = db.Column(db.DateTime, nullable=True)

    box = db.relationship("Box")
    membership = db.relationship("Membership")
